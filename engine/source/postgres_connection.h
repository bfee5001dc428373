// A libpq connection (RAII) for the PostgreSQL marginal source, with every libpq failure wrapped
// into privet's errors (privacy/errors.h).
//
// What an error shows: a failed connection says why (libpq's message: host, port, role or
// password problem; it holds no data). A failed statement says which step failed and the
// SQLSTATE, never the server's message text, because PostgreSQL quotes the offending value in it
// (`invalid input syntax for type double precision: "..."`), and a private cell must not reach
// the terminal of a researcher whose request ran the query; the officer finds the full message
// in the server's log.
#ifndef PRIVET_ENGINE_SOURCE_POSTGRES_CONNECTION_H_
#define PRIVET_ENGINE_SOURCE_POSTGRES_CONNECTION_H_

#include <memory>
#include <string>
#include <vector>

#include "engine/table/source_config.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace privet::engine {

// The rows of one statement's result, every value as text (NULL as nullopt-like empty with
// is_null).
class PgResult {
 public:
  explicit PgResult(PGresult* result);
  int rows() const;
  int columns() const;
  bool is_null(int row, int column) const;
  std::string value(int row, int column) const;

 private:
  struct Free {
    void operator()(PGresult* result) const;
  };
  std::unique_ptr<PGresult, Free> result_;
};

class PgConnection {
 public:
  // Connects as the config says: the libpq conninfo in the named environment variable, or the
  // named service. application_name is "privet". Throws InputError when the variable is unset
  // and StorageError when libpq cannot connect (libpq's reason in the message).
  static PgConnection Open(const PostgresSourceConfig& config);

  // Runs one statement with text parameters. `step` names it in errors ("count marginals").
  // Throws StorageError (step and SQLSTATE) on failure.
  PgResult Execute(const std::string& sql, const std::vector<std::string>& params,
                   const std::string& step);

  // Starts the one read-only REPEATABLE READ transaction every use of the source runs in, with
  // the search path pinned to pg_catalog and partition-wise aggregation on.
  void BeginReadOnlySnapshot();
  // The schema an extension is installed in (e.g. "pgcrypto"), or "" when it is not installed.
  std::string ExtensionSchema(const std::string& extension);

  // Every statement run so far, in order (their text; parameters are not kept), for the
  // officer's review and for tests that check what reached the server.
  const std::vector<std::string>& executed() const { return executed_; }

 private:
  struct Finish {
    void operator()(PGconn* connection) const;
  };
  explicit PgConnection(PGconn* connection);
  std::unique_ptr<PGconn, Finish> connection_;
  std::vector<std::string> executed_;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_SOURCE_POSTGRES_CONNECTION_H_
