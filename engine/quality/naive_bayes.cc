#include "engine/quality/naive_bayes.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace privet::engine::quality {
namespace {

std::vector<std::uint64_t> ClassCounts(const EncodedColumn& column) {
  std::vector<std::uint64_t> counts(column.domain_size(), 0);
  column.Visit([&](const auto& codes) {
    for (auto code : codes) ++counts[code];
  });
  return counts;
}

}  // namespace

NaiveBayes NaiveBayes::Fit(const EncodedTable& train, std::size_t target, double alpha) {
  if (train.num_rows() == 0) throw std::invalid_argument("naive Bayes: empty training table");
  if (target >= train.num_columns()) {
    throw std::invalid_argument("naive Bayes: target column " + std::to_string(target) +
                                " out of range");
  }
  if (!(alpha > 0) || !std::isfinite(alpha)) {
    throw std::invalid_argument("naive Bayes: smoothing alpha must be finite and > 0");
  }
  NaiveBayes model;
  model.target_ = target;
  for (const auto& column : train.columns()) model.domain_sizes_.push_back(column.domain_size());

  const EncodedColumn& labels = train.column(target);
  const std::uint32_t num_classes = labels.domain_size();
  const std::vector<std::uint64_t> class_counts = ClassCounts(labels);
  const auto rows = static_cast<double>(train.num_rows());
  for (std::uint32_t y = 0; y < num_classes; ++y) {
    // Laplace-smoothed prior (add-alpha over the public class domain).
    model.log_prior_.push_back(
        std::log((static_cast<double>(class_counts[y]) + alpha) / (rows + alpha * num_classes)));
  }

  model.log_likelihood_.resize(train.num_columns());
  for (std::size_t j = 0; j < train.num_columns(); ++j) {
    if (j == target) continue;
    const EncodedColumn& feature = train.column(j);
    const std::uint32_t num_values = feature.domain_size();
    std::vector<std::uint64_t> joint(static_cast<std::size_t>(num_values) * num_classes, 0);
    for (std::size_t r = 0; r < train.num_rows(); ++r) {
      ++joint[static_cast<std::size_t>(feature.at(r)) * num_classes + labels.at(r)];
    }
    std::vector<double>& table = model.log_likelihood_[j];
    table.resize(joint.size());
    for (std::uint32_t x = 0; x < num_values; ++x) {
      for (std::uint32_t y = 0; y < num_classes; ++y) {
        const std::size_t cell = static_cast<std::size_t>(x) * num_classes + y;
        // P(x | y) = (n(x, y) + alpha) / (n(y) + alpha * |domain of x|), IIR Eq. 13.7.
        table[cell] = std::log((static_cast<double>(joint[cell]) + alpha) /
                               (static_cast<double>(class_counts[y]) + alpha * num_values));
      }
    }
  }
  return model;
}

void NaiveBayes::CheckCompatible(const EncodedTable& table) const {
  if (table.num_columns() != domain_sizes_.size()) {
    throw std::invalid_argument("naive Bayes: table has " + std::to_string(table.num_columns()) +
                                " columns, the model " + std::to_string(domain_sizes_.size()));
  }
  for (std::size_t j = 0; j < domain_sizes_.size(); ++j) {
    if (table.column(j).domain_size() != domain_sizes_[j]) {
      throw std::invalid_argument("naive Bayes: column '" + table.column(j).name() +
                                  "' has another domain than in training");
    }
  }
}

std::uint32_t NaiveBayes::Predict(const EncodedTable& table, std::size_t row) const {
  CheckCompatible(table);
  const auto num_classes = static_cast<std::uint32_t>(log_prior_.size());
  std::uint32_t best = 0;
  double best_score = -INFINITY;
  for (std::uint32_t y = 0; y < num_classes; ++y) {
    double score = log_prior_[y];
    for (std::size_t j = 0; j < log_likelihood_.size(); ++j) {
      if (j == target_) continue;
      score +=
          log_likelihood_[j][static_cast<std::size_t>(table.column(j).at(row)) * num_classes + y];
    }
    if (score > best_score) {  // strict: ties keep the smaller class code
      best_score = score;
      best = y;
    }
  }
  return best;
}

double NaiveBayes::Accuracy(const EncodedTable& table) const {
  if (table.num_rows() == 0) throw std::invalid_argument("naive Bayes: empty test table");
  CheckCompatible(table);
  std::size_t correct = 0;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    if (Predict(table, r) == table.column(target_).at(r)) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(table.num_rows());
}

double MajorityClassAccuracy(const EncodedTable& train, const EncodedTable& table,
                             std::size_t target) {
  if (train.num_rows() == 0 || table.num_rows() == 0) {
    throw std::invalid_argument("majority baseline: empty table");
  }
  if (target >= train.num_columns() || target >= table.num_columns()) {
    throw std::invalid_argument("majority baseline: target column out of range");
  }
  const std::vector<std::uint64_t> counts = ClassCounts(train.column(target));
  std::uint32_t majority = 0;
  for (std::uint32_t y = 1; y < counts.size(); ++y) {
    if (counts[y] > counts[majority]) majority = y;
  }
  std::size_t correct = 0;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    if (table.column(target).at(r) == majority) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(table.num_rows());
}

}  // namespace privet::engine::quality
