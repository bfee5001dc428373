// VerifyAttestation on real releases: a real ledger charge (privacy/ledger.h), real files,
// an attestation written through the release API, then one tampering per test case. Each
// tampering must fail a named check whose detail says what happened.
#include "audit/verify.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "audit/base64.h"
#include "audit/dsse.h"
#include "audit/release_attestation.h"
#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "privacy/sha256.h"
#include "tests/ledger_test_support.h"
#include "tests/unit/audit/audit_test_util.h"
#include "tests/unit/audit/keyed_ledger.h"

namespace privet::audit {
namespace {

using privet::testing::RegisteredRequest;
using testing::ReadFile;
using testing::ScratchDir;
using testing::WriteFile;

// One dataset with budget epsilon 3, delta 1e-6; each release charges a Laplace and an
// exponential-mechanism event and writes two files into its own directory.
struct Deployment : testing::KeyedLedger {
  // Releases into scratch/<name>/ and returns the attestation's path.
  std::filesystem::path Release(const std::string& name, const std::string& rows,
                                const std::string& purpose = "verification test") {
    privacy::BudgetLedger ledger = privacy::BudgetLedger::Open(ledger_path);
    privacy::ChargeRequest request =
        RegisteredRequest(ledger, "heart",
                          {privacy::PrivacyEvent::Exponential(0.25, "structure"),
                           privacy::PrivacyEvent::Laplace(0.5, "marginal(age,sex)")},
                          "synthesize");
    request.requester = "alice";
    request.purpose = purpose;
    const privacy::ChargeReceipt receipt = ledger.Charge(request);
    ReleaseRecord record = RecordFromCharge(request, receipt);
    record.kind = ReleaseKind::kSyntheticTable;
    record.unit_column = "patient_id";
    record.max_rows_per_unit = 3;
    const std::filesystem::path out = scratch.path() / name;
    std::filesystem::create_directories(out);
    WriteFile(out / "synthetic.csv", rows);
    WriteFile(out / "model.json", "{\"release\":\"" + name + "\"}");
    const std::filesystem::path attestation =
        WriteAttestation(out, {out / "synthetic.csv", out / "model.json"}, record, signing_key);
    ledger.RecordOutcome(receipt.release_id, "released");
    return attestation;
  }

  void Sql(const std::string& statement) const {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(ledger_path.c_str(), &db) == SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
    if (error) sqlite3_free(error);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
};

const VerificationCheck* FindCheck(const VerificationReport& report, const std::string& name) {
  for (const VerificationCheck& check : report.checks) {
    if (check.name == name) return &check;
  }
  return nullptr;
}

// Asserts the report failed, that `name` is among the failed checks, and its detail holds
// `cause`.
void ExpectFailure(const VerificationReport& report, const std::string& name,
                   const std::string& cause) {
  CAPTURE(report.ToText());
  CHECK_FALSE(report.ok());
  const VerificationCheck* check = FindCheck(report, name);
  REQUIRE(check != nullptr);
  CHECK_FALSE(check->passed);
  CHECK(check->detail.find(cause) != std::string::npos);
}

// Rewrites the envelope after `edit` changes its decoded form.
void EditEnvelope(const std::filesystem::path& path, const std::function<void(Envelope&)>& edit) {
  Envelope envelope = ParseEnvelope(ReadFile(path));
  edit(envelope);
  WriteFile(path, SerializeEnvelope(envelope));
}

TEST_CASE("A genuine release verifies, with and without the ledger") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "age,sex\n40,F\n");
  const VerificationReport report =
      VerifyAttestation(attestation, deployment.public_key, deployment.ledger_path);
  CAPTURE(report.ToText());
  CHECK(report.ok());
  CHECK(report.FirstFailure() == nullptr);
  for (const char* name :
       {"envelope", "key-id", "signature", "statement", "predicate", "consistency",
        "subject:synthetic.csv", "subject:model.json", "ledger-open", "ledger-entry",
        "ledger-entry-hash", "ledger-events", "ledger-cost", "ledger-head", "ledger-chain"}) {
    CAPTURE(name);
    const VerificationCheck* check = FindCheck(report, name);
    REQUIRE(check != nullptr);
    CHECK(check->passed);
  }
  REQUIRE(report.record.has_value());
  CHECK(report.record->dataset_id == "heart");
  CHECK(report.record->ledger->release_id == "release-4");
  CHECK(report.subjects.size() == 2);
  CHECK(VerifyAttestation(attestation, deployment.public_key, std::nullopt).ok());

