// The service's principals (users.db in the deployment): a name, one role, and the SHA-256
// of a bearer token. The token itself is printed once by `privet user add` and never stored,
// so a copy of users.db does not let anyone authenticate.
#ifndef PRIVET_SERVER_USER_STORE_H_
#define PRIVET_SERVER_USER_STORE_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace privet::server {

enum class Role { kOfficer, kResearcher, kAuditor };
// "officer", "researcher", "auditor".
std::string RoleName(Role role);
// InputError for anything else.
Role ParseRole(const std::string& name);

struct Principal {
  std::string name;
  Role role = Role::kResearcher;
};

struct UserRecord {
  std::string name;
  Role role = Role::kResearcher;
  std::string created;
  std::optional<std::string> revoked;  // when revoked
};

class UserStore {
 public:
  // Opens users.db; create makes it (mode 0600) when missing, else StorageError if missing.
  UserStore(const std::filesystem::path& path, bool create);
  ~UserStore();
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;

  // Adds a user and returns their token: 256 bits from OpenSSL's CSPRNG as 64 hex digits.
  // InputError for a name outside [A-Za-z0-9_.-]{1,64} or a name that has an active token (a
  // revoked name may be added again, with a new token).
  std::string Add(const std::string& name, Role role);
  // Revokes the user's token. InputError if there is no active user of that name.
  void Revoke(const std::string& name);
  // The active principal whose token this is, or nullopt (unknown or revoked).
  std::optional<Principal> Authenticate(const std::string& token) const;
  std::vector<UserRecord> List() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace privet::server

#endif  // PRIVET_SERVER_USER_STORE_H_
