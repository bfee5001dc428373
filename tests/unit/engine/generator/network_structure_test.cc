// Exactness of the private sums behind the structure selection and the correlation query
// (issue 10 item 5): both are integers on a dyadic grid, accumulated in 128 bits, so the
// sensitivity each mechanism relies on holds for the values it actually receives.
#include "engine/generator/network_structure.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/multiprecision/cpp_int.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "engine/queries/correlation_query.h"
#include "engine/table/unit_bounding.h"
#include "privacy/errors.h"
#include "privacy/gaussian_mechanism.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

using boost::multiprecision::cpp_int;

// dep on the grid, counted directly from the rows in arbitrary precision (independent of
// ComputeMarginal and of the 128-bit accumulation).
cpp_int ReferenceScore(const std::vector<std::vector<std::uint32_t>>& rows,
                       const std::vector<std::uint32_t>& domains, std::size_t child,
                       const std::vector<std::size_t>& parents,
                       const std::vector<std::int64_t>& weights) {
  std::size_t parent_cells = 1;
  for (std::size_t p : parents) parent_cells *= domains[p];
  std::vector<cpp_int> joint(parent_cells * domains[child]);
  std::vector<cpp_int> parent(parent_cells);
  for (const auto& row : rows) {
    std::size_t index = 0;
    for (std::size_t p : parents) index = index * domains[p] + row[p];
    joint[index * domains[child] + row[child]] += 1;
    parent[index] += 1;
  }
  cpp_int score = 0;
  for (std::size_t index = 0; index < parent_cells; ++index) {
    for (std::uint32_t x = 0; x < domains[child]; ++x) {
      const cpp_int term = joint[index * domains[child] + x] * (cpp_int(1) << kScoreGridBits) -
                           cpp_int(weights[x]) * parent[index];
      score += term < 0 ? cpp_int(-term) : term;
    }
  }
  return score;
}

TEST_CASE("Quantized reference distributions never sum above one") {
  // Noisy distributions whose doubles sum to a hair above 1, and tiny / clamped entries.
  const std::vector<std::vector<double>> cases = {{0.1, 0.2, 0.7},
                                                  {1.0 / 3, 1.0 / 3, 1.0 / 3 + 1e-16},
                                                  {0.5 + 1e-15, 0.5 + 1e-15},
                                                  {1.0, 0.0, -0.0},
                                                  {0x1p-30, 1.0}};
  for (const auto& distribution : cases) {
    const auto weights = QuantizeDistribution(distribution);
    const std::int64_t total = std::accumulate(weights.begin(), weights.end(), std::int64_t{0});
    CHECK(total <= (std::int64_t{1} << kScoreGridBits));
    for (std::size_t x = 0; x < weights.size(); ++x) {
      CHECK(weights[x] >= 0);
      CHECK(static_cast<double>(weights[x]) <= std::ldexp(distribution[x], kScoreGridBits));
    }
  }
  CHECK_THROWS_AS(QuantizeDistribution(std::vector<double>{0.5, std::nan("")}), InputError);
  CHECK_THROWS_AS(QuantizeDistribution(std::vector<double>{0.5, 0.5, 0.01}), InputError);
}

TEST_CASE("Structure scores are exact and move by at most 2m (grid units) between neighbours") {
  boost::random::mt19937_64 rng(42);
  const std::vector<std::uint32_t> domains = {3, 4, 2, 5};
  const std::vector<double> reference = {0.137, 0.291, 0.0004, 0.4, 0.1716 + 1e-16};
  const auto weights = QuantizeDistribution(reference);
  for (int trial = 0; trial < 30; ++trial) {
    std::vector<std::vector<std::uint32_t>> rows;
    const std::size_t n = 50 + rng() % 400;
    for (std::size_t r = 0; r < n; ++r) {
      std::vector<std::uint32_t> row;
      for (std::uint32_t d : domains) row.push_back(static_cast<std::uint32_t>(rng() % d));
      if (rng() % 2) row[3] = row[0];  // some dependence
      rows.push_back(row);
    }
    // The neighbour: one unit of m rows added (m = 1..4), all in one random cell or spread.
    const std::uint32_t m = 1 + trial % 4;
    auto neighbour = rows;
    const auto random_row = [&] {
      std::vector<std::uint32_t> row;
      for (std::uint32_t d : domains) row.push_back(static_cast<std::uint32_t>(rng() % d));
      return row;
    };
    const std::vector<std::uint32_t> one_cell = random_row();
    for (std::uint32_t i = 0; i < m; ++i) {
      neighbour.push_back(trial % 2 ? random_row() : one_cell);  // odd: spread; even: one cell
    }
    const EncodedTable table = testing::TableFromRows(rows, domains);
    const EncodedTable bigger = testing::TableFromRows(neighbour, domains);
    const std::vector<std::vector<std::size_t>> parent_sets = {{}, {0}, {1, 2}, {0, 1, 2}};
    for (const auto& parents : parent_sets) {
      const std::int64_t score = DependenceScoreOnGrid(table, 3, parents, weights);
      const std::int64_t moved = DependenceScoreOnGrid(bigger, 3, parents, weights);
      CHECK(cpp_int(score) == ReferenceScore(rows, domains, 3, parents, weights));
      CHECK(cpp_int(moved) == ReferenceScore(neighbour, domains, 3, parents, weights));
      const std::int64_t change = score > moved ? score - moved : moved - score;
      CHECK(change <= (std::int64_t{2} * m << kScoreGridBits));
    }
  }
}

