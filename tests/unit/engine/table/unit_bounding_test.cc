#include "engine/table/unit_bounding.h"

#include <doctest/doctest.h>

#include <map>

#include "engine/table/marginals.h"
#include "privacy/errors.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

// One "heavy" unit with 50 rows all in cell 0, and 100 single-row units spread over 3 cells.
EncodedTable HeavyUnitTable(bool with_heavy) {
  std::vector<std::vector<std::uint32_t>> rows;
  std::vector<std::uint32_t> units;
  for (std::uint32_t u = 0; u < 100; ++u) {
    rows.push_back({u % 3});
    units.push_back(u);
  }
  if (with_heavy) {
    for (int i = 0; i < 50; ++i) {
      rows.push_back({0});
      units.push_back(100);
    }
  }
  EncodedTable table = testing::TableFromRows(rows, {3});
  table.set_unit_ids(units);
  return table;
}

TEST_CASE("A unit with many rows moves no count by more than the bound") {
  for (std::uint32_t bound : {1u, 2u, 5u}) {
    privacy::RandomSource random = privacy::RandomSource::Seeded(bound);
    const std::vector<std::size_t> attrs{0};
    const Marginal without =
        ComputeMarginal(BoundRowsPerUnit(HeavyUnitTable(false), bound, random), attrs);
    const Marginal with =
        ComputeMarginal(BoundRowsPerUnit(HeavyUnitTable(true), bound, random), attrs);
    std::uint64_t l1 = 0;
    for (std::size_t cell = 0; cell < 3; ++cell) {
      const std::uint64_t diff = with.counts[cell] > without.counts[cell]
                                     ? with.counts[cell] - without.counts[cell]
                                     : without.counts[cell] - with.counts[cell];
      CHECK(diff <= bound);
      l1 += diff;
    }
    CHECK(l1 == bound);  // the heavy unit keeps exactly `bound` of its 50 rows
  }
}

TEST_CASE("Bounding keeps every row of small units and keeps unit ids aligned") {
  privacy::RandomSource random = privacy::RandomSource::Seeded(3);
  EncodedTable table = testing::TableFromRows({{0}, {1}, {2}, {0}, {1}}, {3});
  table.set_unit_ids({0, 0, 1, 1, 1});
  const EncodedTable bounded = BoundRowsPerUnit(table, 2, random);
  CHECK(bounded.num_rows() == 4);
  REQUIRE(bounded.unit_ids().size() == 4);
  std::map<std::uint32_t, int> per_unit;
  for (std::uint32_t u : bounded.unit_ids()) ++per_unit[u];
  CHECK(per_unit[0] == 2);
  CHECK(per_unit[1] == 2);
}

TEST_CASE("Without unit ids the table is unchanged; a zero bound is an InputError") {
  privacy::RandomSource random = privacy::RandomSource::Seeded(4);
  const EncodedTable table = testing::TableFromRows({{0}, {1}, {2}}, {3});
  CHECK(BoundRowsPerUnit(table, 1, random).num_rows() == 3);
  CHECK_THROWS_AS(BoundRowsPerUnit(table, 0, random), InputError);
}

TEST_CASE("Kept rows of a heavy unit are uniform (each of 4 rows kept w.p. 1/2 at bound 2)") {
  // 4000 repetitions; each row's keep count is Binomial(4000, 1/2): sd 31.6. |dev| <= 160
  // (5.06 sd) fails with probability < 4 * 4.2e-7 (union bound over the 4 rows).
  privacy::RandomSource random = privacy::RandomSource::Seeded(99);
  EncodedTable table = testing::TableFromRows({{0}, {1}, {2}, {3}}, {4});
  table.set_unit_ids({0, 0, 0, 0});
  std::vector<int> kept(4, 0);
  for (int rep = 0; rep < 4000; ++rep) {
    const EncodedTable bounded = BoundRowsPerUnit(table, 2, random);
    REQUIRE(bounded.num_rows() == 2);
    for (std::size_t r = 0; r < 2; ++r) ++kept[bounded.column(0).at(r)];
  }
  for (int k : kept) CHECK(std::abs(k - 2000) <= 160);
}

}  // namespace
}  // namespace privet::engine
