#include "privacy/noisy_counts.h"

#include <cmath>
#include <limits>
#include <utility>

#include "privacy/errors.h"
#include "privacy/format_number.h"

namespace privet::privacy {
namespace {

void RequirePositiveFinite(double value, const char* what) {
  if (!std::isfinite(value) || value <= 0) {
    throw InputError(std::string(what) + " must be a finite number > 0 (got " +
                     FormatNumber(value) + ")");
  }
}

double Up(double value) { return std::nextafter(value, std::numeric_limits<double>::infinity()); }
double Down(double value) { return std::nextafter(value, 0.0); }

std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
  }
  return sum;
}

}  // namespace

PrivacyEvent DiscreteLaplacePlan::Event(std::string query) const {
  return PrivacyEvent::Laplace(epsilon, std::move(query));
}

DiscreteLaplacePlan PlanDiscreteLaplace(double epsilon, double l1_sensitivity) {
  RequirePositiveFinite(epsilon, "discrete Laplace: epsilon");
  RequirePositiveFinite(l1_sensitivity, "discrete Laplace: l1_sensitivity");
  // The quotient rounds to nearest; one step up makes it >= the real l1/epsilon.
  const double scale = Up(l1_sensitivity / epsilon);
  if (!(scale >= kMinSamplerParameter && scale <= kMaxSamplerParameter)) {
    throw InputError("discrete Laplace: scale l1_sensitivity/epsilon = " + FormatNumber(scale) +
                     " is outside [2^-20, 2^52]; check epsilon and the sensitivity");
  }
  DiscreteLaplacePlan plan;
  plan.scale = RationalAtLeast(scale);
  plan.l1_sensitivity = l1_sensitivity;
  // True loss = l1 * den / num: den is a power of two (exact product), one rounding in the
  // division, so one step up bounds it; it can only be below the requested epsilon.
  const double loss = Up(l1_sensitivity * static_cast<double>(plan.scale.denominator) /
                         static_cast<double>(plan.scale.numerator));
  plan.epsilon = std::min(loss, epsilon);
  return plan;
}

std::vector<std::int64_t> AddDiscreteLaplaceNoise(std::span<const std::int64_t> counts,
                                                  const DiscreteLaplacePlan& plan,
                                                  RandomSource& random) {
  std::vector<std::int64_t> noisy;
  noisy.reserve(counts.size());
  for (const std::int64_t count : counts) {
    noisy.push_back(SaturatingAdd(count, SampleDiscreteLaplace(plan.scale, random)));
  }
  return noisy;
}

std::vector<std::int64_t> AddDiscreteLaplaceNoise(std::span<const std::int64_t> counts,
                                                  double epsilon, double l1_sensitivity,
                                                  RandomSource& random) {
  return AddDiscreteLaplaceNoise(counts, PlanDiscreteLaplace(epsilon, l1_sensitivity), random);
}

PrivacyEvent DiscreteGaussianPlan::Event(double l2_sensitivity, std::string query) const {
  return PrivacyEvent::Gaussian(sigma, l2_sensitivity, std::move(query));
}

DiscreteGaussianPlan PlanDiscreteGaussian(double sigma) {
  RequirePositiveFinite(sigma, "discrete Gaussian: sigma");
  const double sigma_squared = Up(sigma * sigma);
  if (!(sigma_squared >= kMinSamplerParameter && sigma_squared <= kMaxSamplerParameter)) {
    throw InputError("discrete Gaussian: sigma = " + FormatNumber(sigma) +
                     " is outside [2^-10, 2^26]");
  }
  DiscreteGaussianPlan plan;
  plan.sigma_squared = RationalAtLeast(sigma_squared);
  // num < 2^41 and den a power of two: the quotient is exact; sqrt rounds once.
  const double used = Down(std::sqrt(static_cast<double>(plan.sigma_squared.numerator) /
                                     static_cast<double>(plan.sigma_squared.denominator)));
  plan.sigma = std::max(used, sigma);
  return plan;
}

std::vector<std::int64_t> AddDiscreteGaussianNoise(std::span<const std::int64_t> counts,
                                                   const DiscreteGaussianPlan& plan,
                                                   RandomSource& random) {
  std::vector<std::int64_t> noisy;
  noisy.reserve(counts.size());
  for (const std::int64_t count : counts) {
    noisy.push_back(SaturatingAdd(count, SampleDiscreteGaussian(plan.sigma_squared, random)));
  }
  return noisy;
}

std::vector<std::int64_t> AddDiscreteGaussianNoise(std::span<const std::int64_t> counts,
                                                   double sigma, RandomSource& random) {
  return AddDiscreteGaussianNoise(counts, PlanDiscreteGaussian(sigma), random);
}

}  // namespace privet::privacy
