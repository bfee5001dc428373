// Where a dataset's rows live: the config's "source" section (docs/config.md, "source").
//
//   "source": {"kind": "csv"}            the default: dataset.csv, read into memory
//   "source": {"kind": "postgresql",     counts computed inside PostgreSQL
//              "schema": "public", "table": "covid_testing",
//              "connection": {"environment": "PRIVET_PG_COVID"} | {"service": "covid"},
//              "columns": {"attribute name": "column name", ...}}
//
// The connection is never in the config: either the NAME of an environment variable that holds a
// libpq connection string, or the name of a libpq service (a section of the pg_service.conf that
// libpq finds by its usual rules: PGSERVICEFILE, ~/.pg_service.conf, the system file), so a
// password never lands in a file whose digest is registered and shown.
//
// Identifiers (schema, table, every column privet reads) must be plain SQL identifiers: ASCII
// letters, digits and '_', not starting with a digit, at most 63 bytes (PostgreSQL's
// NAMEDATALEN - 1). Anything else, a quote, a space, a ';', is refused here, when the config is
// parsed, before any connection is made; the SQL builder quotes them as well
// (engine/source/postgres_sql.h), so the check is the first of two walls, not the only one.
#ifndef PRIVET_ENGINE_TABLE_SOURCE_CONFIG_H_
#define PRIVET_ENGINE_TABLE_SOURCE_CONFIG_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace privet::engine {

enum class SourceKind { kCsv, kPostgresql };

struct PostgresSourceConfig {
  std::string schema = "public";
  // A table or a view (anything SELECT reads).
  std::string table;
  // Exactly one of the two is set.
  std::optional<std::string> connection_environment;  // variable holding a libpq conninfo
  std::optional<std::string> service;                 // libpq service name
  // Attribute name -> column name, for attributes whose column is named differently (or whose
  // name is not a plain identifier). Attributes not listed read the column of their own name.
  std::map<std::string, std::string> columns;

  // The column that holds `attribute`.
  const std::string& ColumnOf(const std::string& attribute) const;
};

struct SourceConfig {
  SourceKind kind = SourceKind::kCsv;
  PostgresSourceConfig postgresql;  // meaningful only for kPostgresql
};

// True for a plain SQL identifier as above ([A-Za-z_][A-Za-z0-9_]*, 1 to 63 bytes).
bool IsPlainIdentifier(std::string_view name);

// Validates a "source" object. `where` prefixes messages ("configs/x.json: source");
// attribute_names are every attribute of the config, read_names the ones privet reads from the
// table (the modeled attributes and the privacy unit column). Throws InputError naming the field:
// an unknown kind or key, a connection string or password in the config, a non-identifier, a
// "columns" entry for an attribute the config does not declare, two attributes on one column.
SourceConfig ParseSourceConfig(const nlohmann::json& value, const std::string& where,
                               const std::vector<std::string>& attribute_names,
                               const std::vector<std::string>& read_names);

// The section as ParseSourceConfig reads it back.
nlohmann::json SourceConfigToJson(const SourceConfig& config);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_SOURCE_CONFIG_H_
