#include "engine/pair_calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>

namespace privet::engine {
namespace {

// Pair level of every row of `column` (original codes) for attribute compression `c`.
std::vector<std::uint8_t> LevelsOf(const EncodedColumn& column, const AttributeCompression& c) {
  std::vector<std::uint8_t> levels;
  levels.reserve(column.size());
  column.Visit([&](const auto& codes) {
    for (auto code : codes) {
      levels.push_back(static_cast<std::uint8_t>(c.pair_level_of_group[c.group_of_code[code]]));
    }
  });
  return levels;
}

// One IPF step: scales the weights so the weighted distribution q of (first, second) levels
// becomes q + lambda (measured - q). A cell the target empties loses its rows; a cell with no
// row stays empty.
void FitPair(const std::vector<std::uint8_t>& first, const std::vector<std::uint8_t>& second,
             std::uint32_t second_levels, const std::vector<double>& measured, double noise_l1,
             std::vector<double>& weights) {
  std::vector<double> current(measured.size(), 0.0);
  double total = 0;
  for (std::size_t r = 0; r < weights.size(); ++r) {
    current[first[r] * second_levels + second[r]] += weights[r];
    total += weights[r];
  }
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
  for (std::size_t r = 0; r < weights.size(); ++r) {
    weights[r] *= ratio[first[r] * second_levels + second[r]];
  }
}

}  // namespace

EncodedTable CalibrateToPairs(const BayesNetModel& model, EncodedTable sample,
                              boost::random::mt19937_64& rng) {
  const std::size_t n = sample.num_rows();
  if (model.pair_marginals().empty() || n == 0) return sample;
  const auto& compression = model.compression();
  std::vector<std::vector<std::uint8_t>> levels(compression.size());
  for (const PairMarginal& pair : model.pair_marginals()) {
    for (std::size_t a : {pair.first, pair.second}) {
      if (levels[a].empty()) levels[a] = LevelsOf(sample.column(a), compression[a]);
    }
  }
  std::vector<double> weights(n, 1.0);
  for (int round = 0; round < kCalibrationRounds; ++round) {
    for (const PairMarginal& pair : model.pair_marginals()) {
      FitPair(levels[pair.first], levels[pair.second], compression[pair.second].num_pair_levels,
              pair.probabilities, pair.noise_l1, weights);
    }
  }
  double total = 0;
  for (double w : weights) total += w;
  if (!(total > 0)) return sample;  // the targets emptied every row: keep the network's rows
  // Systematic resampling: row r gets floor or ceil of n * w_r / total copies.
  std::vector<std::size_t> chosen;
  chosen.reserve(n);
  const double start = boost::random::uniform_01<double>()(rng);
  const double scale = static_cast<double>(n) / total;
  double cumulative = 0;
  for (std::size_t r = 0; r < n && chosen.size() < n; ++r) {
    cumulative += weights[r] * scale;
    while (chosen.size() < n && start + static_cast<double>(chosen.size()) < cumulative) {
      chosen.push_back(r);
    }
  }
  while (chosen.size() < n) chosen.push_back(chosen.empty() ? 0 : chosen.back());  // rounding
  for (std::size_t i = chosen.size(); i > 1; --i) {  // Fisher-Yates
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(chosen[i - 1], chosen[pick(rng)]);
  }
  return sample.SelectRows(chosen);
}

}  // namespace privet::engine
