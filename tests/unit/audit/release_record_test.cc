#include "audit/release_record.h"

#include <doctest/doctest.h>

#include <functional>
#include <limits>

#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privet/version.h"
#include "tests/unit/audit/audit_test_util.h"

namespace privet::audit {
namespace {

using testing::FixedRecord;

ReleaseRecord SampleRecord() {
  ReleaseRecord record = FixedRecord();
  record.kind = ReleaseKind::kModelSample;
  record.mechanisms = nlohmann::json::array();
  record.cost = {0.0, 0.0};
  record.ledger.reset();
  record.parent =
      ParentRelease{"release-7", "model.json", std::string(64, 'd'), std::string(64, 'e')};
  return record;
}

TEST_CASE("Kind and randomness names round-trip and unknown names are refused") {
  for (ReleaseKind kind :
       {ReleaseKind::kSyntheticTable, ReleaseKind::kModelSample, ReleaseKind::kNoisyMarginal,
        ReleaseKind::kNoisyCorrelation, ReleaseKind::kUnitBound}) {
    CHECK(ParseReleaseKind(ReleaseKindName(kind)) == kind);
  }
  CHECK(ReleaseKindName(ReleaseKind::kNoisyCorrelation) == "noisy-correlation");
  CHECK(ReleaseKindName(ReleaseKind::kUnitBound) == "unit-bound");
  CHECK_THROWS_AS(ParseReleaseKind("table"), InputError);
  CHECK(RandomnessModeName(RandomnessMode::kSeededNotForRelease) == "seeded: not for release");
  CHECK(ParseRandomnessMode("secure") == RandomnessMode::kSecure);
  CHECK_THROWS_AS(ParseRandomnessMode("seeded"), InputError);
}

TEST_CASE("The predicate carries every field, with remaining = budget - cumulative") {
  const nlohmann::json predicate = ToPredicate(FixedRecord());
  // Built piecewise: one long chain of std::string + literal trips GCC 12's -Wrestrict.
  std::string expected =
      R"({"accountant":"basic-composition","budget":{"delta":1e-06,"epsilon":4.0},)";
  expected += R"("config_sha256":")" + std::string(64, 'c') + "\",";
  expected +=
      R"("cost":{"delta":0.0,"epsilon":1.0},"cumulative_spend":{"delta":0.0,"epsilon":1.5},)";
  expected += R"("dataset_id":"heart_cleveland",)";
  expected += R"("ledger":{"entry_hash":")" + std::string(64, 'a');
  expected += R"(","head_hash":")" + std::string(64, 'b') + R"(","release_id":"7"},)";
  expected += R"("ledger_mode":"production",)";
  expected += R"("mechanisms":[{"epsilon":0.25,"label":"structure","mechanism":"exponential"},)";
  expected += R"({"epsilon":0.75,"l1_sensitivity":2,"label":"marginals",)";
  expected += R"("mechanism":"discrete_laplace"}],)";
  expected += R"("neighbouring":"add-or-remove-all-rows-of-one-unit",)";
  expected += R"("privacy_unit":{"column":"patient_id","max_rows_per_unit":2},)";
  expected += R"("purpose":"unit test","randomness":"secure","registration":{"entry_id":6},)";
  expected += R"("release_kind":"synthetic-table",)";
  expected += R"("remaining":{"delta":1e-06,"epsilon":2.5},"requester":"researcher@example.org",)";
  expected += R"("software":{"commit":"0123456789ab","name":"privet","version":"0.1.0"},)";
  expected += R"("time":"2026-11-28T06:00:00Z"})";
  CHECK(CanonicalJson(predicate) == expected);
}

TEST_CASE("ParsePredicate inverts ToPredicate") {
  for (const ReleaseRecord& record : {FixedRecord(), SampleRecord()}) {
    const nlohmann::json predicate = ToPredicate(record);
    const ReleaseRecord parsed = ParsePredicate(predicate);
    CHECK(ToPredicate(parsed) == predicate);
  }
}

// FixedRecord with the ledger's tree part, as every release writes it (the proof is made up:
// these tests are about the predicate's form; verify_test and ledger_rewrite_test check real
// proofs).
ReleaseRecord TreeRecord() {
  ReleaseRecord record = FixedRecord();
  record.ledger->entry = "{\"body\":{},\"previous_hash\":\"" + std::string(64, '0') + "\"}";
  privacy::MerkleHash root{};
  root[0] = 7;
  record.ledger->tree_head =
      SignTreeHead(7, root, "2026-12-02T09:00:00Z", testing::Rfc8032Test1Key());
  record.ledger->inclusion_proof = InclusionProofRecord{6, 7, {root, root}};
  return record;
}

