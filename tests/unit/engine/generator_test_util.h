// Helpers shared by the generator tests: small tables and schemas built in code.
#ifndef PRIVET_TESTS_UNIT_ENGINE_GENERATOR_TEST_UTIL_H_
#define PRIVET_TESTS_UNIT_ENGINE_GENERATOR_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/table/encoded_table.h"
#include "engine/table/schema.h"

namespace privet::engine::testing {

// A table from row-major codes: rows[r][c] in [0, domains[c]).
inline EncodedTable TableFromRows(const std::vector<std::vector<std::uint32_t>>& rows,
                                  const std::vector<std::uint32_t>& domains) {
  EncodedTable table;
  for (std::size_t c = 0; c < domains.size(); ++c) {
    EncodedColumn column(std::string("c").append(std::to_string(c)), domains[c]);
    for (const auto& row : rows) column.push_back(row[c]);
    table.AddColumn(std::move(column));
  }
  return table;
}

// A reviewed schema with integer attributes x0..x{n-1} in [0, max_value] (one code per
// integer, not nullable) and an optional unit bound.
inline Schema IntegerSchema(std::size_t attributes, int max_value, std::uint32_t max_rows = 1) {
  nlohmann::json config = {{"schema_version", 1},
                           {"dataset", {{"id", "test"}, {"csv", "unused.csv"}}}};
  nlohmann::json attrs = nlohmann::json::array();
  if (max_rows > 1) {
    config["privacy_unit"] = {{"column", "unit"}, {"max_rows_per_unit", max_rows}};
    attrs.push_back({{"name", "unit"}, {"type", "ignore"}});
  }
  for (std::size_t i = 0; i < attributes; ++i) {
    attrs.push_back({{"name", std::string("x").append(std::to_string(i))},
                     {"type", "integer"},
                     {"min", 0},
                     {"max", max_value},
                     {"nullable", false}});
  }
  config["attributes"] = attrs;
  return Schema::FromJson(config, ".", "test config");
}

// An EncodedTable whose columns match `schema` (names x0.., domains) from row-major codes.
inline EncodedTable TableForSchema(const Schema& schema,
                                   const std::vector<std::vector<std::uint32_t>>& rows) {
  EncodedTable table;
  const auto& modeled = schema.modeled_attributes();
  for (std::size_t c = 0; c < modeled.size(); ++c) {
    EncodedColumn column(modeled[c].name, modeled[c].domain_size());
    for (const auto& row : rows) column.push_back(row[c]);
    table.AddColumn(std::move(column));
  }
  return table;
}

}  // namespace privet::engine::testing

#endif  // PRIVET_TESTS_UNIT_ENGINE_GENERATOR_TEST_UTIL_H_
