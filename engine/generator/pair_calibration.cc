#include "engine/generator/pair_calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <thread>
#include <utility>
#include <vector>

#include "engine/generator/domain_compression.h"
#include "engine/generator/systematic_allocation.h"

namespace privet::engine {
namespace {

// Rows [0, n) in two fixed halves, on two threads when there are enough rows for it to pay.
// body(begin, end, half) must touch only its rows and its half's scratch; the split is the same
// with one thread, so results do not depend on the machine.
constexpr std::size_t kParallelRows = 32768;
template <typename Body>
void OverHalves(std::size_t n, const Body& body) {
  const std::size_t mid = n / 2;
  if (n < kParallelRows || std::thread::hardware_concurrency() < 2) {
    body(0, mid, 0);
    body(mid, n, 1);
    return;
  }
  std::thread other([&] { body(mid, n, 1); });
  body(0, mid, 0);
  other.join();
}

// The weighted distribution of the rows over `cells` cells (cell_of(r) < cells) and its total.
template <typename CellOf>
std::vector<double> WeightedCounts(std::size_t cells, const CellOf& cell_of,
                                   const std::vector<double>& weights, double& total) {
  std::vector<double> halves[2] = {std::vector<double>(cells, 0.0),
                                   std::vector<double>(cells, 0.0)};
  double totals[2] = {0, 0};
  OverHalves(weights.size(), [&](std::size_t begin, std::size_t end, int half) {
    std::vector<double>& counts = halves[half];
    double sum = 0;
    for (std::size_t r = begin; r < end; ++r) {
      counts[cell_of(r)] += weights[r];
      sum += weights[r];
    }
    totals[half] = sum;
  });
  for (std::size_t c = 0; c < cells; ++c) halves[0][c] += halves[1][c];
  total = totals[0] + totals[1];
  return std::move(halves[0]);
}

template <typename CellOf>
void ScaleWeights(const CellOf& cell_of, const std::vector<double>& ratio,
                  std::vector<double>& weights) {
  OverHalves(weights.size(), [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t r = begin; r < end; ++r) weights[r] *= ratio[cell_of(r)];
  });
}

// One IPF step: scales the weights so the weighted distribution q of (first, second) levels
// becomes q + lambda (measured - q). A cell the target empties loses its rows; a cell with no
// row stays empty.
void FitPair(const std::vector<std::uint8_t>& first, const std::vector<std::uint8_t>& second,
             std::uint32_t second_levels, const std::vector<double>& measured, double noise_l1,
             std::vector<double>& weights) {
  const auto cell_of = [&](std::size_t r) { return first[r] * second_levels + second[r]; };
  double total = 0;
  std::vector<double> current = WeightedCounts(measured.size(), cell_of, weights, total);
  if (total <= 0) return;
  for (double& c : current) c /= total;
  double distance = 0;
  for (std::size_t cell = 0; cell < measured.size(); ++cell) {
    distance += std::abs(measured[cell] - current[cell]);
  }
  // Shrinkage towards the rows' own distribution: a measurement no farther from it than its
  // expected noise carries no evidence of a difference (lambda 0); one far beyond the noise is
  // followed almost fully (lambda -> 1).
  const double lambda = distance > 0 ? std::clamp(1 - noise_l1 / distance, 0.0, 1.0) : 0.0;
  std::vector<double> ratio(measured.size(), 1.0);
  for (std::size_t cell = 0; cell < measured.size(); ++cell) {
    const double target = current[cell] + lambda * (measured[cell] - current[cell]);
    if (current[cell] > 0) ratio[cell] = target / current[cell];
  }
  ScaleWeights(cell_of, ratio, weights);
}

// One IPF step to an exact target (a distribution over the family's cells).
void FitFamily(const std::vector<std::size_t>& cells, const std::vector<double>& target,
               std::vector<double>& weights) {
  const auto cell_of = [&](std::size_t r) { return cells[r]; };
  double total = 0;
  std::vector<double> ratio = WeightedCounts(target.size(), cell_of, weights, total);
  if (total <= 0) return;
  for (std::size_t cell = 0; cell < target.size(); ++cell) {
    ratio[cell] = ratio[cell] > 0 ? target[cell] * total / ratio[cell] : 1.0;
  }
  ScaleWeights(cell_of, ratio, weights);
}

// The rows sorted by their codes, lexicographically in `priority` order (LSD radix sort: one
// stable counting sort per attribute, the least significant first), ties by row index.
std::vector<std::size_t> LexicographicOrder(const EncodedTable& rows,
                                            const std::vector<std::size_t>& priority) {
  const std::size_t n = rows.num_rows();
  std::vector<std::size_t> order(n), next(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (auto a = priority.rbegin(); a != priority.rend(); ++a) {
    const EncodedColumn& column = rows.column(*a);
    column.Visit([&](const auto& codes) {
      std::vector<std::size_t> start(static_cast<std::size_t>(column.domain_size()) + 1, 0);
      for (std::size_t r : order) ++start[codes[r] + 1];
      std::partial_sum(start.begin(), start.end(), start.begin());
      for (std::size_t r : order) next[start[codes[r]]++] = r;
    });
    order.swap(next);
  }
  return order;
}

}  // namespace

std::uint64_t CalibrationPoolRows(const BayesNetModel& model, std::uint64_t rows) {
  if (model.pair_marginals().empty()) return rows;
  return std::max(rows, std::min(kCalibrationPoolFactor * rows, kMaxCalibrationPoolRows));
}

RowCalibration::RowCalibration(const EncodedTable& rows, const BayesNetModel& model)
    : rows_(rows), compression_(model.compression()), levels_(model.compression().size()) {
  for (std::size_t a = 0; a < compression_.size(); ++a) {
    if (compression_[a].num_pair_levels > 0) {
      levels_[a] = PairLevelsOf(rows.column(a), compression_[a]);
    }
  }
  const double n = static_cast<double>(rows.num_rows());
  std::vector<std::size_t> cells;
  for (const ConditionalTable& entry : model.network()) {
    Family family;
    family.attributes = entry.parents;
    family.attributes.push_back(entry.attribute);
    family.target.assign(entry.probabilities.size(), 0.0);
    FamilyCells(family, cells);
    for (std::size_t cell : cells) family.target[cell] += 1 / n;
    families_.push_back(std::move(family));
  }
}

void RowCalibration::FamilyCells(const Family& family, std::vector<std::size_t>& keys) const {
  keys.assign(rows_.num_rows(), 0);
  for (std::size_t a : family.attributes) {
    const AttributeCompression& c = compression_[a];
    rows_.column(a).Visit([&](const auto& codes) {
      OverHalves(keys.size(), [&](std::size_t begin, std::size_t end, int) {
        for (std::size_t r = begin; r < end; ++r) {
          keys[r] = keys[r] * c.num_groups + c.group_of_code[codes[r]];
        }
      });
    });
  }
}

std::vector<double> RowCalibration::Fit(std::span<const PairMarginal> pairs,
                                        std::vector<double> weights, int rounds) const {
  std::vector<std::size_t> cells;
  for (int round = 0; round < rounds; ++round) {
    for (const PairMarginal& pair : pairs) {
      FitPair(levels_[pair.first], levels_[pair.second], compression_[pair.second].num_pair_levels,
              pair.probabilities, pair.noise_l1, weights);
    }
    for (const Family& family : families_) {
      FamilyCells(family, cells);
      FitFamily(cells, family.target, weights);
    }
  }
  return weights;
}

EncodedTable CalibrateToPairs(const BayesNetModel& model, EncodedTable sample, std::size_t rows,
                              boost::random::mt19937_64& rng) {
  const std::size_t n = sample.num_rows();
  if (n == 0 || (model.pair_marginals().empty() && rows == n)) return sample;
  std::vector<double> weights(n, 1.0);
  if (!model.pair_marginals().empty()) {
    weights = RowCalibration(sample, model)
                  .Fit(model.pair_marginals(), std::move(weights), kCalibrationRounds);
  }
  double total = 0;
  for (double w : weights) total += w;
  if (!(total > 0)) weights.assign(n, 1.0);  // the targets emptied every row: the network's rows
  // Systematic resampling along the rows sorted in network order (the attributes without a
  // network entry last): row r gets floor or ceil of rows * w_r / total copies, and so does
  // every run of consecutive rows in that order.
  std::vector<std::size_t> priority;
  std::vector<char> placed(sample.num_columns(), 0);
  for (const ConditionalTable& entry : model.network()) {
    priority.push_back(entry.attribute);
    placed[entry.attribute] = 1;
  }
  for (std::size_t a = 0; a < sample.num_columns(); ++a) {
    if (!placed[a]) priority.push_back(a);
  }
  const std::vector<std::size_t> order = LexicographicOrder(sample, priority);
  std::vector<double> sorted_weights(n);
  for (std::size_t i = 0; i < n; ++i) sorted_weights[i] = weights[order[i]];
  const std::vector<std::size_t> copies = SystematicCounts(sorted_weights, rows, rng);
  std::vector<std::size_t> chosen;
  chosen.reserve(rows);
  for (std::size_t i = 0; i < n; ++i) chosen.insert(chosen.end(), copies[i], order[i]);
  Shuffle(std::span<std::size_t>(chosen), rng);
  return sample.SelectRows(chosen);
}

}  // namespace privet::engine