TEST_CASE("The ledger's tree fields round-trip, are optional together, and are checked") {
  const ReleaseRecord record = TreeRecord();
  const nlohmann::json predicate = ToPredicate(record);
  REQUIRE(predicate["ledger"].contains("entry"));
  CHECK(predicate["ledger"]["tree_head"]["tree_size"] == 7);
  CHECK(predicate["ledger"]["inclusion_proof"]["leaf_index"] == 6);
  const ReleaseRecord parsed = ParsePredicate(predicate);
  REQUIRE(parsed.ledger->tree_head);
  CHECK(parsed.ledger->tree_head->signature == record.ledger->tree_head->signature);
  CHECK(parsed.ledger->inclusion_proof->hashes == record.ledger->inclusion_proof->hashes);
  CHECK(ToPredicate(parsed) == predicate);
  // An attestation older than the tree has none of them.
  CHECK_FALSE(ParsePredicate(ToPredicate(FixedRecord())).ledger->tree_head);

  ReleaseRecord partial = record;
  partial.ledger->inclusion_proof.reset();
  CHECK_THROWS_AS(ToPredicate(partial), InputError);
  ReleaseRecord other_size = record;
  other_size.ledger->inclusion_proof->tree_size = 8;
  CHECK_THROWS_AS(ToPredicate(other_size), InputError);
  nlohmann::json bad = predicate;
  bad["ledger"]["tree_head"]["root_hash"] = "zz";
  CHECK_THROWS_WITH_AS(ParsePredicate(bad), doctest::Contains("predicate.ledger"), IntegrityError);
}

TEST_CASE("ParsePredicate names the missing or mistyped field") {
  const nlohmann::json good = ToPredicate(FixedRecord());
  const auto check = [&](const std::function<void(nlohmann::json&)>& edit, const char* field) {
    nlohmann::json predicate = good;
    edit(predicate);
    CAPTURE(field);
    CHECK_THROWS_WITH_AS(ParsePredicate(predicate), doctest::Contains(field), IntegrityError);
  };
  check([](nlohmann::json& p) { p.erase("dataset_id"); }, "predicate.dataset_id is missing");
  check([](nlohmann::json& p) { p["cost"]["epsilon"] = "1"; },
        "predicate.cost.epsilon is not a number");
  check([](nlohmann::json& p) { p["privacy_unit"]["max_rows_per_unit"] = 1.5; },
        "predicate.privacy_unit.max_rows_per_unit is not an integer");
  check([](nlohmann::json& p) { p.erase("remaining"); }, "predicate.remaining is missing");
  check([](nlohmann::json& p) { p["neighbouring"] = "replace-one-row"; }, "predicate.neighbouring");
  check([](nlohmann::json& p) { p["release_kind"] = "table"; }, "unknown release kind");
  check([](nlohmann::json& p) { p["randomness"] = "fast"; }, "unknown randomness mode");
  check(
      [](nlohmann::json& p) {
        p["ledger"] = {{"release_id", "7"}};
      },
      "predicate.ledger.entry_hash is missing");
  check([](nlohmann::json& p) { p["mechanisms"] = nlohmann::json::object(); },
        "predicate.mechanisms is not an array");
  check([](nlohmann::json& p) { p["software"] = "privet"; },
        "predicate.software is not a JSON object");
  CHECK_THROWS_AS(ParsePredicate(nlohmann::json::array()), IntegrityError);
}

