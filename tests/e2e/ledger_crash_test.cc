// A charging process SIGKILLed at random points, many times: the ledger still opens, its
// chain verifies, and the spent total equals the sum of the recorded releases.
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>

#include "privacy/ledger.h"
#include "tests/ledger_test_support.h"
#include "tests/e2e/ledger_e2e_support.h"

namespace privet::e2e {
namespace {

TEST_CASE("SIGKILL during charges leaves a consistent, verifiable ledger") {
  ScratchDir dir;
  const fs::path ledger_path = dir / "ledger.db";
  {
    auto ledger = privacy::BudgetLedger::Open(ledger_path);
    // Pure budget, large enough never to refuse: every kill lands mid-stream.
    testing::RegisterForTest(ledger, "crash", privacy::Budget{1e6, 0.0, std::nullopt});
  }
  // How long a helper takes to acknowledge its first charge here (much longer under ASan or a
  // loaded machine): kill times are drawn up to three times that (at least 60 ms), so they
  // land before, during and after the first commits on any machine, and some charges are
  // acknowledged. A calibration, not a timed assertion.
  std::int64_t first_ack_us = 0;
  {
    const fs::path out = dir / "calibration.out";
    const auto start = std::chrono::steady_clock::now();
    const pid_t child = StartHelper({ledger_path.string(), "crash", "0.001"}, out);
    while (Lines(ReadFile(out)).empty() &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    first_ack_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    ::kill(child, SIGKILL);
    Wait(child);
  }
  std::mt19937 random(20261128);  // fixed seed: reproducible kill times (given the calibration)
  std::uniform_int_distribution<std::int64_t> delay_us(
      0, std::max<std::int64_t>(60000, 3 * first_ack_us));
  constexpr int kKills = 40;
  std::size_t acknowledged = 0;
  for (int i = 0; i < kKills; ++i) {
    const fs::path out = dir / ("run-" + std::to_string(i) + ".out");
    const pid_t child = StartHelper({ledger_path.string(), "crash", "0.001"}, out);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(child, SIGKILL);
    const int ended = Wait(child);
    CHECK((ended == -SIGKILL || ended == 0));
    acknowledged += Lines(ReadFile(out)).size();
  }
  const auto ledger = privacy::BudgetLedger::Open(ledger_path, privacy::LedgerOpenMode::kMustExist);
  const auto verified = ledger.VerifyChain();
  CHECK_MESSAGE(verified.ok, verified.message);
  const auto status = ledger.Show("crash");
  // Every acknowledged charge was committed (a kill may also land after a commit and before
  // the print, so the ledger can hold more than was acknowledged, never fewer).
  CHECK(status.releases.size() >= acknowledged);
  CHECK(acknowledged > 0);
  double sum = 0;
  for (const auto& release : status.releases) {
    sum += release.cost.epsilon;
    // Each charge recorded the running total of everything before it.
    CHECK(release.cumulative.epsilon == doctest::Approx(sum).epsilon(1e-12));
  }
  CHECK(status.spent.epsilon == doctest::Approx(sum).epsilon(1e-12));
  // And the binary agrees.
  const auto result = Privet(dir.path(), {"ledger", "verify", "--ledger", ledger_path.string()});
  CHECK(result.exit_code == 0);
  MESSAGE(kKills << " kills, " << status.releases.size() << " charges recorded");
}

}  // namespace
}  // namespace privet::e2e
