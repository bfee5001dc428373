#include "privacy/ledger.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <functional>
#include <span>
#include <utility>

#include "privacy/bounded_json.h"
#include "privacy/canonical_json.h"
#include "privacy/deployment_secret.h"
#include "privacy/errors.h"
#include "privacy/format_number.h"
#include "privacy/sha256.h"

namespace privet::privacy {
namespace {

constexpr const char* kFormat = "privet-ledger";
constexpr const char* kFormatVersion = "1";
constexpr int kBusyTimeoutMs = 60000;
const std::string kGenesisHash(64, '0');

std::string NowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// ---- RAII over the SQLite C API (C++ Core Guidelines R.1) ----

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, DatabaseCloser>;

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

void Execute(sqlite3* db, const std::string& path, const char* sql, const char* doing) {
  const int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) ThrowSqlite(db, code, path, doing);
}

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

// ---- entries ----

struct Row {
  std::int64_t entry_id = 0;
  std::string type, dataset_id, release_id, body, previous_hash, entry_hash;
};

constexpr const char* kRowColumns =
    "entry_id, type, dataset_id, release_id, body, previous_hash, entry_hash";

Row ReadRow(const Statement& statement) {
  return Row{statement.Int(0),  statement.Text(1), statement.Text(2), statement.Text(3),
             statement.Text(4), statement.Text(5), statement.Text(6)};
}

std::string EntryHash(const nlohmann::json& body, const std::string& previous_hash) {
  return Sha256Hex(LeafBytes(body, previous_hash));
}

// Bodies are parsed with a depth bound (privacy/bounded_json.h): an entry edited to nest
// 10^5 deep is a broken entry, not a stack overflow in the code that hashes it.
nlohmann::json ParseBody(const Row& row, const std::string& path) {
  return ParseBoundedJson<IntegrityError>(
      row.body, "ledger " + path + ": entry " + std::to_string(row.entry_id) +
                    " (run `privet ledger verify`)");
}

void ValidateDatasetId(const std::string& id) {
  const bool valid_chars = std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
  if (id.empty() || id.size() > 128 || !valid_chars) {
    throw InputError("dataset id \"" + id +
                     "\" is invalid: use 1-128 characters from A-Z a-z 0-9 _ . -");
  }
}

void ValidateBudget(const Budget& budget) {
  if (!std::isfinite(budget.epsilon) || budget.epsilon <= 0) {
    throw InputError("budget epsilon must be a finite number > 0 (got " +
                     FormatNumber(budget.epsilon, 6) + ")");
  }
  if (!std::isfinite(budget.delta) || budget.delta < 0 || budget.delta >= 1) {
    throw InputError("budget delta must be in [0, 1) (got " + FormatNumber(budget.delta, 6) + ")");
  }
  if (budget.per_release_epsilon) {
    const double cap = *budget.per_release_epsilon;
    if (!std::isfinite(cap) || cap <= 0) {
      throw InputError("per-release epsilon must be a finite number > 0 (got " +
                       FormatNumber(cap, 6) + ")");
    }
  }
}

Budget BudgetFromJson(const nlohmann::json& json) {
  Budget budget;
  budget.epsilon = json.at("epsilon").get<double>();
  budget.delta = json.at("delta").get<double>();
  if (json.contains("per_release_epsilon") && !json["per_release_epsilon"].is_null()) {
    budget.per_release_epsilon = json["per_release_epsilon"].get<double>();
  }
  return budget;
}

PrivacyLoss LossFromJson(const nlohmann::json& json) {
  return PrivacyLoss{json.at("epsilon").get<double>(), json.at("delta").get<double>()};
}

nlohmann::json LossToJson(const PrivacyLoss& loss) {
  return {{"epsilon", loss.epsilon}, {"delta", loss.delta}};
}

// Everything recorded about one dataset, read inside one transaction.
struct DatasetState {
  bool exists = false;
  std::string owner, created;
  Budget budget;
  std::vector<ReleaseRecord> releases;
  std::vector<PrivacyEvent> events;          // of every charge, in order
  std::optional<Registration> registration;  // the latest
  std::int64_t registrations = 0;
};

Registration RegistrationFromJson(const nlohmann::json& body, std::int64_t entry_id) {
  Registration registration;
  registration.dataset_id = body.at("dataset_id").get<std::string>();
  registration.config_path = body.at("config_path").get<std::string>();
  registration.config_sha256 = body.at("config_sha256").get<std::string>();
  registration.data_source = body.at("data_source").get<std::string>();
  registration.data_commitment = body.at("data_commitment").get<std::string>();
  registration.unit_column = body.at("unit_column").get<std::string>();
  registration.max_rows_per_unit = body.at("max_rows_per_unit").get<std::int64_t>();
  registration.max_failures = body.at("max_failures").get<std::int64_t>();
  registration.registered_by = body.at("registered_by").get<std::string>();
  registration.entry_id = entry_id;
  registration.time = body.at("time").get<std::string>();
  return registration;
}

void ValidateRegistration(const Registration& registration) {
  const std::pair<const char*, const std::string*> required[] = {
      {"config_path", &registration.config_path},
      {"config_sha256", &registration.config_sha256},
      {"data_source", &registration.data_source},
      {"data_commitment", &registration.data_commitment},
      {"unit_column", &registration.unit_column}};
  for (const auto& [name, value] : required) {
    if (value->empty()) throw InputError(std::string("registration: ") + name + " is empty");
  }
  if (registration.max_rows_per_unit < 1) {
    throw InputError("registration: max_rows_per_unit must be at least 1");
  }
  if (registration.max_failures < 1) {
    throw InputError("registration: the failed-request limit must be at least 1");
  }
}

std::string MetaValue(sqlite3* db, const std::string& where, const char* key) {
  Statement statement(db, where, "SELECT value FROM meta WHERE key = ?1");
  statement.Bind(1, std::string(key));
  return statement.Step() ? statement.Text(0) : std::string();
}

// Appends one entry at the head of the chain; the caller holds a write transaction.
// Fills "entry_id" into body (and lets `complete` add fields that depend on it).
std::pair<std::int64_t, std::string> AppendEntry(
    sqlite3* db_handle, const std::string& where, const std::string& type,
    const std::string& dataset_id, nlohmann::json body,
    const std::function<void(std::int64_t, nlohmann::json&)>& complete,
    std::string* leaf_bytes = nullptr) {
  std::int64_t entry_id = 1;
  std::string previous_hash = kGenesisHash;
  {
    Statement head(db_handle, where,
                   "SELECT entry_id, entry_hash FROM entries ORDER BY entry_id DESC LIMIT 1");
    if (head.Step()) {
      entry_id = head.Int(0) + 1;
      previous_hash = head.Text(1);
    }
  }
  body["entry_id"] = entry_id;
  body["type"] = type;
  body["dataset_id"] = dataset_id;
  body["time"] = NowUtc();
  if (complete) complete(entry_id, body);
  const std::string release_id = body.value("release_id", std::string());
  std::string leaf = LeafBytes(body, previous_hash);
  const std::string entry_hash = Sha256Hex(leaf);
  if (leaf_bytes != nullptr) *leaf_bytes = std::move(leaf);
  Statement insert(db_handle, where,
                   "INSERT INTO entries (entry_id, type, dataset_id, release_id, body, "
                   "previous_hash, entry_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.Bind(1, entry_id).Bind(2, type).Bind(3, dataset_id).Bind(4, release_id);
  insert.Bind(5, CanonicalJson(body)).Bind(6, previous_hash).Bind(7, entry_hash);
  insert.Step();
  Statement meta(db_handle, where,
                 "INSERT OR REPLACE INTO meta (key, value) VALUES ('head_entry_id', ?1), "
                 "('head_hash', ?2)");
  meta.Bind(1, std::to_string(entry_id)).Bind(2, entry_hash);
  meta.Step();
  return {entry_id, entry_hash};
}

}  // namespace

struct BudgetLedger::Impl {
  std::filesystem::path path;
  std::string where;  // path as text, for messages
  DatabaseHandle db;

