#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "privacy/errors.h"
#include "privacy/exponential_mechanism.h"
#include "privacy/gaussian_mechanism.h"
#include "privacy/noisy_counts.h"

namespace privet::privacy {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST_CASE("Discrete Laplace plan: scale rounded up, charged epsilon bounds the true loss") {
  for (const double epsilon : {0.01, 0.1, 1.0 / 3.0, 1.0, 7.0}) {
    for (const double l1 : {1.0, 2.0, 3.0}) {
      const auto plan = PlanDiscreteLaplace(epsilon, l1);
      // scale = num/den >= l1/epsilon  <=>  num * epsilon >= l1 * den (checked in long double).
      CHECK(static_cast<long double>(plan.scale.numerator) * epsilon >=
            static_cast<long double>(l1) * plan.scale.denominator);
      // The charge is never below the true loss l1 * den / num and never above the request.
      CHECK(static_cast<long double>(plan.epsilon) * plan.scale.numerator >=
            static_cast<long double>(l1) * plan.scale.denominator);
      CHECK(plan.epsilon <= epsilon);
      CHECK(plan.epsilon >= epsilon * (1 - 1e-8));
      CHECK(plan.Event().epsilon == plan.epsilon);
    }
  }
}

TEST_CASE("Discrete Gaussian plan: sigma^2 rounded up, charged sigma below the true one") {
  for (const double sigma : {0.5, 1.0, 4.530877117, 150.0, 1000.0}) {
    const auto plan = PlanDiscreteGaussian(sigma);
    const long double used = std::sqrt(static_cast<long double>(plan.sigma_squared.numerator) /
                                       plan.sigma_squared.denominator);
    CHECK(used >= sigma);
    CHECK(plan.sigma >= sigma);
    CHECK(static_cast<long double>(plan.sigma) <= used);
    const auto event = plan.Event(2.0, "counts");
    CHECK(event.l2_sensitivity == 2.0);
    CHECK(event.sigma == plan.sigma);
  }
}

TEST_CASE("Noisy count mechanisms reject bad parameters") {
  const std::vector<std::int64_t> counts = {1, 2, 3};
  auto random = RandomSource::Seeded(5);
  for (const double bad : {0.0, -0.5, kNan, kInf}) {
    CHECK_THROWS_AS(AddDiscreteLaplaceNoise(counts, bad, 1.0, random), InputError);
    CHECK_THROWS_AS(AddDiscreteLaplaceNoise(counts, 1.0, bad, random), InputError);
    CHECK_THROWS_AS(AddDiscreteGaussianNoise(counts, bad, random), InputError);
  }
  // Scale outside the samplers' range.
  CHECK_THROWS_AS(PlanDiscreteLaplace(1e-17, 1.0), InputError);
  CHECK_THROWS_AS(PlanDiscreteGaussian(1e9), InputError);
}

TEST_CASE("Noisy counts keep the shape and saturate instead of wrapping") {
  auto random = RandomSource::Seeded(6);
  const std::vector<std::int64_t> counts = {0, 10, std::numeric_limits<std::int64_t>::max(),
                                            std::numeric_limits<std::int64_t>::min()};
  const auto noisy = AddDiscreteLaplaceNoise(counts, 0.01, 1.0, random);
  REQUIRE(noisy.size() == counts.size());
  const auto gaussian = AddDiscreteGaussianNoise(counts, 100.0, random);
  REQUIRE(gaussian.size() == counts.size());
  CHECK(noisy[2] >= std::numeric_limits<std::int64_t>::max() - 100000);
  CHECK(gaussian[3] <= std::numeric_limits<std::int64_t>::min() + 100000);
}

TEST_CASE("Gaussian vector plan keeps sigma/l2, inflates l2 by the rounding bound") {
  for (const std::size_t dimension : {std::size_t{1}, std::size_t{100}, std::size_t{10000}}) {
    for (const double sigma : {0.01, 1.0, 37.5, 1e3}) {
      const auto plan = PlanGaussianVector(dimension, sigma, 1.0);
      CAPTURE(dimension);
      CAPTURE(sigma);
      CHECK(plan.grid == std::ldexp(1.0, -plan.grid_exponent));
      CHECK(plan.l2_sensitivity >= 1.0 + plan.grid * std::sqrt(double(dimension)));
      CHECK(plan.sigma / plan.l2_sensitivity >= sigma / 1.0 * (1 - 1e-15));
      // The documented bound on the extra noise (gaussian_mechanism.h).
      const double bound = std::max(0x1p-20, 0x1p-24 * std::sqrt(double(dimension)) * sigma);
      CHECK(plan.sigma <= sigma * (1 + bound) * (1 + 1e-14));
      CHECK(plan.Event().Rho() <= 1.0 / (2 * sigma * sigma) * (1 + 1e-12));
      // The drawn noise parameter (grid units -> value units) is at least the charged sigma.
      CHECK(plan.grid * std::sqrt(plan.sigma_squared_grid.ToDouble()) >= plan.sigma);
    }
  }
}

TEST_CASE("Gaussian vector outputs lie on the grid and reject bad input") {
  auto random = RandomSource::Seeded(8);
  const auto plan = PlanGaussianVector(3, 0.5, 0.1);
  const std::vector<double> values = {0.123456, -3.0, 1e3};
  const auto noisy = AddGaussianNoise(values, plan, random);
  REQUIRE(noisy.size() == 3);
  for (const double value : noisy) {
    CHECK(std::fmod(value, plan.grid) == 0.0);
  }
  CHECK_THROWS_AS(AddGaussianNoise(std::vector<double>{1.0}, plan, random), InputError);
  CHECK_THROWS_AS(AddGaussianNoise(std::vector<double>{1.0, kNan, 2.0}, plan, random), InputError);
  CHECK_THROWS_AS(PlanGaussianVector(0, 1.0, 1.0), InputError);
  CHECK_THROWS_AS(PlanGaussianVector(3, kInf, 1.0), InputError);
  CHECK_THROWS_AS(PlanGaussianVector(3, 1.0, 0.0), InputError);
  CHECK_THROWS_AS(PlanGaussianVector(10000, 1e6, 1.0), InputError);  // sigma sqrt(d) >= 2^25
}

TEST_CASE("Exponential mechanism validates input and handles extreme gaps") {
  auto random = RandomSource::Seeded(9);
  const std::vector<double> scores = {1.0, 2.0, 3.0};
  CHECK_THROWS_AS(SelectExponential(std::vector<double>{}, 1.0, 1.0, random), InputError);
  for (const double bad : {0.0, -1.0, kNan, kInf}) {
    CHECK_THROWS_AS(SelectExponential(scores, bad, 1.0, random), InputError);
    CHECK_THROWS_AS(SelectExponential(scores, 1.0, bad, random), InputError);
  }
  CHECK_THROWS_AS(SelectExponential(std::vector<double>{1.0, kNan}, 1.0, 1.0, random), InputError);
  // A score beyond 2^42 sensitivities is clamped (no data-dependent error): it still wins.
  CHECK(SelectExponential(std::vector<double>{1.0, 0x1p45}, 1.0, 1.0, random) == 1);
  CHECK(SelectExponential(std::vector<double>{5.0}, 1.0, 1.0, random) == 0);
  // Gap of 2*sensitivity*40000/epsilon: the loser's weight is exp(-40000); never chosen.
  const std::vector<double> lopsided = {0.0, 80000.0, 0.0};
  for (int i = 0; i < 100; ++i) CHECK(SelectExponential(lopsided, 1.0, 1.0, random) == 1);
}

// The message of an error raised after the charge, with the documented constants (e.g. "2^42")
// removed: it must hold no digit at all, hence no rendering of a private value.
std::string DigitsOutsideConstants(std::string message) {
  for (const std::string constant : {"2^42", "2^52", "2^62"}) {
    for (auto at = message.find(constant); at != std::string::npos; at = message.find(constant)) {
      message.erase(at, constant.size());
    }
  }
  std::string digits;
  for (const char c : message) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits;
}

template <typename Call>
std::string MessageOf(Call&& call) {
  try {
    call();
  } catch (const InputError& error) {
    return error.what();
  }
  FAIL("expected an InputError");
  return "";
}

TEST_CASE("Post-charge mechanism errors name the problem, never a value (issue 10 item 6)") {
  auto random = RandomSource::Seeded(3);
  // Gaussian mechanism: an exact count (coordinate 0) too large for the grid, and a NaN.
  const auto plan = PlanGaussianVector(3, 0.5, 0.1);
  const double count = 987654321987654.0;
  for (const std::vector<double>& values :
       {std::vector<double>{count, 1.0, 2.0}, std::vector<double>{5.0, kNan, 2.0}}) {
    const std::string message = MessageOf([&] { AddGaussianNoise(values, plan, random); });
    CAPTURE(message);
    CHECK(message.find("gaussian mechanism") != std::string::npos);
    CHECK(DigitsOutsideConstants(message).empty());
  }
  const std::vector<FixedPointNumerator> fixed = {FixedPointNumerator{1} << 120, 0, 0};
  const std::string fixed_message =
      MessageOf([&] { AddGaussianNoiseFixedPoint(fixed, 0, plan, random); });
  CHECK(DigitsOutsideConstants(fixed_message).empty());
  // Exponential mechanism: a score that is not finite; neither a score nor its index is shown.
  for (const std::vector<double>& scores :
       {std::vector<double>{1.0, 123456789.0, kNan}, std::vector<double>{1.0, 2.0, kInf},
        std::vector<double>{-kInf, 987654.0}}) {
    const std::string message = MessageOf([&] { SelectExponential(scores, 1.0, 1.0, random); });
    CAPTURE(message);
    CHECK(message.find("exponential mechanism") != std::string::npos);
    CHECK(DigitsOutsideConstants(message).empty());
  }
  // The largest score (a private statistic) far out of range raises nothing at all: clamped.
  const double largest = 123456789012345.0 * 0x1p10;
  CHECK(SelectExponential(std::vector<double>{1.0, largest, 3.0}, 1.0, 1.0, random) == 1);
}

}  // namespace
}  // namespace privet::privacy
