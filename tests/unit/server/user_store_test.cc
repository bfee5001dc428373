// Users and tokens (server/user_store.h): 256-bit tokens, only their SHA-256 stored,
// revocation, name rules.
#include "server/user_store.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "privacy/errors.h"

namespace privet::server {
namespace {

namespace fs = std::filesystem;

struct TempDb {
  fs::path path =
      fs::temp_directory_path() / ("privet-users-test-" + std::to_string(::getpid()) + ".db");
  TempDb() { Remove(); }
  ~TempDb() { Remove(); }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  }
};

TEST_CASE("user store: a token authenticates its user until revoked; the file holds no token") {
  TempDb temp;
  std::string rita_token;
  {
    UserStore users(temp.path, /*create=*/true);
    rita_token = users.Add("rita", Role::kResearcher);
    const std::string olivia_token = users.Add("olivia", Role::kOfficer);
    CHECK(std::regex_match(rita_token, std::regex("[0-9a-f]{64}")));  // 256 bits
    CHECK(rita_token != olivia_token);
    const auto rita = users.Authenticate(rita_token);
    REQUIRE(rita);
    CHECK(rita->name == "rita");
    CHECK(rita->role == Role::kResearcher);
    CHECK(users.Authenticate(olivia_token)->role == Role::kOfficer);
    CHECK_FALSE(users.Authenticate(std::string(64, '0')));
    CHECK_FALSE(users.Authenticate(""));
    // An active name cannot be added twice; a bad name is refused.
    CHECK_THROWS_AS(users.Add("rita", Role::kOfficer), InputError);
    CHECK_THROWS_AS(users.Add("../rita", Role::kOfficer), InputError);
    CHECK_THROWS_AS(users.Add("", Role::kOfficer), InputError);
    users.Revoke("rita");
    CHECK_FALSE(users.Authenticate(rita_token));
    CHECK_THROWS_AS(users.Revoke("rita"), InputError);
    // A revoked name may come back, with a new token; the old one stays dead.
    const std::string again = users.Add("rita", Role::kResearcher);
    CHECK(users.Authenticate(again));
    CHECK_FALSE(users.Authenticate(rita_token));
  }
  // The database never contains a token in clear.
  std::ifstream in(temp.path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  CHECK(bytes.str().find(rita_token) == std::string::npos);
}

TEST_CASE("user store: roles parse from their names only") {
  CHECK(ParseRole("officer") == Role::kOfficer);
  CHECK(ParseRole("researcher") == Role::kResearcher);
  CHECK(ParseRole("auditor") == Role::kAuditor);
  CHECK_THROWS_AS(ParseRole("admin"), InputError);
  CHECK_THROWS_AS(ParseRole("Officer"), InputError);
}

}  // namespace
}  // namespace privet::server
