#include "engine/table/encoded_table.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

namespace privet::engine {
namespace {

TEST_CASE("EncodedColumn picks the narrowest code type") {
  EncodedColumn small("small", 256);
  EncodedColumn medium("medium", 257);
  EncodedColumn large("large", 70000);
  for (int i = 0; i < 1000; ++i) {
    small.push_back(255);
    medium.push_back(256);
    large.push_back(69999);
  }
  CHECK(small.memory_bytes() >= 1000);
  CHECK(small.memory_bytes() < 2000);
  CHECK(medium.memory_bytes() >= 2000);
  CHECK(medium.memory_bytes() < 4000);
  CHECK(large.memory_bytes() >= 4000);
  CHECK(small.at(999) == 255);
  CHECK(large.at(0) == 69999);
}

TEST_CASE("EncodedColumn rejects codes outside its domain") {
  EncodedColumn column("sex", 2);
  column.push_back(1);
  CHECK_THROWS_AS(column.push_back(2), std::out_of_range);
  CHECK_THROWS_AS(EncodedColumn("empty", 0), std::invalid_argument);
}

TEST_CASE("EncodedTable keeps columns aligned and selects rows with their units") {
  EncodedColumn a("a", 3);
  EncodedColumn b("b", 2);
  for (std::uint32_t i = 0; i < 4; ++i) {
    a.push_back(i % 3);
    b.push_back(i % 2);
  }
  EncodedTable table;
  table.AddColumn(a);
  table.AddColumn(b);
  table.set_unit_ids({0, 0, 1, 2});
  CHECK(table.num_rows() == 4);
  CHECK(table.IndexOf("b") == 1);
  CHECK_FALSE(table.IndexOf("c").has_value());

  EncodedColumn short_column("c", 2);
  short_column.push_back(0);
  CHECK_THROWS_AS(table.AddColumn(short_column), std::invalid_argument);
  CHECK_THROWS_AS(table.AddColumn(a), std::invalid_argument);

  const std::vector<std::size_t> rows = {3, 1};
  const EncodedTable selected = table.SelectRows(rows);
  CHECK(selected.num_rows() == 2);
  CHECK(selected.column(0).at(0) == 0);
  CHECK(selected.column(1).at(1) == 1);
  CHECK(selected.unit_ids() == std::vector<std::uint32_t>{2, 0});
}

}  // namespace
}  // namespace privet::engine
