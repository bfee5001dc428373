// One interface for every count the generator and the direct queries take from the private
// data (issue 15): contingency tables over subsets of the modeled attributes, in the encoded
// domain of the public schema, after the per-unit bound.
//
// Two implementations: InMemoryMarginalSource (engine/source/in_memory_marginal_source.h), the
// CSV path, which counts an EncodedTable in memory; PostgresMarginalSource
// (engine/source/postgres_marginal_source.h), which has PostgreSQL compute the same counts where
// the rows live, so only the counts leave the database.
//
// Contract shared by both:
//  - attribute indices are the schema's modeled attributes in config order (the columns of an
//    EncodedTable); a Marginal's cells are in the mixed-radix order of engine/table/marginals.h,
//    in the order the attributes were requested;
//  - every count is over ONE bounded table: each privacy unit cut to at most
//    max_rows_per_unit() rows, chosen once per source with cryptographically strong randomness,
//    so every marginal of one source (and every marginal of a batch) counts the same rows, as
//    the CSV path's single BoundRowsPerUnit does (engine/table/unit_bounding.h);
//  - the counts are exact and private: they may leave privet only after noise
//    (engine/queries/, engine/generator/) or in the officer's quality report.
// Sources are not thread-safe (the PostgreSQL one holds one connection): callers that count
// from several threads serialise the calls.
#ifndef PRIVET_ENGINE_SOURCE_MARGINAL_SOURCE_H_
#define PRIVET_ENGINE_SOURCE_MARGINAL_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/table/marginals.h"

namespace privet::engine {

class MarginalSource {
 public:
  virtual ~MarginalSource() = default;

  // The domain size of each modeled attribute, schema order (the missing code included).
  virtual const std::vector<std::uint32_t>& domain_sizes() const = 0;
  // The per-unit bound m applied to every count (1 when each row is its own unit). Every
  // sensitivity computed from these counts is scaled by it (docs/privacy.md, "Privacy unit").
  virtual std::uint32_t max_rows_per_unit() const = 0;

  // The number of rows after the unit bound (the empty marginal's one cell). Private.
  virtual std::uint64_t NumRows() = 0;
  // The marginal over `attributes` (distinct indices below domain_sizes().size(), any order).
  // Throws InputError on a repeated or out-of-range index or more than kMaxMarginalCells cells.
  virtual Marginal Count(std::span<const std::size_t> attributes) = 0;
  // One marginal per set, in the order given, equal to Count of each; a source that can count
  // many sets in one pass (GROUPING SETS) does. Same errors as Count, before anything is counted.
  virtual std::vector<Marginal> CountBatch(const std::vector<std::vector<std::size_t>>& sets);
};

// Checks `attributes` against `domain_sizes` as Count documents and returns the number of
// cells. Throws InputError naming the problem.
std::uint64_t CheckMarginalAttributes(const std::vector<std::uint32_t>& domain_sizes,
                                      std::span<const std::size_t> attributes);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_SOURCE_MARGINAL_SOURCE_H_
