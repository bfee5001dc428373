// The six rewrites of issue 13, each made as an attacker holding the ledger file would make it
// (tests/ledger_rewrite.h: every hash of the chain recomputed, so the chain check passes), and
// which attestation issued before the rewrite detects it through "ledger-consistency" (an RFC
// 9162 consistency proof from the attestation's signed tree head to the rewritten ledger's
// tree). docs/auditor.md, "Which party detects which rewrite", states the same table.
#include "tests/ledger_rewrite.h"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <array>
#include <string>
#include <vector>

#include "audit/ledger_tree.h"
#include "audit/release_attestation.h"
#include "audit/verify.h"
#include "privacy/ledger.h"
#include "tests/ledger_test_support.h"
#include "tests/unit/audit/audit_test_util.h"
#include "tests/unit/audit/keyed_ledger.h"

namespace privet::audit {
namespace {

using privet::testing::RegisteredRequest;
using privet::testing::RewriteLedger;
using testing::WriteFile;

// Dataset "heart", budget epsilon 3 at delta 1e-6: entries 1 ledger_init, 2 dataset_init,
// 3 registration, then three releases, each a charge (4, 6, 8) and its outcome (5, 7, 9).
struct History : testing::KeyedLedger {
  std::vector<std::filesystem::path> attestations;
  SignedTreeHead published;  // `privet ledger head --signed` after the last outcome

  History() {
    privacy::BudgetLedger ledger = privacy::BudgetLedger::Open(ledger_path);
    for (int i = 1; i <= 3; ++i) {
      privacy::ChargeRequest request =
          RegisteredRequest(ledger, "heart",
                            {privacy::PrivacyEvent::Gaussian(10.0, 1.0, "marginal(age)"),
                             privacy::PrivacyEvent::Laplace(0.25, "marginal(sex)")},
                            "synthesize");
      const privacy::ChargeReceipt receipt = ledger.Charge(request);
      ReleaseRecord record = RecordFromCharge(request, receipt, signing_key);
      record.kind = ReleaseKind::kSyntheticTable;
      const std::filesystem::path out = scratch.path() / ("r" + std::to_string(i));
      std::filesystem::create_directories(out);
      WriteFile(out / "synthetic.csv", "age,sex\n" + std::to_string(40 + i) + ",F\n");
      attestations.push_back(WriteAttestation(out, {out / "synthetic.csv"}, record, signing_key));
      ledger.RecordOutcome(receipt.release_id, "released");
    }
    published = SignLedgerHead(ledger, signing_key, "2026-01-01T00:00:00Z");
    REQUIRE(published.tree_size == 9);
  }

  // Whether each attestation's "ledger-consistency" check passes against the ledger now; the
  // chain check must pass (the rewrite recomputed it).
  std::array<bool, 3> Consistent() const {
    std::array<bool, 3> consistent{};
    for (std::size_t i = 0; i < attestations.size(); ++i) {
      const VerificationReport report = VerifyAttestation(attestations[i], public_key, ledger_path);
      CAPTURE(report.ToText());
      bool found = false;
      for (const VerificationCheck& check : report.checks) {
        if (check.name == "ledger-chain") CHECK(check.passed);
        if (check.name == "tree-inclusion") CHECK(check.passed);
        if (check.name == "ledger-consistency") {
          found = true;
          consistent[i] = check.passed;
        }
      }
      CHECK(found);
    }
    return consistent;
  }

  bool PublishedHeadConsistent() const {
    const auto ledger =
        privacy::BudgetLedger::Open(ledger_path, privacy::LedgerOpenMode::kReadOnly);
    return CheckTreeConsistency(ledger, published).ok;
  }

