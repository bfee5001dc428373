#include <doctest/doctest.h>

#include <cmath>
#include <random>
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

// The raw correlation of (i, j) from statistics s, written out from the layout of
// correlation_query.h for p = 2: s = (n, a0, a1, b00, b01, b11).
double RawR(const std::vector<double>& s) {
  const double n = s[0], m0 = s[1] / n, m1 = s[2] / n;
  const double v0 = s[3] / n - m0 * m0, v1 = s[5] / n - m1 * m1, c = s[4] / n - m0 * m1;
  return c / std::sqrt(v0 * v1);
}

TEST_CASE("CorrelationNoiseError: the delta-method error matches the noise's spread") {
  // 1000 rows of z in [-1, 1] with r about 0.5: n, sums, sums of squares and products.
  std::vector<double> s(6, 0.0);
  std::mt19937_64 data(5);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int r = 0; r < 1000; ++r) {
    const double x = u(data), y = std::clamp(0.5 * x + 0.5 * u(data), -1.0, 1.0);
    s[0] += 1, s[1] += x, s[2] += y, s[3] += x * x, s[4] += x * y, s[5] += y * y;
  }
  const double sigma = 4.0;
  const Eigen::MatrixXd se = CorrelationNoiseError(s, 2, sigma);
  CHECK(se(0, 0) == 0);
  CHECK(se(0, 1) == se(1, 0));
  REQUIRE(std::isfinite(se(0, 1)));
  // Monte Carlo with a fixed seed: K = 20000 noisy copies of s with N(0, sigma^2) per
  // coordinate; the sample standard deviation of r has relative standard error
  // 1/sqrt(2K) = 0.5%, so a 5% band leaves room for the linearisation (sigma/n is small).
  std::mt19937_64 noise(11);
  std::normal_distribution<double> gauss(0, sigma);
  double sum = 0, squares = 0;
  const int draws = 20000;
  for (int k = 0; k < draws; ++k) {
    std::vector<double> noisy = s;
    for (double& x : noisy) x += gauss(noise);
    const double r = RawR(noisy);
    sum += r, squares += r * r;
  }
  const double mean = sum / draws;
  const double spread = std::sqrt(squares / draws - mean * mean);
  CHECK(se(0, 1) == doctest::Approx(spread).epsilon(0.05));
  // A non-positive variance has no error: NaN.
  std::vector<double> flat = s;
  flat[3] = flat[1] * flat[1] / flat[0] - 1.0;  // var0 < 0
  CHECK(std::isnan(CorrelationNoiseError(flat, 2, sigma)(0, 1)));
}

TEST_CASE("Correlation query marks a clamped variance and reports per-entry errors") {
  // x1 is constant: its true variance is 0, so its noisy variance is <= 0 in about half of the
  // seeds; then its correlations are set to 0, marked clamped, and have no standard error.
  const Schema schema = testing::IntegerSchema(2, 9);
  std::vector<std::vector<std::uint32_t>> rows;
  for (std::uint32_t i = 0; i < 3000; ++i) rows.push_back({i % 10, 4});
  const EncodedTable table = testing::TableForSchema(schema, rows);
  CorrelationQueryOptions o;
  o.attributes = {"x0", "x1"};
  o.epsilon = 0.3;
  o.delta = 1e-6;
  const CorrelationQueryPlan plan = PlanCorrelationQuery(schema, o);
  int clamped = 0, estimated = 0;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    privacy::RandomSource random = privacy::RandomSource::Seeded(seed);
    const NoisyCorrelationResult result = RunCorrelationQuery(table, plan, random);
    REQUIRE(result.variance_clamped.size() == 2);
    CHECK_FALSE(result.variance_clamped[0]);  // x0 varies: its variance survives the noise
    const nlohmann::json json = CorrelationResultJson(result);
    if (result.variance_clamped[1]) {
      ++clamped;
      CHECK(result.correlation(0, 1) == doctest::Approx(0.0).epsilon(1e-9));
      CHECK(result.entry_clamped[0][1]);
      CHECK(std::isnan(result.noise_standard_error(0, 1)));
      CHECK(json["variance_clamped"] == nlohmann::json::array({"x1"}));
      CHECK(json["noise_standard_error"][0][1].is_null());
      CHECK(json["clamped"][0][1] == true);
    } else {
      ++estimated;
      CHECK(json["variance_clamped"].empty());
      CHECK(json["noise_standard_error"][0][1].is_number());
    }
  }
  // Seeded, so fixed; both cases occur among 20 seeds (each about 1/2).
  CHECK(clamped > 0);
  CHECK(estimated > 0);
}

}  // namespace
}  // namespace privet::engine