  std::vector<Row> Rows(const char* condition, const std::string& key) const {
    std::string sql = std::string("SELECT ") + kRowColumns + " FROM entries";
    if (condition != nullptr) sql += std::string(" WHERE ") + condition;
    sql += " ORDER BY entry_id";
    Statement statement(db.get(), where, sql.c_str());
    if (condition != nullptr) statement.Bind(1, key);
    std::vector<Row> rows;
    while (statement.Step()) rows.push_back(ReadRow(statement));
    return rows;
  }

  // Fails closed: an entry whose content does not match its stored hash is not trusted.
  nlohmann::json CheckedBody(const Row& row) const {
    nlohmann::json body = ParseBody(row, where);
    if (EntryHash(body, row.previous_hash) != row.entry_hash) {
      throw IntegrityError("ledger " + where + ": entry " + std::to_string(row.entry_id) +
                           " does not match its hash (edited?); run `privet ledger verify`");
    }
    return body;
  }

  DatasetState LoadDataset(const std::string& dataset_id) const {
    DatasetState state;
    for (const Row& row : Rows("dataset_id = ?1", dataset_id)) {
      const nlohmann::json body = CheckedBody(row);
      try {
        if (row.type == "dataset_init") {
          state.exists = true;
          state.owner = body.at("owner").get<std::string>();
          state.created = body.at("time").get<std::string>();
          state.budget = BudgetFromJson(body.at("budget"));
        } else if (row.type == "charge") {
          ReleaseRecord release;
          release.release_id = body.at("release_id").get<std::string>();
          release.entry_id = row.entry_id;
          release.time = body.at("time").get<std::string>();
          release.requester = body.at("requester").get<std::string>();
          release.purpose = body.at("purpose").get<std::string>();
          release.kind = body.at("kind").get<std::string>();
          release.config_sha256 = body.at("config_sha256").get<std::string>();
          release.status = "charged";
          release.registration_entry_id = body.value("registration_entry_id", std::int64_t{0});
          release.seeded = body.value("randomness", std::string("secure")) != "secure";
          for (const auto& event : body.at("events")) {
            release.events.push_back(PrivacyEvent::FromJson(event));
          }
          release.cost = LossFromJson(body.at("cost"));
          release.cumulative = LossFromJson(body.at("cumulative"));
          state.events.insert(state.events.end(), release.events.begin(), release.events.end());
          state.releases.push_back(std::move(release));
        } else if (row.type == "registration") {
          state.registration = RegistrationFromJson(body, row.entry_id);
          ++state.registrations;
        } else if (row.type == "outcome") {
          const std::string release_id = body.at("release_id").get<std::string>();
          for (auto& release : state.releases) {
            if (release.release_id == release_id) {
              release.status = body.at("status").get<std::string>();
            }
          }
        }
      } catch (const nlohmann::json::exception& error) {
        throw IntegrityError("ledger " + where + ": entry " + std::to_string(row.entry_id) +
                             " is malformed (" + error.what() + ")");
      }
    }
    return state;
  }

