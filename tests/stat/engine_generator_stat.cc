// Statistical tests of the generator: structure recovery, the sampler's distribution, and the
// unbiasedness of noisy marginals. Fixed seeds; each assertion states its failure probability.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include <boost/random/mersenne_twister.hpp>

#include "engine/generator/domain_compression.h"
#include "engine/generator/model.h"
#include "engine/generator/privbayes.h"
#include "engine/generator/sampler.h"
#include "engine/generator/synthesis_plan.h"
#include "engine/queries/noisy_marginal_query.h"
#include "engine/table/marginals.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

// Data from a known network: x0 (6 values, uniform) -> x1 = x0 mod 4 w.p. 0.85 else uniform
// -> x2 = x1 w.p. 0.85 else uniform; x3 uniform and independent of everything.
EncodedTable KnownNetworkTable(const Schema& schema, std::size_t n, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  auto uniform = [&](std::uint32_t d) { return static_cast<std::uint32_t>(rng() % d); };
  auto coin = [&](double p) { return (rng() >> 11) * 0x1p-53 < p; };
  std::vector<std::vector<std::uint32_t>> rows;
  for (std::size_t r = 0; r < n; ++r) {
    const std::uint32_t a = uniform(6);
    const std::uint32_t b = coin(0.85) ? a % 4 : uniform(4);
    const std::uint32_t c = coin(0.85) ? b : uniform(4);
    rows.push_back({a, b, c, uniform(4)});
  }
  return testing::TableForSchema(schema, rows);
}

Schema KnownNetworkSchema() {
  nlohmann::json config = {{"schema_version", 1},
                           {"dataset", {{"id", "known"}, {"csv", "unused.csv"}}}};
  config["attributes"] = {
      {{"name", "x0"}, {"type", "integer"}, {"min", 0}, {"max", 5}, {"nullable", false}},
      {{"name", "x1"}, {"type", "integer"}, {"min", 0}, {"max", 3}, {"nullable", false}},
      {{"name", "x2"}, {"type", "integer"}, {"min", 0}, {"max", 3}, {"nullable", false}},
      {{"name", "x3"}, {"type", "integer"}, {"min", 0}, {"max", 3}, {"nullable", false}}};
  return Schema::FromJson(config, ".", "known network");
}

std::set<std::pair<std::size_t, std::size_t>> Edges(const BayesNetModel& model) {
  std::set<std::pair<std::size_t, std::size_t>> edges;
  for (const ConditionalTable& t : model.network()) {
    for (std::size_t p : t.parents) edges.insert({std::min(p, t.attribute), std::max(p, t.attribute)});
  }
  return edges;
}

TEST_CASE("Structure learning recovers the edges of a known network at large epsilon") {
  // At epsilon 20 over 20,000 rows the true families score thousands of counts above any wrong
  // one while each selection's epsilon is ~1, so a wrong pick has probability < e^-100; the
  // seed is fixed, so this is deterministic in practice.
  const Schema schema = KnownNetworkSchema();
  const EncodedTable table = KnownNetworkTable(schema, 20000, 11);
  for (std::optional<std::uint32_t> degree : {std::optional<std::uint32_t>{1},
                                              std::optional<std::uint32_t>{}}) {
    SynthesisOptions options;
    options.epsilon = 20;
    options.delta = 1e-9;
    options.degree = degree;
    const SynthesisPlan plan = PlanSynthesis(schema, options);
    privacy::RandomSource noise = privacy::RandomSource::Seeded(7);
    const BayesNetModel model = FitBayesNet(table, plan, schema.ToJson(), noise);
    const auto edges = Edges(model);
    CHECK(edges.count({0, 1}) == 1);
    CHECK(edges.count({1, 2}) == 1);
    // x3 is independent: no family should use it as a parent of a dependent attribute when
    // the true parent is available (a tree, degree 1, must attach x3 with no useful edge).
    CHECK(model.network().size() == 4);
  }
}

// A hand-built model: x0 root with P = (0.5, 0.3, 0.2); x1 (4 codes, 2 groups {0,1}, {2,3})
// given x0: P(g | a) rows (0.9, 0.1), (0.5, 0.5), (0.2, 0.8); within group 0 the codes have
// weights (0.25, 0.75), within group 1 (0.5, 0.5).
BayesNetModel KnownModel() {
  std::vector<AttributeDomain> attributes{{"x0", 3, false, std::nullopt},
                                          {"x1", 4, false, std::nullopt}};
  AttributeCompression c1;
  c1.num_groups = 2;
  c1.group_of_code = {0, 0, 1, 1};
  c1.code_weight = {0.25, 0.75, 0.5, 0.5};
  return BayesNetModel(attributes, nullptr, {IdentityCompression(3), c1},
                       {{0, {}, {0.5, 0.3, 0.2}}, {1, {0}, {0.9, 0.1, 0.5, 0.5, 0.2, 0.8}}},
                       100, nullptr);
}

TEST_CASE("The sampler reproduces a known conditional distribution (chi-square)") {
  const BayesNetModel model = KnownModel();
  boost::random::mt19937_64 rng(2024);
  const std::size_t n = 200000;
  const EncodedTable sample = SampleRows(model, n, rng);
  REQUIRE(sample.num_rows() == n);
  const std::vector<std::size_t> attrs{0, 1};
  const Marginal joint = ComputeMarginal(sample, attrs);
  const double p0[3] = {0.5, 0.3, 0.2};
  const double pg[3][2] = {{0.9, 0.1}, {0.5, 0.5}, {0.2, 0.8}};
  const double w[4] = {0.25, 0.75, 0.5, 0.5};
  double chi2 = 0;
  for (std::uint32_t a = 0; a < 3; ++a) {
    for (std::uint32_t code = 0; code < 4; ++code) {
      const double expected = n * p0[a] * pg[a][code / 2] * w[code];
      const double observed = static_cast<double>(joint.counts[a * 4 + code]);
      chi2 += (observed - expected) * (observed - expected) / expected;
    }
  }
  // 12 cells, 11 degrees of freedom. The chi-square(11) upper 1e-6 quantile is 42.98
  // (e.g. scipy.stats.chi2.isf(1e-6, 11)), so even a sampler of independent rows fails with
  // probability 1e-6; the rounded sampler's counts vary less than a multinomial's, so the
  // bound is conservative for it, while a wrong distribution still fails by thousands.
  CHECK(chi2 < 42.98);
}

