// The deployment the ledger-backed audit tests share (verify_test, ledger_rewrite_test): a
// scratch folder, an Ed25519 key pair, and a ledger whose dataset "heart" is registered with
// budget epsilon 3 at delta 1e-6 (entries 1 ledger_init, 2 dataset_init, 3 registration).
#ifndef PRIVET_TESTS_UNIT_AUDIT_KEYED_LEDGER_H_
#define PRIVET_TESTS_UNIT_AUDIT_KEYED_LEDGER_H_

#include <filesystem>
#include <optional>

#include "audit/keys.h"
#include "privacy/ledger.h"
#include "tests/ledger_test_support.h"
#include "tests/scratch_dir.h"

namespace privet::audit::testing {

struct KeyedLedger {
  privet::testing::ScratchDir scratch;
  std::filesystem::path ledger_path = scratch.path() / "ledger.db";
  KeyPairFiles keys = GenerateKeyPair(scratch.path() / "keys");
  SigningKey signing_key = LoadPrivateKey(keys.private_key);
  VerifyingKey public_key = LoadPublicKey(keys.public_key);

  KeyedLedger() {
    privacy::BudgetLedger ledger = privacy::BudgetLedger::Open(ledger_path);
    privet::testing::RegisterForTest(ledger, "heart", {3.0, 1e-6, std::nullopt});
  }
};

}  // namespace privet::audit::testing

#endif  // PRIVET_TESTS_UNIT_AUDIT_KEYED_LEDGER_H_
