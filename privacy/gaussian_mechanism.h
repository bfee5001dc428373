// The Gaussian mechanism for real-valued vectors (e.g. the sufficient statistics of a
// correlation matrix), without floating-point noise.
//
// Floating-point caveat and how it is handled: sampling a continuous Gaussian in doubles
// has the same flaw as textbook Laplace (Mironov 2012): the set of reachable outputs
// depends on the input. Following Canonne-Kamath-Steinke 2020 (Section 1, "discretize the
// query then add discrete Gaussian noise") and Kairouz-Liu-Steinke 2021 ("The Distributed
// Discrete Gaussian Mechanism", Section 4: scale, round, bound the rounded sensitivity):
//   1. Choose a grid gamma = 2^-g (a power of two, so x / gamma is exact in doubles): the
//      largest power of two <= min(sigma 2^-19, Delta 2^-20 / sqrt(d)), coarsened only if
//      sigma / gamma would reach 2^25 (the samplers' range).
//   2. Snap each value to the grid: q_j = round(x_j / gamma) (exact integer; InputError if
//      |x_j / gamma| >= 2^52).
//   3. Add independent discrete Gaussian noise of parameter sigma_grid^2 =
//      (sigma_used / gamma)^2 (rational, rounded up) to each q_j; output (q_j + Z_j) gamma.
// Rounding moves each coordinate by at most gamma/2, so the L2 sensitivity of q * gamma is
// at most Delta + gamma * sqrt(d) (d = dimension). To keep the cost the caller planned,
// sigma is inflated by the same factor: sigma_used = sigma * (1 + gamma sqrt(d) / Delta),
// so sigma_used / l2_used = sigma / Delta and the zCDP rho (Delta^2/(2 sigma^2), CKS 2020
// Theorem 14) is unchanged. The extra noise is a relative 2^-20, or at most
// 2^-24 sqrt(d) sigma/Delta when the samplers' range forces a coarser grid; InputError when
// sigma sqrt(d) / Delta >= 2^25.
// Outputs are multiples of gamma: post-processing of an exactly sampled integer vector.
#ifndef PRIVET_PRIVACY_GAUSSIAN_MECHANISM_H_
#define PRIVET_PRIVACY_GAUSSIAN_MECHANISM_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "privacy/discrete_samplers.h"
#include "privacy/privacy_event.h"
#include "privacy/random_source.h"

namespace privet::privacy {

struct GaussianVectorPlan {
  std::size_t dimension = 0;
  int grid_exponent = 0;        // gamma = 2^-grid_exponent (may be negative for huge sigma)
  double grid = 0;              // gamma
  Rational sigma_squared_grid;  // discrete Gaussian parameter in grid units, rounded up
  double sigma = 0;             // sigma to charge (value units), <= true sigma_used
  double l2_sensitivity = 0;    // inflated: Delta + gamma * sqrt(d), rounded up
  // PrivacyEvent::Gaussian(sigma, l2_sensitivity): charge THIS before adding the noise.
  // Its rho equals the planned l2^2/(2 sigma^2) up to one rounding (never below the truth).
  PrivacyEvent Event(std::string query = "") const;
};

// sigma: the noise standard deviation the caller planned for L2 sensitivity
// l2_sensitivity (both finite > 0, same units as the values); dimension >= 1.
// Throws InputError otherwise.
GaussianVectorPlan PlanGaussianVector(std::size_t dimension, double sigma, double l2_sensitivity);

// values.size() must equal plan.dimension (InputError otherwise). Each value is snapped to
// the grid exactly (x / gamma is exact in doubles); a value that is not finite or has
// |x / gamma| >= 2^52 is an InputError whose message names no value (it is private data).
// The caller's sensitivity must hold for the doubles as given: a sum accumulated in floating
// point carries rounding error that this plan does not cover (use the fixed-point form).
std::vector<double> AddGaussianNoise(std::span<const double> values, const GaussianVectorPlan& plan,
                                     RandomSource& random);

// 128-bit two's-complement integer (GCC/Clang; __extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 FixedPointNumerator;

// The same mechanism on an exactly represented vector: value_j = numerators[j] *
// 2^-fraction_bits (fraction_bits in [0, 126]), e.g. sums accumulated exactly in integers.
// Snapping rounds numerators[j] * 2^(g - fraction_bits) to the nearest integer (halves up) in
// integer arithmetic, so the only rounding is the one the plan's inflated sensitivity covers
// (<= gamma/2 per coordinate). InputError (no value named) when a snapped value reaches 2^52.
std::vector<double> AddGaussianNoiseFixedPoint(std::span<const FixedPointNumerator> numerators,
                                               int fraction_bits, const GaussianVectorPlan& plan,
                                               RandomSource& random);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_GAUSSIAN_MECHANISM_H_
