#include "engine/generator/pair_calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/generator/domain_compression.h"
#include "engine/generator/systematic_allocation.h"

namespace privet::engine {
namespace {

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

std::vector<double> FitPairWeights(const std::vector<std::vector<std::uint8_t>>& levels,
                                   const std::vector<AttributeCompression>& compression,
                                   std::span<const PairMarginal> pairs, std::size_t rows,
                                   int rounds) {
  return FitPairWeights(levels, compression, pairs, std::vector<double>(rows, 1.0), rounds);
}

std::vector<double> FitPairWeights(const std::vector<std::vector<std::uint8_t>>& levels,
                                   const std::vector<AttributeCompression>& compression,
                                   std::span<const PairMarginal> pairs, std::vector<double> weights,
                                   int rounds) {
  for (int round = 0; round < rounds; ++round) {
    for (const PairMarginal& pair : pairs) {
      FitPair(levels[pair.first], levels[pair.second], compression[pair.second].num_pair_levels,
              pair.probabilities, pair.noise_l1, weights);
    }
  }
  return weights;
}

EncodedTable CalibrateToPairs(const BayesNetModel& model, EncodedTable sample,
                              boost::random::mt19937_64& rng) {
  const std::size_t n = sample.num_rows();
  if (model.pair_marginals().empty() || n == 0) return sample;
  const auto& compression = model.compression();
  std::vector<std::vector<std::uint8_t>> levels(compression.size());
  for (const PairMarginal& pair : model.pair_marginals()) {
    for (std::size_t a : {pair.first, pair.second}) {
      if (levels[a].empty()) levels[a] = PairLevelsOf(sample.column(a), compression[a]);
    }
  }
  const std::vector<double> weights =
      FitPairWeights(levels, compression, model.pair_marginals(), n);
  double total = 0;
  for (double w : weights) total += w;
  if (!(total > 0)) return sample;  // the targets emptied every row: keep the network's rows
  // Systematic resampling: row r gets floor or ceil of n * w_r / total copies.
  const std::vector<std::size_t> copies = SystematicCounts(weights, n, rng);
  std::vector<std::size_t> chosen;
  chosen.reserve(n);
  for (std::size_t r = 0; r < n; ++r) chosen.insert(chosen.end(), copies[r], r);
  Shuffle(std::span<std::size_t>(chosen), rng);
  return sample.SelectRows(chosen);
}

}  // namespace privet::engine
