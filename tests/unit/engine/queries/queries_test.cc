#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "engine/queries/correlation_query.h"
#include "engine/queries/nearest_correlation.h"
#include "engine/queries/noisy_marginal_query.h"
#include "privacy/accountant.h"
#include "privacy/errors.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

TEST_CASE("Marginal query plan: mechanism, scale and event fixed before data") {
  const Schema schema = testing::IntegerSchema(3, 4, /*max_rows=*/2);
  MarginalQueryOptions pure;
  pure.attributes = {"x0", "x2"};
  pure.epsilon = 0.5;
  const MarginalQueryPlan plan = PlanMarginalQuery(schema, pure);
  CHECK(plan.num_cells == 25);
  CHECK(plan.columns == std::vector<std::size_t>{0, 2});
  CHECK(plan.options.max_rows_per_unit == 2);
  CHECK(plan.event.kind == privacy::MechanismKind::kLaplace);
  CHECK(plan.event.epsilon <= 0.5);
  CHECK(plan.noise.laplace.scale.ToDouble() >= 2 / 0.5);  // scale m / epsilon
  MarginalQueryOptions gaussian = pure;
  gaussian.mode = NoiseMode::kGaussian;
  gaussian.delta = 1e-6;
  const MarginalQueryPlan g = PlanMarginalQuery(schema, gaussian);
  CHECK(g.event.kind == privacy::MechanismKind::kGaussian);
  CHECK(g.event.l2_sensitivity == 2);
  CHECK(g.composed_epsilon <= 0.5);
  CHECK(g.composed_epsilon >= 0.5 * (1 - 1e-6));
}

TEST_CASE("Marginal query bad inputs are InputErrors") {
  const Schema schema = testing::IntegerSchema(4, 4);
  auto rejects = [&](std::vector<std::string> attrs, double epsilon, double delta, NoiseMode mode) {
    MarginalQueryOptions o;
    o.attributes = attrs;
    o.epsilon = epsilon;
    o.delta = delta;
    o.mode = mode;
    CHECK_THROWS_AS(PlanMarginalQuery(schema, o), InputError);
  };
  rejects({}, 1, 0, NoiseMode::kPure);
  rejects({"x0", "x1", "x2", "x3"}, 1, 0, NoiseMode::kPure);
  rejects({"x0", "x0"}, 1, 0, NoiseMode::kPure);
  rejects({"nope"}, 1, 0, NoiseMode::kPure);
  rejects({"x0"}, 0, 0, NoiseMode::kPure);
  rejects({"x0"}, 1, 0, NoiseMode::kGaussian);
}

TEST_CASE("Marginal query output: every cell of the public domain, labelled") {
  const Schema schema = testing::IntegerSchema(2, 1);
  const EncodedTable table = testing::TableForSchema(schema, {{0, 1}, {1, 1}, {1, 0}});
  MarginalQueryOptions o;
  o.attributes = {"x1", "x0"};
  o.epsilon = 1;
  privacy::RandomSource random = privacy::RandomSource::Seeded(1);
  const NoisyMarginalResult result = RunMarginalQuery(table, PlanMarginalQuery(schema, o), random);
  CHECK(result.noisy_counts.size() == 4);
  std::ostringstream csv;
  WriteMarginalCsv(schema, result, csv);
  CHECK(csv.str().rfind("x1,x0,noisy_count\n0,0,", 0) == 0);
  const nlohmann::json json = MarginalResultJson(schema, result);
  CHECK(json["cells"].size() == 4);
  CHECK(json["event"]["mechanism"] == "laplace");
}

TEST_CASE("Correlation query: always a valid matrix, also at tiny epsilon") {
  const Schema schema = testing::IntegerSchema(3, 9);
  std::vector<std::vector<std::uint32_t>> rows;
  for (std::uint32_t i = 0; i < 2000; ++i) rows.push_back({i % 10, i % 10, (i * 7) % 10});
  const EncodedTable table = testing::TableForSchema(schema, rows);
  for (double epsilon : {1e-4, 1e-2, 1.0}) {
    CorrelationQueryOptions o;
    o.attributes = {"x0", "x1", "x2"};
    o.epsilon = epsilon;
    o.delta = 1e-9;
    const CorrelationQueryPlan plan = PlanCorrelationQuery(schema, o);
    CHECK(plan.composed_epsilon <= epsilon);
    CHECK(plan.l2_sensitivity == doctest::Approx(std::sqrt(1 + 3 + 6.0)));
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
      privacy::RandomSource random = privacy::RandomSource::Seeded(seed);
      const NoisyCorrelationResult result = RunCorrelationQuery(table, plan, random);
      CHECK(IsCorrelationMatrix(result.correlation));
    }
  }
}

TEST_CASE("Correlation query at large epsilon is close to the truth") {
  const Schema schema = testing::IntegerSchema(2, 9);
  std::vector<std::vector<std::uint32_t>> rows;
  for (std::uint32_t i = 0; i < 5000; ++i) rows.push_back({i % 10, 9 - i % 10});  // r = -1
  const EncodedTable table = testing::TableForSchema(schema, rows);
  CorrelationQueryOptions o;
  o.attributes = {"x0", "x1"};
  o.epsilon = 100;
  o.delta = 1e-6;
  privacy::RandomSource random = privacy::RandomSource::Seeded(3);
  const NoisyCorrelationResult result =
      RunCorrelationQuery(table, PlanCorrelationQuery(schema, o), random);
  CHECK(result.correlation(0, 1) == doctest::Approx(-1.0).epsilon(0.02));
  CHECK(std::abs(result.noisy_count - 5000) < 50);
}

TEST_CASE("Correlation query rejects categorical and unknown attributes and delta 0") {
  const Schema schema = testing::IntegerSchema(2, 9);
  CorrelationQueryOptions o;
  o.attributes = {"x0"};
  CHECK_THROWS_AS(PlanCorrelationQuery(schema, o), InputError);
  o.attributes = {"x0", "zz"};
  CHECK_THROWS_AS(PlanCorrelationQuery(schema, o), InputError);
  o.attributes = {"x0", "x1"};
  o.delta = 0;
  CHECK_THROWS_AS(PlanCorrelationQuery(schema, o), InputError);
}

}  // namespace
}  // namespace privet::engine
