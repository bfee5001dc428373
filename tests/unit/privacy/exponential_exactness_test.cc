// The exponential mechanism's exact output distribution on neighbouring score vectors, in
// 300-bit floating point (Boost.Multiprecision cpp_bin_float): the privacy loss of the
// sampler as implemented (its gamma_i from PlanExponential, Pr[i] = exp(-gamma_i) / sum_j
// exp(-gamma_j), which the rejection sampler realises exactly) never exceeds epsilon, in
// particular when neighbouring tables straddle a power of two (issue 10 item 4). The same
// check run on the former data-dependent grid (reconstructed below as a mutant) fails, so the
// check has teeth.
#include <doctest/doctest.h>

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "privacy/errors.h"
#include "privacy/exponential_mechanism.h"
#include "privacy/random_source.h"

namespace privet::privacy {
namespace {

using Big = boost::multiprecision::number<boost::multiprecision::cpp_bin_float<300>>;

// gamma_i of a plan as a high-precision number (the division is the only rounding, 2^-300).
std::vector<Big> Gammas(const ExponentialPlan& plan) {
  std::vector<Big> gammas;
  const Big scale = Big(plan.epsilon_used.numerator) /
                    (Big(2) * Big(plan.epsilon_used.denominator) * Big(plan.sensitivity));
  for (const std::uint64_t gap : plan.gaps) gammas.push_back(scale * Big(gap));
  return gammas;
}

// log Pr[i] for every candidate.
std::vector<Big> LogProbabilities(const std::vector<Big>& gammas) {
  Big total = 0;
  for (const Big& gamma : gammas) total += exp(-gamma);
  std::vector<Big> logs;
  for (const Big& gamma : gammas) logs.push_back(-gamma - log(total));
  return logs;
}

Big MaxLogRatio(const std::vector<Big>& first, const std::vector<Big>& second) {
  const auto a = LogProbabilities(first);
  const auto b = LogProbabilities(second);
  Big worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, Big(abs(a[i] - b[i])));
  return worst;
}

std::vector<Big> ImplementedGammas(const std::vector<double>& scores, double epsilon,
                                   double sensitivity) {
  return Gammas(PlanExponential(SnapExponentialScores(scores, sensitivity),
                                std::uint64_t{1} << kExponentialGridBits, epsilon));
}

// The former rule (privet before issue 10 item 4), rebuilt here as a mutant: grid exponent k
// from the data's largest |score / sensitivity| (largest < 2^magnitude, k = min(40, 51 -
// magnitude)) and epsilon' = epsilon / (1 + 2^(1-k)), so neighbours straddling a power of two
// use different epsilons. Scores here are exact on both grids, so the snapping is exact.
std::vector<Big> LegacyGammas(const std::vector<double>& scores, double epsilon,
                              double sensitivity) {
  double largest = 0;
  for (const double score : scores) largest = std::max(largest, std::fabs(score / sensitivity));
  int magnitude = 0;
  std::frexp(largest, &magnitude);
  const int k = std::min(40, 51 - std::max(magnitude, 0));
  std::vector<Big> snapped;
  Big best = -1e300;
  for (const double score : scores) {
    snapped.push_back(floor(Big(score) / Big(sensitivity) * pow(Big(2), k)));
    best = std::max(best, snapped.back());
  }
  const Big shrunk = Big(epsilon) / (1 + pow(Big(2), 1 - k));
  std::vector<Big> gammas;
  for (const Big& m : snapped) gammas.push_back(shrunk * (best - m) / pow(Big(2), k + 1));
  return gammas;
}

TEST_CASE("Neighbours straddling a power of two: exact log-ratio at most epsilon") {
  // Candidates, in sensitivities: a low-weight one at -(2^17 - 1/2) on D and -(2^17 + 1/2)
  // on D' (it sets the largest |score|, so the former grid exponent k drops from 34 to 33),
  // the best one at 0 on D and -1 on D', and one at -2^16 on D and -2^16 + 1 on D' whose
  // gap to the best shrinks by 2. Every score moves by at most one sensitivity, as between
  // neighbouring tables. On the former rule the third candidate's log-ratio is
  // epsilon' (1 + 2^-18 - 2^-32) > epsilon; the implemented grid keeps it at epsilon'.
  for (const double epsilon : {0.1, 1.0, 3.0}) {
    for (const double sensitivity : {1.0, 2.0, 6.0}) {
      CAPTURE(epsilon);
      CAPTURE(sensitivity);
      const std::vector<double> d = {-(0x1p17 - 0.5) * sensitivity, 0.0, -0x1p16 * sensitivity};
      const std::vector<double> d_prime = {-(0x1p17 + 0.5) * sensitivity, -sensitivity,
                                           -(0x1p16 - 1) * sensitivity};
      const Big worst = MaxLogRatio(ImplementedGammas(d, epsilon, sensitivity),
                                    ImplementedGammas(d_prime, epsilon, sensitivity));
      CHECK(worst <= Big(epsilon));
      // The same pair breaks the former data-dependent grid: log-ratio above epsilon.
      const Big legacy = MaxLogRatio(LegacyGammas(d, epsilon, sensitivity),
                                     LegacyGammas(d_prime, epsilon, sensitivity));
      CHECK(legacy > Big(epsilon));
    }
  }
}

TEST_CASE("Random neighbours across 2^15..2^18 sensitivities: exact log-ratio at most epsilon") {
  boost::random::mt19937_64 rng(20261202);
  boost::random::uniform_real_distribution<double> unit(-1.0, 1.0);
  boost::random::uniform_real_distribution<double> magnitude(15.0, 18.0);
  for (int trial = 0; trial < 200; ++trial) {
    const double sensitivity = trial % 3 == 0 ? 2.0 : 0.37 * (1 + trial % 7);
    const double epsilon = 0.05 * (1 + trial % 11);
    std::vector<double> d, d_prime;
    for (int i = 0; i < 6; ++i) {
      const double score = std::exp2(magnitude(rng)) * sensitivity * (i == 0 ? 1.0 : unit(rng));
      d.push_back(score);
      // A neighbour moves each score by at most the sensitivity (here all the way, at random
      // signs, or a random fraction of it).
      const double move = trial % 2 == 0 ? (unit(rng) < 0 ? -1.0 : 1.0) : unit(rng);
      d_prime.push_back(score + move * sensitivity);
    }
    CAPTURE(trial);
    const Big worst = MaxLogRatio(ImplementedGammas(d, epsilon, sensitivity),
                                  ImplementedGammas(d_prime, epsilon, sensitivity));
    CHECK(worst <= Big(epsilon));
  }
}

TEST_CASE("Integer scores: exact log-ratio at most epsilon_used <= epsilon") {
  boost::random::mt19937_64 rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    const std::uint64_t sensitivity = (std::uint64_t{1} << 21) * (1 + trial % 5);
    const double epsilon = 0.01 + 0.1 * (trial % 13);
    std::vector<std::int64_t> d, d_prime;
    for (int i = 0; i < 5; ++i) {
      const auto score = static_cast<std::int64_t>(rng() >> 24) - (std::int64_t{1} << 39);
      const auto move = static_cast<std::int64_t>(rng() % (2 * sensitivity + 1)) -
                        static_cast<std::int64_t>(sensitivity);
      d.push_back(score);
      d_prime.push_back(score + move);
    }
    const auto plan = PlanExponential(d, sensitivity, epsilon);
    CHECK(plan.epsilon_used.ToDouble() <= epsilon);
    const Big worst =
        MaxLogRatio(Gammas(plan), Gammas(PlanExponential(d_prime, sensitivity, epsilon)));
    CHECK(worst <= Big(plan.epsilon_used.numerator) / Big(plan.epsilon_used.denominator));
  }
}