TEST_CASE("The sampler's counts follow the model within one row per parent configuration") {
  // Rounded allocation (engine/generator/sampler.h): deterministic bounds, no failure probability.
  const BayesNetModel model = KnownModel();
  boost::random::mt19937_64 rng(99);
  const std::size_t n = 50001;  // one block, and n * p is not an integer
  const EncodedTable sample = SampleRows(model, n, rng);
  const std::vector<std::size_t> attrs{0, 1};
  const Marginal joint = ComputeMarginal(sample, attrs);
  const double p0[3] = {0.5, 0.3, 0.2};
  const double pg[3][2] = {{0.9, 0.1}, {0.5, 0.5}, {0.2, 0.8}};
  for (std::uint32_t a = 0; a < 3; ++a) {
    double rows_a = 0, group_rows[2] = {0, 0};
    for (std::uint32_t code = 0; code < 4; ++code) {
      rows_a += static_cast<double>(joint.counts[a * 4 + code]);
      group_rows[code / 2] += static_cast<double>(joint.counts[a * 4 + code]);
    }
    CHECK(std::abs(rows_a - n * p0[a]) < 1);
    for (std::uint32_t g = 0; g < 2; ++g) {
      CHECK(std::abs(group_rows[g] - rows_a * pg[a][g]) < 1);
    }
  }
}

TEST_CASE("Rounded sampling adds no dependence between attributes the model keeps apart") {
  // x0 and x1 both uniform on {0, 1}, no edge. Each attribute's rows are a uniformly random
  // subset, so count(0, 0) is hypergeometric: mean n/4, variance n/16 * n/(n-1). A 5.3 sd
  // deviation has probability < 1.2e-7 (normal approximation, n = 40000). A sampler that
  // assigned values in row order would give count(0, 0) = n/2.
  std::vector<AttributeDomain> attributes{{"x0", 2, false, std::nullopt},
                                          {"x1", 2, false, std::nullopt}};
  const BayesNetModel model(attributes, nullptr, {IdentityCompression(2), IdentityCompression(2)},
                            {{0, {}, {0.5, 0.5}}, {1, {}, {0.5, 0.5}}}, 100, nullptr);
  boost::random::mt19937_64 rng(7);
  const std::size_t n = 40000;
  const EncodedTable sample = SampleRows(model, n, rng);
  const std::vector<std::size_t> attrs{0, 1};
  const Marginal joint = ComputeMarginal(sample, attrs);
  const double sd = std::sqrt(n / 16.0);
  CHECK(std::abs(static_cast<double>(joint.counts[0]) - n / 4.0) < 5.3 * sd);
}

TEST_CASE("Sampling is reproducible for a seed and independent of the thread split") {
  const BayesNetModel model = KnownModel();
  boost::random::mt19937_64 a(5), b(5);
  const EncodedTable x = SampleRows(model, 150000, a);
  const EncodedTable y = SampleRows(model, 150000, b);
  bool same = true;
  for (std::size_t r = 0; r < x.num_rows(); r += 997)
    same = same && x.column(1).at(r) == y.column(1).at(r);
  CHECK(same);
}

TEST_CASE("Noisy marginals are unbiased across many seeds (both mechanisms)") {
  const Schema schema = testing::IntegerSchema(2, 2);
  std::vector<std::vector<std::uint32_t>> rows;
  for (std::uint32_t i = 0; i < 300; ++i) rows.push_back({i % 3, (i / 3) % 3});
  const EncodedTable table = testing::TableForSchema(schema, rows);
  const std::vector<std::size_t> attrs{0, 1};
  const Marginal truth = ComputeMarginal(table, attrs);
  for (NoiseMode mode : {NoiseMode::kPure, NoiseMode::kGaussian}) {
    MarginalQueryOptions o;
    o.attributes = {"x0", "x1"};
    o.epsilon = 0.5;
    o.delta = mode == NoiseMode::kGaussian ? 1e-6 : 0.0;
    o.mode = mode;
    const MarginalQueryPlan plan = PlanMarginalQuery(schema, o);
    const double sd = plan.noise.StdDev();
    const int runs = 2000;
    std::vector<double> sum(9, 0.0);
    privacy::RandomSource random = privacy::RandomSource::Seeded(mode == NoiseMode::kPure ? 1 : 2);
    for (int run = 0; run < runs; ++run) {
      const NoisyMarginalResult r = RunMarginalQuery(table, plan, random);
      for (std::size_t c = 0; c < 9; ++c) sum[c] += static_cast<double>(r.noisy_counts[c]);
    }
    for (std::size_t c = 0; c < 9; ++c) {
      // The mean of 2000 draws has sd = sd / sqrt(2000); a 5-sigma deviation has probability
      // < 5.8e-7 per cell (the noise is symmetric with light tails, so the CLT applies), and
      // < 1.1e-5 over the 18 cells of both modes (union bound).
      const double mean_error = sum[c] / runs - static_cast<double>(truth.counts[c]);
      CHECK(std::abs(mean_error) < 5 * sd / std::sqrt(static_cast<double>(runs)));
    }
  }
}

}  // namespace
}  // namespace privet::engine