  const std::string text = report.ToText();
  CHECK(text.find("synthetic-table of dataset \"heart\"") != std::string::npos);
  CHECK(text.find("requester:   alice") != std::string::npos);
  CHECK(text.find("result: VERIFIED") != std::string::npos);
  const nlohmann::json json = report.ToJson();
  CHECK(json["ok"] == true);
  CHECK(json["predicate"]["ledger"]["release_id"] == "release-4");
  CHECK(json["checks"].size() == report.checks.size());
}

TEST_CASE("Later releases verify against the same ledger, earlier ones still do") {
  Deployment deployment;
  const auto first = deployment.Release("r1", "a\n1\n");
  const auto second = deployment.Release("r2", "a\n2\n");
  CHECK(VerifyAttestation(first, deployment.public_key, deployment.ledger_path).ok());
  const VerificationReport report =
      VerifyAttestation(second, deployment.public_key, deployment.ledger_path);
  CHECK(report.ok());
  // Two releases of 0.75 each composed by the accountant: cumulative > cost.
  CHECK(report.record->cumulative.epsilon > report.record->cost.epsilon);
}

TEST_CASE("Tamper: a flipped byte in a released file") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "age,sex\n40,F\n");
  const auto csv = attestation.parent_path() / "synthetic.csv";
  std::string bytes = ReadFile(csv);
  bytes[4] = static_cast<char>(bytes[4] ^ 0x01);
  WriteFile(csv, bytes);
  ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt),
                "subject:synthetic.csv", "the file was changed or is not the one released");
}

TEST_CASE("Tamper: a flipped byte in the payload") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "x\n");
  EditEnvelope(attestation, [](Envelope& e) {
    const std::size_t at = e.payload.find("\"epsilon\":") + 10;
    e.payload[at] = static_cast<char>(e.payload[at] ^ 0x01);
  });
  const VerificationReport report =
      VerifyAttestation(attestation, deployment.public_key, std::nullopt);
  ExpectFailure(report, "signature", "the payload or the signature was altered");
  // Nothing from an unverified payload is reported as fact.
  CHECK_FALSE(report.record.has_value());
  CHECK(report.subjects.empty());
}

TEST_CASE("Tamper: a flipped byte in the signature, in the base64 text itself") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "x\n");
  std::string text = ReadFile(attestation);
  const std::size_t sig = text.find("\"sig\":\"") + 7;
  text[sig + 3] = text[sig + 3] == 'A' ? 'B' : 'A';
  WriteFile(attestation, text);
  ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt), "signature",
                "does not verify");
}

TEST_CASE("Tamper: another public key") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "x\n");
  ScratchDir other;
  const VerifyingKey stranger = LoadPublicKey(GenerateKeyPair(other.path()).public_key);
  ExpectFailure(VerifyAttestation(attestation, stranger, std::nullopt), "key-id",
                "no signature by key " + stranger.key_id());
  // Relabelling the signature with the stranger's key id does not help.
  EditEnvelope(attestation, [&](Envelope& e) { e.signatures[0].keyid = stranger.key_id(); });
  ExpectFailure(VerifyAttestation(attestation, stranger, std::nullopt), "signature",
                "does not verify");
}

TEST_CASE("Tamper: a subject removed") {
  Deployment deployment;
  SUBCASE("the file is absent") {
    const auto attestation = deployment.Release("r1", "x\n");
    std::filesystem::remove(attestation.parent_path() / "model.json");
    ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt),
                  "subject:model.json", "is missing");
  }
  SUBCASE("the subject list is edited") {
    const auto attestation = deployment.Release("r1", "x\n");
    EditEnvelope(attestation, [](Envelope& e) {
      nlohmann::json statement = nlohmann::json::parse(e.payload);
      statement["subject"].erase(1);
      e.payload = CanonicalJson(statement);
    });
    ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt), "signature",
                  "does not verify");
  }
}

TEST_CASE("Verification reads only regular files inside the release folder") {
  // Issue 13: `privet verify` followed a subject symlink to outside the release folder.
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "age,sex\n40,F\n");
  const std::filesystem::path folder = attestation.parent_path();
  std::filesystem::create_directories(deployment.scratch.path() / "elsewhere");
  const std::filesystem::path outside = deployment.scratch.path() / "elsewhere" / "synthetic.csv";
  std::filesystem::rename(folder / "synthetic.csv", outside);
  std::filesystem::create_symlink(outside, folder / "synthetic.csv");
  ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt),
                "subject:synthetic.csv", "is a symbolic link");
  // The same bytes named on the command line are the user's choice, and verify.
  CHECK(VerifyAttestation(attestation, deployment.public_key, std::nullopt, {outside}).ok());

  // A FIFO (or a device) in the release folder is not read: it might never end.
  std::filesystem::remove(folder / "synthetic.csv");
  REQUIRE(::mkfifo((folder / "synthetic.csv").c_str(), 0600) == 0);
  ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt),
                "subject:synthetic.csv", "is not a regular file");
}

