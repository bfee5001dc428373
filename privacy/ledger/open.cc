// Opening and creating a ledger: the schema, format checks, WAL and synchronous=FULL.
#include <utility>

#include "privacy/deployment_secret.h"
#include "privacy/errors.h"
#include "privacy/ledger/impl_internal.h"

namespace privet::privacy {
namespace {

using internal::AppendEntry;
using internal::DatabaseHandle;
using internal::Execute;
using internal::kBusyTimeoutMs;
using internal::kFormat;
using internal::kFormatVersion;
using internal::kGenesisHash;
using internal::MetaValue;
using internal::Statement;
using internal::ThrowSqlite;
using internal::Transaction;

// Creates the schema in an empty database. Runs under BEGIN IMMEDIATE and re-checks
// emptiness, so two processes creating the same new ledger cannot both do it.
void CreateSchema(sqlite3* db, const std::string& where, LedgerMode mode) {
  Transaction transaction(db, where, /*write=*/true);
  {
    Statement count(db, where, "SELECT count(*) FROM sqlite_master");
    count.Step();
    if (count.Int(0) != 0) return;  // someone else created it meanwhile; rolled back
  }
  Execute(db, where,
          "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
          "CREATE TABLE entries ("
          "  entry_id INTEGER PRIMARY KEY,"
          "  type TEXT NOT NULL,"
          "  dataset_id TEXT NOT NULL,"
          "  release_id TEXT NOT NULL,"
          "  body TEXT NOT NULL,"
          "  previous_hash TEXT NOT NULL,"
          "  entry_hash TEXT NOT NULL);"
          "CREATE INDEX entries_by_dataset ON entries (dataset_id);"
          "CREATE INDEX entries_by_release ON entries (release_id);",
          "creating the ledger schema");
  Statement meta(db, where,
                 "INSERT INTO meta (key, value) VALUES ('format', ?1), ('format_version', ?2), "
                 "('head_entry_id', '0'), ('head_hash', ?3)");
  meta.Bind(1, std::string(kFormat)).Bind(2, std::string(kFormatVersion)).Bind(3, kGenesisHash);
  meta.Step();
  // Entry 1 records the mode, so it is part of the chain (and of every later entry's hash).
  AppendEntry(db, where, "ledger_init", "", {{"mode", LedgerModeName(mode)}}, nullptr);
  transaction.Commit();
}

}  // namespace

BudgetLedger BudgetLedger::Open(const std::filesystem::path& path, LedgerOpenMode mode) {
  return OpenLedger(path, mode, LedgerMode::kProduction);
}

BudgetLedger BudgetLedger::Create(const std::filesystem::path& path, LedgerMode mode) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    throw InputError("a file already exists at " + path.string() +
                     "; a ledger is created once (choose another --ledger path)");
  }
  return OpenLedger(path, LedgerOpenMode::kCreateIfMissing, mode);
}

BudgetLedger BudgetLedger::OpenLedger(const std::filesystem::path& path, LedgerOpenMode mode,
                                      LedgerMode creation_mode) {
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  const std::string where = path.string();
  const bool read_only = mode == LedgerOpenMode::kReadOnly;
  if (!exists && mode != LedgerOpenMode::kCreateIfMissing) {
    throw StorageError("no ledger at " + where +
                       ": create one with `privet budget init`, or point --ledger or "
                       "PRIVET_LEDGER at the ledger file");
  }
  if (exists && std::filesystem::is_directory(path, error)) {
    throw InputError(where + " is a directory, not a privet ledger");
  }
  sqlite3* raw = nullptr;
  const int flags = read_only
                        ? SQLITE_OPEN_READONLY
                        : SQLITE_OPEN_READWRITE |
                              (mode == LedgerOpenMode::kCreateIfMissing ? SQLITE_OPEN_CREATE : 0);
  const int code = sqlite3_open_v2(where.c_str(), &raw, flags, nullptr);
  DatabaseHandle db(raw);
  if (code != SQLITE_OK) ThrowSqlite(db.get(), code, where, "opening");
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);

  std::int64_t tables = 0;
  {
    Statement count(db.get(), where, "SELECT count(*) FROM sqlite_master");
    count.Step();
    tables = count.Int(0);
  }
  if (tables == 0) {
    if (mode != LedgerOpenMode::kCreateIfMissing) {
      throw InputError(where + " is an empty file, not a privet ledger");
    }
    CreateSchema(db.get(), where, creation_mode);
    EnsureDeploymentSecret(DeploymentSecretPath(path));
  }
  {
    Statement has_meta(db.get(), where,
                       "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                       "name IN ('meta', 'entries')");
    has_meta.Step();
    if (has_meta.Int(0) != 2 || MetaValue(db.get(), where, "format") != kFormat) {
      throw InputError(where +
                       " is an SQLite database but not a privet ledger; use another "
                       "--ledger path");
    }
  }
  const std::string version = MetaValue(db.get(), where, "format_version");
  if (version != kFormatVersion) {
    throw InputError(where + " has ledger format version " + version +
                     "; this privet reads version " + kFormatVersion);
  }
  // WAL lets readers (show, verify) run while a charge commits; FULL makes each commit
  // durable before Charge returns. A read-only connection reads whatever mode the file is in.
  if (!read_only) {
    Execute(db.get(), where, "PRAGMA journal_mode=WAL", "switching to WAL mode");
    Execute(db.get(), where, "PRAGMA synchronous=FULL", "setting synchronous=FULL");
  }

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->where = where;
  impl->db = std::move(db);
  return BudgetLedger(std::move(impl));
}

BudgetLedger::BudgetLedger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BudgetLedger::BudgetLedger(BudgetLedger&&) noexcept = default;
BudgetLedger& BudgetLedger::operator=(BudgetLedger&&) noexcept = default;
BudgetLedger::~BudgetLedger() = default;

const std::filesystem::path& BudgetLedger::path() const { return impl_->path; }

}  // namespace privet::privacy
