// The cost of one very large charge entry (issue 13: a charge over 100k columns made a 38 MB
// entry, after which every `ledger verify` took 1.4 s and 525 MB). Not a test.
//
//   ledger_bench EVENTS OPERATION [KEEP]
// makes a scratch ledger with one registered dataset and one charge of EVENTS gaussian events
// (query names as a 100k-column synthesize writes them), then times OPERATION alone on a fresh
// connection: "charge" (the big charge itself), "verify" (VerifyChain), "show" (Show), "next"
// (a second, one-event charge on top of the big one) or "export" (Export). Prints the entry's
// size and the operation's wall time; peak RSS comes from /usr/bin/time -v around it
// (bench/results/2026-12-02-vm-ledger.md). With KEEP (a path), the ledger is copied there
// afterwards, for timing `privet ledger verify` and `budget show` on it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "privacy/ledger.h"

namespace {

using privet::privacy::BudgetLedger;
using privet::privacy::PrivacyEvent;

privet::privacy::ChargeRequest Request(const std::string& dataset, std::int64_t registration,
                                       const std::string& digest, std::size_t events) {
  privet::privacy::ChargeRequest request;
  request.dataset_id = dataset;
  request.requester = "bench";
  request.purpose = "bench";
  request.kind = "synthesize";
  request.config_sha256 = digest;
  request.registration_entry_id = registration;
  for (std::size_t i = 0; i < events; ++i) {
    char name[96];
    std::snprintf(name, sizeof(name), "marginal(column_%06zu,column_%06zu)", i,
                  (i * 7919) % events);
    request.events.push_back(PrivacyEvent::Gaussian(4000.0, 1.0, name));
  }
  return request;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: ledger_bench EVENTS charge|verify|show|next|export [KEEP]\n";
    return 2;
  }
  const std::size_t events = std::stoul(argv[1]);
  const std::string operation = argv[2];
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("privet-ledger-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / "ledger.db";
  privet::privacy::Registration registration;
  registration.dataset_id = "wide";
  registration.config_path = "/bench/wide.json";
  registration.config_sha256 = std::string(64, 'a');
  registration.data_source = "/bench/wide.csv";
  registration.data_commitment = std::string(64, 'b');
  registration.unit_column = "row";
  const auto start_charge = std::chrono::steady_clock::now();
  std::int64_t registration_id = 0;
  {
    BudgetLedger ledger = BudgetLedger::Open(path);
    registration_id =
        ledger.Register(registration, privet::privacy::Budget{1e9, 1e-6, std::nullopt}, "bench")
            .entry_id;
    const auto request = Request("wide", registration_id, registration.config_sha256, events);
    const auto receipt = ledger.Charge(request);
    std::cout << "entry bytes " << receipt.entry_leaf.size() << "\n";
  }
  const double charge_seconds = Seconds(start_charge);
  if (operation == "charge") {
    std::cout << "charge s " << charge_seconds << "\n";
  } else {
    // The operation on a fresh connection, as a new `privet` process would run it.
    BudgetLedger ledger =
        BudgetLedger::Open(path, operation == "next" ? privet::privacy::LedgerOpenMode::kMustExist
                                                     : privet::privacy::LedgerOpenMode::kReadOnly);
    const auto start = std::chrono::steady_clock::now();
    if (operation == "verify") {
      std::cout << ledger.VerifyChain().message << "\n";
    } else if (operation == "show") {
      std::cout << ledger.Show("wide").releases.size() << " releases\n";
    } else if (operation == "next") {
      ledger.Charge(Request("wide", registration_id, registration.config_sha256, 1));
    } else if (operation == "export") {
      std::cout << ledger.Export().dump().size() << " export bytes\n";
    } else {
      std::cerr << "unknown operation " << operation << "\n";
      return 2;
    }
    std::cout << operation << " s " << Seconds(start) << "\n";
  }
  if (argc == 4) std::filesystem::copy_file(path, argv[3]);
  std::filesystem::remove_all(dir);
  return 0;
}
