#include "privacy/gaussian_mechanism.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

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

std::vector<double> AddGaussianNoise(std::span<const double> values, const GaussianVectorPlan& plan,
                                     RandomSource& random) {
  if (values.size() != plan.dimension) {
    throw InputError("gaussian mechanism: the plan is for " + std::to_string(plan.dimension) +
                     " values but " + std::to_string(values.size()) + " were given");
  }
  std::vector<double> noisy;
  noisy.reserve(values.size());
  for (std::size_t j = 0; j < values.size(); ++j) {
    const double scaled = values[j] / plan.grid;  // exact: division by a power of two
    if (!std::isfinite(scaled) || std::fabs(scaled) >= 0x1p52) {
      throw InputError("gaussian mechanism: value " + std::to_string(j) + " (" +
                       FormatNumber(values[j]) + ") is not finite or too large for the grid");
    }
    const auto snapped = static_cast<std::int64_t>(std::llround(scaled));
    const std::int64_t noise = SampleDiscreteGaussian(plan.sigma_squared_grid, random);
    // |snapped| < 2^52 and |noise| << 2^52: the sum and its product with the grid are exact.
    noisy.push_back(static_cast<double>(snapped + noise) * plan.grid);
  }
  return noisy;
}

}  // namespace privet::privacy
