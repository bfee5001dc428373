// The DP quantile of rows per unit (engine/queries/unit_bound_query.h).
#include "engine/queries/unit_bound_query.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "privacy/errors.h"
#include "privacy/random_source.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

TEST_CASE("Unit-bound scores: minus the distance of q n from each candidate's rank interval") {
  // Known answer worked by hand: counts 1,1,1,1,2,2,3,7 (n = 8), q = 0.75 (target rank 6),
  // M = 5 (7 counts as 5). For m = 1..5, #{c <= m} = 4, 6, 7, 7, 8 and #{c < m} = 0, 4, 6, 7,
  // 7: the intervals [0,4], [4,6], [6,7], [7,7], [7,8] are 2, 0, 0, 1, 1 away from 6.
  const std::vector<std::uint64_t> rows{1, 1, 1, 1, 2, 2, 3, 7};
  CHECK(UnitBoundScores(rows, 0.75, 5) == std::vector<double>{-2, 0, 0, -1, -1});
  // q = 0.9 (rank 7.2): only m = 5 ([7, 8]) contains it; m = 3 and 4 are 0.2 away.
  const std::vector<double> high = UnitBoundScores(rows, 0.9, 5);
  CHECK(high[4] == 0);
  CHECK(high[2] == doctest::Approx(-0.2));
  CHECK(high[3] == doctest::Approx(-0.2));
  CHECK(high[0] == doctest::Approx(-3.2));
  // Sensitivity: adding or removing any one unit moves every score by at most max(q, 1-q).
  for (const double q : {0.05, 0.5, 0.75, 0.95}) {
    const std::vector<double> base = UnitBoundScores(rows, q, 5);
    for (std::uint64_t extra = 1; extra <= 9; ++extra) {
      std::vector<std::uint64_t> added = rows;
      added.push_back(extra);
      const std::vector<double> neighbour = UnitBoundScores(added, q, 5);
      for (std::size_t m = 0; m < base.size(); ++m) {
        CHECK(std::abs(neighbour[m] - base[m]) <= std::max(q, 1 - q) + 1e-12);
      }
    }
    for (std::size_t drop = 0; drop < rows.size(); ++drop) {
      std::vector<std::uint64_t> removed = rows;
      removed.erase(removed.begin() + static_cast<std::ptrdiff_t>(drop));
      const std::vector<double> neighbour = UnitBoundScores(removed, q, 5);
      for (std::size_t m = 0; m < base.size(); ++m) {
        CHECK(std::abs(neighbour[m] - base[m]) <= std::max(q, 1 - q) + 1e-12);
      }
    }
  }
}

TEST_CASE("Rows per unit come from the unit ids; a table without units is refused") {
  EncodedTable table = testing::TableFromRows({{0}, {1}, {0}, {1}, {0}, {1}}, {2});
  CHECK_THROWS_AS(RowsPerUnit(table), InputError);
  table.set_unit_ids({0, 1, 1, 2, 2, 2});
  CHECK(RowsPerUnit(table) == std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("The plan refuses bad options and charges one exponential event") {
  UnitBoundQueryOptions options;
  options.epsilon = 0.1;
  const UnitBoundQueryPlan plan = PlanUnitBoundQuery(options);
  CHECK(plan.event.ToJson().at("mechanism") == "exponential");
  CHECK(plan.event.ToJson().at("epsilon") == 0.1);
  for (const double q : {0.0, 1.0, -0.5, double{NAN}}) {
    UnitBoundQueryOptions bad = options;
    bad.quantile = q;
    CHECK_THROWS_AS(PlanUnitBoundQuery(bad), InputError);
  }
  UnitBoundQueryOptions bad = options;
  bad.max_rows = 0;
  CHECK_THROWS_AS(PlanUnitBoundQuery(bad), InputError);
  bad.max_rows = kMaxUnitBoundCandidates + 1;
  CHECK_THROWS_AS(PlanUnitBoundQuery(bad), InputError);
  bad = options;
  bad.epsilon = 0;
  CHECK_THROWS_AS(PlanUnitBoundQuery(bad), InputError);
}

TEST_CASE("The released bound follows the exponential mechanism's distribution") {
  // 100 units: 60 with 1 row, 30 with 2, 10 with 3; q = 0.9 (target rank 90), M = 4: rank
  // intervals [0,60], [60,90], [90,100], [100,100], scores -30, 0, 0, -10. At epsilon 0.2 the
  // weights exp(0.1 score) are e^-3, 1, 1, e^-1: Pr[m] = 0.0210, 0.4397, 0.4397, 0.0996
  // (sum of weights 2.4177). 4,000 seeded draws: each frequency's standard deviation is at
  // most sqrt(0.25 / 4000) = 0.0079, so a tolerance of 0.04 is 5 standard deviations (failure
  // probability below 4 x 6e-7 under the null; the seed makes the run deterministic).
  EncodedTable table =
      testing::TableFromRows(std::vector<std::vector<std::uint32_t>>(150, {0}), {1});
  std::vector<std::uint32_t> ids;
  std::uint32_t unit = 0;
  for (const auto& [units, rows] : {std::pair{60, 1}, {30, 2}, {10, 3}}) {
    for (int u = 0; u < units; ++u, ++unit) {
      for (int r = 0; r < rows; ++r) ids.push_back(unit);
    }
  }
  REQUIRE(ids.size() == 150);
  table.set_unit_ids(ids);
  UnitBoundQueryOptions options;
  options.quantile = 0.9;
  options.max_rows = 4;
  options.epsilon = 0.2;
  const UnitBoundQueryPlan plan = PlanUnitBoundQuery(options);
  privacy::RandomSource noise = privacy::RandomSource::Seeded(2026);
  std::vector<double> frequency(4, 0);
  const int draws = 4000;
  for (int i = 0; i < draws; ++i) frequency[RunUnitBoundQuery(table, plan, noise).bound - 1] += 1;
  const double z = std::exp(-3.0) + 2 + std::exp(-1.0);
  const std::vector<double> expected{std::exp(-3.0) / z, 1 / z, 1 / z, std::exp(-1.0) / z};
  for (std::size_t m = 0; m < 4; ++m) {
    CAPTURE(m);
    CHECK(std::abs(frequency[m] / draws - expected[m]) < 0.04);
  }
  const nlohmann::json json = UnitBoundResultJson(RunUnitBoundQuery(table, plan, noise));
  CHECK(json.at("max_rows_considered") == 4);
  CHECK(json.at("mechanism").at("sensitivity") == 1);
}

}  // namespace
}  // namespace privet::engine
