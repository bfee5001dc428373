// libFuzzer target: the ledger reader on a tampered ledger. A real ledger (its mode, one
// dataset's budget and registration, one charge, one outcome: entries 1-5) is made once; each
// input replaces the body of entry 1 + (first byte % 5) with the remaining bytes, as someone holding the file could, and the
// readers an officer or auditor runs go over it: VerifyChain, Entries, Export, Datasets and
// Show (what `ledger verify`, `ledger export`, `budget show` and audit/ledger_check.cc use).
// A broken chain is a result and a refusal is a privet::Error; a crash is a bug.
#include <sqlite3.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "tests/ledger_test_support.h"

namespace {

constexpr int kEntries = 5;

// Never destroyed: the exit handler below removes its folder after static destructors ran.
const std::filesystem::path& LedgerPath() {
  static const std::filesystem::path* const path = new std::filesystem::path([] {
    const std::filesystem::path folder = std::filesystem::temp_directory_path() /
                                         ("privet-fuzz-ledger-" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const std::filesystem::path ledger_path = folder / "ledger.db";
    auto ledger = privet::privacy::BudgetLedger::Open(ledger_path);
    privet::testing::RegisterForTest(ledger, "d", privet::privacy::Budget{3.0, 1e-6, 1.0});
    privet::privacy::ChargeRequest request = privet::testing::RegisteredRequest(
        ledger, "d",
        {privet::privacy::PrivacyEvent::Laplace(0.5, "marginal(a)"),
         privet::privacy::PrivacyEvent::Gaussian(10.0, 1.0, "marginal(a,b)")},
        "synthesize");
    const privet::privacy::ChargeReceipt receipt = ledger.Charge(request);
    ledger.RecordOutcome(receipt.release_id, "released");
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(LedgerPath().parent_path(), ignored);
    });
    return ledger_path;
  }());
  return *path;
}

void ReplaceBody(std::int64_t entry_id, const std::string& body) {
  sqlite3* db = nullptr;
  if (sqlite3_open(LedgerPath().c_str(), &db) != SQLITE_OK) __builtin_trap();
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "UPDATE entries SET body = ?1 WHERE entry_id = ?2", -1, &statement,
                         nullptr) != SQLITE_OK) {
    __builtin_trap();
  }
  sqlite3_bind_blob(statement, 1, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(statement, 2, entry_id);
  if (sqlite3_step(statement) != SQLITE_DONE) __builtin_trap();
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static std::string originals[kEntries];
  static bool saved = false;
  if (!saved) {
    auto ledger = privet::privacy::BudgetLedger::Open(LedgerPath());
    for (const auto& entry : ledger.Entries()) {
      if (entry.entry_id >= 1 && entry.entry_id <= kEntries) {
        originals[entry.entry_id - 1] = entry.body.dump();
      }
    }
    saved = true;
  }
  const std::int64_t entry_id = 1 + data[0] % kEntries;
  ReplaceBody(entry_id, std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  try {
    auto ledger = privet::privacy::BudgetLedger::Open(LedgerPath(),
                                                     privet::privacy::LedgerOpenMode::kReadOnly);
    const privet::privacy::VerifyResult result = ledger.VerifyChain();
    if (result.ok && result.entries_checked != kEntries) __builtin_trap();
    try {
      (void)ledger.Entries();
      (void)ledger.Export();
    } catch (const privet::Error&) {
    }
    try {
      for (const std::string& dataset : ledger.Datasets()) (void)ledger.Show(dataset);
    } catch (const privet::Error&) {
    }
  } catch (const privet::Error&) {
  }
  ReplaceBody(entry_id, originals[entry_id - 1]);
  return 0;
}
