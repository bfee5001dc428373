#include "engine/quality/logistic_regression.h"

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace privet::engine::quality {
namespace {

constexpr double kAdagradEpsilon = 1e-8;

}  // namespace

LogisticRegression LogisticRegression::Fit(const EncodedTable& train, std::size_t target,
                                           const Options& options) {
  if (train.num_rows() == 0) {
    throw std::invalid_argument("logistic regression: empty training table");
  }
  if (target >= train.num_columns()) {
    throw std::invalid_argument("logistic regression: target column " + std::to_string(target) +
                                " out of range");
  }
  if (options.epochs < 1 || !(options.learning_rate > 0) || !std::isfinite(options.learning_rate) ||
      !(options.l2 >= 0) || !std::isfinite(options.l2)) {
    throw std::invalid_argument(
        "logistic regression: epochs >= 1, learning rate > 0 and "
        "l2 >= 0 (all finite) required");
  }
  LogisticRegression model;
  model.target_ = target;
  std::size_t features = 0;
  for (std::size_t j = 0; j < train.num_columns(); ++j) {
    model.domain_sizes_.push_back(train.column(j).domain_size());
    model.offset_.push_back(features);
    if (j != target) features += train.column(j).domain_size();
  }
  const auto classes = static_cast<Eigen::Index>(train.column(target).domain_size());
  const auto bias = static_cast<Eigen::Index>(features);
  model.weights_ = Eigen::MatrixXd::Zero(bias + 1, classes);
  Eigen::MatrixXd squared_gradients = Eigen::MatrixXd::Zero(bias + 1, classes);

  std::vector<std::size_t> order(train.num_rows());
  std::iota(order.begin(), order.end(), std::size_t{0});
  boost::random::mt19937_64 engine(options.seed);
  Eigen::VectorXd scores(classes);
  std::vector<Eigen::Index> active;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    for (std::size_t i = order.size(); i-- > 1;) {  // Fisher-Yates
      boost::random::uniform_int_distribution<std::size_t> pick(0, i);
      std::swap(order[i], order[pick(engine)]);
    }
    for (std::size_t row : order) {
      active.clear();
      for (std::size_t j = 0; j < train.num_columns(); ++j) {
        if (j == target) continue;
        active.push_back(static_cast<Eigen::Index>(model.offset_[j] + train.column(j).at(row)));
      }
      active.push_back(bias);
      scores.setZero();
      for (Eigen::Index feature : active) scores += model.weights_.row(feature).transpose();
      // Softmax, shifted by the largest score so exp never overflows.
      scores = (scores.array() - scores.maxCoeff()).exp();
      scores /= scores.sum();
      const auto label = static_cast<Eigen::Index>(train.column(target).at(row));
      scores(label) -= 1.0;  // d(cross-entropy)/d(score) = p - onehot(y) (ESL Sec. 4.4.1)
      for (Eigen::Index feature : active) {
        for (Eigen::Index k = 0; k < classes; ++k) {
          const double penalty = feature == bias ? 0.0 : options.l2 * model.weights_(feature, k);
          const double gradient = scores(k) + penalty;
          squared_gradients(feature, k) += gradient * gradient;
          model.weights_(feature, k) -=
              options.learning_rate * gradient /
              (std::sqrt(squared_gradients(feature, k)) + kAdagradEpsilon);
        }
      }
    }
  }
  return model;
}

void LogisticRegression::CheckCompatible(const EncodedTable& table) const {
  if (table.num_columns() != domain_sizes_.size()) {
    throw std::invalid_argument("logistic regression: table has " +
                                std::to_string(table.num_columns()) + " columns, the model " +
                                std::to_string(domain_sizes_.size()));
  }
  for (std::size_t j = 0; j < domain_sizes_.size(); ++j) {
    if (table.column(j).domain_size() != domain_sizes_[j]) {
      throw std::invalid_argument("logistic regression: column '" + table.column(j).name() +
                                  "' has another domain than in training");
    }
  }
}

void LogisticRegression::Scores(const EncodedTable& table, std::size_t row,
                                Eigen::VectorXd& scores) const {
  scores = weights_.row(weights_.rows() - 1).transpose();
  for (std::size_t j = 0; j < domain_sizes_.size(); ++j) {
    if (j == target_) continue;
    scores +=
        weights_.row(static_cast<Eigen::Index>(offset_[j] + table.column(j).at(row))).transpose();
  }
}

std::uint32_t LogisticRegression::Predict(const EncodedTable& table, std::size_t row) const {
  CheckCompatible(table);
  Eigen::VectorXd scores;
  Scores(table, row, scores);
  Eigen::Index best = 0;
  for (Eigen::Index k = 1; k < scores.size(); ++k) {
    if (scores(k) > scores(best)) best = k;  // strict: ties keep the smaller class code
  }
  return static_cast<std::uint32_t>(best);
}

double LogisticRegression::Accuracy(const EncodedTable& table) const {
  if (table.num_rows() == 0) throw std::invalid_argument("logistic regression: empty test table");
  CheckCompatible(table);
  std::size_t correct = 0;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    if (Predict(table, r) == table.column(target_).at(r)) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(table.num_rows());
}

}  // namespace privet::engine::quality
