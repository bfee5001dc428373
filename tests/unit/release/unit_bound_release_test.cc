// The officer's DP quantile of rows per unit (release/unit_bound_release.h, issue 12): it is a
// release like the others, so it is charged in the ledger, attested, and refused for free
// where it cannot run.
#include "release/unit_bound_release.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audit/keys.h"
#include "audit/release_attestation.h"
#include "audit/verify.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "release/registration.h"
#include "tests/scratch_dir.h"

namespace privet::release {
namespace {

namespace fs = std::filesystem;

// 300 patients: 200 with one visit, 90 with two, 10 with six. The registered bound is 1, so
// measuring after bounding would see only ones: the tool must count before it.
struct Visits {
  testing::ScratchDir dir;
  Deployment deployment{dir / "ledger.db", dir / "keys" / "privet-signing.key"};

  explicit Visits(bool with_unit = true) {
    std::ofstream csv(dir / "visits.csv");
    csv << "pid,ward\n";
    int pid = 0;
    for (const auto& [patients, visits] : {std::pair{200, 1}, {90, 2}, {10, 6}}) {
      for (int p = 0; p < patients; ++p, ++pid) {
        for (int v = 0; v < visits; ++v) csv << pid << "," << (v % 2 ? "a" : "b") << "\n";
      }
    }
    csv.close();
    const std::string unit =
        with_unit ? R"("privacy_unit": {"column": "pid", "max_rows_per_unit": 1},)" : "";
    std::ofstream(dir / "visits.json") << R"({"schema_version": 1,
      "dataset": {"id": "visits", "csv": "visits.csv"},)"
                                       << unit << R"(
      "attributes": [
        {"name": "pid", "type": "ignore"},
        {"name": "ward", "type": "categorical", "values": ["a", "b"], "nullable": false}]})";
    audit::GenerateKeyPair(dir / "keys");
    RegistrationRequest registration;
    registration.config = dir / "visits.json";
    registration.budget = privacy::Budget{10.0, 1e-6, std::nullopt};
    registration.officer = "officer";
    RegisterDataset(deployment.ledger, registration);
  }

  ReleaseRequest Request(const std::string& out, double epsilon) const {
    ReleaseRequest request;
    request.dataset_id = "visits";
    request.epsilon = epsilon;
    request.purpose = "choose the unit bound";
    request.requester = "officer";
    request.out = dir / out;
    return request;
  }
};

TEST_CASE("The unit-bound quantile is charged, attested and counts rows before the bound") {
  Visits visits;
  UnitBoundOptions options;
  options.quantile = 0.95;
  options.max_rows = 20;
  // Scores (unit_bound_query.h), target rank 0.95 * 300 = 285: m = 1 spans ranks [0, 200],
  // score -85; m = 2 spans [200, 290], score 0 (the true quantile); m = 3..6 span [290, 290]
  // or [290, 300], score -5; m >= 7 span [300, 300], score -15. At epsilon 8, Pr[m] is
  // proportional to exp(4 score), so the answer is 2 except with probability below
  // 4 exp(-20) + 14 exp(-60) < 10^-8 (the failure probability of this test); the bound 1
  // that a bounded table would give has relative weight exp(-340).
  const ReleaseResult result =
      QueryUnitBound(visits.deployment, visits.Request("out", 8.0), options);
  const std::uint32_t bound = result.extra.at("max_rows_per_unit").get<std::uint32_t>();
  CHECK(bound == 2);

  // Charged: one release of the requested epsilon, recorded as released, in the ledger.
  const privacy::DatasetStatus status =
      privacy::BudgetLedger::Open(visits.deployment.ledger).Show("visits");
  REQUIRE(status.releases.size() == 1);
  CHECK(status.releases[0].kind == "unit-bound");
  CHECK(status.releases[0].status == "released");
  REQUIRE(status.releases[0].events.size() == 1);
  CHECK(status.releases[0].events[0].ToJson().at("mechanism") == "exponential");
  CHECK(status.releases[0].cost.epsilon == doctest::Approx(8.0));
  CHECK(status.spent.epsilon == doctest::Approx(8.0));
  CHECK(result.receipt.cost.epsilon == doctest::Approx(8.0));

  // The released file says what was released and how; the attestation names the kind.
  std::ifstream file(visits.dir / "out" / "unit_bound.json");
  const nlohmann::json released = nlohmann::json::parse(file);
  CHECK(released.at("max_rows_per_unit") == bound);
  CHECK(released.at("quantile") == 0.95);
  CHECK(released.at("max_rows_considered") == 20);
  CHECK(released.at("mechanism").at("name") == "exponential");
  const audit::VerificationReport report = audit::VerifyAttestation(
      visits.dir / "out" / audit::kAttestationFileName,
      audit::LoadPublicKey(visits.dir / "keys" / "privet-signing.pub"), visits.deployment.ledger);
  CHECK(report.ok());
  const nlohmann::json predicate = report.ToJson().at("predicate");
  CHECK(predicate.at("release_kind") == "unit-bound");
  CHECK(predicate.dump().find("exponential") != std::string::npos);

  // The remaining budget (2) cannot pay for another 8: refused before anything is written.
  CHECK_THROWS_AS(QueryUnitBound(visits.deployment, visits.Request("again", 8.0), options),
                  BudgetExceeded);
  CHECK_FALSE(fs::exists(visits.dir / "again" / "unit_bound.json"));
  CHECK(privacy::BudgetLedger::Open(visits.deployment.ledger).Show("visits").releases.size() == 1);
}

TEST_CASE("The unit-bound quantile is refused for free without a unit column or valid options") {
  Visits rows(false);
  UnitBoundOptions options;
  CHECK_THROWS_AS(QueryUnitBound(rows.deployment, rows.Request("out", 0.1), options), UsageError);
  options.quantile = 1.0;
  CHECK_THROWS_AS(QueryUnitBound(rows.deployment, rows.Request("out2", 0.1), options), InputError);
  options.quantile = 0.5;
  options.max_rows = 0;
  CHECK_THROWS_AS(QueryUnitBound(rows.deployment, rows.Request("out3", 0.1), options), InputError);
  const privacy::DatasetStatus status =
      privacy::BudgetLedger::Open(rows.deployment.ledger).Show("visits");
  CHECK(status.releases.empty());
  CHECK(status.spent.epsilon == 0);
  CHECK_FALSE(fs::exists(rows.dir / "out" / "unit_bound.json"));
}

}  // namespace
}  // namespace privet::release