  bool ChainVerifies() const {
    return privacy::BudgetLedger::Open(ledger_path, privacy::LedgerOpenMode::kReadOnly)
        .VerifyChain()
        .ok;
  }
};

bool IsCharge(const nlohmann::json& body) { return body.value("type", "") == "charge"; }

TEST_CASE("Before any rewrite every attestation and the published head are consistent") {
  History history;
  CHECK(history.ChainVerifies());
  CHECK(history.Consistent() == std::array<bool, 3>{true, true, true});
  CHECK(history.PublishedHeadConsistent());
  for (const auto& attestation : history.attestations) {
    CHECK(VerifyAttestation(attestation, history.public_key, history.ledger_path).ok());
  }
}

TEST_CASE("Rewrite 1: sigmas raised 10^4-fold, detected by every attestation") {
  History history;
  RewriteLedger(history.ledger_path, [](nlohmann::json& body) {
    if (IsCharge(body)) {
      for (auto& event : body["events"]) {
        if (event.contains("sigma")) event["sigma"] = event["sigma"].get<double>() * 1e4;
      }
    }
    return true;
  });
  REQUIRE(history.ChainVerifies());
  CHECK(history.Consistent() == std::array<bool, 3>{false, false, false});
  CHECK_FALSE(history.PublishedHeadConsistent());
}

TEST_CASE("Rewrite 2: the newest charge deleted, detected by that release's attestation") {
  History history;
  RewriteLedger(history.ledger_path,
                [](nlohmann::json& body) { return body.value("release_id", "") != "release-8"; });
  REQUIRE(history.ChainVerifies());
  // Releases 4 and 6 are attested by heads of 4 and 6 entries, which the deletion leaves
  // intact: only the deleted release's own attestation (and any later head) covers it.
  CHECK(history.Consistent() == std::array<bool, 3>{true, true, false});
  CHECK_FALSE(history.PublishedHeadConsistent());
}

TEST_CASE("Rewrite 3: the budget raised from 3 to 30, detected by every attestation") {
  History history;
  RewriteLedger(history.ledger_path, [](nlohmann::json& body) {
    if (body.contains("budget")) body["budget"]["epsilon"] = 30.0;
    return true;
  });
  REQUIRE(history.ChainVerifies());
  CHECK(history.Consistent() == std::array<bool, 3>{false, false, false});
  CHECK_FALSE(history.PublishedHeadConsistent());
}

TEST_CASE("Rewrite 4: all charges lowered, detected by every attestation") {
  History history;
  RewriteLedger(history.ledger_path, [](nlohmann::json& body) {
    if (IsCharge(body)) {
      for (auto& event : body["events"]) {
        if (event.contains("epsilon")) event["epsilon"] = 0.01;
      }
      body["cost"]["epsilon"] = body["cost"]["epsilon"].get<double>() / 10;
      body["cumulative"]["epsilon"] = body["cumulative"]["epsilon"].get<double>() / 10;
    }
    return true;
  });
  REQUIRE(history.ChainVerifies());
  CHECK(history.Consistent() == std::array<bool, 3>{false, false, false});
  CHECK_FALSE(history.PublishedHeadConsistent());
}

TEST_CASE(
    "Rewrite 5: one entry edited, every later hash recomputed: detected by the heads "
    "that cover it") {
  History history;
  // Entry 6 is release-6's charge: the heads of sizes 6 and 8 cover it, the head of size 4
  // does not (its tree is the first 4 entries, untouched).
  RewriteLedger(history.ledger_path, [](nlohmann::json& body) {
    if (body.value("entry_id", 0) == 6) body["purpose"] = "an innocent purpose";
    return true;
  });
  REQUIRE(history.ChainVerifies());
  CHECK(history.Consistent() == std::array<bool, 3>{true, false, false});
  CHECK_FALSE(history.PublishedHeadConsistent());
}

TEST_CASE("Rewrite 6: the newest outcome deleted: no attestation covers it, a later head does") {
  History history;
  RewriteLedger(history.ledger_path, [](nlohmann::json& body) {
    return body.value("entry_id", 0) != 9;  // release-8's "released" outcome
  });
  REQUIRE(history.ChainVerifies());
  // The design's limit (docs/auditor.md): an outcome is written after its release's tree
  // head was signed, so no attestation covers the newest outcome; a signed head published
  // after it (`privet ledger head --signed`) does.
  CHECK(history.Consistent() == std::array<bool, 3>{true, true, true});
  CHECK_FALSE(history.PublishedHeadConsistent());
}

TEST_CASE("A break after a head leaves that head checkable; a break it covers fails it") {
  History history;
  // Entry 9 edited with the sqlite3 tool and no hash recomputed: the chain breaks at 9.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(history.ledger_path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "UPDATE entries SET body = replace(body, 'released', 'failed') "
                       "WHERE entry_id = 9",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  REQUIRE_FALSE(history.ChainVerifies());
  const auto ledger =
      privacy::BudgetLedger::Open(history.ledger_path, privacy::LedgerOpenMode::kReadOnly);
  const VerificationReport report =
      VerifyAttestation(history.attestations[2], history.public_key, history.ledger_path);
  bool found = false;
  for (const VerificationCheck& check : report.checks) {
    if (check.name == "ledger-consistency") {
      found = true;
      CHECK(check.passed);
      CHECK(check.detail.find("later history is broken") != std::string::npos);
    }
  }
  CHECK(found);
  const TreeConsistency published = CheckTreeConsistency(ledger, history.published);
  CHECK_FALSE(published.ok);
  CHECK(published.detail.find("do not verify") != std::string::npos);
}

TEST_CASE("A tampered tree head or inclusion proof fails verification without the ledger") {
  History history;
  const std::filesystem::path attestation = history.attestations[1];
  SUBCASE("the head's root changed, the envelope re-signed by the same key") {
    // Whoever holds the key can sign anything; what they cannot do is make the head agree
    // with a ledger that no longer holds the entries: the attested entry must be in it.
    privacy::BudgetLedger ledger = privacy::BudgetLedger::Open(history.ledger_path);
    privacy::ChargeRequest request = RegisteredRequest(
        ledger, "heart", {privacy::PrivacyEvent::Laplace(0.1, "marginal(age)")}, "marginal");
    const privacy::ChargeReceipt receipt = ledger.Charge(request);
    ReleaseRecord record = RecordFromCharge(request, receipt, history.signing_key);
    record.ledger->inclusion_proof->hashes.front()[0] ^= 1;
    const std::filesystem::path out = history.scratch.path() / "bad";
    std::filesystem::create_directories(out);
    WriteFile(out / "synthetic.csv", "age\n1\n");
    const auto bad = WriteAttestation(out, {out / "synthetic.csv"}, record, history.signing_key);
    const VerificationReport report = VerifyAttestation(bad, history.public_key, std::nullopt);
    CHECK_FALSE(report.ok());
    bool failed = false;
    for (const auto& check : report.checks) {
      if (check.name == "tree-inclusion") failed = !check.passed;
    }
    CHECK(failed);
  }
  SUBCASE("an attestation verifies its tree without the ledger") {
    const VerificationReport report =
        VerifyAttestation(attestation, history.public_key, std::nullopt);
    CAPTURE(report.ToText());
    CHECK(report.ok());
    int tree_checks = 0;
    for (const auto& check : report.checks) {
      if (check.name.rfind("tree-", 0) == 0) tree_checks += check.passed ? 1 : 0;
    }
    CHECK(tree_checks == 3);
  }
}

}  // namespace
}  // namespace privet::audit
