#include "audit/release_attestation.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include "audit/base64.h"
#include "audit/dsse.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"
#include "tests/unit/audit/audit_test_util.h"

namespace privet::audit {
namespace {

using testing::FixedRecord;
using testing::ReadFile;
using testing::ScratchDir;
using testing::WriteFile;

// Sets an environment variable for one scope and restores the old value.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnvironment() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_CASE("The signing key is --key, else $PRIVET_KEY, else ./privet-keys; none refuses") {
  ScratchDir scratch;
  const KeyPairFiles files = GenerateKeyPair(scratch.path());
  {
    ScopedEnvironment environment(kSigningKeyEnvironment, nullptr);
    CHECK(ResolveSigningKeyPath(files.private_key) == files.private_key);
    CHECK(LoadReleaseSigningKey(files.private_key).key_id() == files.key_id);
    CHECK_THROWS_WITH_AS(ResolveSigningKeyPath(scratch.path() / "absent.key"),
                         doctest::Contains("release refused: no signing key at"), InputError);
    CHECK_THROWS_WITH_AS(ResolveSigningKeyPath(scratch.path() / "absent.key"),
                         doctest::Contains("privet keygen --out privet-keys"), InputError);
    // The test runs in the build directory, which has no privet-keys/.
    REQUIRE_FALSE(std::filesystem::exists(kDefaultSigningKeyPath));
    CHECK_THROWS_WITH_AS(ResolveSigningKeyPath(std::nullopt),
                         doctest::Contains(kDefaultSigningKeyPath), InputError);
  }
  {
    ScopedEnvironment environment(kSigningKeyEnvironment, files.private_key.c_str());
    CHECK(ResolveSigningKeyPath(std::nullopt) == files.private_key);
    // --key wins over $PRIVET_KEY, even when it does not exist: it then fails loudly.
    CHECK_THROWS_WITH_AS(ResolveSigningKeyPath(scratch.path() / "other.key"),
                         doctest::Contains("other.key (--key)"), InputError);
  }
  {
    ScopedEnvironment environment(kSigningKeyEnvironment, (scratch.path() / "gone.key").c_str());
    CHECK_THROWS_WITH_AS(ResolveSigningKeyPath(std::nullopt), doctest::Contains("$PRIVET_KEY"),
                         InputError);
  }
}

TEST_CASE("SubjectsFor names files relative to the output directory") {
  ScratchDir scratch;
  const std::filesystem::path out = scratch.path() / "out";
  std::filesystem::create_directories(out / "model");
  WriteFile(out / "synthetic.csv", "a,b\n1,2\n");
  WriteFile(out / "model" / "network.json", "{}");
  const std::vector<Subject> subjects =
      SubjectsFor(out, {out / "synthetic.csv", out / "model" / "network.json"});
  REQUIRE(subjects.size() == 2);
  CHECK(subjects[0].name == "synthetic.csv");
  CHECK(subjects[0].sha256 == Sha256Hex("a,b\n1,2\n"));
  CHECK(subjects[1].name == "model/network.json");
  CHECK(subjects[1].sha256 == Sha256Hex("{}"));

  WriteFile(scratch.path() / "outside.csv", "x");
  CHECK_THROWS_WITH_AS(SubjectsFor(out, {scratch.path() / "outside.csv"}),
                       doctest::Contains("not inside the output directory"), InputError);
  CHECK_THROWS_WITH_AS(SubjectsFor(out, {out / ".." / "outside.csv"}),
                       doctest::Contains("not inside the output directory"), InputError);
  CHECK_THROWS_WITH_AS(SubjectsFor(out, {out / "absent.csv"}), doctest::Contains("does not exist"),
                       InputError);
  CHECK_THROWS_WITH_AS(SubjectsFor(out, {out / "synthetic.csv", out / "." / "synthetic.csv"}),
                       doctest::Contains("listed twice"), InputError);
  WriteFile(out / kAttestationFileName, "{}");
  CHECK_THROWS_WITH_AS(SubjectsFor(out, {out / kAttestationFileName}),
                       doctest::Contains("cannot attest itself"), InputError);
}

TEST_CASE("Relative paths are relative to the working directory, as a command line gives them") {
  ScratchDir scratch;
  const std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::current_path(scratch.path());
  std::filesystem::create_directories("release");
  WriteFile("release/synthetic.csv", "a\n");
  const std::filesystem::path out = "release";
  std::vector<Subject> subjects;
  CHECK_NOTHROW(subjects = SubjectsFor(out, {out / "synthetic.csv"}));
  std::filesystem::current_path(previous);
  REQUIRE(subjects.size() == 1);
  CHECK(subjects[0].name == "synthetic.csv");
}

// The whole envelope for a fixed release, pinned. Ed25519 is deterministic (RFC 8032
// section 5.1.6) and the JSON canonical, so these bytes change only if the format changes;
// then docs/attestation.md changes with them. The signature was checked independently with
// `openssl pkeyutl -verify -rawin` on the PAE bytes (again when ledger_mode and registration
// were added to the predicate) (tests/e2e/attestation_openssl_test.sh
// does the same for attestations privet writes).
constexpr char kPinnedEnvelope[] =
    "{\"payload\":\"eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGU"
    "iOnsiYWNjb3VudGFudCI6ImJhc2ljLWNvbXBvc2l0aW9uIiwiYnVkZ2V0Ijp7ImRlbHRhIjoxZS0wNiwiZXBza"
    "WxvbiI6NC4wfSwiY29uZmlnX3NoYTI1NiI6ImNjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2N"
    "jY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2MiLCJjb3N0Ijp7ImRlbHRhIjowLjAsImVwc2lsb24iOjEuMH0sI"
    "mN1bXVsYXRpdmVfc3BlbmQiOnsiZGVsdGEiOjAuMCwiZXBzaWxvbiI6MS41fSwiZGF0YXNldF9pZCI6ImhlYXJ"
    "0X2NsZXZlbGFuZCIsImxlZGdlciI6eyJlbnRyeV9oYXNoIjoiYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhY"
    "WFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYSIsImhlYWRfaGFzaCI6ImJiYmJiYmJiYmJiYmJ"
    "iYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmIiLCJyZWxlYXNlX2lkI"
    "joiNyJ9LCJsZWRnZXJfbW9kZSI6InByb2R1Y3Rpb24iLCJtZWNoYW5pc21zIjpbeyJlcHNpbG9uIjowLjI1LCJ"
    "sYWJlbCI6InN0cnVjdHVyZSIsIm1lY2hhbmlzbSI6ImV4cG9uZW50aWFsIn0seyJlcHNpbG9uIjowLjc1LCJsM"
    "V9zZW5zaXRpdml0eSI6MiwibGFiZWwiOiJtYXJnaW5hbHMiLCJtZWNoYW5pc20iOiJkaXNjcmV0ZV9sYXBsYWN"
    "lIn1dLCJuZWlnaGJvdXJpbmciOiJhZGQtb3ItcmVtb3ZlLWFsbC1yb3dzLW9mLW9uZS11bml0IiwicHJpdmFje"
    "V91bml0Ijp7ImNvbHVtbiI6InBhdGllbnRfaWQiLCJtYXhfcm93c19wZXJfdW5pdCI6Mn0sInB1cnBvc2UiOiJ"
    "1bml0IHRlc3QiLCJyYW5kb21uZXNzIjoic2VjdXJlIiwicmVnaXN0cmF0aW9uIjp7ImVudHJ5X2lkIjo2fSwic"
    "mVsZWFzZV9raW5kIjoic3ludGhldGljLXRhYmxlIiwicmVtYWluaW5nIjp7ImRlbHRhIjoxZS0wNiwiZXBzaWx"
    "vbiI6Mi41fSwicmVxdWVzdGVyIjoicmVzZWFyY2hlckBleGFtcGxlLm9yZyIsInNvZnR3YXJlIjp7ImNvbW1pd"
    "CI6IjAxMjM0NTY3ODlhYiIsIm5hbWUiOiJwcml2ZXQiLCJ2ZXJzaW9uIjoiMC4xLjAifSwidGltZSI6IjIwMjY"
    "tMTEtMjhUMDY6MDA6MDBaIn0sInByZWRpY2F0ZVR5cGUiOiJ1cm46cHJpdmV0OnJlbGVhc2U6djEiLCJzdWJqZ"
    "WN0IjpbeyJkaWdlc3QiOnsic2hhMjU2IjoiNDkyZDVlYTQ5NjA1NmYxYTZhNjU5MjI0MTAzMmZhYjc2NGMzMjE"
    "1OTYzMTc5MzBiNGZhMGUxZThiYzNiNzQ3MCJ9LCJuYW1lIjoic3ludGhldGljLmNzdiJ9XX0=\",\"payloadT"
    "ype\":\"application/vnd.in-toto+json\",\"signatures\":[{\"keyid\":\"06e3fd8fda29bb60ab"
    "59557de61edb0aecdb231134be30e75b455f8e1b792fa9\",\"sig\":\"yltgCzMBlnQKP8rGk3xXcw9FRSY"
    "v4hy4tWMGke2Sk6AyMt1C0tUqNNXroHXxwWzfXPgZqRw2KiKN1EUHpaa0BQ==\"}]}";

TEST_CASE("A fixed release signed with the RFC 8032 TEST 1 key gives pinned bytes") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const std::vector<Subject> subjects{{"synthetic.csv", Sha256Hex("a,b\n1,2\n")}};
  const std::string envelope = BuildAttestation(subjects, FixedRecord(), key);
  CHECK(envelope == kPinnedEnvelope);
  CHECK(BuildAttestation(subjects, FixedRecord(), key) == envelope);
  const Envelope parsed = ParseEnvelope(envelope);
  CHECK(VerifyEnvelope(parsed, key.Public()) == EnvelopeCheck::kValid);
}

