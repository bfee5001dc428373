// The ledger's Merkle tree (privacy/ledger.h, "Transparency log") as auditors use it: a
// signed head of the current tree, and the RFC 9162 consistency check of an earlier signed
// head (from an attestation, or one the officer published) against the ledger's current tree.
// `privet ledger head --signed`, `privet ledger consistency` and `privet verify --ledger`
// ("ledger-consistency") run these.
#ifndef PRIVET_AUDIT_LEDGER_TREE_H_
#define PRIVET_AUDIT_LEDGER_TREE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "audit/keys.h"
#include "audit/tree_head.h"
#include "privacy/ledger.h"

namespace privet::audit {

// The head of the ledger's whole current tree, signed with `key` at `time` (UTC,
// YYYY-MM-DDTHH:MM:SSZ). IntegrityError if the hash chain does not verify.
SignedTreeHead SignLedgerHead(const privacy::BudgetLedger& ledger, const SigningKey& key,
                              const std::string& time);

struct TreeConsistency {
  bool ok = false;
  std::string detail;  // one sentence: what holds, or what was edited or deleted
  std::uint64_t old_size = 0;
  std::string old_root;  // the earlier head's
  std::uint64_t new_size = 0;
  std::string new_root;  // recomputed from the ledger ("" when the chain is broken)
  ConsistencyProofRecord proof;
  // {"consistent","detail","old":{"tree_size","root_hash"},"new":{...},"proof":{...}}
  nlohmann::json ToJson() const;
};

// Recomputes the ledger's tree and checks that it extends the tree `head` describes: the
// ledger has at least head.tree_size entries and PROOF(head.tree_size, D[n]) verifies from
// head.root_hash to the current root (privacy::VerifyConsistency). Fails when an entry the
// head covers was edited (whatever hashes were recomputed) or deleted, or does not verify in
// the hash chain. When the chain breaks only after the head's entries, the check runs against
// the tree of the entries that verify, and the detail names the break (as "ledger-chain"
// does). Does not check the head's signature (VerifyTreeHead does). Never throws.
TreeConsistency CheckTreeConsistency(const privacy::BudgetLedger& ledger,
                                     const SignedTreeHead& head);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_LEDGER_TREE_H_
