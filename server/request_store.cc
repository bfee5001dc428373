#include "server/request_store.h"

#include <mutex>

#include "privacy/random_source.h"
#include "privacy/sha256.h"
#include "server/sqlite_db.h"
#include "server/time_format.h"

namespace privet::server {
namespace {

const char* const kColumns =
    "id, requester, kind, dataset_id, epsilon, delta, purpose, options, state, created, updated, "
    "decided_by, decision_note, release_id, files, result, error_code, error_message";

StoredRequest FromRow(const SqliteDb::Statement& row) {
  StoredRequest request;
  request.id = row.Text(0);
  request.requester = row.Text(1);
  request.kind = row.Text(2);
  request.dataset_id = row.Text(3);
  request.epsilon = row.OptionalReal(4).value_or(0);
  request.delta = row.OptionalReal(5);
  request.purpose = row.Text(6);
  request.options = nlohmann::json::parse(row.Text(7));
  request.state = row.Text(8);
  request.created = row.Text(9);
  request.updated = row.Text(10);
  request.decided_by = row.OptionalText(11);
  request.decision_note = row.OptionalText(12);
  request.release_id = row.OptionalText(13);
  request.files = nlohmann::json::parse(row.Text(14)).get<std::vector<std::string>>();
  request.result = nlohmann::json::parse(row.Text(15));
  request.error_code = row.OptionalText(16);
  request.error_message = row.OptionalText(17);
  return request;
}

nlohmann::json OrNull(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string NewRequestId() {
  privacy::RandomSource random = privacy::RandomSource::Secure();
  std::uint64_t bits = random();
  std::string bytes;
  for (int i = 0; i < 8; ++i, bits >>= 8) bytes.push_back(static_cast<char>(bits & 0xff));
  return "req-" + HexEncode(bytes);
}

}  // namespace

nlohmann::json StoredRequest::ToJson() const {
  return {{"id", id},
          {"requester", requester},
          {"kind", kind},
          {"dataset", dataset_id},
          {"epsilon", epsilon},
          {"delta", delta ? nlohmann::json(*delta) : nlohmann::json(nullptr)},
          {"purpose", purpose},
          {"options", options},
          {"state", state},
          {"created", created},
          {"updated", updated},
          {"decided_by", OrNull(decided_by)},
          {"decision_note", OrNull(decision_note)},
          {"release_id", OrNull(release_id)},
          {"files", files},
          {"result", result},
          {"error", error_code ? nlohmann::json{{"code", *error_code},
                                                {"message", error_message.value_or("")}}
                               : nlohmann::json(nullptr)}};
}

struct RequestStore::Impl {
  // One connection is shared by the HTTP threads and the workers: every method holds this
  // lock, so no statement of one thread runs inside another thread's transaction.
  std::mutex mutex;
  SqliteDb db;
  explicit Impl(const std::filesystem::path& path) : db(path, true) {
    db.Exec(
        "CREATE TABLE IF NOT EXISTS requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "id TEXT NOT NULL UNIQUE, requester TEXT NOT NULL, kind TEXT NOT NULL, "
        "dataset_id TEXT NOT NULL, epsilon REAL NOT NULL, delta REAL, purpose TEXT NOT NULL, "
        "options TEXT NOT NULL, state TEXT NOT NULL, created TEXT NOT NULL, "
        "updated TEXT NOT NULL, decided_by TEXT, decision_note TEXT, release_id TEXT, "
        "files TEXT NOT NULL DEFAULT '[]', result TEXT NOT NULL DEFAULT 'null', "
        "error_code TEXT, error_message TEXT);"
        "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
        "set_by TEXT NOT NULL, time TEXT NOT NULL);");
  }
};

RequestStore::RequestStore(const std::filesystem::path& path)
    : impl_(std::make_unique<Impl>(path)) {}
RequestStore::~RequestStore() = default;

StoredRequest RequestStore::Create(StoredRequest request,
                                   const std::optional<std::string>& approved_by) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  request.id = NewRequestId();
  request.created = request.updated = UtcNow();
  request.state = approved_by ? "approved" : "pending";
  request.decided_by = approved_by;
  SqliteDb::Statement insert(
      impl_->db,
      "INSERT INTO requests (id, requester, kind, dataset_id, epsilon, delta, purpose, options, "
      "state, created, updated, decided_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  insert.Bind(1, request.id).Bind(2, request.requester).Bind(3, request.kind);
  insert.Bind(4, request.dataset_id).Bind(5, request.epsilon).Bind(6, request.delta);
  insert.Bind(7, request.purpose).Bind(8, request.options.dump()).Bind(9, request.state);
  insert.Bind(10, request.created).Bind(11, request.updated).Bind(12, request.decided_by);
  insert.Step();
  return request;
}

std::optional<StoredRequest> RequestStore::Find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement find(impl_->db,
                           std::string("SELECT ") + kColumns + " FROM requests WHERE id = ?");
  find.Bind(1, id);
  if (!find.Step()) return std::nullopt;
  return FromRow(find);
}

std::vector<StoredRequest> RequestStore::List(const std::optional<std::string>& requester,
                                              const std::optional<std::string>& state) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement list(impl_->db, std::string("SELECT ") + kColumns +
                                          " FROM requests WHERE (?1 IS NULL OR requester = ?1) "
                                          "AND (?2 IS NULL OR state = ?2) ORDER BY seq DESC");
  list.Bind(1, requester).Bind(2, state);
  std::vector<StoredRequest> requests;
  while (list.Step()) requests.push_back(FromRow(list));
  return requests;
}

