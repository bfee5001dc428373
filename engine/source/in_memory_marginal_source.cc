#include "engine/source/in_memory_marginal_source.h"

#include <utility>

#include "engine/table/unit_bounding.h"
#include "privacy/errors.h"

namespace privet::engine {

InMemoryMarginalSource::InMemoryMarginalSource(EncodedTable bounded,
                                               std::uint32_t max_rows_per_unit,
                                               unsigned num_threads)
    : table_(std::move(bounded)), max_rows_per_unit_(max_rows_per_unit), num_threads_(num_threads) {
  if (max_rows_per_unit_ == 0) throw InputError("max_rows_per_unit must be at least 1");
  for (const auto& column : table_.columns()) domain_sizes_.push_back(column.domain_size());
}

InMemoryMarginalSource InMemoryMarginalSource::Bound(const EncodedTable& table,
                                                     std::uint32_t max_rows_per_unit,
                                                     privacy::RandomSource& secure,
                                                     unsigned num_threads) {
  return InMemoryMarginalSource(BoundRowsPerUnit(table, max_rows_per_unit, secure),
                                max_rows_per_unit, num_threads);
}

Marginal InMemoryMarginalSource::Count(std::span<const std::size_t> attributes) {
  CheckMarginalAttributes(domain_sizes_, attributes);
  return ComputeMarginal(table_, attributes, num_threads_);
}

}  // namespace privet::engine
