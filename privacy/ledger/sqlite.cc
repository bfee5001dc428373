#include "privacy/errors.h"
#include "privacy/ledger/sqlite_internal.h"

namespace privet::privacy::internal {

[[noreturn]] void ThrowSqlite(sqlite3* db, int code, const std::string& path,
                              const std::string& doing) {
  const int primary = code & 0xff;
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  if (primary == SQLITE_NOTADB) {
    throw InputError(path +
                     " is not a privet ledger (not an SQLite database); use another "
                     "--ledger path");
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    throw StorageError("ledger " + path + " stayed locked by another process for " +
                       std::to_string(kBusyTimeoutMs / 1000) + " s while " + doing + "; retry");
  }
  throw StorageError("ledger " + path + ": " + doing + " failed: " + detail);
}

void Execute(sqlite3* db, const std::string& path, const char* sql, const char* doing) {
  const int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) ThrowSqlite(db, code, path, doing);
}

}  // namespace privet::privacy::internal