  // The status of one dataset; the caller holds a transaction.
  DatasetStatus Status(const std::string& dataset_id) const {
    DatasetState state = LoadDataset(dataset_id);
    if (!state.exists) {
      std::string known;
      for (const Row& row : Rows("type = ?1", "dataset_init")) {
        known += (known.empty() ? "" : ", ") + row.dataset_id;
      }
      throw InputError("unknown dataset " + dataset_id + " in ledger " + where +
                       (known.empty() ? " (it has no datasets yet)" : " (known: " + known + ")"));
    }
    DatasetStatus status;
    status.dataset_id = dataset_id;
    status.owner = state.owner;
    status.created = state.created;
    status.budget = state.budget;
    status.spent = Compose(state.events, state.budget.delta);
    status.remaining_epsilon = std::max(0.0, state.budget.epsilon - status.spent.epsilon);
    status.releases = std::move(state.releases);
    status.registration = std::move(state.registration);
    status.registrations = state.registrations;
    return status;
  }

  // Recomputes the whole chain; the caller holds a transaction. With `leaves`, also
  // collects the leaf hash of every verified entry (the Merkle tree's leaves, in order).
  VerifyResult Verify(std::vector<MerkleHash>* leaves = nullptr) const {
    VerifyResult result;
    std::string previous = kGenesisHash;
    std::int64_t expected_id = 1;
    const auto fail = [&result, &previous](std::int64_t entry_id, const std::string& message) {
      result.ok = false;
      result.first_bad_entry = entry_id;
      result.message = "entry " + std::to_string(entry_id) + " " + message;
      result.head_hash = previous;
      return result;
    };
    for (const Row& row : Rows(nullptr, "")) {
      if (row.entry_id != expected_id) {
        return fail(expected_id, "is missing (the next entry found is " +
                                     std::to_string(row.entry_id) + "): history was deleted");
      }
      if (row.previous_hash != previous) {
        return fail(row.entry_id, "does not link to entry " + std::to_string(row.entry_id - 1) +
                                      " (its previous_hash differs from that entry's hash)");
      }
      nlohmann::json body;
      try {
        body = ParseBoundedJson<IntegrityError>(row.body, "entry");
      } catch (const IntegrityError&) {
        return fail(row.entry_id, "is not valid JSON, or nests deeper than " +
                                      std::to_string(kMaxJsonDepth) + " levels (edited?)");
      }
      std::string canonical;
      try {
        canonical = CanonicalJson(body);
      } catch (const Error&) {
        return fail(row.entry_id, "holds a value that has no canonical JSON form (edited?)");
      }
      if (canonical != row.body) {
        return fail(row.entry_id, "is not in canonical form (edited?)");
      }
      if (!body.is_object() || body.value("entry_id", std::int64_t{-1}) != row.entry_id ||
          body.value("type", std::string()) != row.type ||
          body.value("dataset_id", std::string()) != row.dataset_id ||
          body.value("release_id", std::string()) != row.release_id) {
        return fail(row.entry_id, "has index columns that disagree with its content (edited?)");
      }
      const std::string leaf = LeafBytes(body, row.previous_hash);
      if (Sha256Hex(leaf) != row.entry_hash) {
        return fail(row.entry_id, "does not match its hash (its content was edited)");
      }
      if (leaves != nullptr) leaves->push_back(HashLeaf(leaf));
      previous = row.entry_hash;
      ++expected_id;
      ++result.entries_checked;
    }
    const std::string head_id = MetaValue(db.get(), where, "head_entry_id");
    const std::string head_hash = MetaValue(db.get(), where, "head_hash");
    if (head_id != std::to_string(expected_id - 1) || head_hash != previous) {
      return fail(expected_id, "is missing: the ledger head records entry " + head_id +
                                   " but the last entry is " + std::to_string(expected_id - 1));
    }
    result.ok = true;
    result.head_hash = previous;
    result.message = std::to_string(result.entries_checked) + " entries, hash chain intact";
    return result;
  }

