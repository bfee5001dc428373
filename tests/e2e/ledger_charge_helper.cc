// Test helper (not part of the product binary): charges a ledger dataset repeatedly, as a
// separate process, so the e2e tests can run several chargers at once and SIGKILL them.
//
//   ledger_charge_helper LEDGER DATASET EPSILON [MAX_CHARGES]
//
// Each charge is one laplace(EPSILON) event. After each successful (committed) charge it
// prints the release id on its own line and flushes, so the parent learns of every success
// the ledger acknowledged. Exits 0 when the ledger refuses (BudgetExceeded) or after
// MAX_CHARGES, 1 on any other error.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "tests/ledger_test_support.h"

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::cerr << "usage: ledger_charge_helper LEDGER DATASET EPSILON [MAX_CHARGES]\n";
    return 2;
  }
  const long max_charges = argc == 5 ? std::atol(argv[4]) : -1;
  try {
    auto ledger = privet::privacy::BudgetLedger::Open(argv[1]);
    privet::privacy::ChargeRequest request = privet::testing::RegisteredRequest(
        ledger, argv[2], {privet::privacy::PrivacyEvent::Laplace(std::atof(argv[3]))}, "test");
    request.requester = "helper-" + std::to_string(::getpid());
    request.purpose = "e2e ledger test";
    for (long done = 0; max_charges < 0 || done < max_charges; ++done) {
      const auto receipt = ledger.Charge(request);
      std::printf("%s\n", receipt.release_id.c_str());
      std::fflush(stdout);
    }
  } catch (const privet::BudgetExceeded&) {
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "ledger_charge_helper: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
