// RAII over the SQLite C API for the budget ledger (C++ Core Guidelines R.1), and the one place
// SQLite's error codes become privet errors. Not a public API (Arrow's *_internal.h convention).
#ifndef PRIVET_PRIVACY_LEDGER_SQLITE_INTERNAL_H_
#define PRIVET_PRIVACY_LEDGER_SQLITE_INTERNAL_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

namespace privet::privacy::internal {

constexpr int kBusyTimeoutMs = 60000;

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, DatabaseCloser>;

// Throws the privet error for an SQLite failure: InputError for a file that is not a
// database, StorageError naming the lock timeout for BUSY/LOCKED, StorageError otherwise.
[[noreturn]] void ThrowSqlite(sqlite3* db, int code, const std::string& path,
                              const std::string& doing);

class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
    sqlite3_stmt* raw = nullptr;
    const int code = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    statement_.reset(raw);
    if (code != SQLITE_OK) ThrowSqlite(db, code, path, "preparing a query");
  }
  Statement& Bind(int index, const std::string& value) {
    Check(sqlite3_bind_text(statement_.get(), index, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Statement& Bind(int index, std::int64_t value) {
    Check(sqlite3_bind_int64(statement_.get(), index, value));
    return *this;
  }
  // True while a row is available.
  bool Step() {
    const int code = sqlite3_step(statement_.get());
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    ThrowSqlite(db_, code, path_, "running a query");
  }
  std::string Text(int column) const {
    const auto* text = sqlite3_column_text(statement_.get(), column);
    if (text == nullptr) return "";
    return std::string(reinterpret_cast<const char*>(text),
                       static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column)));
  }
  std::int64_t Int(int column) const { return sqlite3_column_int64(statement_.get(), column); }

 private:
  void Check(int code) {
    if (code != SQLITE_OK) ThrowSqlite(db_, code, path_, "binding a value");
  }
  sqlite3* db_;
  const std::string& path_;
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> statement_;
};

void Execute(sqlite3* db, const std::string& path, const char* sql, const char* doing);

// BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so the
// read-check-append of a charge cannot interleave with another writer. Rolls back unless
// committed.
class Transaction {
 public:
  Transaction(sqlite3* db, const std::string& path, bool write) : db_(db), path_(path) {
    Execute(db, path, write ? "BEGIN IMMEDIATE" : "BEGIN", "starting a transaction");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (!finished_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void Commit() {
    Execute(db_, path_, "COMMIT", "committing");
    finished_ = true;
  }

 private:
  sqlite3* db_;
  const std::string& path_;
  bool finished_ = false;
};

}  // namespace privet::privacy::internal

#endif  // PRIVET_PRIVACY_LEDGER_SQLITE_INTERNAL_H_