  // Fails closed: nothing is appended on top of a history that does not verify.
  void RequireIntactChain(const char* action, std::vector<MerkleHash>* leaves = nullptr) const {
    const VerifyResult integrity = Verify(leaves);
    if (!integrity.ok) {
      throw IntegrityError("ledger " + where + ": " + integrity.message + "; refusing to " +
                           action + " until `privet ledger verify` passes");
    }
  }

  std::pair<std::int64_t, std::string> Append(
      const std::string& type, const std::string& dataset_id, nlohmann::json body,
      const std::function<void(std::int64_t, nlohmann::json&)>& complete = nullptr,
      std::string* leaf_bytes = nullptr) {
    return AppendEntry(db.get(), where, type, dataset_id, std::move(body), complete, leaf_bytes);
  }

  // The leaf hashes of the verified chain; the caller holds a transaction.
  std::vector<MerkleHash> Leaves() const {
    std::vector<MerkleHash> leaves;
    RequireIntactChain("build its Merkle tree", &leaves);
    return leaves;
  }

  // The ledger's mode from entry 1; the caller holds a transaction.
  LedgerMode Mode() const {
    const auto rows = Rows("type = ?1 AND entry_id = 1", "ledger_init");
    if (rows.empty()) return LedgerMode::kProduction;
    const nlohmann::json body = CheckedBody(rows.front());
    return body.value("mode", std::string()) == "test" ? LedgerMode::kTest
                                                       : LedgerMode::kProduction;
  }
};

namespace {

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

void BudgetLedger::InitDataset(const std::string& dataset_id, const Budget& budget,
                               const std::string& owner) {
  ValidateDatasetId(dataset_id);
  ValidateBudget(budget);
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/true);
  impl_->RequireIntactChain("register a dataset");
  const DatasetState state = impl_->LoadDataset(dataset_id);
  if (state.exists) {
    throw InputError("dataset " + dataset_id + " already has a budget in " + impl_->where +
                     " (epsilon " + FormatNumber(state.budget.epsilon, 6) + ", delta " +
                     FormatNumber(state.budget.delta, 6) + ", set " + state.created +
                     "); a budget is set once");
  }
  nlohmann::json body = {{"budget", ToJson(budget)}, {"owner", owner}};
  impl_->Append("dataset_init", dataset_id, std::move(body));
  transaction.Commit();
}

LedgerMode BudgetLedger::Mode() const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  const LedgerMode mode = impl_->Mode();
  transaction.Commit();
  return mode;
}