TEST_CASE("Snapping is an exact floor of score / sensitivity * 2^20") {
  boost::random::mt19937_64 rng(11);
  boost::random::uniform_real_distribution<double> unit(-1.0, 1.0);
  boost::random::uniform_real_distribution<double> exponent(-80.0, 41.5);
  std::vector<double> scores = {0.0, -0.0, 1e-300, -1e-300, 0x1p-20, -0x1p-20, 3.0, -3.0};
  const std::vector<double> sensitivities = {1.0, 2.0, 0.1, 3.7e-5, 123456.789};
  for (int i = 0; i < 400; ++i) scores.push_back(unit(rng) * std::exp2(exponent(rng)));
  for (const double sensitivity : sensitivities) {
    std::vector<double> in_range;
    for (const double score : scores) {
      if (std::fabs(score / sensitivity) < 0x1p41) in_range.push_back(score);
    }
    const auto snapped = SnapExponentialScores(in_range, sensitivity);
    for (std::size_t i = 0; i < in_range.size(); ++i) {
      const Big exact = floor(Big(in_range[i]) / Big(sensitivity) * pow(Big(2), 20));
      CAPTURE(in_range[i]);
      CHECK(Big(snapped[i]) == exact);
    }
  }
  auto random = RandomSource::Seeded(1);
  // Beyond 2^42 sensitivities the snapped value is clamped to +-2^62 (1-Lipschitz), not refused:
  // a huge private score must not cause an error the requester would see.
  constexpr std::int64_t kClamp = std::int64_t{1} << 62;
  const std::vector<double> huge = {0x1p43, -0x1p44, 1e300, -1e300, 0x1p42 - 1, -(0x1p42 - 1)};
  const auto clamped = SnapExponentialScores(huge, 2.0);
  CHECK(clamped[0] == kClamp);
  CHECK(clamped[1] == -kClamp);
  CHECK(clamped[2] == kClamp);
  CHECK(clamped[3] == -kClamp);
  CHECK(clamped[4] == (std::int64_t{1} << 61) - (std::int64_t{1} << 19));
  CHECK(clamped[5] == -(std::int64_t{1} << 61) + (std::int64_t{1} << 19));
  // Neighbours on either side of the clamp still differ by at most 2^20 grid units.
  for (const double start : {0x1p42 - 0.5, -0x1p42 - 0.5, 0x1p42 + 7.0}) {
    const auto pair = SnapExponentialScores(std::vector<double>{start, start + 1.0}, 1.0);
    CHECK(pair[1] - pair[0] <= (std::int64_t{1} << kExponentialGridBits));
    CHECK(pair[1] >= pair[0]);
  }
  CHECK_THROWS_AS(SelectExponentialExact(std::vector<std::int64_t>{1}, 0, 1.0, random), InputError);
  // The 128-bit range is checked from epsilon and the sensitivity alone: 2 eps.den Delta must
  // stay below 2^100.
  const std::vector<std::int64_t> one{0};
  const double tiny = 1.3e-9;
  const std::uint64_t denominator = RationalAtMost(tiny).denominator;  // a power of two
  const int bits = 64 - __builtin_clzll(denominator);                  // den = 2^(bits-1)
  REQUIRE(bits > 40);
  const std::uint64_t largest_ok = (std::uint64_t{1} << (100 - bits)) - 1;
  CHECK_NOTHROW(PlanExponential(one, largest_ok, tiny));
  CHECK_THROWS_AS(PlanExponential(one, largest_ok + 1, tiny), InputError);
  CHECK_THROWS_AS(PlanExponential(one, std::uint64_t{1} << 62, 1.0), InputError);
  CHECK_THROWS_AS(PlanExponential(one, 1, 0x1p-31), InputError);
}

}  // namespace
}  // namespace privet::privacy
