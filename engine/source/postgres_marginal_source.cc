#include "engine/source/postgres_marginal_source.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "engine/source/postgres_commitment.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

// GROUPING SETS takes at most 4096 sets per query; 512 keeps the statement text moderate and
// puts a round of the structure search's candidates (at most max_candidates_per_step, 1500 by
// default, of which most were scored in earlier rounds) in one or a few queries: every query
// encodes each row again, which is what a count costs.
constexpr std::size_t kSetsPerQuery = 512;

std::uint64_t ParseUnsigned(const std::string& text) {
  std::uint64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    throw IntegrityError("source: PostgreSQL returned \"" + text +
                         "\" where a count or code "
                         "belongs");
  }
  return value;
}

}  // namespace

PostgresMarginalSource::PostgresMarginalSource(const Schema& schema, PgConnection connection)
    : session_(std::make_shared<Session>(schema, std::move(connection))) {
  for (const Attribute& attribute : session_->schema.modeled_attributes()) {
    base_of_.push_back(domain_sizes_.size());
    domain_sizes_.push_back(attribute.domain_size());
  }
}

PostgresMarginalSource::PostgresMarginalSource(std::shared_ptr<Session> session,
                                               std::vector<std::size_t> base_of, CountView view,
                                               std::vector<std::uint32_t> domain_sizes)
    : session_(std::move(session)),
      base_of_(std::move(base_of)),
      view_(std::move(view)),
      domain_sizes_(std::move(domain_sizes)) {}

std::unique_ptr<PostgresMarginalSource> PostgresMarginalSource::Open(
    const Schema& schema, std::vector<std::string>* executed) {
  if (schema.source_config().kind != SourceKind::kPostgresql) {
    throw InputError(schema.source() + ": the config's source is not \"postgresql\"");
  }
  const PostgresSourceConfig& pg = schema.source_config().postgresql;
  std::unique_ptr<PostgresMarginalSource> source(
      new PostgresMarginalSource(schema, PgConnection::Open(pg)));
  PgConnection& db = source->session_->connection;
  try {
    source->Prepare();
  } catch (...) {
    if (executed) *executed = db.executed();
    throw;
  }
  if (executed) *executed = db.executed();
  return source;
}

void PostgresMarginalSource::Prepare() {
  const Schema& schema = session_->schema;
  const PostgresSourceConfig& pg = schema.source_config().postgresql;
  Session* source = session_.get();
  PgConnection& db = session_->connection;
  db.BeginReadOnlySnapshot();

  const PgResult columns = db.Execute(
      "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, NULL) FROM "
      "pg_catalog.pg_attribute a "
      "WHERE a.attrelid = (SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
      "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2) "
      "AND a.attnum > 0 AND NOT a.attisdropped",
      {pg.schema, pg.table}, "read the table's columns");
  const std::string relation = QuoteIdentifier(pg.schema) + "." + QuoteIdentifier(pg.table);
  if (columns.rows() == 0) {
    throw InputError(schema.source() + ": source table " + relation +
                     " does not exist or this role cannot see it");
  }
  std::map<std::string, PgColumnClass> classes;
  for (int row = 0; row < columns.rows(); ++row) {
    classes.emplace(columns.value(row, 0), ClassifyPgType(columns.value(row, 1)));
  }
  std::string pgcrypto;
  if (schema.privacy_unit_column()) {
    pgcrypto = db.ExtensionSchema("pgcrypto");
    if (pgcrypto.empty()) {
      throw InputError(schema.source() +
                       ": the database has no pgcrypto extension, which the "
                       "privacy unit's bound needs (CREATE EXTENSION pgcrypto; docs/officer.md)");
    }
  }
  source->sql = std::make_unique<PostgresSql>(source->schema, std::move(classes), pgcrypto);
  const PgResult partitions = db.Execute(
      "SELECT n.nspname::text, c.relname::text FROM pg_catalog.pg_partition_tree("
      "$1::regclass) AS t JOIN pg_catalog.pg_class c ON c.oid = t.relid JOIN "
      "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE t.isleaf AND t.level > 0 "
      "ORDER BY 1, 2",
      {relation}, "list the table's partitions");
  std::vector<std::string> leaves;
  for (int row = 0; row < partitions.rows(); ++row) {
    leaves.push_back(QuoteIdentifier(partitions.value(row, 0)) + "." +
                     QuoteIdentifier(partitions.value(row, 1)));
  }
  source->sql->set_partitions(std::move(leaves));

  const SqlStatement validation = source->sql->Validation();
  const PgResult checks = db.Execute(validation.text, validation.params, "check every cell");
  const auto flag = [&](int column) { return checks.value(0, column) == "t"; };
  if (!flag(0)) throw InputError(schema.source() + ": source table " + relation + " has no rows");
  const auto& modeled = schema.modeled_attributes();
  for (std::size_t i = 0; i < modeled.size(); ++i) {
    if (flag(static_cast<int>(i) + 1)) {
      throw InputError(schema.source() + ": source table " + relation + ", column \"" +
                       pg.ColumnOf(modeled[i].name) + "\": some cell does not fit attribute \"" +
                       modeled[i].name +
                       "\" (not a value of its type, outside a domain whose out_of_domain is "
                       "\"error\", or missing where nullable is false; the value is not shown)");
    }
  }
  if (schema.privacy_unit_column() && flag(static_cast<int>(modeled.size()) + 1)) {
    throw InputError(schema.source() + ": source table " + relation + ": privacy unit column \"" +
                     pg.ColumnOf(*schema.privacy_unit_column()) +
                     "\" is empty, missing or malformed in some row; every row must name its unit");
  }
  if (schema.privacy_unit_column()) {
    const PgResult key =
        db.Execute("SELECT encode(" + QuoteIdentifier(pgcrypto) + ".gen_random_bytes(32), 'hex')",
                   {}, "draw the unit bound's key");
    source->bound_key_hex = key.value(0, 0);
  }
}

