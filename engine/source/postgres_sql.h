// The SQL that PostgresMarginalSource runs, generated from the registered schema alone.
//
// Encoding is pushed into SQL: every modeled attribute becomes an integer expression over its
// column that yields exactly the code EncodeCell (engine/table/encoder.h) gives the same cell,
// or -1 for a cell the CSV path would refuse (not a number, outside a domain whose policy is
// "error", missing where not nullable). Per attribute type:
//  - categorical: array_position over the declared values (catch-all, missing or -1 otherwise);
//  - integer/continuous: clamped to [min, max] (float8larger/float8smaller), binned with
//    width_bucket(value, lower bounds): PostgreSQL's width_bucket over a threshold array counts
//    the thresholds <= value, which is the upper_bound rule of Attribute::BinOf;
//  - date/datetime: days or seconds since 1970-01-01, clamped, bucketed with width_bucket over
//    Attribute::bucket_start. That is the date truncation, done against the schema's own bucket
//    starts rather than date_trunc, because privet's first bucket starts at min and its weeks
//    are 7-day blocks from min (date_trunc('week') starts on ISO Mondays): one rule, in C++ and
//    SQL alike, computed once from the public config.
// Missing: SQL NULL, and (for text columns) a cell equal to one of the attribute's missing
// tokens. Text columns are parsed as the CSV reader parses cells (numbers with the grammar of
// std::from_chars, spaces and tabs trimmed; dates with the attribute's format); columns of
// numeric, date and timestamp types are read by value.
//
// Every function and operator used is a built-in one that postgres_fdw ships to a shard (CASE,
// array_position, width_bucket, float8larger rather than GREATEST, float8in(textout(x)) rather
// than the cast x::float8, which is an I/O coercion postgres_fdw keeps local), so a GROUP BY on
// a foreign partition runs on its shard (checked by EXPLAIN in tests/e2e/source_postgres_test.cc).
//
// Identifiers are checked by the config parser (engine/table/source_config.h) and quoted here;
// every value from the config (categories, tokens, bounds, bin edges, bucket starts, the bound,
// the key) is a parameter ($n), never spliced into the text.
#ifndef PRIVET_ENGINE_SOURCE_POSTGRES_SQL_H_
#define PRIVET_ENGINE_SOURCE_POSTGRES_SQL_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/table/schema.h"

namespace privet::engine {

// How a column's values are read, from its PostgreSQL type.
enum class PgColumnClass {
  kText,       // text, character varying, character: parsed like CSV cells
  kNumber,     // smallint, integer, bigint, numeric, real, double precision
  kDate,       // date
  kTimestamp,  // timestamp without time zone
  kOther,      // anything else: categorical attributes compare its text form; others refuse it
};

// The class of a type as pg_catalog.format_type names it ("integer", "character varying", ...).
PgColumnClass ClassifyPgType(std::string_view format_type);

// A statement and its parameters, all in text format.
struct SqlStatement {
  std::string text;
  std::vector<std::string> params;
};

// What a view of the source (PostgresMarginalSource::View, Subsample) changes in a count.
struct CountView {
  // Per modeled attribute index, the new code of each of its codes (absent: the code itself),
  // applied as a CASE over the attribute's code after the unit bound.
  std::map<std::size_t, std::vector<std::uint32_t>> code_maps;
  // The scoring subsample: rows whose rank, the first 8 bytes of HMAC-SHA256(sample_key, row
  // identity) read big-endian, is below sample_threshold (8 bytes, big-endian). Row identity:
  // with a unit, "unit:occ" as in the bound; without one, the text of the row's read columns
  // (each quote_nullable(column::text), joined by ','). Empty key: every row.
  std::string sample_key_hex;        // 64 hex digits
  std::string sample_threshold_hex;  // 16 hex digits
};

// "name" with embedded quotes doubled (the identifier is already a plain one; quoting keeps it
// case-sensitive and makes the text safe whatever it holds).
std::string QuoteIdentifier(std::string_view name);

class PostgresSql {
 public:
  // `column_classes`: the class of every column the source reads (ColumnOf each modeled
  // attribute and of the unit column). `pgcrypto_schema`: where pgcrypto is installed (needed
  // only with a privacy unit). Throws InputError for a column whose class cannot hold its
  // attribute (a date attribute on an integer column, ...), naming the attribute.
  PostgresSql(const Schema& schema, std::map<std::string, PgColumnClass> column_classes,
              std::string pgcrypto_schema);

  // One row of booleans: has_rows, then for each modeled attribute whether some cell is invalid
  // (its code expression gives -1), then (with a unit column) whether some row has no valid
  // unit id. Reads the whole table once; returns no count.
  SqlStatement Validation() const;

  // The counts of every set in `sets` (each sorted, distinct, non-empty list of modeled
  // indices, or empty for the row count), after the unit bound. Result columns: one per
  // attribute of the union of the sets in increasing index order (NULL where the row's set
  // does not group by it), then the count. One set: a plain GROUP BY (pushed to postgres_fdw
  // shards by partition-wise aggregation); several: GROUP BY GROUPING SETS, one scan.
  // `bound_key_hex`: the per-source HMAC key (64 hex digits) of the unit bound, unused
  // without a unit column. `view`: codes mapped and rows subsampled after the bound (a mapped
  // view without a subsample keeps the partition-wise GROUP BY below).
  SqlStatement Counts(const std::vector<std::vector<std::size_t>>& sets,
                      const std::string& bound_key_hex, const CountView& view = {}) const;

  // "schema"."table".
  std::string Relation() const;

  // The leaf partitions of a partitioned table (each "schema"."name", from pg_partition_tree),
  // empty for a plain table or view. With them, a single marginal without a unit bound is counted
  // as one GROUP BY per partition under a UNION ALL, summed: PostgreSQL 15 aggregates
  // partition-wise (and postgres_fdw ships the aggregate to a shard) only when the GROUP BY holds
  // the partition key, which a marginal's codes never do, and it does not push partial aggregates
  // to foreign servers; a GROUP BY on one foreign partition it does ship whole.
  void set_partitions(std::vector<std::string> partitions) { partitions_ = std::move(partitions); }

 private:
  class Params;
  std::string CodeExpression(std::size_t attribute, Params& params) const;
  std::string UnitExpression(Params& params) const;
  std::string MissingTest(const std::string& column, PgColumnClass column_class,
                          const std::vector<std::string>& tokens, Params& params) const;
  // SELECT of every needed code (and the unit, and the row's text) FROM the relation, as "c<i>",
  // "u" and "r".
  std::string EncodedRows(const std::vector<std::size_t>& attributes, bool with_unit,
                          Params& params, const std::string& relation,
                          bool with_row_text = false) const;
  // `from` (a FROM item yielding "c<i>" for every attribute in `columns`) and `where` (empty or
  // " WHERE ...") with view.code_maps applied: the FROM text of the grouping query.
  std::string Viewed(const std::vector<std::size_t>& columns, const std::string& from,
                     const std::string& where, const CountView& view) const;
  // " WHERE"-less test that the row with identity `message` (a text expression) is in
  // view's subsample.
  std::string SampleTest(const std::string& message, const CountView& view, Params& params) const;

  const Schema& schema_;
  std::map<std::string, PgColumnClass> column_classes_;
  std::string pgcrypto_schema_;
  std::vector<std::string> partitions_;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_SOURCE_POSTGRES_SQL_H_