TEST_CASE("Correlation statistics are summed exactly: row order does not change the release") {
  const Schema schema = testing::IntegerSchema(3, 6);
  std::vector<std::vector<std::uint32_t>> rows;
  boost::random::mt19937_64 rng(5);
  for (int i = 0; i < 3000; ++i) {
    const auto a = static_cast<std::uint32_t>(rng() % 7);
    rows.push_back({a, static_cast<std::uint32_t>((a + rng() % 3) % 7),
                    static_cast<std::uint32_t>(rng() % 7)});
  }
  auto shuffled = rows;
  for (std::size_t i = shuffled.size() - 1; i > 0; --i) {  // Fisher-Yates
    std::swap(shuffled[i], shuffled[rng() % (i + 1)]);
  }
  CorrelationQueryOptions options;
  options.attributes = {"x0", "x1", "x2"};
  options.epsilon = 1.0;
  options.delta = 1e-6;
  const CorrelationQueryPlan plan = PlanCorrelationQuery(schema, options);
  auto first = privacy::RandomSource::Seeded(77);
  auto second = privacy::RandomSource::Seeded(77);
  const auto a = RunCorrelationQuery(testing::TableForSchema(schema, rows), plan, first);
  const auto b = RunCorrelationQuery(testing::TableForSchema(schema, shuffled), plan, second);
  CHECK(a.noisy_statistics == b.noisy_statistics);

  // The released vector is the fixed-point mechanism applied to the exact sums: rebuild those
  // sums independently (z rounded to 2^-30, products in 2^-60 units) and draw the same noise.
  const int bits = kCorrelationGridBits;
  std::vector<privacy::FixedPointNumerator> exact(plan.noise.dimension, 0);
  for (const auto& row : rows) {
    std::vector<std::int64_t> z;
    for (std::size_t i = 0; i < 3; ++i) {
      // Integer codes 0..6 stand for the values 0..6 on [0, 6]: z = (2v - 6) / 6.
      z.push_back(std::llround(std::ldexp((2.0 * row[i] - 6.0) / 6.0, bits)));
    }
    exact[0] += privacy::FixedPointNumerator{1} << (2 * bits);
    std::size_t next = 4;
    for (std::size_t i = 0; i < 3; ++i) {
      exact[1 + i] += static_cast<privacy::FixedPointNumerator>(z[i]) << bits;
      for (std::size_t j = i; j < 3; ++j) {
        exact[next++] += static_cast<privacy::FixedPointNumerator>(z[i]) * z[j];
      }
    }
  }
  auto third = privacy::RandomSource::Seeded(77);
  CHECK(privacy::AddGaussianNoiseFixedPoint(exact, 2 * bits, plan.noise, third) ==
        a.noisy_statistics);
}

TEST_CASE("Unit bounding's error names no row count") {
  EncodedTable table;
  table.set_unit_ids({0, 1, 2});  // before the columns: three ids, then a 5-row column
  table.AddColumn(testing::TableFromRows({{0}, {1}, {0}, {1}, {1}}, {2}).column(0));
  auto random = privacy::RandomSource::Seeded(1);
  try {
    BoundRowsPerUnit(table, 2, random);
    FAIL("expected an InputError");
  } catch (const InputError& error) {
    const std::string message = error.what();
    CAPTURE(message);
    CHECK(message.find_first_of("0123456789") == std::string::npos);
  }
}

}  // namespace
}  // namespace privet::engine
