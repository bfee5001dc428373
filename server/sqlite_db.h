// A small RAII layer over SQLite for the service's own databases (users.db, requests.db):
// one connection per object, serialized mode, WAL, a busy timeout, and every SQLite error
// wrapped into StorageError (privacy/errors.h) naming the database file.
#ifndef PRIVET_SERVER_SQLITE_DB_H_
#define PRIVET_SERVER_SQLITE_DB_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace privet::server {

class SqliteDb {
 public:
  // Opens (create: or creates, mode 0600) the database. StorageError on failure.
  SqliteDb(const std::filesystem::path& path, bool create);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void Exec(const std::string& sql);

  // A prepared statement; Bind* take 1-based indexes, Column* 0-based.
  class Statement {
   public:
    Statement(SqliteDb& db, const std::string& sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& Bind(int index, const std::string& value);
    Statement& Bind(int index, std::int64_t value);
    Statement& Bind(int index, double value);
    Statement& BindNull(int index);
    Statement& Bind(int index, const std::optional<std::string>& value);
    Statement& Bind(int index, const std::optional<double>& value);
    // True while a row is available; false when done. StorageError on failure.
    bool Step();
    std::string Text(int column) const;
    std::optional<std::string> OptionalText(int column) const;
    std::int64_t Int(int column) const;
    std::optional<double> OptionalReal(int column) const;

   private:
    SqliteDb& db_;
    sqlite3_stmt* statement_ = nullptr;
  };

  // Rows changed by the last statement.
  std::int64_t Changes() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  [[noreturn]] void Fail(const std::string& what) const;
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction, ROLLBACK unless Commit() was called.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db) : db_(db) { db_.Exec("BEGIN IMMEDIATE"); }
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void Commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace privet::server

#endif  // PRIVET_SERVER_SQLITE_DB_H_
