#include "engine/generator/systematic_allocation.h"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>

namespace privet::engine {

std::vector<std::size_t> SystematicCounts(std::span<const double> weights, std::size_t n,
                                          boost::random::mt19937_64& rng) {
  std::vector<std::size_t> counts(weights.size(), 0);
  if (weights.empty() || n == 0) return counts;
  double total = 0;
  for (double w : weights) total += std::max(0.0, w);
  const double start = boost::random::uniform_01<double>()(rng);
  const double points = static_cast<double>(n);
  double cumulative = 0;
  std::size_t passed = 0;  // points below the end of the entries seen so far
  for (std::size_t j = 0; j < weights.size(); ++j) {
    cumulative += total > 0 ? std::max(0.0, weights[j]) * points / total
                            : points / static_cast<double>(weights.size());
    // Points start + i < cumulative: i < cumulative - start.
    const auto below = static_cast<std::size_t>(
        std::clamp(std::ceil(cumulative - start), static_cast<double>(passed), points));
    counts[j] = below - passed;
    passed = below;
  }
  counts.back() += n - passed;  // floating-point rounding at the very end
  return counts;
}

}  // namespace privet::engine
