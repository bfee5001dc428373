// The MarginalSource of a dataset held in PostgreSQL (config "source": {"kind": "postgresql"},
// engine/table/source_config.h): PostgreSQL encodes, bounds and counts; privet receives only the
// non-zero cells of each contingency table. No row, and no cell value, ever leaves the database.
//
// What runs, in order, in ONE read-only REPEATABLE READ transaction (so every count of the source
// sees one snapshot of the table, even while the warehouse loads new rows):
//  1. catalog reads: the table's columns and their types, and where pgcrypto is installed.
//     A column the config names that the table lacks is refused here, before any data is read;
//     identifiers were already checked when the config was parsed;
//  2. one validation pass (engine/source/postgres_sql.h Validation): whether the table has rows
//     and whether any cell is one the CSV path would refuse, per column, as booleans. The error
//     names the column, never the value;
//  3. with a privacy unit: 32 bytes of pgcrypto's gen_random_bytes, the key of the unit bound;
//  4. one GROUP BY per Count, one GROUPING SETS query per CountBatch (chunks of 512 sets).
// Views (View, Subsample) run in the same transaction and see the same bounded rows: a code map
// is a CASE over the code after the bound (the generator's compressed groups and pair levels),
// and the subsample keeps a row when the first 8 bytes of HMAC-SHA256(key, row identity) fall
// below floor(fraction 2^53) 2^11, with a 32-byte key drawn from the caller's secure source
// (postgres_sql.h CountView names the identity). Why not TABLESAMPLE: its BERNOULLI and SYSTEM
// methods draw from a seed PostgreSQL derives with random() (or the REPEATABLE seed given), the
// same predictable generator as below, and SYSTEM keeps whole pages.
// Connection and statement failures are StorageError (postgres_connection.h says what they show).
//
// The unit bound and its randomness: docs/officer.md ("The unit bound in SQL") and the comment in
// PostgresSql::Counts. Why not random(): PostgreSQL's random() is a fast non-cryptographic PRNG
// (xoshiro128** in 15), which setseed() in the same session makes reproducible and whose future
// outputs follow from past ones, so the rows kept could be predicted or steered; the bound's
// guarantee (a unit's kept rows are a uniformly random subset, independent of every other unit's
// data, Wilson et al. PETS 2020 Sec. 3) needs randomness nobody can predict. gen_random_bytes
// draws from pg_strong_random (OpenSSL's CSPRNG in Debian's build), and HMAC-SHA256 under that
// key is a PRF.
#ifndef PRIVET_ENGINE_SOURCE_POSTGRES_MARGINAL_SOURCE_H_
#define PRIVET_ENGINE_SOURCE_POSTGRES_MARGINAL_SOURCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/source/marginal_source.h"
#include "engine/source/postgres_connection.h"
#include "engine/source/postgres_sql.h"
#include "engine/table/schema.h"

namespace privet::engine {

class PostgresMarginalSource final : public MarginalSource {
 public:
  // Connects as schema.source_config() says and runs steps 1-3 of the file comment. Throws
  // InputError for a schema whose source is not postgresql, an unset connection variable, a
  // missing table or column, a column type that cannot hold its attribute, a missing pgcrypto
  // (with a privacy unit), an empty table or a refused cell; StorageError when PostgreSQL fails.
  // `executed`, when given, receives the text of every statement Open ran, also when it throws
  // (for tests that check what reached the server before a refusal).
  static std::unique_ptr<PostgresMarginalSource> Open(const Schema& schema,
                                                      std::vector<std::string>* executed = nullptr);

  const std::vector<std::uint32_t>& domain_sizes() const override { return domain_sizes_; }
  std::uint32_t max_rows_per_unit() const override { return session_->schema.max_rows_per_unit(); }
  std::uint64_t NumRows() override;
  Marginal Count(std::span<const std::size_t> attributes) override;
  std::vector<Marginal> CountBatch(const std::vector<std::vector<std::size_t>>& sets) override;
  // Views share this source's connection, snapshot and bound key.
  std::unique_ptr<MarginalSource> View(std::span<const std::size_t> attributes,
                                       const std::vector<CodeMap>& maps) override;
  // Four 64-bit draws of `secure` make the HMAC key (no row is read to draw it).
  std::unique_ptr<MarginalSource> Subsample(double fraction,
                                            privacy::RandomSource& secure) override;

  // PostgreSQL's EXPLAIN (VERBOSE) of the statement Count(attributes) runs, one plan line per
  // element: for the officer (docs/officer.md shows it for a sharded table) and for the test that
  // the GROUP BY runs on the shards. Plans name no data, only estimates.
  std::vector<std::string> ExplainCount(std::span<const std::size_t> attributes);

  // Computes the table's data commitment (postgres_commitment.h) in this source's snapshot and
  // throws IntegrityError unless it is `registered`: every count of the source then comes from
  // exactly the registered rows, however the table changes during the release. The message
  // names no data. (Registration's check before a release runs in a snapshot of its own.)
  void RequireCommitment(std::string_view secret, const std::string& registered);

  // The text of every statement run on the connection so far (parameters not included).
  const std::vector<std::string>& executed_sql() const { return session_->connection.executed(); }

 private:
  // What a source and its views share: one connection in one snapshot.
  struct Session {
    Session(const Schema& registered, PgConnection opened)
        : schema(registered), connection(std::move(opened)) {}
    const Schema schema;
    PgConnection connection;
    std::unique_ptr<PostgresSql> sql;
    std::string bound_key_hex;
  };
  PostgresMarginalSource(const Schema& schema, PgConnection connection);
  PostgresMarginalSource(std::shared_ptr<Session> session, std::vector<std::size_t> base_of,
                         CountView view, std::vector<std::uint32_t> domain_sizes);
  // Steps 1-3 of the file comment.
  void Prepare();

  std::shared_ptr<Session> session_;
  // The modeled attribute (of the schema) behind each attribute of this source or view.
  std::vector<std::size_t> base_of_;
  CountView view_;  // keyed by modeled attribute
  std::vector<std::uint32_t> domain_sizes_;
  std::optional<std::uint64_t> num_rows_;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_SOURCE_POSTGRES_MARGINAL_SOURCE_H_