void PostgresMarginalSource::RequireCommitment(std::string_view secret,
                                               const std::string& registered) {
  if (PostgresDataCommitment(session_->schema, secret, session_->connection) != registered) {
    throw IntegrityError(session_->schema.source() +
                         ": the table changed after the release's registration check (its "
                         "commitment in the counting snapshot differs); nothing was counted");
  }
}

std::uint64_t PostgresMarginalSource::NumRows() {
  if (!num_rows_) num_rows_ = Count({}).Total();
  return *num_rows_;
}

std::vector<std::string> PostgresMarginalSource::ExplainCount(
    std::span<const std::size_t> attributes) {
  CheckMarginalAttributes(domain_sizes_, attributes);
  std::vector<std::size_t> sorted;
  for (std::size_t a : attributes) sorted.push_back(base_of_[a]);
  std::sort(sorted.begin(), sorted.end());
  const SqlStatement statement = session_->sql->Counts({sorted}, session_->bound_key_hex, view_);
  const PgResult plan = session_->connection.Execute("EXPLAIN (VERBOSE) " + statement.text,
                                                     statement.params, "explain a count");
  std::vector<std::string> lines;
  for (int row = 0; row < plan.rows(); ++row) lines.push_back(plan.value(row, 0));
  return lines;
}

Marginal PostgresMarginalSource::Count(std::span<const std::size_t> attributes) {
  return CountBatch({std::vector<std::size_t>(attributes.begin(), attributes.end())}).front();
}

