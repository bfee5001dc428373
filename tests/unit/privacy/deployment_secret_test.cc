#include "privacy/deployment_secret.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "privacy/errors.h"

namespace privet::privacy {
namespace {

namespace fs = std::filesystem;

// Known answers: RFC 4231 ("Identifiers and Test Vectors for HMAC-SHA-224, HMAC-SHA-256,
// HMAC-SHA-384, and HMAC-SHA-512"), section 4.2 (test case 1) and 4.3 (test case 2).
TEST_CASE("HMAC-SHA256 matches RFC 4231 test cases 1 and 2") {
  CHECK(HmacSha256Hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("A file's keyed commitment is its bytes' HMAC and depends on the key") {
  const fs::path dir = fs::temp_directory_path() / ("privet-secret-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "data.csv";
  std::ofstream(file, std::ios::binary) << "what do ya want for nothing?";
  CHECK(HmacSha256FileHex("Jefe", file) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(HmacSha256FileHex("jefe", file) != HmacSha256FileHex("Jefe", file));
  CHECK_THROWS_AS(HmacSha256FileHex("Jefe", dir / "absent.csv"), StorageError);
  fs::remove_all(dir);
}

TEST_CASE("The deployment secret is created once, 0600, and refused when others can read it") {
  const fs::path dir = fs::temp_directory_path() / ("privet-secret2-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path secret = DeploymentSecretPath(dir / "ledger.db");
  CHECK(secret == dir / "ledger.db.secret");
  CHECK_THROWS_AS(LoadDeploymentSecret(secret), StorageError);
  CHECK(EnsureDeploymentSecret(secret));
  CHECK_FALSE(EnsureDeploymentSecret(secret));  // never replaced
  const std::string bytes = LoadDeploymentSecret(secret);
  CHECK(bytes.size() == 32);
  struct stat info {};
  REQUIRE(::stat(secret.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  // A second secret is different (32 bytes from the CSPRNG).
  const fs::path other = DeploymentSecretPath(dir / "other.db");
  EnsureDeploymentSecret(other);
  CHECK(LoadDeploymentSecret(other) != bytes);
  ::chmod(secret.c_str(), 0644);
  CHECK_THROWS_AS(LoadDeploymentSecret(secret), IntegrityError);
  ::chmod(secret.c_str(), 0600);
  std::ofstream(secret, std::ios::trunc) << "not hex\n";
  CHECK_THROWS_AS(LoadDeploymentSecret(secret), IntegrityError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace privet::privacy
