#include "privacy/exponential_mechanism.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "privacy/discrete_samplers.h"
#include "privacy/discrete_samplers_internal.h"
#include "privacy/errors.h"
#include "privacy/format_number.h"

namespace privet::privacy {
namespace {

using internal::Uint128;

}  // namespace

std::size_t SelectExponential(std::span<const double> scores, double epsilon, double sensitivity,
                              RandomSource& random) {
  if (scores.empty()) throw InputError("exponential mechanism: no candidates to choose from");
  if (!std::isfinite(epsilon) || epsilon <= 0) {
    throw InputError("exponential mechanism: epsilon must be a finite number > 0 (got " +
                     FormatNumber(epsilon) + ")");
  }
  if (!std::isfinite(sensitivity) || sensitivity <= 0) {
    throw InputError("exponential mechanism: sensitivity must be a finite number > 0 (got " +
                     FormatNumber(sensitivity) + ")");
  }
  // Step 1 (header): snap score/sensitivity to the grid 2^-k with every |value| 2^k < 2^51.
  std::vector<double> ratios(scores.size());
  double largest = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i])) {
      throw InputError("exponential mechanism: score " + std::to_string(i) + " is not finite");
    }
    ratios[i] = scores[i] / sensitivity;
    largest = std::max(largest, std::fabs(ratios[i]));
  }
  int magnitude = 0;  // largest < 2^magnitude
  if (largest > 0) std::frexp(largest, &magnitude);
  const int k = std::min(40, 51 - std::max(magnitude, 0));
  if (k < 10) {
    throw InputError("exponential mechanism: |score / sensitivity| reaches " +
                     FormatNumber(largest) + "; rescale the scores below 2^41 sensitivities");
  }
  std::vector<std::int64_t> snapped(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    snapped[i] = static_cast<std::int64_t>(std::floor(std::ldexp(ratios[i], k)));
  }
  const std::int64_t best = *std::max_element(snapped.begin(), snapped.end());
  // Step 2: epsilon' <= epsilon / (1 + 2^(1-k)) (quotient rounded, then one step down).
  const double shrunk = std::nextafter(epsilon / (1.0 + std::ldexp(1.0, 1 - k)), 0.0);
  const Rational epsilon_used = RationalAtMost(shrunk);
  // Step 3: gamma_i = epsilon' (best - m_i) / 2^(k+1); numerator < 2^34 * 2^53, denominator
  // <= 2^62 * 2^41, both inside 128 bits.
  const Uint128 denominator = static_cast<Uint128>(epsilon_used.denominator) << (k + 1);
  for (;;) {
    const std::size_t i = random.UniformBelow(scores.size());
    const Uint128 gap = static_cast<Uint128>(static_cast<std::uint64_t>(best - snapped[i]));
    if (internal::SampleBernoulliExp128(gap * epsilon_used.numerator, denominator, random)) {
      return i;
    }
  }
}

}  // namespace privet::privacy