std::vector<Marginal> PostgresMarginalSource::CountBatch(
    const std::vector<std::vector<std::size_t>>& sets) {
  std::vector<Marginal> out(sets.size());
  // Each distinct attribute set (as a sorted list of modeled attributes) is counted once; a
  // result row belongs to the set of its non-NULL columns (codes are never NULL: missing has a
  // code of its own).
  for (const auto& set : sets) CheckMarginalAttributes(domain_sizes_, set);
  std::map<std::vector<std::size_t>, std::vector<std::size_t>> requests_of;
  std::vector<std::uint32_t> base_domain(session_->schema.modeled_attributes().size(), 0);
  for (std::size_t a = 0; a < base_of_.size(); ++a) base_domain[base_of_[a]] = domain_sizes_[a];
  for (std::size_t r = 0; r < sets.size(); ++r) {
    const std::uint64_t cells = CheckMarginalAttributes(domain_sizes_, sets[r]);
    out[r].attributes = sets[r];
    for (std::size_t a : sets[r]) out[r].domain_sizes.push_back(domain_sizes_[a]);
    out[r].counts.assign(cells, 0);
    std::vector<std::size_t> sorted;
    for (std::size_t a : sets[r]) sorted.push_back(base_of_[a]);
    std::sort(sorted.begin(), sorted.end());
    requests_of[sorted].push_back(r);
  }
  std::vector<std::vector<std::size_t>> distinct;
  for (const auto& [sorted, requests] : requests_of) distinct.push_back(sorted);

  for (std::size_t first = 0; first < distinct.size(); first += kSetsPerQuery) {
    const std::vector<std::vector<std::size_t>> chunk(
        distinct.begin() + static_cast<std::ptrdiff_t>(first),
        distinct.begin() +
            static_cast<std::ptrdiff_t>(std::min(first + kSetsPerQuery, distinct.size())));
    std::vector<std::size_t> columns;
    for (const auto& set : chunk) columns.insert(columns.end(), set.begin(), set.end());
    std::sort(columns.begin(), columns.end());
    columns.erase(std::unique(columns.begin(), columns.end()), columns.end());

    const SqlStatement statement = session_->sql->Counts(chunk, session_->bound_key_hex, view_);
    const PgResult result =
        session_->connection.Execute(statement.text, statement.params, "count marginals");
    if (result.columns() != static_cast<int>(columns.size()) + 1) {
      throw IntegrityError("source: PostgreSQL returned an unexpected result shape");
    }
    std::vector<std::size_t> row_set;
    std::vector<std::uint32_t> row_codes(base_domain.size());
    std::vector<std::uint32_t> cell;
    for (int row = 0; row < result.rows(); ++row) {
      row_set.clear();
      for (std::size_t c = 0; c < columns.size(); ++c) {
        if (result.is_null(row, static_cast<int>(c))) continue;
        const std::uint64_t code = ParseUnsigned(result.value(row, static_cast<int>(c)));
        if (code >= base_domain[columns[c]]) {
          throw IntegrityError("source: PostgreSQL returned a code outside the domain of \"" +
                               session_->schema.modeled_attributes()[columns[c]].name + "\"");
        }
        row_set.push_back(columns[c]);
        row_codes[columns[c]] = static_cast<std::uint32_t>(code);
      }
      const auto it = requests_of.find(row_set);
      if (it == requests_of.end()) {
        throw IntegrityError("source: PostgreSQL returned a group no request asked for");
      }
      const std::uint64_t count =
          ParseUnsigned(result.value(row, static_cast<int>(columns.size())));
      for (std::size_t r : it->second) {
        cell.clear();
        for (std::size_t a : sets[r]) cell.push_back(row_codes[base_of_[a]]);
        out[r].counts[out[r].CellIndex(cell)] += count;
      }
    }
  }
  return out;
}

std::unique_ptr<MarginalSource> PostgresMarginalSource::View(
    std::span<const std::size_t> attributes, const std::vector<CodeMap>& maps) {
  std::vector<std::uint32_t> sizes = CheckView(domain_sizes_, attributes, maps);
  std::vector<std::size_t> base_of;
  CountView view = view_;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const std::size_t base = base_of_[attributes[i]];
    base_of.push_back(base);
    if (maps.empty()) continue;
    // A map over this view's codes composed with the one that made them.
    const auto earlier = view_.code_maps.find(base);
    std::vector<std::uint32_t> composed;
    if (earlier == view_.code_maps.end()) {
      composed = maps[i].code_of;
    } else {
      for (std::uint32_t code : earlier->second) composed.push_back(maps[i].code_of[code]);
    }
    view.code_maps[base] = std::move(composed);
  }
  return std::unique_ptr<MarginalSource>(
      new PostgresMarginalSource(session_, std::move(base_of), std::move(view), std::move(sizes)));
}

std::unique_ptr<MarginalSource> PostgresMarginalSource::Subsample(double fraction,
                                                                  privacy::RandomSource& secure) {
  if (!view_.sample_key_hex.empty()) {
    throw InputError("marginal subsample: this view is a subsample already");
  }
  const std::uint64_t threshold = SubsampleThreshold(fraction);
  const auto hex = [](std::uint64_t value, std::string& out) {
    constexpr char kDigits[] = "0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4) out += kDigits[(value >> shift) & 15];
  };
  CountView view = view_;
  for (int draw = 0; draw < 4; ++draw) hex(secure(), view.sample_key_hex);
  // rank >> 11 < threshold exactly when rank < threshold 2^11 (bytea compares bytewise, then
  // by length). Every row kept: 9 bytes of 0xff, above every 8-byte rank.
  if (threshold >= (std::uint64_t{1} << 53)) {
    view.sample_threshold_hex = "ffffffffffffffffff";
  } else {
    hex(threshold << 11, view.sample_threshold_hex);
  }
  return std::unique_ptr<MarginalSource>(
      new PostgresMarginalSource(session_, base_of_, std::move(view), domain_sizes_));
}

}  // namespace privet::engine