TEST_CASE("ConsistencyProblems finds every inconsistency, and ToPredicate refuses them") {
  CHECK(ConsistencyProblems(FixedRecord()).empty());
  CHECK(ConsistencyProblems(SampleRecord()).empty());
  const double inf = std::numeric_limits<double>::infinity();
  const auto check = [](const std::function<void(ReleaseRecord&)>& edit, const char* problem,
                        ReleaseRecord record = FixedRecord()) {
    edit(record);
    CAPTURE(problem);
    const std::vector<std::string> problems = ConsistencyProblems(record);
    REQUIRE_FALSE(problems.empty());
    bool found = false;
    for (const std::string& p : problems) found = found || p.find(problem) != std::string::npos;
    CHECK(found);
    CHECK_THROWS_WITH_AS(ToPredicate(record), doctest::Contains("cannot be attested"), InputError);
  };
  check(
      [](ReleaseRecord& r) {
        r.cost.epsilon = 5.0;
        r.cumulative.epsilon = 5.0;
      },
      "cost exceeds the budget");
  check([](ReleaseRecord& r) { r.cumulative.epsilon = 0.5; },
        "cumulative spend is less than this release's cost");
  check([](ReleaseRecord& r) { r.cumulative.epsilon = 4.5; },
        "cumulative spend exceeds the budget");
  check(
      [](ReleaseRecord& r) {
        r.cost.delta = 1e-5;
        r.cumulative.delta = 1e-5;
      },
      "cost exceeds the budget");
  check([inf](ReleaseRecord& r) { r.budget.epsilon = inf; }, "budget.epsilon must be finite");
  check([](ReleaseRecord& r) { r.budget.delta = 1.0; }, "budget.delta must be in [0, 1)");
  check([](ReleaseRecord& r) { r.cost.epsilon = 0.0; }, "cost.epsilon must be > 0");
  check([](ReleaseRecord& r) { r.mechanisms = nlohmann::json::array(); },
        "must list its mechanisms");
  check([](ReleaseRecord& r) { r.mechanisms = nlohmann::json::array({1}); }, "not a JSON object");
  check([](ReleaseRecord& r) { r.ledger.reset(); }, "needs its ledger entry");
  check([](ReleaseRecord& r) { r.ledger->head_hash = "abc"; }, "ledger.head_hash");
  check([](ReleaseRecord& r) { r.config_sha256 = ""; }, "config_sha256");
  check([](ReleaseRecord& r) { r.dataset_id = ""; }, "dataset_id is empty");
  check([](ReleaseRecord& r) { r.max_rows_per_unit = 0; }, "max_rows_per_unit < 1");
  check([](ReleaseRecord& r) { r.requester = ""; }, "requester is empty");
  check([](ReleaseRecord& r) { r.time_utc = "2026-11-28 06:00:00"; },
        "is not YYYY-MM-DDTHH:MM:SSZ");
  check([](ReleaseRecord& r) { r.software.commit = ""; }, "software");
  check([](ReleaseRecord& r) { r.parent = SampleRecord().parent; }, "only a model sample");
  check([](ReleaseRecord& r) { r.cost.epsilon = 0.1; }, "must cost (0, 0)", SampleRecord());
  check([](ReleaseRecord& r) { r.parent.reset(); }, "must name its parent model", SampleRecord());
  check([](ReleaseRecord& r) { r.parent->model_sha256.resize(63); }, "parent.model_sha256",
        SampleRecord());
  check([](ReleaseRecord& r) { r.registration_entry_id.reset(); }, "registration entry");
  check([](ReleaseRecord& r) { r.registration_entry_id = 0; }, "registration.entry_id");
  check([](ReleaseRecord& r) { r.ledger_mode = "staging"; }, "ledger_mode");
  check([](ReleaseRecord& r) { r.randomness = RandomnessMode::kSeededNotForRelease; },
        "only allowed on a test ledger");
}

TEST_CASE("A seeded release or one from a test ledger is a test release") {
  ReleaseRecord record = FixedRecord();
  CHECK_FALSE(IsTestRelease(record));
  record.ledger_mode = kTestLedger;
  CHECK(IsTestRelease(record));
  CHECK(ConsistencyProblems(record).empty());
  record.randomness = RandomnessMode::kSeededNotForRelease;
  CHECK(IsTestRelease(record));
  CHECK(ConsistencyProblems(record).empty());
  // Attestations from before ledger modes carry no ledger_mode: they read as production.
  nlohmann::json predicate = ToPredicate(FixedRecord());
  predicate.erase("ledger_mode");
  CHECK(ParsePredicate(predicate).ledger_mode == kProductionLedger);
}

TEST_CASE("Floating-point composition error within 1e-9 relative is not an inconsistency") {
  ReleaseRecord record = FixedRecord();
  record.cumulative.epsilon = 4.0 + 1e-12;  // e.g. 0.1+0.2+... summed in another order
  CHECK(ConsistencyProblems(record).empty());
  CHECK(Remaining(record).epsilon == 0.0);
}

TEST_CASE("SoftwareInfo::Current is this build and UtcNowIso8601 has the signed format") {
  CHECK(SoftwareInfo::Current().version == kVersion);
  CHECK(SoftwareInfo::Current().commit == kBuildCommit);
  ReleaseRecord record = FixedRecord();
  record.time_utc = UtcNowIso8601();
  CHECK(ConsistencyProblems(record).empty());
  CHECK(record.time_utc.rfind("20", 0) == 0);
}

}  // namespace
}  // namespace privet::audit
