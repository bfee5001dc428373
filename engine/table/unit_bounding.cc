#include "engine/table/unit_bounding.h"

#include <string>
#include <vector>

#include "privacy/errors.h"

namespace privet::engine {

EncodedTable BoundRowsPerUnit(const EncodedTable& table, std::uint32_t max_rows_per_unit,
                              privacy::RandomSource& secure) {
  if (max_rows_per_unit == 0) {
    throw InputError("max_rows_per_unit must be at least 1");
  }
  const std::vector<std::uint32_t>& units = table.unit_ids();
  if (units.empty()) return table;
  if (units.size() != table.num_rows()) {
    // Row counts are private: the message names the problem only (docs/privacy.md).
    throw InputError("unit bounding: the table does not have one unit id per row");
  }
  std::uint32_t num_units = 0;
  for (std::uint32_t u : units) num_units = std::max(num_units, u + 1);
  // Reservoir sampling (Vitter's algorithm R) per unit in one pass: slot j of unit u holds a
  // uniform m-subset of the rows of u seen so far.
  const std::size_t m = max_rows_per_unit;
  std::vector<std::uint32_t> seen(num_units, 0);
  std::vector<std::size_t> reservoir_start(num_units + 1, 0);
  {
    std::vector<std::uint32_t> rows_of(num_units, 0);
    for (std::uint32_t u : units) ++rows_of[u];
    for (std::uint32_t u = 0; u < num_units; ++u) {
      reservoir_start[u + 1] = reservoir_start[u] + std::min<std::size_t>(rows_of[u], m);
    }
  }
  std::vector<std::size_t> reservoir(reservoir_start[num_units]);
  for (std::size_t row = 0; row < units.size(); ++row) {
    const std::uint32_t u = units[row];
    const std::uint32_t k = seen[u]++;
    if (k < m) {
      reservoir[reservoir_start[u] + k] = row;
    } else {
      const std::uint64_t j = secure.UniformBelow(std::uint64_t{k} + 1);
      if (j < m) reservoir[reservoir_start[u] + j] = row;
    }
  }
  std::vector<char> keep(units.size(), 0);
  for (std::size_t row : reservoir) keep[row] = 1;
  std::vector<std::size_t> kept;
  kept.reserve(reservoir.size());
  for (std::size_t row = 0; row < keep.size(); ++row) {
    if (keep[row]) kept.push_back(row);
  }
  if (kept.size() == table.num_rows()) return table;
  return table.SelectRows(kept);
}

}  // namespace privet::engine
