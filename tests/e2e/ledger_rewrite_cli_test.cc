// The six rewrites of issue 13 against real releases made by `privet synthesize`, each made as
// an attacker holding the ledger file would (tests/ledger_rewrite.h recomputes every hash, so
// `privet ledger verify` still passes), and detected, or not, exactly as docs/auditor.md
// "Which party detects which rewrite" says, by `privet ledger consistency --from` an
// attestation issued before the rewrite or a head kept from `privet ledger head --signed`, and
// by `privet verify --ledger` (check "ledger-consistency").
#include <doctest/doctest.h>

#include <array>
#include <fstream>
#include <string>

#include "tests/e2e/ledger_e2e_support.h"
#include "tests/ledger_rewrite.h"

namespace privet::e2e {
namespace {

const std::string kConfig = std::string(PRIVET_SOURCE_DIR) + "/configs/covid_testing.json";

// Entries: 1 ledger_init, 2 dataset_init, 3 registration, release-4 (charge 4, outcome 5),
// release-6 (charge 6, outcome 7); head.json is the signed head of all 7 entries.
struct Releases {
  ScratchDir dir;
  fs::path ledger = dir / "ledger.db";

  Releases() {
    const auto keys = Privet(dir.path(), {"keygen", "--out", "keys"});
    REQUIRE_MESSAGE(keys.exit_code == 0, keys.err);
    const auto registered =
        Privet(dir.path(), {"dataset", "register", "--config", kConfig, "--epsilon", "3", "--delta",
                            "1e-6", "--owner", "officer", "--ledger", ledger.string()});
    REQUIRE_MESSAGE(registered.exit_code == 0, registered.err);
    for (const char* out : {"r1", "r2"}) {
      const auto released =
          Privet(dir.path(), {"synthesize", "--config", kConfig, "--epsilon", "1", "--purpose",
                              "rewrite test", "--key", "keys/privet-signing.key", "--out", out,
                              "--quiet", "--ledger", ledger.string()});
      REQUIRE_MESSAGE(released.exit_code == 0, released.err);
    }
    const auto head = Privet(dir.path(), {"ledger", "head", "--signed", "--key",
                                          "keys/privet-signing.key", "--ledger", ledger.string()});
    REQUIRE_MESSAGE(head.exit_code == 0, head.err);
    std::ofstream(dir / "head.json") << head.out;
    REQUIRE(head.out.find("\"tree_size\": 7") != std::string::npos);
  }

  CommandResult Consistency(const std::string& from) const {
    return Privet(dir.path(), {"ledger", "consistency", "--from", from, "--key",
                               "keys/privet-signing.pub", "--ledger", ledger.string()});
  }

  // {r1's attestation, r2's attestation, head.json}: true where consistent (exit 0), false
  // where `ledger consistency` reports INCONSISTENT (exit 5). verify --ledger must agree.
  std::array<bool, 3> Consistent() const {
    std::array<bool, 3> result{};
    const std::array<std::string, 3> sources = {"r1/attestation.dsse.json",
                                                "r2/attestation.dsse.json", "head.json"};
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const CommandResult check = Consistency(sources[i]);
      CAPTURE(sources[i]);
      CAPTURE(check.out);
      CAPTURE(check.err);
      CHECK((check.exit_code == 0 || check.exit_code == 5));
      result[i] = check.exit_code == 0;
      CHECK(check.out.find(result[i] ? "CONSISTENT" : "INCONSISTENT") != std::string::npos);
      if (i < 2) {
        const CommandResult verify =
            Privet(dir.path(), {"verify", sources[i], "--key", "keys/privet-signing.pub",
                                "--ledger", ledger.string()});
        const bool flagged = verify.out.find("FAILED ledger-consistency") != std::string::npos;
        CHECK(flagged == !result[i]);
      }
    }
    return result;
  }

  bool ChainVerifies() const {
    return Privet(dir.path(), {"ledger", "verify", "--ledger", ledger.string()}).exit_code == 0;
  }
};

bool IsCharge(const nlohmann::json& body) { return body.value("type", "") == "charge"; }

TEST_CASE("Rewrites that recompute the chain pass `ledger verify` and fail the kept heads") {
  struct Case {
    const char* name;
    testing::EntryEdit edit;
    std::array<bool, 3> consistent;  // r1 (head 4), r2 (head 6), head.json (head 7)
  };
  const Case cases[] = {
      {"sigmas raised 10^4-fold",
       [](nlohmann::json& body) {
         if (IsCharge(body)) {
           for (auto& event : body["events"]) {
             if (event.contains("sigma")) event["sigma"] = event["sigma"].get<double>() * 1e4;
           }
         }
         return true;
       },
       {false, false, false}},
      {"newest charge deleted",
       [](nlohmann::json& body) { return body.value("release_id", "") != "release-6"; },
       {true, false, false}},
      {"budget raised from 3 to 30",
       [](nlohmann::json& body) {
         if (body.contains("budget")) body["budget"]["epsilon"] = 30.0;
         return true;
       },
       {false, false, false}},
      {"all charges lowered",
       [](nlohmann::json& body) {
         if (IsCharge(body)) {
           body["cost"]["epsilon"] = body["cost"]["epsilon"].get<double>() / 10;
           body["cumulative"]["epsilon"] = body["cumulative"]["epsilon"].get<double>() / 10;
         }
         return true;
       },
       {false, false, false}},
      {"entry 6 edited, later hashes recomputed",
       [](nlohmann::json& body) {
         if (body.value("entry_id", 0) == 6) body["requester"] = "someone else";
         return true;
       },
       {true, false, false}},
      // The design's limit: an outcome is written after its release's head was signed, so
      // only a head published later (head.json) covers it.
      {"newest outcome deleted",
       [](nlohmann::json& body) { return body.value("entry_id", 0) != 7; },
       {true, true, false}},
  };
  for (const Case& rewrite : cases) {
    CAPTURE(rewrite.name);
    Releases releases;
    CHECK(releases.Consistent() == std::array<bool, 3>{true, true, true});
    testing::RewriteLedger(releases.ledger, rewrite.edit);
    CHECK(releases.ChainVerifies());
    CHECK(releases.Consistent() == rewrite.consistent);
  }
}

TEST_CASE("`ledger verify` prints the tree; `ledger head` without --signed prints size and root") {
  Releases releases;
  const auto verify =
      Privet(releases.dir.path(), {"ledger", "verify", "--ledger", releases.ledger.string()});
  REQUIRE(verify.exit_code == 0);
  const auto head =
      Privet(releases.dir.path(), {"ledger", "head", "--ledger", releases.ledger.string()});
  REQUIRE(head.exit_code == 0);
  const auto json = nlohmann::json::parse(head.out);
  CHECK(json.at("tree_size") == 7);
  CHECK(verify.out.find("tree size 7, root " + json.at("root_hash").get<std::string>()) !=
        std::string::npos);
  CHECK(Privet(releases.dir.path(),
               {"ledger", "head", "--signed", "--ledger", releases.ledger.string()})
            .exit_code == 2);  // --signed needs --key
}

}  // namespace
}  // namespace privet::e2e
