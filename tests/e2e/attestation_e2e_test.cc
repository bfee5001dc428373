// End to end, through the real binary: `privet keygen` makes the key, a release is charged
// to a real ledger and attested with it (through the same audit API the release commands
// use), then `privet verify` and the openssl-only script (attestation_openssl_verify.sh)
// must accept it, and reject every tampered copy with the right exit code and cause.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "audit/base64.h"
#include "audit/dsse.h"
#include "audit/keys.h"
#include "audit/release_attestation.h"
#include "audit/verify.h"
#include "tests/ledger_test_support.h"
#include "privacy/canonical_json.h"
#include "privacy/ledger.h"
#include "tests/unit/audit/audit_test_util.h"

namespace privet::audit {
namespace {

using testing::FencedBlockAfter;
using testing::ReadFile;
using testing::ScratchDir;
using testing::WriteFile;

const std::string kOpensslScript =
    std::string(PRIVET_SOURCE_DIR) + "/tests/e2e/attestation_openssl_verify.sh";
const std::string kLedgerScript =
    std::string(PRIVET_SOURCE_DIR) + "/tests/e2e/attestation_ledger_verify.py";

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Runs a shell command line, capturing stdout and stderr into files under `scratch`.
Outcome Run(const ScratchDir& scratch, const std::string& command) {
  const auto out = scratch.path() / "stdout.txt";
  const auto err = scratch.path() / "stderr.txt";
  const int status =
      std::system((command + " >" + Quote(out.string()) + " 2>" + Quote(err.string())).c_str());
  Outcome outcome;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.out = ReadFile(out);
  outcome.err = ReadFile(err);
  return outcome;
}

Outcome Privet(const ScratchDir& scratch, const std::string& arguments) {
  return Run(scratch, Quote(PRIVET_BINARY) + " " + arguments);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Release {
  ScratchDir scratch;
  std::filesystem::path keys = scratch.path() / "keys";
  std::filesystem::path ledger = scratch.path() / "ledger.db";
  std::filesystem::path out = scratch.path() / "release";
  std::filesystem::path attestation;
  std::string public_key;

  Release() {
    const Outcome keygen = Privet(scratch, "keygen --out " + Quote(keys.string()));
    REQUIRE(keygen.exit_code == 0);
    public_key = (keys / kPublicKeyFileName).string();
    privacy::BudgetLedger book = privacy::BudgetLedger::Open(ledger);
    privet::testing::RegisterForTest(book, "covid_testing", {2.0, 1e-6, 1.5});
    privacy::ChargeRequest request = privet::testing::RegisteredRequest(
        book, "covid_testing", {privacy::PrivacyEvent::Gaussian(4.0, 1.0, "marginal(age,result)")});
    request.requester = "bob";
    request.purpose = "e2e";
    const privacy::ChargeReceipt receipt = book.Charge(request);
    ReleaseRecord record = RecordFromCharge(request, receipt);
    record.kind = ReleaseKind::kNoisyMarginal;
    std::filesystem::create_directories(out);
    WriteFile(out / "marginal.csv", "age,result,count\n30,neg,17\n");
    attestation = WriteAttestation(out, {out / "marginal.csv"}, record,
                                   LoadReleaseSigningKey(keys / kPrivateKeyFileName));
  }

  std::string Verify(const std::string& extra = "") const {
    return "verify " + Quote(attestation.string()) + " --key " + Quote(public_key) + extra;
  }
};

TEST_CASE("privet keygen writes a 0600 key, prints its id, and refuses to overwrite") {
  ScratchDir scratch;
  const auto dir = scratch.path() / "k";
  const Outcome first = Privet(scratch, "keygen --out " + Quote(dir.string()));
  CHECK(first.exit_code == 0);
  const VerifyingKey key = LoadPublicKey(dir / kPublicKeyFileName);
  CHECK(Contains(first.out, "key id:      " + key.key_id()));
  CHECK(Contains(first.out, (dir / kPrivateKeyFileName).string()));
  struct stat info {};
  REQUIRE(::stat((dir / kPrivateKeyFileName).c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  const Outcome second = Privet(scratch, "keygen --out " + Quote(dir.string()));
  CHECK(second.exit_code == 3);  // InputError
  CHECK(Contains(second.err, "already exists"));
  CHECK(LoadPublicKey(dir / kPublicKeyFileName).key_id() == key.key_id());
}

TEST_CASE("privet verify and openssl both accept a genuine release") {
  Release release;
  const Outcome verified =
      Privet(release.scratch, release.Verify(" --ledger " + Quote(release.ledger.string())));
  CAPTURE(verified.out);
  CAPTURE(verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(Contains(verified.out, "noisy-marginal of dataset \"covid_testing\""));
  CHECK(Contains(verified.out, "requester:   bob"));
  CHECK(Contains(verified.out, "OK     ledger-chain"));
  CHECK(Contains(verified.out, "result: VERIFIED"));
  CHECK(verified.err.empty());

  const Outcome json = Privet(release.scratch, release.Verify(" --json"));
  CHECK(json.exit_code == 0);
  const nlohmann::json report = nlohmann::json::parse(json.out);
  CHECK(report["ok"] == true);
  CHECK(report["predicate"]["release_kind"] == "noisy-marginal");

  const Outcome openssl = Run(release.scratch, "bash " + Quote(kOpensslScript) + " " +
                                                   Quote(release.attestation.string()) + " " +
                                                   Quote(release.public_key));
  CAPTURE(openssl.err);
  CHECK(openssl.exit_code == 0);
  CHECK(Contains(openssl.out, "Signature Verified Successfully"));
  CHECK(Contains(openssl.out, "OK marginal.csv sha256"));

  const Outcome ledger = Run(release.scratch, "python3 " + Quote(kLedgerScript) + " " +
                                                  Quote(release.attestation.string()) + " " +
                                                  Quote(release.ledger.string()));
  CAPTURE(ledger.err);
  CHECK(ledger.exit_code == 0);
  CHECK(Contains(ledger.out, "hash chain intact"));
}

TEST_CASE("privet verify exits 5 naming the cause; openssl rejects signature tampering") {
  Release release;
  const auto openssl = [&]() {
    return Run(release.scratch, "bash " + Quote(kOpensslScript) + " " +
                                    Quote(release.attestation.string()) + " " +
                                    Quote(release.public_key))
        .exit_code;
  };
  const std::string original = ReadFile(release.attestation);

  SUBCASE("a flipped byte in the released file") {
    std::string csv = ReadFile(release.out / "marginal.csv");
    csv[csv.size() - 2] = '8';
    WriteFile(release.out / "marginal.csv", csv);
    const Outcome outcome = Privet(release.scratch, release.Verify());
    CHECK(outcome.exit_code == 5);
    CHECK(Contains(outcome.err, "subject:marginal.csv"));
    CHECK(Contains(outcome.err, "not the one released"));
    CHECK(Contains(outcome.out, "FAILED subject:marginal.csv"));
    CHECK(openssl() == 1);  // the signature is intact, the subject digest is not
  }
  SUBCASE("a flipped byte in the payload") {
    Envelope envelope = ParseEnvelope(original);
    const std::size_t at = envelope.payload.find("bob");
    envelope.payload[at] = 'B';
    WriteFile(release.attestation, SerializeEnvelope(envelope));
    const Outcome outcome = Privet(release.scratch, release.Verify());
    CHECK(outcome.exit_code == 5);
    CHECK(Contains(outcome.err, "signature"));
    CHECK(Contains(outcome.err, "payload or the signature was altered"));
    CHECK(openssl() == 1);
  }
  SUBCASE("a flipped byte in the signature") {
    Envelope envelope = ParseEnvelope(original);
    envelope.signatures[0].signature[10] ^= 0x40;
    WriteFile(release.attestation, SerializeEnvelope(envelope));
    const Outcome outcome = Privet(release.scratch, release.Verify());
    CHECK(outcome.exit_code == 5);
    CHECK(Contains(outcome.err, "signature"));
    CHECK(openssl() == 1);
  }
  SUBCASE("another key") {
    const Outcome keygen =
        Privet(release.scratch, "keygen --out " + Quote((release.scratch.path() / "k2").string()));
    REQUIRE(keygen.exit_code == 0);
    release.public_key = (release.scratch.path() / "k2" / kPublicKeyFileName).string();
    const Outcome outcome = Privet(release.scratch, release.Verify());
    CHECK(outcome.exit_code == 5);
    CHECK(Contains(outcome.err, "key-id"));
    CHECK(openssl() == 1);
  }
  SUBCASE("the ledger entry deleted") {
    const Outcome outcome =
        Run(release.scratch, "python3 -c " +
                                 Quote("import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                                       "c.execute(\"DELETE FROM entries WHERE type='charge'\"); "
                                       "c.commit()") +
                                 " " + Quote(release.ledger.string()));
    REQUIRE(outcome.exit_code == 0);
    const Outcome verified =
        Privet(release.scratch, release.Verify(" --ledger " + Quote(release.ledger.string())));
    CHECK(verified.exit_code == 5);
    CHECK(Contains(verified.err, "ledger-entry"));
    CHECK(Contains(verified.err, "deleted"));
    const Outcome independent = Run(release.scratch, "python3 " + Quote(kLedgerScript) + " " +
                                                         Quote(release.attestation.string()) + " " +
                                                         Quote(release.ledger.string()));
    CHECK(independent.exit_code == 1);
    CHECK(Contains(independent.err, "release-4 has no intact charge entry"));
  }
  SUBCASE("missing public key file is an input problem, not a verification result") {
    release.public_key = (release.scratch.path() / "absent.pub").string();
    const Outcome outcome = Privet(release.scratch, release.Verify());
    CHECK(outcome.exit_code == 7);  // StorageError: cannot open
    CHECK(Contains(outcome.err, "absent.pub"));
  }
}

TEST_CASE("The complete example in docs/attestation.md is a genuine, verifying envelope") {
  ScratchDir scratch;
  const std::string doc = ReadFile(std::string(PRIVET_SOURCE_DIR) + "/docs/attestation.md");
  WriteFile(scratch.path() / "example.pub", FencedBlockAfter(doc, "<!-- example-public-key -->"));
  std::string envelope;
  for (char c : FencedBlockAfter(doc, "<!-- example-envelope -->")) {
    if (c != '\n') envelope += c;  // the page wraps the one-line file at 100 characters
  }
  WriteFile(scratch.path() / "attestation.dsse.json", envelope);
  const VerificationReport report =
      VerifyAttestation(scratch.path() / "attestation.dsse.json",
                        LoadPublicKey(scratch.path() / "example.pub"), std::nullopt);
  CAPTURE(report.ToText());
  for (const char* name :
       {"envelope", "key-id", "signature", "statement", "predicate", "consistency"}) {
    CAPTURE(name);
    bool passed = false;
    for (const auto& check : report.checks) passed |= check.name == name && check.passed;
    CHECK(passed);
  }
  // The released files are not in the docs, so only the subject checks fail.
  for (const auto& check : report.checks) {
    if (!check.passed) CHECK(check.name.rfind("subject:", 0) == 0);
  }
}

TEST_CASE("privet verify without --key is a usage error") {
  Release release;
  const Outcome outcome = Privet(release.scratch, "verify " + Quote(release.attestation.string()));
  CHECK(outcome.exit_code == 2);
}

}  // namespace
}  // namespace privet::audit
