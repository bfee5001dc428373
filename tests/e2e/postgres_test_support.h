// Test support for the PostgreSQL source: loads a dataset's CSV into the servers that
// scripts/postgres started (single, or a coordinator with postgres_fdw shards), and builds the
// config that reads it. Only tests use this: privet itself never writes to a database.
#ifndef PRIVET_TESTS_E2E_POSTGRES_TEST_SUPPORT_H_
#define PRIVET_TESTS_E2E_POSTGRES_TEST_SUPPORT_H_

#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/table/csv_reader.h"
#include "engine/table/schema.h"

namespace privet::testing {

// a + b by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string temporaries.
inline std::string Appended(std::string a, const std::string& b) {
  a += b;
  return a;
}

inline std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// A connection as the owner, for setting tables up.
class OwnerConnection {
 public:
  explicit OwnerConnection(const std::string& conninfo)
      : connection_(PQconnectdb(conninfo.c_str()), PQfinish) {
    if (PQstatus(connection_.get()) != CONNECTION_OK) {
      throw std::runtime_error(std::string("connect: ") + PQerrorMessage(connection_.get()));
    }
  }
  void Run(const std::string& sql) {
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexec(connection_.get(), sql.c_str()),
                                                          PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error(sql.substr(0, 200) + ": " + PQerrorMessage(connection_.get()));
    }
  }
  std::string Value(const std::string& sql) {
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQexec(connection_.get(), sql.c_str()),
                                                          PQclear);
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) < 1) {
      throw std::runtime_error(sql.substr(0, 200) + ": " + PQerrorMessage(connection_.get()));
    }
    return PQgetvalue(result.get(), 0, 0);
  }
  // COPY ... FROM STDIN (text format) of `data`.
  void Copy(const std::string& sql, const std::string& data) {
    {
      std::unique_ptr<PGresult, void (*)(PGresult*)> start(PQexec(connection_.get(), sql.c_str()),
                                                           PQclear);
      if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
        throw std::runtime_error(sql + ": " + PQerrorMessage(connection_.get()));
      }
    }
    if (PQputCopyData(connection_.get(), data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(connection_.get(), nullptr) != 1) {
      throw std::runtime_error(std::string("copy: ") + PQerrorMessage(connection_.get()));
    }
    std::unique_ptr<PGresult, void (*)(PGresult*)> result(PQgetResult(connection_.get()), PQclear);
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      throw std::runtime_error(std::string("copy: ") + PQerrorMessage(connection_.get()));
    }
    while (PGresult* more = PQgetResult(connection_.get())) PQclear(more);
  }

 private:
  std::unique_ptr<PGconn, void (*)(PGconn*)> connection_;
};

// A CSV header name as a plain SQL identifier ("education-num" -> "education_num").
inline std::string ColumnName(const std::string& header) {
  std::string out;
  for (char c : header) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += plain ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "c_" + out;
  return out;
}

struct LoadedTable {
  std::string table;
  // Attribute name -> column, for names that are not plain identifiers.
  nlohmann::json columns = nlohmann::json::object();
};

// Loads every cell of `csv` (read as privet's CSV reader reads it, so each cell arrives exactly
// as EncodeCsv sees it, never as NULL) into a table of text columns named `table`: on the single
// server, or (sharded) hash-partitioned on its first column over foreign tables, one per shard.
inline LoadedTable LoadCsv(const engine::Schema& schema, const std::filesystem::path& csv,
                           const std::string& table) {
  engine::CsvOptions options;
  options.delimiter = schema.delimiter();
  options.skip_blank_lines = schema.modeled_attributes().size() > 1;
  engine::CsvReader reader(csv, options);
  std::vector<std::string> headers;
  if (schema.has_header()) {
    reader.ReadRecord();
    for (std::size_t f = 0; f < reader.num_fields(); ++f) headers.emplace_back(reader.field(f));
  } else {
    for (const auto& attribute : schema.attributes()) headers.push_back(attribute.name);
  }
  LoadedTable loaded;
  loaded.table = table;
  std::string column_list;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::string column = ColumnName(headers[i]);
    if (column != headers[i]) loaded.columns[headers[i]] = column;
    column_list += (i ? ", " : "") + ("\"" + column + "\" text");
  }
  std::string rows;
  while (reader.ReadRecord()) {
    for (std::size_t f = 0; f < reader.num_fields(); ++f) {
      if (f) rows += '\t';
      for (char c : reader.field(f)) {
        switch (c) {
          case '\\':
            rows += "\\\\";
            break;
          case '\t':
            rows += "\\t";
            break;
          case '\n':
            rows += "\\n";
            break;
          case '\r':
            rows += "\\r";
            break;
          default:
            rows += c;
        }
      }
    }
    rows += '\n';
  }
  OwnerConnection owner(Env("PRIVET_PG_OWNER"));
  const std::string first = Appended(Appended("\"", ColumnName(headers.front())), "\"");
  if (Env("PRIVET_PG_MODE") == "sharded") {
    std::vector<std::string> shard_owners;
    std::stringstream owners(Env("PRIVET_PG_SHARD_OWNERS"));
    for (std::string item; std::getline(owners, item, ';');) shard_owners.push_back(item);
    std::vector<std::string> servers;
    std::stringstream names(Env("PRIVET_PG_SHARD_SERVERS"));
    for (std::string item; names >> item;) servers.push_back(item);
    owner.Run("CREATE TABLE public." + table + " (" + column_list + ") PARTITION BY HASH (" +
              first + ")");
    for (std::size_t i = 0; i < servers.size(); ++i) {
      const std::string part = table + "_p" + std::to_string(i + 1);
      OwnerConnection shard(shard_owners.at(i));
      shard.Run("CREATE TABLE public." + part + " (" + column_list + ")");
      owner.Run("CREATE FOREIGN TABLE public." + part + " PARTITION OF public." + table +
                " FOR VALUES WITH (MODULUS " + std::to_string(servers.size()) + ", REMAINDER " +
                std::to_string(i) + ") SERVER " + servers[i] + " OPTIONS (schema_name 'public', " +
                "table_name '" + part + "')");
    }
    owner.Copy("COPY public." + table + " FROM STDIN", rows);
    for (const std::string& conninfo : shard_owners) {
      OwnerConnection(conninfo).Run("ANALYZE");
    }
  } else {
    owner.Run("CREATE TABLE public." + table + " (" + column_list + ")");
    owner.Copy("COPY public." + table + " FROM STDIN", rows);
    owner.Run("ANALYZE public." + table);
  }
  return loaded;
}

// The shipped config at `config` rewritten to read `loaded` through $PRIVET_PG_READER (the
// read-only role), with overrides merged in (e.g. a different max_rows_per_unit).
inline nlohmann::json DatabaseConfig(const std::filesystem::path& config,
                                     const LoadedTable& loaded) {
  std::ifstream in(config);
  nlohmann::json json = nlohmann::json::parse(in);
  json["dataset"].erase("csv");
  json["source"] = {{"kind", "postgresql"},
                    {"table", loaded.table},
                    {"connection", {{"environment", "PRIVET_PG_READER"}}}};
  if (!loaded.columns.empty()) json["source"]["columns"] = loaded.columns;
  return json;
}

}  // namespace privet::testing

#endif  // PRIVET_TESTS_E2E_POSTGRES_TEST_SUPPORT_H_
