#include "engine/table/source_config.h"

#include <algorithm>
#include <set>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

using nlohmann::json;

// PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes; a longer one would silently
// name a different column, so it is refused instead.
constexpr std::size_t kMaxIdentifierBytes = 63;

bool IsEnvironmentName(std::string_view name) {
  if (name.empty() || name.size() > 128 || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsServiceName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

[[noreturn]] void Fail(const std::string& where, const std::string& what) {
  throw InputError(where + ": " + what);
}

void RejectUnknownKeys(const json& object, const std::string& where,
                       std::initializer_list<std::string_view> known) {
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      Fail(where, "unknown key \"" + item.key() +
                      "\" (check the spelling; docs/config.md lists every field)");
    }
  }
}

std::string StringField(const json& object, const std::string& where, const std::string& key) {
  if (!object.contains(key)) Fail(where, "missing required key \"" + key + "\"");
  if (!object.at(key).is_string()) Fail(where, "\"" + key + "\" must be a string");
  return object.at(key).get<std::string>();
}

std::string Identifier(const json& object, const std::string& where, const std::string& key) {
  const std::string name = StringField(object, where, key);
  if (!IsPlainIdentifier(name)) {
    Fail(where, "\"" + key + "\" must be a plain SQL identifier (letters, digits, _)");
  }
  return name;
}

}  // namespace

const std::string& PostgresSourceConfig::ColumnOf(const std::string& attribute) const {
  const auto it = columns.find(attribute);
  return it == columns.end() ? attribute : it->second;
}

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty() || name.size() > kMaxIdentifierBytes) return false;
  if (name[0] >= '0' && name[0] <= '9') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

SourceConfig ParseSourceConfig(const json& value, const std::string& where,
                               const std::vector<std::string>& attribute_names,
                               const std::vector<std::string>& read_names) {
  if (!value.is_object()) Fail(where, "must be a JSON object");
  SourceConfig config;
  const std::string kind = StringField(value, where, "kind");
  if (kind == "csv") {
    RejectUnknownKeys(value, where, {"kind"});
    return config;
  }
  if (kind != "postgresql")
    Fail(where, "kind must be \"csv\" or \"postgresql\", not \"" + kind + "\"");
  RejectUnknownKeys(value, where, {"kind", "schema", "table", "connection", "columns"});
  config.kind = SourceKind::kPostgresql;
  PostgresSourceConfig& pg = config.postgresql;
  if (value.contains("schema")) pg.schema = Identifier(value, where, "schema");
  pg.table = Identifier(value, where, "table");

  if (!value.contains("connection") || !value.at("connection").is_object()) {
    Fail(where,
         "\"connection\" must be an object naming an \"environment\" variable or a "
         "libpq \"service\"");
  }
  const json& connection = value.at("connection");
  const std::string connection_where = where + ": connection";
  RejectUnknownKeys(connection,
                    connection_where +
                        " (a connection string or password never goes "
                        "in the config)",
                    {"environment", "service"});
  if (connection.contains("environment") == connection.contains("service")) {
    Fail(connection_where, "give exactly one of \"environment\" and \"service\"");
  }
  if (connection.contains("environment")) {
    pg.connection_environment = StringField(connection, connection_where, "environment");
    if (!IsEnvironmentName(*pg.connection_environment)) {
      Fail(connection_where,
           "\"environment\" must be the NAME of an environment variable "
           "(letters, digits, _), not a connection string");
    }
  } else {
    pg.service = StringField(connection, connection_where, "service");
    if (!IsServiceName(*pg.service)) {
      Fail(connection_where, "\"service\" must be a libpq service name (letters, digits, _ - .)");
    }
  }

  if (value.contains("columns")) {
    const json& columns = value.at("columns");
    if (!columns.is_object()) Fail(where, "\"columns\" must map attribute names to column names");
    for (const auto& item : columns.items()) {
      const std::string entry = where + ": columns \"" + item.key() + "\"";
      if (std::find(attribute_names.begin(), attribute_names.end(), item.key()) ==
          attribute_names.end()) {
        Fail(entry, "is not one of the attributes");
      }
      if (!item.value().is_string() || !IsPlainIdentifier(item.value().get<std::string>())) {
        Fail(entry, "must name a column by a plain SQL identifier (letters, digits, _)");
      }
      pg.columns.emplace(item.key(), item.value().get<std::string>());
    }
  }
  std::set<std::string> used;
  for (const std::string& name : read_names) {
    const std::string& column = pg.ColumnOf(name);
    if (!IsPlainIdentifier(column)) {
      Fail(where, "attribute \"" + name +
                      "\" is not a plain SQL identifier: name its column in \"columns\"");
    }
    if (!used.insert(column).second) {
      Fail(where, "column \"" + column + "\" is read for two attributes");
    }
  }
  return config;
}

json SourceConfigToJson(const SourceConfig& config) {
  if (config.kind == SourceKind::kCsv) return {{"kind", "csv"}};
  const PostgresSourceConfig& pg = config.postgresql;
  json out = {{"kind", "postgresql"}, {"schema", pg.schema}, {"table", pg.table}};
  out["connection"] = pg.connection_environment ? json{{"environment", *pg.connection_environment}}
                                                : json{{"service", pg.service.value_or("")}};
  if (!pg.columns.empty()) out["columns"] = pg.columns;
  return out;
}

}  // namespace privet::engine
