// Eight processes charge one dataset until the ledger refuses them: the recorded total never
// exceeds the budget and every acknowledged charge is recorded exactly once.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "privacy/ledger.h"
#include "tests/ledger_test_support.h"
#include "tests/e2e/ledger_e2e_support.h"

namespace privet::e2e {
namespace {

void RunChargers(double budget_epsilon, double budget_delta, double step) {
  ScratchDir dir;
  const fs::path ledger_path = dir / "ledger.db";
  {
    auto ledger = privacy::BudgetLedger::Open(ledger_path);
    testing::RegisterForTest(ledger, "shared",
                             privacy::Budget{budget_epsilon, budget_delta, std::nullopt});
  }
  constexpr int kProcesses = 8;
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    children.push_back(StartHelper({ledger_path.string(), "shared", std::to_string(step)},
                                   dir / ("charger-" + std::to_string(i) + ".out")));
  }
  for (const pid_t child : children) CHECK(Wait(child) == 0);  // each ended refused

  // Every release id a charger saw acknowledged, across all processes.
  std::multiset<std::string> acknowledged;
  for (int i = 0; i < kProcesses; ++i) {
    for (const auto& id : Lines(ReadFile(dir / ("charger-" + std::to_string(i) + ".out")))) {
      acknowledged.insert(id);
    }
  }
  const auto ledger = privacy::BudgetLedger::Open(ledger_path, privacy::LedgerOpenMode::kMustExist);
  const auto status = ledger.Show("shared");
  std::multiset<std::string> recorded;
  for (const auto& release : status.releases) recorded.insert(release.release_id);
  CHECK(recorded == acknowledged);  // none lost, none invented, none twice
  CHECK(std::set<std::string>(recorded.begin(), recorded.end()).size() == recorded.size());
  CHECK(status.spent.epsilon <= budget_epsilon);
  // The budget was really used up: one more step no longer fits.
  CHECK(status.spent.epsilon > budget_epsilon - 2 * step);
  // The cumulative spend recorded at each charge only grows and never passes the budget.
  double previous = 0;
  for (const auto& release : status.releases) {
    CHECK(release.cumulative.epsilon >= previous);
    CHECK(release.cumulative.epsilon <= budget_epsilon);
    previous = release.cumulative.epsilon;
  }
  CHECK(ledger.VerifyChain().ok);
  MESSAGE("recorded " << recorded.size() << " charges, spent " << status.spent.epsilon);
}

TEST_CASE("8 concurrent chargers never overspend a pure budget") {
  // delta 0: basic composition, 6 / 0.05 = 120 charges fit (119 if the float sum rounds up).
  RunChargers(6.0, 0.0, 0.05);
}

TEST_CASE("8 concurrent chargers never overspend an (epsilon, delta) budget (RDP accounting)") {
  RunChargers(2.0, 1e-6, 0.1);
}

}  // namespace
}  // namespace privet::e2e
