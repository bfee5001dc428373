// The CSV path's MarginalSource: counts an EncodedTable in memory with ComputeMarginal
// (engine/table/marginals.h), the table bounded once per unit by BoundRowsPerUnit.
#ifndef PRIVET_ENGINE_SOURCE_IN_MEMORY_MARGINAL_SOURCE_H_
#define PRIVET_ENGINE_SOURCE_IN_MEMORY_MARGINAL_SOURCE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/source/marginal_source.h"
#include "engine/table/encoded_table.h"
#include "privacy/random_source.h"

namespace privet::engine {

class InMemoryMarginalSource final : public MarginalSource {
 public:
  // `bounded` must already hold at most max_rows_per_unit rows per unit (what Bound makes, or a
  // table without unit ids and max_rows_per_unit 1). num_threads as ComputeMarginal.
  InMemoryMarginalSource(EncodedTable bounded, std::uint32_t max_rows_per_unit,
                         unsigned num_threads = 0);
  // Bounds `table` with BoundRowsPerUnit(table, max_rows_per_unit, secure) and wraps the result.
  static InMemoryMarginalSource Bound(const EncodedTable& table, std::uint32_t max_rows_per_unit,
                                      privacy::RandomSource& secure, unsigned num_threads = 0);
  // Counts `bounded` in place, without a copy: the table must outlive the source and its views.
  static InMemoryMarginalSource Borrow(const EncodedTable& bounded, std::uint32_t max_rows_per_unit,
                                       unsigned num_threads = 0);

  const std::vector<std::uint32_t>& domain_sizes() const override { return domain_sizes_; }
  std::uint32_t max_rows_per_unit() const override { return max_rows_per_unit_; }
  std::uint64_t NumRows() override { return table_->num_rows(); }
  Marginal Count(std::span<const std::size_t> attributes) override;
  // Counts the sets on up to four threads, one set at a time each (ComputeMarginal on one
  // thread), as the structure search always scored its candidates.
  std::vector<Marginal> CountBatch(const std::vector<std::vector<std::size_t>>& sets) override;
  // A new table of the mapped columns (column names kept; domain sizes become the maps').
  std::unique_ptr<MarginalSource> View(std::span<const std::size_t> attributes,
                                       const std::vector<CodeMap>& maps) override;
  // One coin per row in row order: row r is kept when (secure() >> 11) < SubsampleThreshold.
  std::unique_ptr<MarginalSource> Subsample(double fraction,
                                            privacy::RandomSource& secure) override;

  // The bounded table counted.
  const EncodedTable& table() const { return *table_; }

 private:
  InMemoryMarginalSource(std::shared_ptr<const EncodedTable> bounded,
                         std::uint32_t max_rows_per_unit, unsigned num_threads);

  std::shared_ptr<const EncodedTable> table_;
  std::uint32_t max_rows_per_unit_;
  unsigned num_threads_;
  std::vector<std::uint32_t> domain_sizes_;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_SOURCE_IN_MEMORY_MARGINAL_SOURCE_H_
