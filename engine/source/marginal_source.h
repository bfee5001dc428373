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
//
// Views (View, Subsample) are how the generator counts without rows (engine/generator/
// privbayes.h): over compressed groups and pair levels, and on the structure search's scoring
// subsample. A view counts the same bounded rows as its parent, may share its parent's state
// (the PostgreSQL one shares the connection and the unit bound's key), and must not be used
// after its parent is destroyed.
#ifndef PRIVET_ENGINE_SOURCE_MARGINAL_SOURCE_H_
#define PRIVET_ENGINE_SOURCE_MARGINAL_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/table/marginals.h"
#include "privacy/random_source.h"

namespace privet::engine {

// One attribute's code mapping in a View: code c becomes code_of[c] (one entry per code of the
// attribute, each below domain_size). A compression's group_of_code is one
// (engine/generator/domain_compression.h).
struct CodeMap {
  std::vector<std::uint32_t> code_of;
  std::uint32_t domain_size = 0;
};

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

  // A view whose attribute i is this source's attributes[i] (distinct, in range) with each code
  // c replaced by maps[i].code_of[c] (maps empty: codes kept; else one per attribute). Its
  // counts equal those of the mapped bounded table exactly. Throws InputError on a bad index or
  // a map of the wrong size or with a code outside its domain.
  virtual std::unique_ptr<MarginalSource> View(std::span<const std::size_t> attributes,
                                               const std::vector<CodeMap>& maps) = 0;
  // A view over a Poisson subsample of the bounded rows: each row kept independently with
  // probability floor(fraction 2^53) / 2^53, its coin fixed for every count of the view. The
  // coins come from `secure` (the fit's source: the CSPRNG in a release): the in-memory source
  // draws one per row in row order; the PostgreSQL one draws a 32-byte HMAC key
  // (postgres_marginal_source.h says how a row's coin follows from it). Fraction in (0, 1].
  virtual std::unique_ptr<MarginalSource> Subsample(double fraction,
                                                    privacy::RandomSource& secure) = 0;
};

// The maps of a View checked against `domain_sizes` (the parent's) and `attributes`; returns
// the view's domain sizes. Throws InputError as View documents.
std::vector<std::uint32_t> CheckView(const std::vector<std::uint32_t>& domain_sizes,
                                     std::span<const std::size_t> attributes,
                                     const std::vector<CodeMap>& maps);
// floor(fraction 2^53), the threshold a row's 53-bit coin must stay below to be kept. Throws
// InputError for a fraction outside (0, 1].
std::uint64_t SubsampleThreshold(double fraction);

// Checks `attributes` against `domain_sizes` as Count documents and returns the number of
// cells. Throws InputError naming the problem.
std::uint64_t CheckMarginalAttributes(const std::vector<std::uint32_t>& domain_sizes,
                                      std::span<const std::size_t> attributes);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_SOURCE_MARGINAL_SOURCE_H_
