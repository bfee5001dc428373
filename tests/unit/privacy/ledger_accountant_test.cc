// The ledger records which accountant composed each charge and re-composes old histories with
// the current one (issue 14).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "privacy/accountant.h"
#include "privacy/ledger.h"
#include "tests/ledger_test_support.h"
#include "tests/scratch_dir.h"

namespace privet::privacy {
namespace {

TEST_CASE("charge entries record the accountant version; totals use min(RDP, PLD)") {
  testing::ScratchDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  testing::RegisterForTest(ledger, "d", Budget{10.0, 1e-5, std::nullopt});
  const std::vector<PrivacyEvent> events(50, PrivacyEvent::Laplace(0.1));
  const auto first = ledger.Charge(testing::RegisteredRequest(ledger, "d", events));
  const auto second = ledger.Charge(testing::RegisteredRequest(ledger, "d", events));
  std::vector<PrivacyEvent> all = events;
  all.insert(all.end(), events.begin(), events.end());
  // 100 x laplace(0.1) at 1e-5: the PLD's ~4.307, below RDP's 4.615 (pld_test.cc).
  CHECK(second.cumulative.epsilon == ComposeEpsilon(all, 1e-5));
  CHECK(second.cumulative.epsilon < ComposeEpsilonRdp(all, 1e-5));
  CHECK(ledger.Show("d").spent.epsilon == second.cumulative.epsilon);
  int charges = 0;
  for (const LedgerEntry& entry : ledger.Entries()) {
    if (entry.type != "charge") continue;
    ++charges;
    CHECK(entry.body.at("accountant") == kAccountantVersion);
  }
  CHECK(charges == 2);
  CHECK(first.entry_id < second.entry_id);
  CHECK(ledger.VerifyChain().ok);
}

TEST_CASE("an existing (RDP-era) ledger re-composes with the current accountant") {
  // privet-ledger.db in the repository was written before issue 14: four covid_testing charges,
  // no "accountant" field, last cumulative 2.1667755466312117 (RDP). Its events are the same;
  // the current accountant composes them to a smaller valid total, and the chain still
  // verifies (nothing recorded is rewritten).
  const std::filesystem::path source = PRIVET_SOURCE_DIR;
  testing::ScratchDir dir;
  std::filesystem::copy_file(source / "privet-ledger.db", dir / "old.db");
  auto ledger = BudgetLedger::Open(dir / "old.db");
  CHECK(ledger.VerifyChain().ok);
  std::vector<PrivacyEvent> events;
  double recorded = 0;
  for (const LedgerEntry& entry : ledger.Entries()) {
    if (entry.type != "charge") continue;
    CHECK_FALSE(entry.body.contains("accountant"));  // rdp-1
    for (const auto& event : entry.body.at("events"))
      events.push_back(PrivacyEvent::FromJson(event));
    recorded = entry.body.at("cumulative").at("epsilon").get<double>();
  }
  CHECK(recorded == 2.1667755466312117);
  const DatasetStatus status = ledger.Show("covid_testing");
  CHECK(status.spent.epsilon == ComposeEpsilon(events, 1e-6));
  CHECK(ComposeEpsilonRdp(events, 1e-6) == doctest::Approx(recorded).epsilon(1e-9));
  CHECK(status.spent.epsilon <= recorded);
}

}  // namespace
}  // namespace privet::privacy
