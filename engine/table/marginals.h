// Contingency tables (marginals) over any subset of an EncodedTable's columns.
//
// A marginal over attributes (a_0, ..., a_{k-1}) with domain sizes (d_0, ..., d_{k-1}) is a flat
// vector of counts indexed in mixed radix, the LAST attribute varying fastest (C order):
//   index(c_0, ..., c_{k-1}) = ((c_0 * d_1 + c_1) * d_2 + c_2) ... * d_{k-1} + c_{k-1}.
// The empty attribute set gives one cell holding the row count.
//
// Counting packs each row's codes into that index block by block (8192 rows, so the index
// buffer stays in L1/L2), reading every column in its own narrow code type (no per-row type
// dispatch), and splits the rows over the machine's cores for large tables (one private count
// vector per thread, summed at the end). Counts are exact integers.
//
// Privacy: a marginal of the private table is a private statistic. It may be released only
// after noise (engine/queries/noisy_marginal_query.h, engine/generator/privbayes.h) or shown to the
// privacy officer (quality reports).
#ifndef PRIVET_ENGINE_TABLE_MARGINALS_H_
#define PRIVET_ENGINE_TABLE_MARGINALS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <vector>

#include "engine/table/encoded_table.h"

namespace privet::engine {

// Largest number of cells a marginal may have (2^31): counting keeps a 32-bit cell index.
inline constexpr std::uint64_t kMaxMarginalCells = std::uint64_t{1} << 31;

struct Marginal {
  // Column indices into the table, in the order that defines the cell index.
  std::vector<std::size_t> attributes;
  // Domain size of each attribute (same order).
  std::vector<std::uint32_t> domain_sizes;
  // One count per cell, mixed-radix index as in the file comment.
  std::vector<std::uint64_t> counts;

  std::size_t num_cells() const { return counts.size(); }
  // The cell index of one code per attribute (codes.size() == attributes.size(), each code
  // below its domain size; not checked in release builds).
  std::size_t CellIndex(std::span<const std::uint32_t> codes) const;
  // The codes of a cell index (inverse of CellIndex).
  std::vector<std::uint32_t> CellCodes(std::size_t index) const;
  // Sum of all counts (the number of rows counted).
  std::uint64_t Total() const;
};

// Product of the domain sizes of `attributes` in `table`. Throws InputError if it exceeds
// kMaxMarginalCells or an index is out of range.
std::uint64_t NumCells(const EncodedTable& table, std::span<const std::size_t> attributes);

// Counts the rows of `table` in every cell of the marginal over `attributes` (distinct column
// indices, any order). num_threads = 0 picks std::thread::hardware_concurrency() for tables
// of at least 2^17 rows and 1 below. Throws InputError on a repeated or out-of-range index or
// more than kMaxMarginalCells cells.
Marginal ComputeMarginal(const EncodedTable& table, std::span<const std::size_t> attributes,
                         unsigned num_threads = 0);

// The marginal over `keep` (a subset of marginal.attributes, any order) obtained by summing
// out the other attributes. Throws InputError if `keep` names an attribute not in `marginal`.
Marginal ProjectMarginal(const Marginal& marginal, std::span<const std::size_t> keep);

// Computes each requested marginal once and keeps it, so a search that scores many
// overlapping candidate sets reads the table once per distinct set. Sets are keyed by their
// attribute list in the order given. Thread-safe. The cache holds private statistics.
class MarginalCache {
 public:
  // `table` must outlive the cache.
  explicit MarginalCache(const EncodedTable& table) : table_(table) {}

  const Marginal& Get(const std::vector<std::size_t>& attributes);
  const EncodedTable& table() const { return table_; }
  // Bytes held by cached counts.
  std::size_t memory_bytes() const;
  void Clear();

 private:
  const EncodedTable& table_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::size_t>, Marginal> cache_;
  std::size_t bytes_ = 0;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_MARGINALS_H_
