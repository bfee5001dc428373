#include "privacy/discrete_samplers.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "privacy/errors.h"

namespace privet::privacy {
namespace {

// n/d compared with x exactly: d is a power of two, so x * d is exact in long double.
long double Scaled(const Rational& r, double x) {
  return static_cast<long double>(x) * static_cast<long double>(r.denominator);
}

TEST_CASE("RationalAtLeast rounds up, RationalAtMost rounds down, both within 2^-31") {
  for (const double x : {0x1p-20, 0.1, 0.5, 1.0, 1.0 / 3.0, 2.0, 4.530877117, 1234.5678, 1e6,
                         0x1p33 + 0.5, 0x1p40, 0x1p52}) {
    const Rational up = RationalAtLeast(x);
    CHECK(static_cast<long double>(up.numerator) >= Scaled(up, x));
    CHECK(up.ToDouble() <= x * (1 + 0x1p-31));
    if (x >= 0x1p-30) {
      const Rational down = RationalAtMost(x);
      CHECK(static_cast<long double>(down.numerator) <= Scaled(down, x));
      CHECK(down.ToDouble() >= x * (1 - 0x1p-31));
      CHECK(down.numerator > 0);
    }
  }
  // Exactly representable values come back exactly, in lowest terms.
  CHECK(RationalAtLeast(0.25).ToString() == "1/4");
  CHECK(RationalAtMost(3.0).ToString() == "3/1");
}

TEST_CASE("Rational conversion rejects values outside the supported range") {
  for (const double bad :
       {0.0, -1.0, 0x1p-21, 0x1p53, std::nan(""), std::numeric_limits<double>::infinity()}) {
    CHECK_THROWS_AS(RationalAtLeast(bad), InputError);
  }
  CHECK_THROWS_AS(RationalAtMost(0x1p-31), InputError);
}

TEST_CASE("Samplers validate their rational parameters") {
  auto random = RandomSource::Seeded(1);
  CHECK_THROWS_AS(SampleDiscreteLaplace(Rational{1, 0}, random), InputError);
  CHECK_THROWS_AS(SampleDiscreteLaplace(Rational{0, 1}, random), InputError);
  CHECK_THROWS_AS(SampleDiscreteLaplace(Rational{1, std::uint64_t{1} << 21}, random), InputError);
  CHECK_THROWS_AS(SampleDiscreteGaussian(Rational{(std::uint64_t{1} << 53) + 1, 1}, random),
                  InputError);
  CHECK_THROWS_AS(SampleBernoulliExp(Rational{1, 0}, random), InputError);
  // A denominator so fine that the 128-bit bounds would not hold is refused up front.
  CHECK_THROWS_AS(
      SampleDiscreteGaussian(Rational{std::uint64_t{1} << 54, std::uint64_t{1} << 55}, random),
      InputError);
}

TEST_CASE("Bernoulli(exp(-0)) always succeeds; huge gamma essentially never") {
  auto random = RandomSource::Seeded(2);
  for (int i = 0; i < 1000; ++i) CHECK(SampleBernoulliExp(Rational{0, 1}, random));
  // exp(-10^6) successes: none in 1000 trials (probability of any < 10^-400000).
  int successes = 0;
  for (int i = 0; i < 1000; ++i) successes += SampleBernoulliExp(Rational{1000000, 1}, random);
  CHECK(successes == 0);
}

TEST_CASE("Samplers are reproducible under a seed and symmetric in sign") {
  auto first = RandomSource::Seeded(99);
  auto second = RandomSource::Seeded(99);
  const Rational scale = RationalAtLeast(3.5);
  const Rational sigma_squared = RationalAtLeast(12.25);
  for (int i = 0; i < 200; ++i) {
    CHECK(SampleDiscreteLaplace(scale, first) == SampleDiscreteLaplace(scale, second));
    CHECK(SampleDiscreteGaussian(sigma_squared, first) ==
          SampleDiscreteGaussian(sigma_squared, second));
  }
}

TEST_CASE("The extreme supported parameters sample without overflow") {
  auto random = RandomSource::Seeded(3);
  for (int i = 0; i < 200; ++i) {
    CHECK(SampleDiscreteLaplace(RationalAtLeast(kMinSamplerParameter), random) == 0);
    (void)SampleDiscreteLaplace(RationalAtLeast(kMaxSamplerParameter), random);
    (void)SampleDiscreteGaussian(RationalAtLeast(kMinSamplerParameter), random);
    (void)SampleDiscreteGaussian(RationalAtLeast(kMaxSamplerParameter), random);
  }
}

}  // namespace
}  // namespace privet::privacy
