// Distribution tests of the exact samplers against their exact pmfs (CKS 2020).
// Every chi-square assertion: false-failure probability 1e-6 (privacy_stat_support.h).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>

#include "privacy/discrete_samplers.h"
#include "privacy/gaussian_mechanism.h"
#include "privacy/random_source.h"
#include "tests/stat/privacy_stat_support.h"

namespace privet::privacy {
namespace {

constexpr std::int64_t kDraws = 100000;

TEST_CASE("Discrete Laplace matches exp(-|y|/scale) normalised, for several scales") {
  std::uint64_t seed = 1000;
  for (const double requested : {0.3, 1.0, 3.7, 150.0}) {
    CAPTURE(requested);
    const Rational scale = RationalAtLeast(requested);
    const long double b = static_cast<long double>(scale.numerator) / scale.denominator;
    const long double lambda = std::exp(-1.0L / b);
    // Pr[y] = (1 - lambda)/(1 + lambda) lambda^|y|; beyond 40 b + 40 the tail is < e^-40.
    const auto pmf = [&](std::int64_t y) {
      return (1 - lambda) / (1 + lambda) * std::pow(lambda, std::fabs(static_cast<long double>(y)));
    };
    const auto range = static_cast<std::int64_t>(40 * b) + 40;
    auto random = RandomSource::Seeded(seed++);
    std::map<std::int64_t, std::int64_t> observed;
    for (std::int64_t i = 0; i < kDraws; ++i) ++observed[SampleDiscreteLaplace(scale, random)];
    const auto fit = stat::ChiSquareFit(observed, kDraws, -range, range, pmf);
    CAPTURE(fit.degrees_of_freedom);
    CHECK(fit.statistic < fit.threshold);
  }
}

TEST_CASE("Discrete Gaussian matches exp(-y^2/(2 sigma^2)) normalised, sigma < 1 to > 100") {
  std::uint64_t seed = 2000;
  for (const double sigma : {0.4, 0.9, 2.5, 25.0, 150.0}) {
    CAPTURE(sigma);
    const Rational sigma_squared = RationalAtLeast(sigma * sigma);
    const long double s2 =
        static_cast<long double>(sigma_squared.numerator) / sigma_squared.denominator;
    // Beyond 12 sigma + 12 the mass is < e^-72; normalise over the scanned range.
    const auto range = static_cast<std::int64_t>(12 * sigma) + 12;
    long double total = 0;
    for (std::int64_t y = -range; y <= range; ++y) total += std::exp(-(y * y) / (2 * s2));
    const auto pmf = [&](std::int64_t y) { return std::exp(-(y * y) / (2 * s2)) / total; };
    auto random = RandomSource::Seeded(seed++);
    std::map<std::int64_t, std::int64_t> observed;
    for (std::int64_t i = 0; i < kDraws; ++i) {
      ++observed[SampleDiscreteGaussian(sigma_squared, random)];
    }
    const auto fit = stat::ChiSquareFit(observed, kDraws, -range, range, pmf);
    CAPTURE(fit.degrees_of_freedom);
    CHECK(fit.statistic < fit.threshold);
  }
}

TEST_CASE("Bernoulli(exp(-gamma)) succeeds with probability exp(-gamma)") {
  auto random = RandomSource::Seeded(3000);
  constexpr int kTrials = 200000;
  for (const Rational gamma :
       {Rational{1, 10}, Rational{1, 3}, Rational{1, 1}, Rational{5, 2}, Rational{7, 3}}) {
    CAPTURE(gamma.ToString());
    int successes = 0;
    for (int i = 0; i < kTrials; ++i) successes += SampleBernoulliExp(gamma, random);
    const double p = std::exp(-gamma.ToDouble());
    // Two-sided z-test at 5.33 standard deviations: false-failure probability 1e-7 each
    // (normal approximation to the binomial, n p (1-p) > 10^4).
    const double z = (successes - kTrials * p) / std::sqrt(kTrials * p * (1 - p));
    CHECK(std::fabs(z) < 5.33);
  }
}

TEST_CASE("Gaussian vector mechanism noise has the planned spread around the snapped value") {
  auto random = RandomSource::Seeded(4000);
  constexpr int kVectors = 4000;
  const std::vector<double> values = {0.3, -12.75, 1000.0, 0.0, 5.5};
  const auto plan = PlanGaussianVector(values.size(), 2.0, 1.0);
  const double sigma_used = plan.grid * std::sqrt(plan.sigma_squared_grid.ToDouble());
  double sum = 0, sum_squares = 0;
  for (int i = 0; i < kVectors; ++i) {
    const auto noisy = AddGaussianNoise(values, plan, random);
    for (std::size_t j = 0; j < values.size(); ++j) {
      const double noise = noisy[j] - values[j];
      sum += noise;
      sum_squares += noise * noise;
    }
  }
  const double n = static_cast<double>(kVectors * values.size());
  // Mean: standard error sigma/sqrt(n) (plus snapping bias <= grid/2, negligible); 5.33
  // standard errors -> false-failure probability 1e-7.
  CHECK(std::fabs(sum / n) < 5.33 * sigma_used / std::sqrt(n) + plan.grid);
  // Variance: relative standard error sqrt(2/n) = 0.7%; the discrete Gaussian's variance
  // differs from sigma^2 by < 1e-100 at sigma_grid >= 2^19 (CKS 2020 Cor. 9). 6 standard
  // errors -> false-failure probability < 2e-9.
  const double variance = sum_squares / n;
  CHECK(std::fabs(variance / (sigma_used * sigma_used) - 1) < 6 * std::sqrt(2 / n));
}

}  // namespace
}  // namespace privet::privacy