bool RequestStore::Decide(const std::string& id, bool approve, const std::string& officer,
                          const std::string& note) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement decide(impl_->db,
                             "UPDATE requests SET state = ?, decided_by = ?, decision_note = ?, "
                             "updated = ? WHERE id = ? AND state = 'pending'");
  decide.Bind(1, std::string(approve ? "approved" : "denied")).Bind(2, officer).Bind(3, note);
  decide.Bind(4, UtcNow()).Bind(5, id);
  decide.Step();
  return impl_->db.Changes() == 1;
}

std::optional<StoredRequest> RequestStore::ClaimNext() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteTransaction transaction(impl_->db);
  SqliteDb::Statement next(impl_->db, std::string("SELECT ") + kColumns +
                                          " FROM requests WHERE state = 'approved' "
                                          "ORDER BY seq LIMIT 1");
  if (!next.Step()) return std::nullopt;
  StoredRequest request = FromRow(next);
  SqliteDb::Statement claim(impl_->db,
                            "UPDATE requests SET state = 'running', updated = ? WHERE id = ?");
  claim.Bind(1, UtcNow()).Bind(2, request.id);
  claim.Step();
  transaction.Commit();
  request.state = "running";
  return request;
}

void RequestStore::MarkReleased(const std::string& id, const std::string& release_id,
                                const std::vector<std::string>& files,
                                const nlohmann::json& result) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement done(impl_->db,
                           "UPDATE requests SET state = 'released', release_id = ?, files = ?, "
                           "result = ?, updated = ? WHERE id = ?");
  done.Bind(1, release_id).Bind(2, nlohmann::json(files).dump()).Bind(3, result.dump());
  done.Bind(4, UtcNow()).Bind(5, id);
  done.Step();
}

void RequestStore::MarkFailed(const std::string& id, const std::string& code,
                              const std::string& message) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement failed(impl_->db,
                             "UPDATE requests SET state = 'failed', error_code = ?, "
                             "error_message = ?, updated = ? WHERE id = ?");
  failed.Bind(1, code).Bind(2, message).Bind(3, UtcNow()).Bind(4, id);
  failed.Step();
}

std::vector<StoredRequest> RequestStore::FailInterrupted(const std::string& message) {
  std::vector<StoredRequest> interrupted = List(std::nullopt, std::string("running"));
  for (const StoredRequest& request : interrupted) MarkFailed(request.id, "interrupted", message);
  return interrupted;
}

std::optional<double> RequestStore::AutoApproveEpsilon() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement get(impl_->db,
                          "SELECT value FROM settings WHERE key = 'auto_approve_epsilon'");
  if (!get.Step()) return std::nullopt;
  return std::stod(get.Text(0));
}

void RequestStore::SetAutoApproveEpsilon(double epsilon, const std::string& officer) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement set(impl_->db,
                          "INSERT OR REPLACE INTO settings (key, value, set_by, time) "
                          "VALUES ('auto_approve_epsilon', ?, ?, ?)");
  set.Bind(1, nlohmann::json(epsilon).dump()).Bind(2, officer).Bind(3, UtcNow());
  set.Step();
}

}  // namespace privet::server