Registration BudgetLedger::Register(Registration registration, const std::optional<Budget>& budget,
                                    const std::string& owner) {
  ValidateDatasetId(registration.dataset_id);
  ValidateRegistration(registration);
  if (budget) ValidateBudget(*budget);
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/true);
  impl_->RequireIntactChain("register a dataset");
  const DatasetState state = impl_->LoadDataset(registration.dataset_id);
  if (!budget && !state.exists) {
    throw InputError("dataset " + registration.dataset_id +
                     " has no budget yet: set it in the same step (--epsilon and --delta)");
  }
  if (budget) {
    if (state.exists) {
      throw InputError("dataset " + registration.dataset_id + " already has a budget in " +
                       impl_->where + " (epsilon " + FormatNumber(state.budget.epsilon, 6) +
                       ", set " + state.created +
                       "); a budget is set once: register again without a budget");
    }
    impl_->Append("dataset_init", registration.dataset_id,
                  {{"budget", ToJson(*budget)}, {"owner", owner}});
  }
  nlohmann::json body = ToJson(registration);
  body.erase("entry_id");
  body.erase("time");
  body["registration_number"] = state.registrations + 1;
  const auto [entry_id, entry_hash] =
      impl_->Append("registration", registration.dataset_id, std::move(body));
  transaction.Commit();
  std::optional<Registration> recorded = CurrentRegistration(registration.dataset_id);
  if (!recorded || recorded->entry_id != entry_id) {
    throw StorageError("ledger " + impl_->where + ": the registration of " +
                       registration.dataset_id + " was not recorded");
  }
  return *recorded;
}

std::optional<Registration> BudgetLedger::CurrentRegistration(const std::string& dataset_id) const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  std::optional<Registration> registration = impl_->LoadDataset(dataset_id).registration;
  transaction.Commit();
  return registration;
}