TEST_CASE("WriteAttestation writes beside the files and never overwrites") {
  ScratchDir scratch;
  const std::filesystem::path out = scratch.path();
  WriteFile(out / "synthetic.csv", "a,b\n1,2\n");
  const SigningKey key = testing::Rfc8032Test1Key();
  const std::filesystem::path written =
      WriteAttestation(out, {out / "synthetic.csv"}, FixedRecord(), key);
  CHECK(written == out / kAttestationFileName);
  CHECK(ReadFile(written) ==
        BuildAttestation({{"synthetic.csv", Sha256Hex("a,b\n1,2\n")}}, FixedRecord(), key));
  CHECK_THROWS_WITH_AS(WriteAttestation(out, {out / "synthetic.csv"}, FixedRecord(), key),
                       doctest::Contains("never overwritten"), InputError);
}

TEST_CASE("An inconsistent record is never signed") {
  ScratchDir scratch;
  WriteFile(scratch.path() / "synthetic.csv", "x");
  ReleaseRecord record = FixedRecord();
  record.cumulative.epsilon = 10.0;
  CHECK_THROWS_AS(WriteAttestation(scratch.path(), {scratch.path() / "synthetic.csv"}, record,
                                   testing::Rfc8032Test1Key()),
                  InputError);
  CHECK_FALSE(std::filesystem::exists(scratch.path() / kAttestationFileName));
}

}  // namespace
}  // namespace privet::audit
