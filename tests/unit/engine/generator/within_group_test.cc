// Groups and within-group weights (engine/generator/domain_compression.h): ordered runs around a
// heavy code, and SmoothCodeWeights, the within-group shape of codes.
#include <doctest/doctest.h>

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <numbers>

#include "engine/generator/domain_compression.h"

namespace privet::engine {
namespace {

AttributeCompression Groups(std::vector<std::uint32_t> group_of_code, std::uint32_t groups) {
  AttributeCompression c;
  c.num_groups = groups;
  c.code_weight.assign(group_of_code.size(), 0.0);
  c.group_of_code = std::move(group_of_code);
  return c;
}

TEST_CASE("A heavy code does not swallow the lighter codes before it") {
  // covid's ct_result: seven bins of 50 rows, then 5,000 rows at "not detected". The
  // equal-mass target is 5,350 / 8 = 669 per run; the seven light codes (350, above 3 sigma =
  // 30) never reach it alone, and before the rule they formed one run with the heavy code, so
  // the attribute had one group and told nothing about the row.
  const AttributeDomain ct{"ct", 8, true, std::nullopt};
  const std::vector<double> counts{50, 50, 50, 50, 50, 50, 50, 5000};
  const AttributeCompression c = CompressDomain(ct, counts, 10.0, 8);
  REQUIRE(c.num_groups >= 2);
  for (std::uint32_t code = 0; code < 7; ++code) CHECK(c.group_of_code[code] != c.group_of_code[7]);
  // Equal masses still form equal runs: 8 x 100 with 4 groups gives pairs of codes.
  const std::vector<double> flat(8, 100.0);
  const AttributeCompression f = CompressDomain(ct, flat, 10.0, 4);
  CHECK(f.num_groups == 4);
  for (std::uint32_t code = 0; code < 8; ++code) CHECK(f.group_of_code[code] == code / 2);
}

TEST_CASE("Cut codes: each side of a cut is cut into runs of its own") {
  // 8 codes of 100, 4 groups, a cut at code 3. The 300 below get lround(3/8 x 4) = 2 runs,
  // the 500 above lround(5/8 x 4) = 3 (half away from zero): one group more than max_groups.
  // Below, the equal-mass target is 150: {0, 1}, {2}; above 166.7, then 150: {3, 4}, {5, 6},
  // {7}. Without the cut the same counts give the pairs {0, 1}, {2, 3}, ... (case above).
  AttributeDomain age{"age", 8, true, std::nullopt};
  age.cut_codes = {3};
  const AttributeCompression c = CompressDomain(age, std::vector<double>(8, 100.0), 10.0, 4);
  CHECK(c.num_groups == 5);
  CHECK(c.group_of_code == std::vector<std::uint32_t>{0, 0, 1, 2, 2, 3, 3, 4});
  // A segment too light for 3 sigma is still its own group: the cut wins over the threshold.
  const AttributeCompression light =
      CompressDomain(age, std::vector<double>{1, 1, 1, 100, 100, 100, 100, 100}, 10.0, 4);
  CHECK(light.group_of_code[2] != light.group_of_code[3]);
  CHECK(light.group_of_code[0] == light.group_of_code[2]);
}

TEST_CASE("No compressed group straddles a cut, whatever the noisy counts") {
  // Random noisy 1-way counts (a bump plus noise of sigma 30, many negative), 1-4 cuts at
  // random codes, with and without a missing code, 2-24 groups: every group of value codes
  // lies on one side of every cut, groups stay in code order, and the cuts add at most one
  // group each (sum over segments of max(1, round(share x G)) <= G + segments).
  boost::random::mt19937_64 rng(12);
  boost::random::normal_distribution<double> noise(0.0, 30.0);
  for (int trial = 0; trial < 2000; ++trial) {
    const auto values = static_cast<std::uint32_t>(4 + rng() % 60);
    const bool nullable = rng() % 2 == 0;
    AttributeDomain a{"a", values + (nullable ? 1 : 0), true,
                      nullable ? std::optional<std::uint32_t>(values) : std::nullopt};
    const auto cuts = static_cast<std::uint32_t>(1 + rng() % 4);
    for (std::uint32_t i = 0; i < cuts; ++i) a.cut_codes.push_back(1 + rng() % (values - 1));
    std::sort(a.cut_codes.begin(), a.cut_codes.end());
    a.cut_codes.erase(std::unique(a.cut_codes.begin(), a.cut_codes.end()), a.cut_codes.end());
    std::vector<double> counts(a.domain_size);
    for (std::uint32_t code = 0; code < a.domain_size; ++code) {
      const double x = (static_cast<double>(code) - values / 2.0) / (values / 4.0);
      counts[code] = 200 * std::exp(-x * x) + noise(rng);
    }
    const auto max_groups = static_cast<std::uint32_t>(2 + rng() % 23);
    const AttributeCompression c = CompressDomain(a, counts, 30.0, max_groups);
    CAPTURE(trial);
    REQUIRE(c.num_groups <= max_groups + a.cut_codes.size() + 1);
    for (std::uint32_t code = 1; code < values; ++code) {
      REQUIRE(c.group_of_code[code] >= c.group_of_code[code - 1]);
    }
    for (std::uint32_t cut : a.cut_codes) {
      REQUIRE(c.group_of_code[cut - 1] < c.group_of_code[cut]);
    }
  }
}

TEST_CASE("Within a group, noise-dominated codes follow the frequency polygon") {
  // Three runs of 3 codes; group masses 300, 600, 900 (densities 100, 200, 300 per code at the
  // middles 1, 4, 7). Per-code counts spike (all of a run's mass on one code), but by less than
  // the noise (sigma 1000: E|Z| = 798 per code), so lambda = 0 and the weights are the line
  // through the densities, scaled within each run.
  const AttributeDomain age{"age", 9, true, std::nullopt};
  const std::vector<double> counts{300, 0, 0, 0, 600, 0, 0, 0, 900};
  AttributeCompression c = Groups({0, 0, 0, 1, 1, 1, 2, 2, 2}, 3);
  SmoothCodeWeights(age, counts, 1000.0, c);
  // Run 1 (codes 0-2): shape 100, 100, 133.3 (constant before the first middle).
  CHECK(c.code_weight[0] == doctest::Approx(100.0 / (100 + 100 + 400.0 / 3)));
  CHECK(c.code_weight[2] == doctest::Approx((400.0 / 3) / (100 + 100 + 400.0 / 3)));
  // Run 2 (codes 3-5): 166.7, 200, 233.3, increasing; run 3 likewise, ending flat.
  CHECK(c.code_weight[3] == doctest::Approx((500.0 / 3) / 600.0));
  CHECK(c.code_weight[4] == doctest::Approx(200.0 / 600.0));
  CHECK(c.code_weight[5] == doctest::Approx((700.0 / 3) / 600.0));
  CHECK(c.code_weight[8] == doctest::Approx(300.0 / (800.0 / 3 + 300 + 300)));
  for (double w : c.code_weight) CHECK(w > 0);  // no holes
}

TEST_CASE("Within a group, a departure far above the noise follows the data") {
  // Same counts, sigma 1: |y - s|_1 of run 1 is 400, E = 3 sqrt(2/pi) = 2.39, so
  // lambda = 1 - 2.39 / 400 and the weights are within 1% of the data's shares.
  const AttributeDomain age{"age", 9, true, std::nullopt};
  const std::vector<double> counts{300, 0, 0, 0, 600, 0, 0, 0, 900};
  AttributeCompression c = Groups({0, 0, 0, 1, 1, 1, 2, 2, 2}, 3);
  SmoothCodeWeights(age, counts, 1.0, c);
  CHECK(c.code_weight[0] == doctest::Approx(1.0).epsilon(0.01));
  CHECK(c.code_weight[4] == doctest::Approx(1.0).epsilon(0.01));
  CHECK(c.code_weight[8] == doctest::Approx(1.0).epsilon(0.01));
}

TEST_CASE("The missing code sharing a run keeps its own noisy count, not an even share") {
  // Values 0-2, missing code 3 riding with run 1 (codes 1, 2). Noisy counts 100, 100, 100 and
  // 40 for missing: the run's mass is 240, of which the missing code keeps its 40 (an even
  // share would give it 80) and the two values share the other 200 by their shape.
  const AttributeDomain x{"x", 4, true, std::uint32_t{3}};
  AttributeCompression c = Groups({0, 1, 1, 1}, 2);
  SmoothCodeWeights(x, std::vector<double>{100, 100, 100, 40}, 1000.0, c);
  CHECK(c.code_weight[0] == 1.0);
  CHECK(c.code_weight[3] == doctest::Approx(40.0 / 240));
  CHECK(c.code_weight[1] == doctest::Approx(100.0 / 240));
  // A negative noisy count: the data say "no missing rows" as far as the noise can tell, so
  // the missing code gets no weight, however heavy its group.
  AttributeCompression d = Groups({0, 1, 1, 1}, 2);
  SmoothCodeWeights(x, std::vector<double>{100, 100, 100, -40}, 1000.0, d);
  CHECK(d.code_weight[3] == 0.0);
  CHECK(d.code_weight[1] + d.code_weight[2] == doctest::Approx(1.0));
}

TEST_CASE("A categorical missing code in the rare group gets no even share") {
  // nhanes' Race1: no real row is missing, the missing code shares the rare group with two
  // rare categories. Noisy counts 2000, 1000 | 30, 20, -15 (missing last): the missing code
  // gets weight 0 and the rare values the whole group; with a positive noisy count 12 it gets
  // 12 / (30 + 20 + 12) of the group, never the uniform 1/3.
  const AttributeDomain race{"race", 5, false, std::uint32_t{4}};
  AttributeCompression c = Groups({0, 1, 2, 2, 2}, 3);
  SmoothCodeWeights(race, std::vector<double>{2000, 1000, 30, 20, -15}, 100.0, c);
  CHECK(c.code_weight[4] == 0.0);
  CHECK(c.code_weight[2] == doctest::Approx(0.5));
  AttributeCompression d = Groups({0, 1, 2, 2, 2}, 3);
  SmoothCodeWeights(race, std::vector<double>{2000, 1000, 30, 20, 12}, 100.0, d);
  CHECK(d.code_weight[4] == doctest::Approx(12.0 / 62));
  // An empty group (all noisy counts negative) draws its values, never the missing code.
  AttributeCompression e = Groups({0, 1, 2, 2, 2}, 3);
  SmoothCodeWeights(race, std::vector<double>{2000, 1000, -30, -20, -15}, 100.0, e);
  CHECK(e.code_weight[4] == 0.0);
  CHECK(e.code_weight[2] == doctest::Approx(0.5));
}

TEST_CASE("Rare categories in the shared group keep their mass (statistical)") {
  // A categorical attribute: two large codes and a rare group of 4 codes with true counts
  // 5, 5, 5, 5 under noise sigma 10 (each rare count is half a noise standard deviation);
  // max_groups 3 keeps the two large codes apart and the four rare ones together. The clipped
  // noisy counts give a code weight 0 whenever its noisy count is negative: P(some of the four
  // lost) = 1 - Phi(0.5)^4 = 0.771. With the shrinkage a code loses its weight only when
  // lambda > 0 and its count lies far below the group's mean: P = 0.131 (2 x 10^6 draws of the
  // same arithmetic in numpy, bench/results/2026-12-02-vm-sampling-s5.md). Over 2,000 releases
  // the expected count is 263; the threshold 360 fails spuriously with probability below 3e-7
  // (Chernoff, P(X >= (1 + d) mu) <= exp(-d^2 mu / (2 + d)), d = 0.37), while the clipped
  // weights would lose some rare category in about 1,540 of the 2,000.
  const AttributeDomain c{"c", 6, false, std::nullopt};
  const std::vector<double> truth{2000, 1000, 5, 5, 5, 5};
  boost::random::mt19937_64 rng(20261202);
  boost::random::normal_distribution<double> noise(0.0, 10.0);
  int lost = 0;
  for (int release = 0; release < 2000; ++release) {
    std::vector<double> noisy(truth);
    for (double& v : noisy) v += noise(rng);
    AttributeCompression compression = CompressDomain(c, noisy, 10.0, 3);
    REQUIRE(compression.num_groups == 3);
    SmoothCodeWeights(c, noisy, 10.0, compression);
    bool any_lost = false;
    for (std::uint32_t code = 2; code < 6; ++code) any_lost |= compression.code_weight[code] == 0;
    lost += any_lost ? 1 : 0;
  }
  CHECK(lost < 360);
  CHECK(lost > 0);  // lambda > 0 does happen: the data, not only the shape, are followed
}

}  // namespace
}  // namespace privet::engine