ChargeReceipt BudgetLedger::Charge(const ChargeRequest& request) {
  ValidateDatasetId(request.dataset_id);
  if (request.events.empty()) {
    throw InputError("charge for dataset " + request.dataset_id + ": no privacy events");
  }
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/true);
  std::vector<MerkleHash> leaves;  // the tree before the charge, then with it
  impl_->RequireIntactChain("charge", &leaves);
  const DatasetState state = impl_->LoadDataset(request.dataset_id);
  if (!state.exists) {
    throw InputError("unknown dataset " + request.dataset_id + " in ledger " + impl_->where +
                     ": register it first with `privet budget init --dataset " +
                     request.dataset_id + " ...`");
  }
  if (!state.registration) {
    throw InputError("dataset " + request.dataset_id + " is not registered in ledger " +
                     impl_->where +
                     ": the privacy officer registers its config and data with "
                     "`privet dataset register --config ...` before anything is released");
  }
  if (state.registration->entry_id != request.registration_entry_id ||
      state.registration->config_sha256 != request.config_sha256) {
    throw InputError("dataset " + request.dataset_id + " was registered again (entry " +
                     std::to_string(state.registration->entry_id) +
                     ") after this request was prepared; nothing was charged, submit it again");
  }
  const LedgerMode mode = impl_->Mode();
  if (request.seeded && mode == LedgerMode::kProduction) {
    throw InputError("seeded noise is refused on the production ledger " + impl_->where +
                     ": a seed lets anyone regenerate the noise; use a test ledger "
                     "(`privet ledger init --test-only`)");
  }
  const Budget& budget = state.budget;
  const double delta = budget.delta;
  const double cost = ComposeEpsilon(request.events, delta);
  const double spent_before = ComposeEpsilon(state.events, delta);
  std::vector<PrivacyEvent> all_events = state.events;
  all_events.insert(all_events.end(), request.events.begin(), request.events.end());
  const double total = ComposeEpsilon(all_events, delta);
  const std::string prefix = "dataset " + request.dataset_id + ": ";
  if (!std::isfinite(cost)) {
    throw BudgetExceeded(prefix + "this release has no finite epsilon at the budget's delta " +
                         FormatNumber(delta, 6) + " (gaussian and approx events need delta > 0)");
  }
  if (budget.per_release_epsilon && cost > *budget.per_release_epsilon) {
    throw BudgetExceeded(prefix + "this release needs epsilon " + FormatNumber(cost, 6) +
                         " but the per-release cap is " +
                         FormatNumber(*budget.per_release_epsilon, 6) + " (delta " +
                         FormatNumber(delta, 6) + ")");
  }
  if (!(total <= budget.epsilon)) {
    const double remaining = std::max(0.0, budget.epsilon - spent_before);
    std::string message = prefix + "this release needs epsilon " + FormatNumber(cost, 6) +
                          " but only " + FormatNumber(remaining, 6) + " of " +
                          FormatNumber(budget.epsilon, 6) + " remains (delta " +
                          FormatNumber(delta, 6) + ")";
    if (cost <= remaining) {
      message +=
          "; composed with the earlier releases the total would be " + FormatNumber(total, 6);
    }
    throw BudgetExceeded(message);
  }
  nlohmann::json events = nlohmann::json::array();
  for (const auto& event : request.events) events.push_back(event.ToJson());
  nlohmann::json body = {{"requester", request.requester},
                         {"purpose", request.purpose},
                         {"kind", request.kind},
                         {"config_sha256", request.config_sha256},
                         {"registration_entry_id", request.registration_entry_id},
                         {"randomness", request.seeded ? "seeded" : "secure"},
                         {"events", events},
                         {"accountant", kAccountantVersion},  // composed cost and cumulative
                         {"cost", LossToJson({cost, delta})},
                         {"cumulative", LossToJson({total, delta})},
                         {"budget", ToJson(budget)}};
  ChargeReceipt receipt;
  const auto [entry_id, entry_hash] =
      impl_->Append("charge", request.dataset_id, std::move(body),
                    [&receipt](std::int64_t id, nlohmann::json& full) {
                      receipt.release_id = "release-" + std::to_string(id);
                      full["release_id"] = receipt.release_id;
                    },
                    &receipt.entry_leaf);
  // The verified chain has ids 1..n without gaps, so the new entry is leaf n = entry_id - 1.
  leaves.push_back(HashLeaf(receipt.entry_leaf));
  if (static_cast<std::int64_t>(leaves.size()) != entry_id) {
    throw IntegrityError("ledger " + impl_->where + ": charge entry " +
                         std::to_string(entry_id) + " is not leaf " +
                         std::to_string(leaves.size()) + " of the tree; nothing was charged");
  }
  receipt.tree_root = TreeHash(leaves);
  receipt.inclusion_proof = InclusionProof(leaves, static_cast<std::uint64_t>(entry_id - 1));
  transaction.Commit();  // durable before anything is released
  receipt.entry_id = entry_id;
  receipt.entry_hash = entry_hash;
  receipt.head_hash = entry_hash;
  receipt.cost = {cost, delta};
  receipt.cumulative = {total, delta};
  receipt.budget = budget;
  receipt.remaining_epsilon = std::max(0.0, budget.epsilon - total);
  receipt.ledger_mode = mode;
  receipt.registration_entry_id = request.registration_entry_id;
  return receipt;
}

