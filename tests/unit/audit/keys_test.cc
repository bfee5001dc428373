#include "audit/keys.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include "audit/dsse.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"
#include "tests/unit/audit/audit_test_util.h"

namespace privet::audit {
namespace {

using testing::HexDecode;
using testing::HexEncode;
using testing::ReadFile;
using testing::ScratchDir;
using testing::WriteFile;

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

TEST_CASE("The RFC 8032 TEST 1 secret key yields the RFC's public key and a DER-based key id") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const VerifyingKey public_key = key.Public();
  CHECK(HexEncode(public_key.RawPublicKey()) == testing::kRfc8032Test1Public);
  // SubjectPublicKeyInfo for Ed25519 (RFC 8410 section 4): a fixed 12-byte prefix, then the
  // 32-byte key. The key id is the SHA-256 of those 44 bytes.
  const std::string der =
      HexDecode("302a300506032b6570032100") + HexDecode(testing::kRfc8032Test1Public);
  CHECK(public_key.PublicDer() == der);
  CHECK(key.key_id() == Sha256Hex(der));
  CHECK(public_key.key_id() == key.key_id());
  CHECK(KeyId(public_key) == key.key_id());
  CHECK(VerifyingKey::FromRaw(HexDecode(testing::kRfc8032Test1Public)).key_id() == key.key_id());
}

TEST_CASE("Raw keys of the wrong length are refused") {
  CHECK_THROWS_AS(SigningKey::FromRawSeed(std::string(31, 'x')), CryptoError);
  CHECK_THROWS_AS(VerifyingKey::FromRaw(std::string(33, 'x')), CryptoError);
  CHECK_THROWS_AS(VerifyingKey{PkeyPtr{}}, CryptoError);
}

TEST_CASE("GenerateKeyPair writes a 0600 PKCS#8 private key and a SPKI public key") {
  ScratchDir scratch;
  const std::filesystem::path dir = scratch.path() / "keys" / "nested";
  const KeyPairFiles files = GenerateKeyPair(dir);
  CHECK(files.private_key == dir / "privet-signing.key");
  CHECK(files.public_key == dir / "privet-signing.pub");
  CHECK(ModeOf(files.private_key) == 0600);
  CHECK(ModeOf(dir) == 0700);
  CHECK(ReadFile(files.private_key).rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  CHECK(ReadFile(files.public_key).rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
  CHECK(files.key_id.size() == 64);

  const SigningKey private_key = LoadPrivateKey(files.private_key);
  const VerifyingKey public_key = LoadPublicKey(files.public_key);
  CHECK(private_key.key_id() == files.key_id);
  CHECK(public_key.key_id() == files.key_id);
  const std::string signature = SignMessage(private_key, "hello");
  CHECK(VerifyMessage(public_key, "hello", signature));
  CHECK_FALSE(VerifyMessage(public_key, "hellO", signature));
}

TEST_CASE("GenerateKeyPair never overwrites an existing key") {
  ScratchDir scratch;
  const KeyPairFiles first = GenerateKeyPair(scratch.path());
  const std::string private_before = ReadFile(first.private_key);
  const std::string public_before = ReadFile(first.public_key);
  CHECK_THROWS_WITH_AS(GenerateKeyPair(scratch.path()), doctest::Contains("already exists"),
                       InputError);
  CHECK(ReadFile(first.private_key) == private_before);
  CHECK(ReadFile(first.public_key) == public_before);

  // A lone public file blocks too: a new private key must not be paired with an old
  // public key file, and the old public key must not be replaced.
  ScratchDir other;
  WriteFile(other.path() / kPublicKeyFileName, "old");
  CHECK_THROWS_AS(GenerateKeyPair(other.path()), InputError);
  CHECK_FALSE(std::filesystem::exists(other.path() / kPrivateKeyFileName));
  CHECK(ReadFile(other.path() / kPublicKeyFileName) == "old");
}

TEST_CASE("Two generated keys differ") {
  ScratchDir scratch;
  CHECK(GenerateKeyPair(scratch.path() / "a").key_id !=
        GenerateKeyPair(scratch.path() / "b").key_id);
}

TEST_CASE("LoadPrivateKey refuses a key file that group or others can read") {
  ScratchDir scratch;
  const KeyPairFiles files = GenerateKeyPair(scratch.path());
  for (mode_t mode : {0640, 0604, 0660, 0602}) {
    REQUIRE(::chmod(files.private_key.c_str(), mode) == 0);
    CHECK_THROWS_WITH_AS(LoadPrivateKey(files.private_key), doctest::Contains("chmod 600"),
                         InputError);
  }
  REQUIRE(::chmod(files.private_key.c_str(), 0400) == 0);
  CHECK(LoadPrivateKey(files.private_key).key_id() == files.key_id);
}

TEST_CASE("Key loading names the file and the problem") {
  ScratchDir scratch;
  const KeyPairFiles files = GenerateKeyPair(scratch.path());
  const std::filesystem::path missing = scratch.path() / "missing.key";
  CHECK_THROWS_WITH_AS(LoadPrivateKey(missing), doctest::Contains("missing.key"), StorageError);
  CHECK_THROWS_WITH_AS(LoadPublicKey(missing), doctest::Contains("missing.key"), StorageError);

  const std::filesystem::path garbage = scratch.path() / "garbage.key";
  WriteFile(garbage, "not a key\n");
  REQUIRE(::chmod(garbage.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(LoadPrivateKey(garbage), doctest::Contains("garbage.key"), InputError);
  CHECK_THROWS_WITH_AS(LoadPublicKey(garbage), doctest::Contains("garbage.key"), InputError);

  // A public key where a private key belongs, and vice versa.
  const std::filesystem::path public_copy = scratch.path() / "public-as-private.key";
  WriteFile(public_copy, ReadFile(files.public_key));
  REQUIRE(::chmod(public_copy.c_str(), 0600) == 0);
  CHECK_THROWS_AS(LoadPrivateKey(public_copy), InputError);
  CHECK_THROWS_AS(LoadPublicKey(files.private_key), InputError);
}

TEST_CASE("Keys of another algorithm are refused") {
  ScratchDir scratch;
  PkeyPtr ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  REQUIRE(ec);
  BioPtr private_bio(BIO_new_file((scratch.path() / "ec.key").c_str(), "w"));
  REQUIRE(PEM_write_bio_PrivateKey(private_bio.get(), ec.get(), nullptr, nullptr, 0, nullptr,
                                   nullptr) == 1);
  private_bio.reset();
  BioPtr public_bio(BIO_new_file((scratch.path() / "ec.pub").c_str(), "w"));
  REQUIRE(PEM_write_bio_PUBKEY(public_bio.get(), ec.get()) == 1);
  public_bio.reset();
  REQUIRE(::chmod((scratch.path() / "ec.key").c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(LoadPrivateKey(scratch.path() / "ec.key"), doctest::Contains("Ed25519"),
                       InputError);
  CHECK_THROWS_WITH_AS(LoadPublicKey(scratch.path() / "ec.pub"), doctest::Contains("Ed25519"),
                       InputError);
  CHECK_THROWS_AS(SigningKey(std::move(ec)), CryptoError);
}

}  // namespace
}  // namespace privet::audit