TEST_CASE("Tamper: the release's ledger entry deleted") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "x\n");
  deployment.Sql("DELETE FROM entries WHERE release_id = 'release-4' AND type = 'charge'");
  const VerificationReport report =
      VerifyAttestation(attestation, deployment.public_key, deployment.ledger_path);
  ExpectFailure(report, "ledger-entry", "is not in the ledger");
  ExpectFailure(report, "ledger-chain", "history was deleted");
  // Without the ledger the attestation alone still verifies: the ledger adds evidence.
  CHECK(VerifyAttestation(attestation, deployment.public_key, std::nullopt).ok());
}

TEST_CASE("Tamper: the release's ledger entry edited") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "x\n");
  SUBCASE("content edited, hash left alone") {
    deployment.Sql(
        "UPDATE entries SET body = replace(body, '\"requester\":\"alice\"', "
        "'\"requester\":\"mallory\"') WHERE release_id = 'release-4' AND "
        "type = 'charge'");
    const VerificationReport report =
        VerifyAttestation(attestation, deployment.public_key, deployment.ledger_path);
    ExpectFailure(report, "ledger-entry", "cannot be trusted");
    ExpectFailure(report, "ledger-chain", "does not match its hash");
  }
  SUBCASE("stored hash replaced") {
    deployment.Sql("UPDATE entries SET entry_hash = '" + std::string(64, 'f') +
                   "' WHERE release_id = 'release-4' AND type = 'charge'");
    const VerificationReport report =
        VerifyAttestation(attestation, deployment.public_key, deployment.ledger_path);
    ExpectFailure(report, "ledger-entry", "cannot be trusted");
    ExpectFailure(report, "ledger-chain", "at or before this release");
  }
  SUBCASE("the ledger rebuilt with a self-consistent but different history") {
    // An operator who re-creates the ledger with any other content (every hash recomputed)
    // cannot match the entry hash and head the attestation signed. (The same content in the
    // same second would hash alike: entries hold no randomness, by design.)
    Deployment rebuilt;
    rebuilt.Release("forged", "x\n", "a purpose nobody approved");
    const VerificationReport report =
        VerifyAttestation(attestation, deployment.public_key, rebuilt.ledger_path);
    ExpectFailure(report, "ledger-entry-hash", "the entry was edited after the release");
    ExpectFailure(report, "ledger-head", "is no entry of the ledger");
  }
  SUBCASE("a later entry edited: this release's history stays intact, the break is named") {
    const auto later = deployment.Release("r2", "y\n");
    (void)later;
    deployment.Sql(
        "UPDATE entries SET body = replace(body, '\"requester\":\"alice\"', "
        "'\"requester\":\"eve\"') WHERE release_id = 'release-6' AND "
        "type = 'charge'");
    const VerificationReport report =
        VerifyAttestation(attestation, deployment.public_key, deployment.ledger_path);
    const VerificationCheck* chain = FindCheck(report, "ledger-chain");
    REQUIRE(chain != nullptr);
    CHECK(chain->passed);
    CHECK(chain->detail.find("later history is broken") != std::string::npos);
  }
}

TEST_CASE("Tamper: a replayed attestation presented with another release's files") {
  Deployment deployment;
  const auto first = deployment.Release("r1", "a\n1\n");
  const auto second = deployment.Release("r2", "a\n2\n");
  const auto other_dir = second.parent_path();
  SUBCASE("the other release's files under the same names") {
    ExpectFailure(VerifyAttestation(first, deployment.public_key, deployment.ledger_path,
                                    {other_dir / "synthetic.csv", other_dir / "model.json"}),
                  "subject:synthetic.csv", "is not the one released");
  }
  SUBCASE("the attestation copied beside the other release's files") {
    const auto copied = other_dir / "replayed.dsse.json";
    std::filesystem::copy_file(first, copied);
    ExpectFailure(VerifyAttestation(copied, deployment.public_key, deployment.ledger_path),
                  "subject:model.json", "is not the one released");
  }
  SUBCASE("a file that is no subject") {
    WriteFile(other_dir / "extra.csv", "z\n");
    ExpectFailure(
        VerifyAttestation(first, deployment.public_key, std::nullopt, {other_dir / "extra.csv"}),
        "extra-file:extra.csv", "is not a subject of this attestation");
  }
}