void BudgetLedger::RecordOutcome(const std::string& release_id, const std::string& status,
                                 const std::string& detail) {
  if (status != "released" && status != "failed") {
    throw InputError("release outcome must be \"released\" or \"failed\" (got \"" + status + "\")");
  }
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/true);
  const auto rows = impl_->Rows("release_id = ?1 AND type = 'charge'", release_id);
  if (rows.empty()) {
    throw InputError("unknown release " + release_id + " in ledger " + impl_->where);
  }
  const nlohmann::json charge = impl_->CheckedBody(rows.front());
  nlohmann::json body = {{"release_id", release_id}, {"status", status}, {"detail", detail}};
  impl_->Append("outcome", charge.at("dataset_id").get<std::string>(), std::move(body));
  transaction.Commit();
}

std::vector<std::string> BudgetLedger::Datasets() const {
  std::vector<std::string> ids;
  for (const Row& row : impl_->Rows("type = ?1", "dataset_init")) ids.push_back(row.dataset_id);
  return ids;
}

DatasetStatus BudgetLedger::Show(const std::string& dataset_id) const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  DatasetStatus status = impl_->Status(dataset_id);
  transaction.Commit();
  return status;
}

std::vector<LedgerEntry> BudgetLedger::Entries() const {
  std::vector<LedgerEntry> entries;
  for (const Row& row : impl_->Rows(nullptr, "")) {
    entries.push_back(LedgerEntry{row.entry_id, row.type, row.dataset_id, row.release_id,
                                  ParseBody(row, impl_->where), row.previous_hash, row.entry_hash});
  }
  return entries;
}

std::optional<LedgerEntry> BudgetLedger::FindRelease(const std::string& release_id) const {
  const auto rows = impl_->Rows("release_id = ?1 AND type = 'charge'", release_id);
  if (rows.empty()) return std::nullopt;
  const Row& row = rows.front();
  return LedgerEntry{
      row.entry_id,      row.type,      row.dataset_id, row.release_id, impl_->CheckedBody(row),
      row.previous_hash, row.entry_hash};
}

std::string BudgetLedger::HeadHash() const {
  Statement head(impl_->db.get(), impl_->where,
                 "SELECT entry_hash FROM entries ORDER BY entry_id DESC LIMIT 1");
  return head.Step() ? head.Text(0) : kGenesisHash;
}

VerifyResult BudgetLedger::VerifyChain() const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  VerifyResult result = impl_->Verify();
  transaction.Commit();
  return result;
}

std::vector<MerkleHash> BudgetLedger::LeafHashes() const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  std::vector<MerkleHash> leaves = impl_->Leaves();
  transaction.Commit();
  return leaves;
}

std::vector<MerkleHash> BudgetLedger::VerifiedLeafHashes(VerifyResult& verdict) const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  std::vector<MerkleHash> leaves;
  verdict = impl_->Verify(&leaves);
  transaction.Commit();
  return leaves;
}

namespace {
void RequireSize(const std::vector<MerkleHash>& leaves, std::uint64_t size,
                 const std::string& where) {
  if (size > leaves.size()) {
    throw InputError("ledger " + where + " has " + std::to_string(leaves.size()) +
                     " entries; there is no tree of size " + std::to_string(size));
  }
}
}  // namespace

MerkleHash BudgetLedger::TreeRoot(std::uint64_t size) const {
  const std::vector<MerkleHash> leaves = LeafHashes();
  RequireSize(leaves, size, impl_->where);
  return TreeHash(std::span<const MerkleHash>(leaves.data(), size));
}

std::vector<MerkleHash> BudgetLedger::TreeInclusionProof(std::uint64_t leaf_index,
                                                         std::uint64_t size) const {
  const std::vector<MerkleHash> leaves = LeafHashes();
  RequireSize(leaves, size, impl_->where);
  return InclusionProof(std::span<const MerkleHash>(leaves.data(), size), leaf_index);
}

