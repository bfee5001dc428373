#include "engine/source/postgres_connection.h"

#include <libpq-fe.h>

#include <cstdlib>

#include "privacy/errors.h"

namespace privet::engine {

void PgResult::Free::operator()(PGresult* result) const { PQclear(result); }
void PgConnection::Finish::operator()(PGconn* connection) const { PQfinish(connection); }

PgResult::PgResult(PGresult* result) : result_(result) {}
int PgResult::rows() const { return PQntuples(result_.get()); }
int PgResult::columns() const { return PQnfields(result_.get()); }
bool PgResult::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}
std::string PgResult::value(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

PgConnection::PgConnection(PGconn* connection) : connection_(connection) {}

PgConnection PgConnection::Open(const PostgresSourceConfig& config) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  std::string dsn;
  if (config.connection_environment) {
    const char* value = std::getenv(config.connection_environment->c_str());
    if (!value || !*value) {
      throw InputError("source: the environment variable " + *config.connection_environment +
                       " (source.connection.environment) is not set: it must hold the libpq "
                       "connection string");
    }
    dsn = value;
    keys.push_back("dbname");  // expand_dbname: a conninfo or URI in dbname is expanded
    values.push_back(dsn.c_str());
  } else {
    keys.push_back("service");
    values.push_back(config.service->c_str());
  }
  keys.push_back("application_name");
  values.push_back("privet");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (!raw) throw StorageError("source: libpq could not allocate a connection");
  PgConnection connection(raw);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string reason = PQerrorMessage(raw);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    for (char& c : reason) {
      if (c == '\n') c = ' ';
    }
    throw StorageError("source: cannot connect to PostgreSQL (" +
                       (config.connection_environment ? "$" + *config.connection_environment
                                                      : "service " + *config.service) +
                       "): " + reason);
  }
  return connection;
}

PgResult PgConnection::Execute(const std::string& sql, const std::vector<std::string>& params,
                               const std::string& step) {
  executed_.push_back(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& param : params) values.push_back(param.c_str());
  PGresult* raw = PQexecParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()),
                               nullptr, values.data(), nullptr, nullptr, /*resultFormat=*/0);
  PgResult result(raw);  // owns raw from here on, whatever happens below
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    // The SQLSTATE only: the server's message may quote a private cell (file comment).
    const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    throw StorageError("source: PostgreSQL refused the statement to " + step + " (SQLSTATE " +
                       (state ? state : std::string("unknown, connection lost")) +
                       "; the server's log has the details)");
  }
  return result;
}

void PgConnection::BeginReadOnlySnapshot() {
  Execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", {}, "begin a read-only snapshot");
  // Built-in functions resolve from pg_catalog before anything a role could create; pgcrypto and
  // the table are schema-qualified. Partition-wise aggregation lets a partitioned table over
  // postgres_fdw shards group on each shard. Text forms are pinned (dates ISO, floats exact) for
  // the data commitment (engine/source/postgres_commitment.h).
  Execute("SET LOCAL search_path = pg_catalog, pg_temp", {}, "set the search path");
  Execute("SET LOCAL enable_partitionwise_aggregate = on", {}, "enable partition-wise aggregates");
  Execute("SET LOCAL DateStyle = 'ISO, YMD'", {}, "set the date style");
  Execute("SET LOCAL extra_float_digits = 1", {}, "set the float output");
}

std::string PgConnection::ExtensionSchema(const std::string& extension) {
  const PgResult result = Execute(
      "SELECT n.nspname::text FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
      "ON n.oid = e.extnamespace WHERE e.extname = $1",
      {extension}, "find the " + extension + " extension");
  return result.rows() == 1 ? result.value(0, 0) : std::string();
}

}  // namespace privet::engine