TEST_CASE("A validly signed but inconsistent or mismatched predicate is caught") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "x\n");
  const auto resign = [&](const std::function<void(nlohmann::json&)>& edit) {
    Envelope envelope = ParseEnvelope(ReadFile(attestation));
    nlohmann::json statement = nlohmann::json::parse(envelope.payload);
    edit(statement["predicate"]);
    WriteFile(attestation,
              SerializeEnvelope(SignEnvelope(kInTotoPayloadType, CanonicalJson(statement),
                                             deployment.signing_key)));
  };
  SUBCASE("cumulative spend above the budget") {
    resign([](nlohmann::json& p) { p["cumulative_spend"]["epsilon"] = 7.0; });
    ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt),
                  "consistency", "cumulative spend exceeds the budget");
  }
  SUBCASE("remaining not budget - cumulative") {
    resign([](nlohmann::json& p) { p["remaining"]["epsilon"] = 2.9; });
    ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt),
                  "consistency", "remaining");
  }
  SUBCASE("a cost the ledger did not charge") {
    resign([](nlohmann::json& p) { p["cost"]["epsilon"] = 0.1; });
    ExpectFailure(VerifyAttestation(attestation, deployment.public_key, deployment.ledger_path),
                  "ledger-cost", "cost: ledger");
  }
  SUBCASE("a mechanism list the ledger did not record") {
    resign([](nlohmann::json& p) { p["mechanisms"].erase(0); });
    ExpectFailure(VerifyAttestation(attestation, deployment.public_key, deployment.ledger_path),
                  "ledger-events", "differ from the ledger");
  }
  SUBCASE("another predicate type") {
    Envelope envelope = ParseEnvelope(ReadFile(attestation));
    nlohmann::json statement = nlohmann::json::parse(envelope.payload);
    statement["predicateType"] = "https://slsa.dev/provenance/v1";
    WriteFile(attestation,
              SerializeEnvelope(SignEnvelope(kInTotoPayloadType, CanonicalJson(statement),
                                             deployment.signing_key)));
    ExpectFailure(VerifyAttestation(attestation, deployment.public_key, std::nullopt), "predicate",
                  "expected urn:privet:release:v1");
  }
}

TEST_CASE("A model sample verifies against its parent's ledger entry") {
  Deployment deployment;
  const auto parent_attestation = deployment.Release("r1", "x\n");
  const ReleaseRecord parent =
      *VerifyAttestation(parent_attestation, deployment.public_key, std::nullopt).record;
  const auto make_sample = [&](const std::string& name, const std::string& parent_release) {
    ReleaseRecord sample = parent;
    sample.kind = ReleaseKind::kModelSample;
    sample.mechanisms = nlohmann::json::array();
    sample.cost = {0.0, 0.0};
    sample.ledger.reset();
    sample.parent = ParentRelease{parent_release, "model.json",
                                  Sha256FileHex(parent_attestation.parent_path() / "model.json"),
                                  Sha256FileHex(parent_attestation)};
    const auto out = deployment.scratch.path() / name;
    std::filesystem::create_directories(out);
    WriteFile(out / "synthetic.csv", "sampled\n");
    return WriteAttestation(out, {out / "synthetic.csv"}, sample, deployment.signing_key);
  };
  const VerificationReport good = VerifyAttestation(make_sample("s1", "release-4"),
                                                    deployment.public_key, deployment.ledger_path);
  CAPTURE(good.ToText());
  CHECK(good.ok());
  CHECK(good.ToText().find("sampled from: model.json") != std::string::npos);
  // The JSON report carries the predicate exactly as signed.
  CHECK(good.ToJson()["predicate"]["parent"]["release_id"] == "release-4");
  CHECK(good.ToJson()["predicate"]["cost"]["epsilon"] == 0.0);

  ExpectFailure(VerifyAttestation(make_sample("s2", "release-99"), deployment.public_key,
                                  deployment.ledger_path),
                "ledger-entry", "parent release release-99 is not in the ledger");
}

TEST_CASE("Unreadable inputs are failed checks, not crashes") {
  Deployment deployment;
  const auto attestation = deployment.Release("r1", "x\n");
  ExpectFailure(VerifyAttestation(deployment.scratch.path() / "none.json", deployment.public_key,
                                  std::nullopt),
                "envelope", "cannot read");
  WriteFile(deployment.scratch.path() / "junk.json", "{not json");
  ExpectFailure(VerifyAttestation(deployment.scratch.path() / "junk.json", deployment.public_key,
                                  std::nullopt),
                "envelope", "not JSON");
  ExpectFailure(VerifyAttestation(attestation, deployment.public_key,
                                  deployment.scratch.path() / "no-ledger.db"),
                "ledger-open", "no-ledger.db");
  CHECK_FALSE(std::filesystem::exists(deployment.scratch.path() / "no-ledger.db"));
}

}  // namespace
}  // namespace privet::audit
