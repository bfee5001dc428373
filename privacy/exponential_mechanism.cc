#include "privacy/exponential_mechanism.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "privacy/discrete_samplers_internal.h"
#include "privacy/errors.h"
#include "privacy/format_number.h"

namespace privet::privacy {
namespace {

using internal::Uint128;
__extension__ typedef __int128 Int128;

// floor(numerator / denominator) for denominator > 0.
Int128 FloorDivide(Int128 numerator, Int128 denominator) {
  Int128 quotient = numerator / denominator;
  if (numerator % denominator != 0 && numerator < 0) --quotient;
  return quotient;
}

// x = significand * 2^exponent with |significand| < 2^53 an integer (exact for any finite x).
void Decompose(double x, std::int64_t& significand, int& exponent) {
  int binary_exponent = 0;
  const double fraction = std::frexp(x, &binary_exponent);  // x = fraction 2^e, |f| in [.5, 1)
  significand = static_cast<std::int64_t>(std::ldexp(fraction, 53));
  exponent = binary_exponent - 53;
}

}  // namespace

ExponentialPlan PlanExponential(std::span<const std::int64_t> scores, std::uint64_t sensitivity,
                                double epsilon) {
  if (scores.empty()) throw InputError("exponential mechanism: no candidates to choose from");
  if (!std::isfinite(epsilon) || epsilon < 0x1p-30 || epsilon >= 0x1p33) {
    throw InputError(
        "exponential mechanism: epsilon must be a finite number in [2^-30, 2^33) "
        "(got " +
        FormatNumber(epsilon) + ")");
  }
  if (sensitivity == 0) throw InputError("exponential mechanism: sensitivity must be > 0");
  ExponentialPlan plan;
  plan.epsilon_used = RationalAtMost(epsilon);  // rounded down: the safe direction
  plan.sensitivity = sensitivity;
  if (sensitivity >> 62 != 0) {
    throw InputError("exponential mechanism: sensitivity must be below 2^62 score units");
  }
  // Every gamma has this denominator (< 2^1 2^63 2^62, no overflow); the Bernoulli sampler
  // multiplies it by a counter K that passes 2^27 with probability below 1/(2^27)!, so a
  // denominator below 2^100 keeps every intermediate inside 128 bits.
  const Uint128 denominator =
      Uint128{2} * plan.epsilon_used.denominator * static_cast<Uint128>(sensitivity);
  if (denominator >> 100 != 0) {
    throw InputError("exponential mechanism: epsilon " + FormatNumber(epsilon) +
                     " is too small for a score sensitivity of " + std::to_string(sensitivity) +
                     " score units");
  }
  const std::int64_t best = *std::max_element(scores.begin(), scores.end());
  plan.gaps.reserve(scores.size());
  for (const std::int64_t score : scores) {
    // best >= score, so the difference is in [0, 2^64) and exact in unsigned arithmetic.
    plan.gaps.push_back(static_cast<std::uint64_t>(best) - static_cast<std::uint64_t>(score));
  }
  return plan;
}

std::size_t SampleExponential(const ExponentialPlan& plan, RandomSource& random) {
  if (plan.gaps.empty()) throw InputError("exponential mechanism: no candidates to choose from");
  // gamma_i = eps.num * gap_i / (2 eps.den Delta): numerator < 2^33 * 2^64, denominator
  // < 2^100 (PlanExponential), both inside 128 bits.
  const Uint128 denominator =
      Uint128{2} * plan.epsilon_used.denominator * static_cast<Uint128>(plan.sensitivity);
  const Uint128 epsilon_numerator = plan.epsilon_used.numerator;
  for (;;) {
    const std::size_t i = random.UniformBelow(plan.gaps.size());
    if (internal::SampleBernoulliExp128(epsilon_numerator * plan.gaps[i], denominator, random)) {
      return i;
    }
  }
}

std::size_t SelectExponentialExact(std::span<const std::int64_t> scores, std::uint64_t sensitivity,
                                   double epsilon, RandomSource& random) {
  return SampleExponential(PlanExponential(scores, sensitivity, epsilon), random);
}

std::vector<std::int64_t> SnapExponentialScores(std::span<const double> scores,
                                                double sensitivity) {
  if (!std::isfinite(sensitivity) || sensitivity <= 0) {
    throw InputError("exponential mechanism: sensitivity must be a finite number > 0 (got " +
                     FormatNumber(sensitivity) + ")");
  }
  std::int64_t sensitivity_significand = 0;  // in [2^52, 2^53): sensitivity is positive
  int sensitivity_exponent = 0;
  Decompose(sensitivity, sensitivity_significand, sensitivity_exponent);
  const Int128 divisor = sensitivity_significand;
  constexpr Int128 kLimit = static_cast<Int128>(kMaxExponentialUtility) << kExponentialGridBits;
  std::vector<std::int64_t> snapped;
  snapped.reserve(scores.size());
  for (const double score : scores) {
    // The score is private: the messages below must not show it (docs/privacy.md).
    if (!std::isfinite(score)) throw InputError("exponential mechanism: a score is not finite");
    std::int64_t significand = 0;
    int exponent = 0;
    Decompose(score, significand, exponent);
    // score 2^k / sensitivity = (significand / divisor) 2^shift, computed as one exact floor.
    const int shift = exponent - sensitivity_exponent + kExponentialGridBits;
    Int128 value = 0;
    if (shift > 73) {
      // |significand / divisor| >= 1/2, so |value| >= 2^72: beyond the clamp below anyway.
      value = significand < 0 ? -kLimit : kLimit;
    } else if (shift >= 0) {
      value = FloorDivide(static_cast<Int128>(significand) * (Int128{1} << shift), divisor);
    } else if (shift > -64) {
      value = FloorDivide(significand, divisor * (Int128{1} << -shift));
    } else {
      value = significand < 0 ? -1 : 0;  // |score| < 2^-64 sensitivities: floor is 0 or -1
    }
    // Clamping to [-2^62, 2^62] is 1-Lipschitz, so the snapped scores keep sensitivity 2^k;
    // it replaces an error that would have told the requester a score was huge.
    value = std::clamp(value, -kLimit, kLimit);
    snapped.push_back(static_cast<std::int64_t>(value));
  }
  return snapped;
}

std::size_t SelectExponential(std::span<const double> scores, double epsilon, double sensitivity,
                              RandomSource& random) {
  if (scores.empty()) throw InputError("exponential mechanism: no candidates to choose from");
  const std::vector<std::int64_t> snapped = SnapExponentialScores(scores, sensitivity);
  return SelectExponentialExact(snapped, std::uint64_t{1} << kExponentialGridBits, epsilon, random);
}

}  // namespace privet::privacy
