#include "engine/table/marginals.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

EncodedTable RandomTable(std::size_t rows, std::vector<std::uint32_t> domains, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  EncodedTable table;
  for (std::size_t c = 0; c < domains.size(); ++c) {
    EncodedColumn column(std::string("c").append(std::to_string(c)), domains[c]);
    column.reserve(rows);
    for (std::size_t r = 0; r < rows; ++r)
      column.push_back(static_cast<std::uint32_t>(rng() % domains[c]));
    table.AddColumn(std::move(column));
  }
  return table;
}

TEST_CASE("ComputeMarginal counts every row in its mixed-radix cell (last attribute fastest)") {
  // Table 300 (uint16 codes), 3 and 2: check against a direct per-row count.
  EncodedTable table = RandomTable(5000, {300, 3, 2}, 7);
  std::vector<std::size_t> attrs{2, 0, 1};
  Marginal m = ComputeMarginal(table, attrs);
  REQUIRE(m.num_cells() == 2 * 300 * 3);
  std::vector<std::uint64_t> expected(m.num_cells(), 0);
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    std::size_t index =
        (table.column(2).at(r) * 300 + table.column(0).at(r)) * 3 + table.column(1).at(r);
    ++expected[index];
  }
  CHECK(m.counts == expected);
  CHECK(m.Total() == 5000);
  std::vector<std::uint32_t> codes{1, 299, 2};
  CHECK(m.CellCodes(m.CellIndex(codes)) == codes);
}

TEST_CASE("Multi-threaded counting equals single-threaded counting") {
  EncodedTable table = RandomTable(300000, {5, 7, 11}, 11);
  std::vector<std::size_t> attrs{0, 1, 2};
  CHECK(ComputeMarginal(table, attrs, 2).counts == ComputeMarginal(table, attrs, 1).counts);
  std::vector<std::size_t> one{1};
  CHECK(ComputeMarginal(table, one, 2).counts == ComputeMarginal(table, one, 1).counts);
}

TEST_CASE("Empty attribute set counts rows; projection sums out") {
  EncodedTable table = RandomTable(1000, {4, 6, 3}, 3);
  std::vector<std::size_t> none;
  CHECK(ComputeMarginal(table, none).counts == std::vector<std::uint64_t>{1000});
  std::vector<std::size_t> all{0, 1, 2};
  Marginal full = ComputeMarginal(table, all);
  std::vector<std::size_t> keep{2, 0};
  CHECK(ProjectMarginal(full, keep).counts == ComputeMarginal(table, keep).counts);
  std::vector<std::size_t> bad{5};
  CHECK_THROWS_AS(ProjectMarginal(full, bad), InputError);
}

TEST_CASE("Bad attribute lists are InputErrors") {
  EncodedTable table = RandomTable(10, {4, 6}, 3);
  std::vector<std::size_t> repeated{0, 0};
  std::vector<std::size_t> out_of_range{2};
  CHECK_THROWS_AS(ComputeMarginal(table, repeated), InputError);
  CHECK_THROWS_AS(ComputeMarginal(table, out_of_range), InputError);
}

TEST_CASE("MarginalCache returns the same counts as a fresh computation") {
  EncodedTable table = RandomTable(2000, {4, 6, 3}, 5);
  MarginalCache cache(table);
  const Marginal& a = cache.Get({1, 2});
  const Marginal& b = cache.Get({1, 2});
  CHECK(&a == &b);
  std::vector<std::size_t> attrs{1, 2};
  CHECK(a.counts == ComputeMarginal(table, attrs).counts);
  CHECK(cache.memory_bytes() == 18 * sizeof(std::uint64_t));
}

}  // namespace
}  // namespace privet::engine
