// Exact samplers on the integers: Bernoulli(exp(-gamma)), the discrete Laplace and the
// discrete Gaussian, from
//   C. Canonne, G. Kamath, T. Steinke, "The Discrete Gaussian for Differential Privacy",
//   NeurIPS 2020 (arXiv:2004.00010), Algorithm 1 (Bernoulli(exp(-gamma)) for rational
//   gamma), Algorithm 2 (discrete Laplace with rational scale) and Algorithm 3 (discrete
//   Gaussian with rational sigma^2).
//
// Why: textbook floating-point Laplace noise leaks through the gaps of the double grid
// (Mironov, CCS 2012). These samplers touch no floating point: every draw is a uniform
// integer from RandomSource::UniformBelow (or a 128-bit variant built from the same source)
// compared with integer numerators, so their output distribution is exactly the one the
// privacy theorems assume, given a perfect uniform source.
//
// Parameters are positive rationals. A parameter that arrives as a double (epsilon,
// sigma) is converted with RationalAtLeast / RationalAtMost, which round in the SAFE
// direction (more noise, smaller privacy loss); callers charge the ledger with the value
// the sampler really used (see the Plan* helpers in noisy_counts.h).
//
// Overflow: parameters are range-checked on entry (InputError). Inside, intermediates use
// 64- and 128-bit integers sized so that an overflow needs a draw beyond ~2^11 noise scales
// (probability < exp(-2000)); should one happen anyway, the sampler throws privet::Error
// rather than return a wrong value.
#ifndef PRIVET_PRIVACY_DISCRETE_SAMPLERS_H_
#define PRIVET_PRIVACY_DISCRETE_SAMPLERS_H_

#include <cstdint>
#include <string>

#include "privacy/random_source.h"

namespace privet::privacy {

// A non-negative rational numerator/denominator. Both parts are at most kMaxRationalPart
// and the denominator is positive; ToDouble is for display and accounting only, never for
// sampling.
struct Rational {
  std::uint64_t numerator = 0;
  std::uint64_t denominator = 1;

  double ToDouble() const;
  // "numerator/denominator", as recorded in attestations.
  std::string ToString() const;
};

inline constexpr std::uint64_t kMaxRationalPart = std::uint64_t{1} << 62;

// Range of the scale of the discrete Laplace and of sigma^2 for the discrete Gaussian
// accepted by the samplers (and by RationalAtLeast): [2^-20, 2^52]. Outside it the noise
// is either negligible or dwarfs any count, and the 128-bit bounds above stop holding.
inline constexpr double kMinSamplerParameter = 0x1p-20;
inline constexpr double kMaxSamplerParameter = 0x1p52;

// The smallest rational >= value of the form n / 2^k with about 32 significant bits
// (n <= 2^33, or k = 0 when value >= 2^33). Relative rounding error < 2^-31. Throws
// InputError unless value is finite and in [kMinSamplerParameter, kMaxSamplerParameter].
Rational RationalAtLeast(double value);
// The largest rational <= value of the same form, for value in [2^-30, 2^52] (used for
// epsilons, where rounding down is the safe direction). Throws InputError otherwise.
Rational RationalAtMost(double value);

// One draw of Bernoulli(exp(-gamma)) for gamma = numerator/denominator >= 0.
// CKS 2020 Algorithm 1: for gamma in [0,1], count K while Bernoulli(gamma/K) succeeds and
// return [K odd]; for gamma > 1, floor(gamma) independent Bernoulli(exp(-1)) must all
// succeed, then one Bernoulli(exp(-(gamma - floor(gamma)))). Expected O(1) uniform draws.
bool SampleBernoulliExp(const Rational& gamma, RandomSource& random);

// One draw Y with Pr[Y = y] proportional to exp(-|y| / scale), scale =
// numerator/denominator in [kMinSamplerParameter, kMaxSamplerParameter] (CKS 2020
// Algorithm 2 with t = numerator, s = denominator). Adding it to an integer-valued query
// of L1 sensitivity Delta gives (Delta/scale)-DP (Ghosh, Roughgarden, Sundararajan 2009,
// the geometric mechanism; CKS 2020 Section 2.3).
std::int64_t SampleDiscreteLaplace(const Rational& scale, RandomSource& random);

// One draw Y with Pr[Y = y] proportional to exp(-y^2 / (2 sigma^2)), sigma^2 =
// numerator/denominator in [kMinSamplerParameter, kMaxSamplerParameter] (CKS 2020
// Algorithm 3: discrete Laplace proposals of scale t = floor(sigma)+1, accepted with
// Bernoulli(exp(-(|Y| - sigma^2/t)^2 / (2 sigma^2)))). Adding independent draws to an
// integer vector query of L2 sensitivity Delta gives (Delta^2 / (2 sigma^2))-zCDP
// (CKS 2020 Theorem 4; Theorem 14 for vectors), the same as the continuous Gaussian.
// The discrete Gaussian's variance is slightly below sigma^2 (CKS 2020 Corollary 9), so
// sigma is a parameter, not exactly the standard deviation.
std::int64_t SampleDiscreteGaussian(const Rational& sigma_squared, RandomSource& random);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_DISCRETE_SAMPLERS_H_
