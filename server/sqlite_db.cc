#include "server/sqlite_db.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include "privacy/errors.h"

namespace privet::server {

SqliteDb::SqliteDb(const std::filesystem::path& path, bool create) : path_(path) {
  if (!create && !std::filesystem::exists(path)) {
    throw StorageError(path.string() + ": no such database (run `privet user add` first)");
  }
  const bool existed = std::filesystem::exists(path);
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError(path.string() + ": cannot open database: " + message);
  }
  if (!existed) ::chmod(path.c_str(), 0600);
  sqlite3_busy_timeout(db_, 60'000);
  Exec("PRAGMA journal_mode=WAL");
  Exec("PRAGMA synchronous=FULL");
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

void SqliteDb::Fail(const std::string& what) const {
  throw StorageError(path_.string() + ": " + what + ": " + sqlite3_errmsg(db_));
}

void SqliteDb::Exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw StorageError(path_.string() + ": " + message);
  }
}

std::int64_t SqliteDb::Changes() const { return sqlite3_changes(db_); }

SqliteDb::Statement::Statement(SqliteDb& db, const std::string& sql) : db_(db) {
  if (sqlite3_prepare_v2(db_.db_, sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
    db_.Fail("cannot prepare statement");
  }
}

SqliteDb::Statement::~Statement() { sqlite3_finalize(statement_); }

SqliteDb::Statement& SqliteDb::Statement::Bind(int index, const std::string& value) {
  if (sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    db_.Fail("cannot bind");
  }
  return *this;
}

SqliteDb::Statement& SqliteDb::Statement::Bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) db_.Fail("cannot bind");
  return *this;
}

SqliteDb::Statement& SqliteDb::Statement::Bind(int index, double value) {
  if (sqlite3_bind_double(statement_, index, value) != SQLITE_OK) db_.Fail("cannot bind");
  return *this;
}

SqliteDb::Statement& SqliteDb::Statement::BindNull(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) db_.Fail("cannot bind");
  return *this;
}

SqliteDb::Statement& SqliteDb::Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

SqliteDb::Statement& SqliteDb::Statement::Bind(int index, const std::optional<double>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

bool SqliteDb::Statement::Step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.Fail("statement failed");
}

std::string SqliteDb::Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

std::optional<std::string> SqliteDb::Statement::OptionalText(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return Text(column);
}

std::int64_t SqliteDb::Statement::Int(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::optional<double> SqliteDb::Statement::OptionalReal(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(statement_, column);
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    try {
      db_.Exec("ROLLBACK");
    } catch (const StorageError&) {
      // Nothing to undo: the transaction was never written, SQLite discards it on close.
    }
  }
}

void SqliteTransaction::Commit() {
  db_.Exec("COMMIT");
  done_ = true;
}

}  // namespace privet::server