std::vector<MerkleHash> BudgetLedger::TreeConsistencyProof(std::uint64_t old_size,
                                                           std::uint64_t new_size) const {
  const std::vector<MerkleHash> leaves = LeafHashes();
  RequireSize(leaves, new_size, impl_->where);
  return ConsistencyProof(std::span<const MerkleHash>(leaves.data(), new_size), old_size);
}

nlohmann::json BudgetLedger::Export() const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  nlohmann::json entries = nlohmann::json::array();
  std::string head = kGenesisHash;
  for (const Row& row : impl_->Rows(nullptr, "")) {
    entries.push_back({{"entry_id", row.entry_id},
                       {"previous_hash", row.previous_hash},
                       {"entry_hash", row.entry_hash},
                       {"body", ParseBody(row, impl_->where)}});
    head = row.entry_hash;
  }
  nlohmann::json datasets = nlohmann::json::array();
  for (const Row& row : impl_->Rows("type = ?1", "dataset_init")) {
    datasets.push_back(ToJson(impl_->Status(row.dataset_id)));
  }
  const LedgerMode mode = impl_->Mode();
  transaction.Commit();
  return {{"format", "privet-ledger-export"},
          {"format_version", 1},
          {"mode", LedgerModeName(mode)},
          {"hash_recipe",
           "entry_hash = sha256_hex(canonical_json({\"body\": body, \"previous_hash\": "
           "previous_hash})); entry 1 links to 64 zeros"},
          {"head_hash", head},
          {"entries", entries},
          {"datasets", datasets}};
}

std::string LeafBytes(const nlohmann::json& body, const std::string& previous_hash) {
  return CanonicalJson({{"body", body}, {"previous_hash", previous_hash}});
}

std::string LedgerModeName(LedgerMode mode) {
  return mode == LedgerMode::kTest ? "test" : "production";
}

nlohmann::json ToJson(const Registration& registration) {
  return {{"dataset_id", registration.dataset_id},
          {"config_path", registration.config_path},
          {"config_sha256", registration.config_sha256},
          {"data_source", registration.data_source},
          {"data_commitment", registration.data_commitment},
          {"unit_column", registration.unit_column},
          {"max_rows_per_unit", registration.max_rows_per_unit},
          {"max_failures", registration.max_failures},
          {"registered_by", registration.registered_by},
          {"entry_id", registration.entry_id},
          {"time", registration.time}};
}

nlohmann::json ToJson(const Budget& budget) {
  nlohmann::json json = {{"epsilon", budget.epsilon}, {"delta", budget.delta}};
  json["per_release_epsilon"] =
      budget.per_release_epsilon ? nlohmann::json(*budget.per_release_epsilon) : nullptr;
  return json;
}

nlohmann::json ToJson(const ReleaseRecord& release) {
  nlohmann::json events = nlohmann::json::array();
  for (const auto& event : release.events) events.push_back(event.ToJson());
  return {{"release_id", release.release_id},
          {"entry_id", release.entry_id},
          {"time", release.time},
          {"requester", release.requester},
          {"purpose", release.purpose},
          {"kind", release.kind},
          {"config_sha256", release.config_sha256},
          {"registration_entry_id", release.registration_entry_id},
          {"randomness", release.seeded ? "seeded" : "secure"},
          {"status", release.status},
          {"events", events},
          {"cost", LossToJson(release.cost)},
          {"cumulative", LossToJson(release.cumulative)}};
}

nlohmann::json ToJson(const DatasetStatus& status) {
  nlohmann::json releases = nlohmann::json::array();
  for (const auto& release : status.releases) releases.push_back(ToJson(release));
  return {{"dataset_id", status.dataset_id},
          {"owner", status.owner},
          {"created", status.created},
          {"budget", ToJson(status.budget)},
          {"spent", LossToJson(status.spent)},
          {"remaining_epsilon", status.remaining_epsilon},
          {"registration",
           status.registration ? ToJson(*status.registration) : nlohmann::json(nullptr)},
          {"registrations", status.registrations},
          {"releases", releases}};
}

}  // namespace privet::privacy
