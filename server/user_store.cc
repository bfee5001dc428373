#include "server/user_store.h"

#include <mutex>
#include <regex>

#include "privacy/errors.h"
#include "privacy/random_source.h"
#include "privacy/sha256.h"
#include "server/sqlite_db.h"
#include "server/time_format.h"

namespace privet::server {

std::string RoleName(Role role) {
  switch (role) {
    case Role::kOfficer:
      return "officer";
    case Role::kResearcher:
      return "researcher";
    case Role::kAuditor:
      return "auditor";
  }
  return "unknown";
}

Role ParseRole(const std::string& name) {
  if (name == "officer") return Role::kOfficer;
  if (name == "researcher") return Role::kResearcher;
  if (name == "auditor") return Role::kAuditor;
  throw InputError("--role must be officer, researcher or auditor (got \"" + name + "\")");
}

struct UserStore::Impl {
  std::mutex mutex;  // as RequestStore: one shared connection, one statement at a time
  SqliteDb db;
  Impl(const std::filesystem::path& path, bool create) : db(path, create) {
    db.Exec(
        "CREATE TABLE IF NOT EXISTS users (name TEXT NOT NULL, role TEXT NOT NULL, "
        "token_sha256 TEXT NOT NULL UNIQUE, created TEXT NOT NULL, revoked TEXT);"
        "CREATE UNIQUE INDEX IF NOT EXISTS active_user ON users(name) WHERE revoked IS NULL;");
  }
};

UserStore::UserStore(const std::filesystem::path& path, bool create)
    : impl_(std::make_unique<Impl>(path, create)) {}
UserStore::~UserStore() = default;

std::string UserStore::Add(const std::string& name, Role role) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  static const std::regex kName("[A-Za-z0-9_.-]{1,64}");
  if (!std::regex_match(name, kName)) {
    throw InputError("user name \"" + name + "\": use 1 to 64 of A-Z a-z 0-9 _ . -");
  }
  privacy::RandomSource random = privacy::RandomSource::Secure();
  std::string bytes;
  for (int word = 0; word < 4; ++word) {
    std::uint64_t bits = random();
    for (int i = 0; i < 8; ++i, bits >>= 8) bytes.push_back(static_cast<char>(bits & 0xff));
  }
  const std::string token = HexEncode(bytes);
  SqliteTransaction transaction(impl_->db);
  SqliteDb::Statement active(impl_->db, "SELECT 1 FROM users WHERE name = ? AND revoked IS NULL");
  active.Bind(1, name);
  if (active.Step()) {
    throw InputError("user " + name + " already exists (revoke them first to issue a new token)");
  }
  SqliteDb::Statement insert(
      impl_->db, "INSERT INTO users (name, role, token_sha256, created) VALUES (?,?,?,?)");
  insert.Bind(1, name).Bind(2, RoleName(role)).Bind(3, Sha256Hex(token)).Bind(4, UtcNow());
  insert.Step();
  transaction.Commit();
  return token;
}

void UserStore::Revoke(const std::string& name) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement revoke(impl_->db,
                             "UPDATE users SET revoked = ? WHERE name = ? AND revoked IS NULL");
  revoke.Bind(1, UtcNow()).Bind(2, name);
  revoke.Step();
  if (impl_->db.Changes() == 0) throw InputError("no active user named " + name);
}

std::optional<Principal> UserStore::Authenticate(const std::string& token) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  // Looked up by the token's hash: the comparison SQLite makes is on a value the caller cannot
  // steer bit by bit, so its timing reveals nothing useful about stored hashes.
  SqliteDb::Statement find(
      impl_->db, "SELECT name, role FROM users WHERE token_sha256 = ? AND revoked IS NULL");
  find.Bind(1, Sha256Hex(token));
  if (!find.Step()) return std::nullopt;
  return Principal{find.Text(0), ParseRole(find.Text(1))};
}

std::vector<UserRecord> UserStore::List() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  SqliteDb::Statement list(impl_->db,
                           "SELECT name, role, created, revoked FROM users ORDER BY rowid");
  std::vector<UserRecord> users;
  while (list.Step()) {
    users.push_back(
        UserRecord{list.Text(0), ParseRole(list.Text(1)), list.Text(2), list.OptionalText(3)});
  }
  return users;
}

}  // namespace privet::server
