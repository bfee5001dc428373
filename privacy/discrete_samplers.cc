#include "privacy/discrete_samplers.h"

#include <cmath>
#include <limits>

#include "privacy/discrete_samplers_internal.h"
#include "privacy/errors.h"
#include "privacy/format_number.h"

namespace privet::privacy {

using internal::Uint128;

namespace {

constexpr Uint128 kMaxUint128 = ~Uint128{0};

// value = n / 2^k with value * 2^k in [2^32, 2^33) when k >= 0 allows it; `round_up`
// picks ceil or floor. ldexp scales a double exactly (no rounding) in this range.
Rational DyadicRational(double value, bool round_up) {
  int exponent = 0;
  std::frexp(value, &exponent);  // value = f * 2^exponent, f in [0.5, 1)
  int k = 33 - exponent;         // value * 2^k in [2^32, 2^33)
  if (k < 0) k = 0;
  const double scaled = std::ldexp(value, k);
  const double rounded = round_up ? std::ceil(scaled) : std::floor(scaled);
  std::uint64_t numerator = static_cast<std::uint64_t>(rounded);
  std::uint64_t denominator = std::uint64_t{1} << k;
  while (k > 0 && numerator % 2 == 0) {  // lowest terms keep the integers small
    numerator /= 2;
    denominator /= 2;
    --k;
  }
  return Rational{numerator, denominator};
}

void ValidateRational(const Rational& value, const char* what) {
  if (value.denominator == 0 || value.numerator > kMaxRationalPart ||
      value.denominator > kMaxRationalPart) {
    throw InputError(std::string(what) + " " + value.ToString() +
                     " is not a valid rational (denominator > 0, parts <= 2^62)");
  }
}

void ValidateSamplerParameter(const Rational& value, const char* what) {
  ValidateRational(value, what);
  // Compare exactly: min <= n/d <= max  <=>  min*d <= n <= max*d (min, max powers of 2).
  const Uint128 n = value.numerator;
  const Uint128 d = value.denominator;
  if ((n << 20) < d || n > (d << 52)) {
    throw InputError(std::string(what) + " " + value.ToString() +
                     " is outside the supported range [2^-20, 2^52]");
  }
}

std::uint64_t FloorSqrt(std::uint64_t value) {
  std::uint64_t root = static_cast<std::uint64_t>(std::sqrt(static_cast<double>(value)));
  // Correct the double estimate to the exact integer square root.
  while (root > 0 && static_cast<Uint128>(root) * root > value) --root;
  while (static_cast<Uint128>(root + 1) * (root + 1) <= value) ++root;
  return root;
}

[[noreturn]] void ThrowOverflow(const char* where) {
  // Reachable only through a draw many thousands of noise scales out (see the header).
  throw Error(std::string(where) +
              ": an intermediate exceeded 128 bits; this has probability below exp(-2000) "
              "for supported parameters, please report it");
}

// Bernoulli(exp(-num/den)) for num <= den: CKS 2020 Algorithm 1, gamma in [0, 1].
bool BernoulliExpAtMostOne(Uint128 numerator, Uint128 denominator, RandomSource& random) {
  std::uint64_t k = 1;
  for (;;) {
    if (denominator > kMaxUint128 / k) ThrowOverflow("Bernoulli(exp(-gamma))");
    // A ~ Bernoulli(gamma / k) = [uniform on [0, den*k) < num].
    if (internal::UniformBelow128(denominator * k, random) >= numerator) break;
    ++k;
  }
  return k % 2 == 1;
}

}  // namespace

double Rational::ToDouble() const {
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

std::string Rational::ToString() const {
  return std::to_string(numerator) + "/" + std::to_string(denominator);
}

Rational RationalAtLeast(double value) {
  if (!std::isfinite(value) || value < kMinSamplerParameter || value > kMaxSamplerParameter) {
    throw InputError("noise parameter " + FormatNumber(value, 17) +
                     " is outside the supported range [2^-20, 2^52]");
  }
  return DyadicRational(value, /*round_up=*/true);
}

Rational RationalAtMost(double value) {
  if (!std::isfinite(value) || value < 0x1p-30 || value > 0x1p52) {
    throw InputError("privacy parameter " + FormatNumber(value, 17) +
                     " is outside the supported range [2^-30, 2^52]");
  }
  return DyadicRational(value, /*round_up=*/false);
}

namespace internal {

Uint128 UniformBelow128(Uint128 bound, RandomSource& random) {
  if (bound == 0) throw Error("UniformBelow128: bound must be positive");
  if (bound <= std::numeric_limits<std::uint64_t>::max()) {
    return random.UniformBelow(static_cast<std::uint64_t>(bound));
  }
  const Uint128 threshold = (Uint128{0} - bound) % bound;  // 2^128 mod bound
  for (;;) {
    const Uint128 high = random();
    const Uint128 draw = (high << 64) | random();
    if (draw >= threshold) return draw % bound;
  }
}

bool SampleBernoulliExp128(Uint128 numerator, Uint128 denominator, RandomSource& random) {
  if (denominator == 0) throw Error("Bernoulli(exp(-gamma)): zero denominator");
  // gamma > 1: exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma))); each
  // factor is an independent coin, and the loop stops at the first failure (expected
  // < 1.6 coins), so a huge floor(gamma) costs nothing.
  const Uint128 whole = numerator / denominator;
  for (Uint128 i = 0; i < whole; ++i) {
    if (!BernoulliExpAtMostOne(1, 1, random)) return false;
  }
  return BernoulliExpAtMostOne(numerator % denominator, denominator, random);
}

}  // namespace internal

bool SampleBernoulliExp(const Rational& gamma, RandomSource& random) {
  ValidateRational(gamma, "Bernoulli(exp(-gamma)) parameter gamma");
  return internal::SampleBernoulliExp128(gamma.numerator, gamma.denominator, random);
}

std::int64_t SampleDiscreteLaplace(const Rational& scale, RandomSource& random) {
  ValidateSamplerParameter(scale, "discrete Laplace scale");
  // CKS 2020 Algorithm 2 with t = numerator, s = denominator: Pr[z] ∝ exp(-|z| s / t).
  const std::uint64_t t = scale.numerator;
  const std::uint64_t s = scale.denominator;
  for (;;) {
    const std::uint64_t u = random.UniformBelow(t);
    if (!internal::SampleBernoulliExp128(u, t, random)) continue;
    // V ~ Geometric(1 - exp(-1)): count successes of Bernoulli(exp(-1)).
    Uint128 v = 0;
    while (internal::SampleBernoulliExp128(1, 1, random)) ++v;
    // X = U + t V ~ Geometric(1 - exp(-1/t)); Y = floor(X / s).
    const Uint128 x = static_cast<Uint128>(u) + static_cast<Uint128>(t) * v;
    const Uint128 y = x / s;
    if (y > static_cast<Uint128>(std::numeric_limits<std::int64_t>::max())) {
      ThrowOverflow("discrete Laplace");
    }
    const bool negative = random.UniformBelow(2) == 1;
    if (negative && y == 0) continue;  // keeps 0 from being counted twice
    const auto magnitude = static_cast<std::int64_t>(y);
    return negative ? -magnitude : magnitude;
  }
}

std::int64_t SampleDiscreteGaussian(const Rational& sigma_squared, RandomSource& random) {
  ValidateSamplerParameter(sigma_squared, "discrete Gaussian sigma^2");
  const std::uint64_t n = sigma_squared.numerator;
  const std::uint64_t d = sigma_squared.denominator;
  // t = floor(sigma) + 1 = floor(sqrt(floor(n/d))) + 1, exactly.
  const std::uint64_t t = FloorSqrt(n / d) + 1;
  // Bound the intermediates: with d t^2 < 2^53 the product |Y| d t below overflows 2^64
  // only when |Y| >= 2^11 t, i.e. with probability < 2 exp(-2^11).
  if (static_cast<Uint128>(d) * t * t >= (Uint128{1} << 53)) {
    throw InputError("discrete Gaussian sigma^2 " + sigma_squared.ToString() +
                     " has too fine a denominator; build it with RationalAtLeast");
  }
  const Uint128 denominator = Uint128{2} * n * d * t * t;  // < 2^63 * 2^53
  for (;;) {
    // CKS 2020 Algorithm 3: proposal Y ~ discrete Laplace of scale t, accepted with
    // probability exp(-(|Y| - sigma^2/t)^2 / (2 sigma^2))
    //          = exp(-(|Y| d t - n)^2 / (2 n d t^2)).
    const std::int64_t y = SampleDiscreteLaplace(Rational{t, 1}, random);
    const Uint128 magnitude =
        y < 0 ? Uint128{0} - static_cast<Uint128>(y) : static_cast<Uint128>(y);
    if (magnitude > kMaxUint128 / (static_cast<Uint128>(d) * t)) {
      ThrowOverflow("discrete Gaussian");
    }
    const Uint128 scaled = magnitude * d * t;
    const Uint128 difference = scaled >= n ? scaled - n : n - scaled;
    if (difference >> 64 != 0) ThrowOverflow("discrete Gaussian");
    if (internal::SampleBernoulliExp128(difference * difference, denominator, random)) {
      return y;
    }
  }
}

}  // namespace privet::privacy
