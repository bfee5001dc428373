#include "privacy/gaussian_mechanism.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "privacy/discrete_samplers_internal.h"
#include "privacy/errors.h"
#include "privacy/format_number.h"

namespace privet::privacy {
namespace {

void RequirePositiveFinite(double value, const char* what) {
  if (!std::isfinite(value) || value <= 0) {
    throw InputError(std::string("gaussian mechanism: ") + what +
                     " must be a finite number > 0 (got " + FormatNumber(value) + ")");
  }
}

double Up(double value) { return std::nextafter(value, std::numeric_limits<double>::infinity()); }

}  // namespace

PrivacyEvent GaussianVectorPlan::Event(std::string query) const {
  return PrivacyEvent::Gaussian(sigma, l2_sensitivity, std::move(query));
}

GaussianVectorPlan PlanGaussianVector(std::size_t dimension, double sigma, double l2_sensitivity) {
  if (dimension == 0) throw InputError("gaussian mechanism: the vector is empty");
  RequirePositiveFinite(sigma, "sigma");
  RequirePositiveFinite(l2_sensitivity, "l2_sensitivity");
  const double root_dimension = Up(std::sqrt(static_cast<double>(dimension)));
  // sigma_used / grid = sigma / grid + ~sigma sqrt(d) / l2 must stay below 2^26 (the
  // samplers' range); the second term does not shrink with the grid, so cap it.
  if (sigma / l2_sensitivity * root_dimension >= 0x1p25) {
    throw InputError("gaussian mechanism: sigma / l2_sensitivity = " +
                     FormatNumber(sigma / l2_sensitivity) + " is too large for a " +
                     std::to_string(dimension) + "-dimensional vector (limit 2^25/sqrt(d))");
  }
  GaussianVectorPlan plan;
  plan.dimension = dimension;
  // Finest grid wanted: 2^-19 of sigma, and rounding inflates l2 by at most 2^-20.
  const double wanted = std::min(sigma * 0x1p-19, l2_sensitivity * 0x1p-20 / root_dimension);
  int exponent = 0;
  std::frexp(wanted, &exponent);      // wanted in [2^(exponent-1), 2^exponent)
  plan.grid_exponent = 1 - exponent;  // grid = 2^(exponent-1) <= wanted
  // Coarsest the samplers allow: sigma / grid < 2^25.
  while (sigma / std::ldexp(1.0, -plan.grid_exponent) >= 0x1p25) --plan.grid_exponent;
  for (;;) {
    plan.grid = std::ldexp(1.0, -plan.grid_exponent);
    // Rounding to the grid moves each coordinate by <= grid/2: L2 change <= grid sqrt(d).
    plan.l2_sensitivity = Up(Up(l2_sensitivity + plan.grid * root_dimension));
    // Same ratio sigma/l2 as planned, so the same rho; rounded up (more noise is safe).
    plan.sigma = Up(Up(sigma * plan.l2_sensitivity / l2_sensitivity));
    if (plan.sigma / plan.grid < 0x1p26) break;  // exact quotient: grid is a power of two
    --plan.grid_exponent;
  }
  const double sigma_grid = plan.sigma / plan.grid;
  const double sigma_grid_squared = Up(sigma_grid * sigma_grid);
  if (!(sigma_grid_squared >= kMinSamplerParameter && sigma_grid_squared <= kMaxSamplerParameter)) {
    throw InputError("gaussian mechanism: sigma " + FormatNumber(sigma) + " is out of range");
  }
  plan.sigma_squared_grid = RationalAtLeast(sigma_grid_squared);
  // The noise really drawn has parameter grid * sqrt(num/den) >= plan.sigma: charging
  // plan.sigma overstates the loss, never understates it.
  return plan;
}

namespace {

void RequireDimension(std::size_t size, const GaussianVectorPlan& plan) {
  if (size != plan.dimension) {
    throw InputError("gaussian mechanism: the plan is for " + std::to_string(plan.dimension) +
                     " values but " + std::to_string(size) + " were given");
  }
}

// Adds the plan's discrete Gaussian noise to grid integers |q_j| < 2^52 and scales back.
std::vector<double> NoisySnapped(const std::vector<std::int64_t>& snapped,
                                 const GaussianVectorPlan& plan, RandomSource& random) {
  std::vector<double> noisy;
  noisy.reserve(snapped.size());
  for (const std::int64_t q : snapped) {
    const std::int64_t noise = SampleDiscreteGaussian(plan.sigma_squared_grid, random);
    // |q| < 2^52 and |noise| << 2^52: the sum and its product with the grid are exact.
    noisy.push_back(static_cast<double>(q + noise) * plan.grid);
  }
  return noisy;
}

// Messages after the charge name the class of problem, never the value (docs/privacy.md).
[[noreturn]] void ThrowOffGrid() {
  throw InputError("gaussian mechanism: a statistic is not finite or too large for the grid");
}

}  // namespace

std::vector<double> AddGaussianNoise(std::span<const double> values, const GaussianVectorPlan& plan,
                                     RandomSource& random) {
  RequireDimension(values.size(), plan);
  std::vector<std::int64_t> snapped;
  snapped.reserve(values.size());
  for (const double value : values) {
    const double scaled = value / plan.grid;  // exact: division by a power of two
    if (!std::isfinite(scaled) || std::fabs(scaled) >= 0x1p52) ThrowOffGrid();
    snapped.push_back(static_cast<std::int64_t>(std::llround(scaled)));
  }
  return NoisySnapped(snapped, plan, random);
}

std::vector<double> AddGaussianNoiseFixedPoint(std::span<const FixedPointNumerator> numerators,
                                               int fraction_bits, const GaussianVectorPlan& plan,
                                               RandomSource& random) {
  RequireDimension(numerators.size(), plan);
  if (fraction_bits < 0 || fraction_bits > 126) {
    throw InputError("gaussian mechanism: fraction_bits must be in [0, 126]");
  }
  constexpr FixedPointNumerator kLimit = FixedPointNumerator{1} << 52;
  constexpr FixedPointNumerator kMaxNumerator =
      static_cast<FixedPointNumerator>(~internal::Uint128{0} >> 1);
  // value / gamma = numerator 2^shift with gamma = 2^-grid_exponent.
  const int shift = plan.grid_exponent - fraction_bits;
  std::vector<std::int64_t> snapped;
  snapped.reserve(numerators.size());
  for (const FixedPointNumerator numerator : numerators) {
    FixedPointNumerator q = 0;
    if (shift >= 0) {
      // |numerator| 2^shift < 2^52  <=>  |numerator| < 2^(52 - shift); checked before shifting.
      if (shift >= 52) {
        if (numerator != 0) ThrowOffGrid();
      } else if (numerator >= (kLimit >> shift) || numerator <= -(kLimit >> shift)) {
        ThrowOffGrid();
      } else {
        q = numerator * (FixedPointNumerator{1} << shift);
      }
    } else if (-shift > 126) {
      q = 0;  // |value / gamma| < 2^-1: rounds to 0
    } else {
      // round(numerator / 2^s) = floor((numerator + 2^(s-1)) / 2^s); >> is floor division on
      // two's complement (GCC/Clang define it arithmetic).
      const int s = -shift;
      const FixedPointNumerator half = FixedPointNumerator{1} << (s - 1);
      if (numerator > kMaxNumerator - half) ThrowOffGrid();  // the sum would overflow
      q = (numerator + half) >> s;
      if (q >= kLimit || q <= -kLimit) ThrowOffGrid();
    }
    snapped.push_back(static_cast<std::int64_t>(q));
  }
  return NoisySnapped(snapped, plan, random);
}

}  // namespace privet::privacy
