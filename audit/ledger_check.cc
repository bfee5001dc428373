#include <cmath>
#include <sstream>

#include "audit/ledger_check_internal.h"
#include "audit/ledger_tree.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"

namespace privet::audit {
namespace {

void Add(std::vector<VerificationCheck>& checks, std::string name, bool passed,
         std::string detail) {
  checks.push_back({std::move(name), passed, std::move(detail)});
}

// The ledger and the attestation both hold doubles written through the same shortest
// round-trip JSON; a relative 1e-9 only forgives a re-composition in another order.
bool Close(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }

std::string Pair(double epsilon, double delta) {
  std::ostringstream out;
  out.precision(12);
  out << "(epsilon " << epsilon << ", delta " << delta << ")";
  return out.str();
}

// Checks the chain and that `head_hash` is an entry of it whose prefix is intact.
void CheckChain(const privacy::BudgetLedger& ledger,
                const std::vector<privacy::LedgerEntry>& entries, const std::string& head_hash,
                std::vector<VerificationCheck>& checks) {
  std::optional<std::int64_t> head_entry;
  for (const privacy::LedgerEntry& entry : entries) {
    if (entry.entry_hash == head_hash) {
      head_entry = entry.entry_id;
      break;
    }
  }
  const privacy::VerifyResult chain = ledger.VerifyChain();
  if (!head_entry) {
    Add(checks, "ledger-head", false,
        "the recorded head " + head_hash +
            " is no entry of the ledger: history up to this release was deleted or rewritten");
  } else {
    Add(checks, "ledger-head", true,
        "the recorded head is entry " + std::to_string(*head_entry) + " of the ledger");
  }
  if (chain.ok) {
    Add(checks, "ledger-chain", true, chain.message);
    return;
  }
  // A break after the recorded head does not touch this release's history, but an auditor
  // must still hear of it; a break at or before it fails this release.
  const bool before_head =
      !head_entry || !chain.first_bad_entry || *chain.first_bad_entry <= *head_entry;
  Add(checks, "ledger-chain", !before_head,
      before_head ? "hash chain broken at or before this release: " + chain.message
                  : "intact up to the recorded head; later history is broken: " + chain.message);
}

// The "ledger-registration" check: the charge paid under the registration the attestation
// names, that entry registered this dataset, and its config digest is the attested one (so
// the release read the config the officer registered).
void CheckRegistration(const privacy::BudgetLedger& ledger, const ReleaseRecord& record,
                       const privacy::ReleaseRecord& charged,
                       std::vector<VerificationCheck>& checks) {
  if (!record.registration_entry_id) {
    Add(checks, "ledger-registration", false, "the attestation names no registration entry");
    return;
  }
  const std::int64_t entry_id = *record.registration_entry_id;
  if (charged.registration_entry_id != entry_id) {
    Add(checks, "ledger-registration", false,
        "the ledger charged " + record.ledger->release_id + " under registration entry " +
            std::to_string(charged.registration_entry_id) + ", the attestation names entry " +
            std::to_string(entry_id));
    return;
  }
  std::optional<privacy::LedgerEntry> registration;
  for (privacy::LedgerEntry& entry : ledger.Entries()) {
    if (entry.entry_id == entry_id) registration = std::move(entry);
  }
  if (!registration || registration->type != "registration" ||
      registration->dataset_id != record.dataset_id) {
    Add(checks, "ledger-registration", false,
        "entry " + std::to_string(entry_id) + " is no registration of dataset " +
            record.dataset_id);
    return;
  }
  const std::string registered = registration->body.value("config_sha256", std::string());
  Add(checks, "ledger-registration", registered == record.config_sha256,
      registered == record.config_sha256
          ? "the release used the config registered in entry " + std::to_string(entry_id) +
                " (sha256 " + registered + ")"
          : "entry " + std::to_string(entry_id) + " registered config " + registered +
                ", the release attests " + record.config_sha256);
}

// The "ledger-entry", "ledger-entry-hash", "ledger-events" and "ledger-cost" checks of a
// release that spent budget.
void CheckEntry(const privacy::BudgetLedger& ledger, const ReleaseRecord& record,
                std::vector<VerificationCheck>& checks) {
  const LedgerLink& link = *record.ledger;
  std::optional<privacy::LedgerEntry> entry;
  try {
    // FindRelease re-hashes the entry's content before returning it.
    entry = ledger.FindRelease(link.release_id);
  } catch (const Error& e) {
    Add(checks, "ledger-entry", false,
        "release " + link.release_id + "'s ledger entry cannot be trusted: " + e.what());
    return;
  }
  if (!entry) {
    Add(checks, "ledger-entry", false,
        "release " + link.release_id +
            " is not in the ledger: its charge entry was deleted, or this is another "
            "deployment's ledger");
    return;
  }
  if (entry->dataset_id != record.dataset_id) {
    Add(checks, "ledger-entry", false,
        "release " + link.release_id + " charged dataset \"" + entry->dataset_id +
            "\", the attestation says \"" + record.dataset_id + "\"");
  } else {
    Add(checks, "ledger-entry", true,
        "release " + link.release_id + " is entry " + std::to_string(entry->entry_id));
  }
  Add(checks, "ledger-entry-hash", entry->entry_hash == link.entry_hash,
      entry->entry_hash == link.entry_hash
          ? "entry hash " + entry->entry_hash
          : "the ledger's entry hash is " + entry->entry_hash + ", the attestation signed " +
                link.entry_hash + ": the entry was edited after the release");

  // Events and cost as the ledger recorded them for this release.
  std::optional<privacy::ReleaseRecord> charged;
  privacy::DatasetStatus status;
  try {
    // Show re-checks the hash of every entry of the dataset before trusting its content.
    status = ledger.Show(entry->dataset_id);
    for (privacy::ReleaseRecord& release : status.releases) {
      if (release.release_id == link.release_id) charged = std::move(release);
    }
  } catch (const Error& e) {
    Add(checks, "ledger-events", false,
        std::string("the dataset's ledger entries cannot be trusted: ") + e.what());
    return;
  }
  if (!charged) {
    Add(checks, "ledger-events", false, "the ledger lists no release " + link.release_id);
    return;
  }
  nlohmann::json events = nlohmann::json::array();
  for (const privacy::PrivacyEvent& event : charged->events) events.push_back(event.ToJson());
  Add(checks, "ledger-events", events == record.mechanisms,
      events == record.mechanisms
          ? std::to_string(events.size()) + " mechanism event(s) match the ledger"
          : "the attestation's mechanisms differ from the ledger's events for " + link.release_id);
  const bool cost_ok = Close(charged->cost.epsilon, record.cost.epsilon) &&
                       Close(charged->cost.delta, record.cost.delta);
  const bool cumulative_ok = Close(charged->cumulative.epsilon, record.cumulative.epsilon) &&
                             Close(charged->cumulative.delta, record.cumulative.delta);
  const bool budget_ok = Close(status.budget.epsilon, record.budget.epsilon) &&
                         Close(status.budget.delta, record.budget.delta);
  std::string detail;
  if (!cost_ok) {
    detail = "cost: ledger " + Pair(charged->cost.epsilon, charged->cost.delta) + ", attestation " +
             Pair(record.cost.epsilon, record.cost.delta);
  } else if (!cumulative_ok) {
    detail = "cumulative spend: ledger " +
             Pair(charged->cumulative.epsilon, charged->cumulative.delta) + ", attestation " +
             Pair(record.cumulative.epsilon, record.cumulative.delta);
  } else if (!budget_ok) {
    detail = "budget: ledger " + Pair(status.budget.epsilon, status.budget.delta) +
             ", attestation " + Pair(record.budget.epsilon, record.budget.delta);
  } else {
    detail = "cost, cumulative spend and budget match the ledger";
  }
  Add(checks, "ledger-cost", cost_ok && cumulative_ok && budget_ok, detail);
  CheckRegistration(ledger, record, *charged, checks);
}

}  // namespace

void CheckLedger(const std::filesystem::path& ledger_path, const ReleaseRecord& record,
                 std::vector<VerificationCheck>& checks) {
  std::optional<privacy::BudgetLedger> ledger;
  try {
    ledger.emplace(privacy::BudgetLedger::Open(ledger_path, privacy::LedgerOpenMode::kReadOnly));
  } catch (const Error& e) {
    Add(checks, "ledger-open", false, e.what());
    return;
  }
  Add(checks, "ledger-open", true, ledger_path.string());

  if (record.ledger) {
    CheckEntry(*ledger, record, checks);
  } else if (record.parent) {
    // A model sample spends nothing and has no entry of its own; its parent must exist.
    try {
      const auto parent = ledger->FindRelease(record.parent->release_id);
      if (!parent) {
        Add(checks, "ledger-entry", false,
            "parent release " + record.parent->release_id + " is not in the ledger");
      } else if (parent->dataset_id != record.dataset_id) {
        Add(checks, "ledger-entry", false,
            "parent release " + record.parent->release_id + " charged dataset \"" +
                parent->dataset_id + "\", the sample says \"" + record.dataset_id + "\"");
      } else {
        Add(checks, "ledger-entry", true,
            "parent release " + record.parent->release_id + " is entry " +
                std::to_string(parent->entry_id));
      }
    } catch (const Error& e) {
      Add(checks, "ledger-entry", false,
          "parent release " + record.parent->release_id + " cannot be trusted: " + e.what());
    }
  } else {
    Add(checks, "ledger-entry", false, "the attestation names no ledger entry");
  }

  if (record.ledger && record.ledger->tree_head) {
    const TreeConsistency consistency = CheckTreeConsistency(*ledger, *record.ledger->tree_head);
    Add(checks, "ledger-consistency", consistency.ok, consistency.detail);
  }
  try {
    if (record.ledger) {
      CheckChain(*ledger, ledger->Entries(), record.ledger->head_hash, checks);
    } else {
      const privacy::VerifyResult chain = ledger->VerifyChain();
      Add(checks, "ledger-chain", chain.ok, chain.message);
    }
  } catch (const Error& e) {
    Add(checks, "ledger-chain", false, std::string("the ledger could not be read: ") + e.what());
  }
}

SignedTreeHead SignLedgerHead(const privacy::BudgetLedger& ledger, const SigningKey& key,
                              const std::string& time) {
  const std::vector<privacy::MerkleHash> leaves = ledger.LeafHashes();
  return SignTreeHead(leaves.size(), privacy::TreeHash(leaves), time, key);
}

nlohmann::json TreeConsistency::ToJson() const {
  return {{"consistent", ok},
          {"detail", detail},
          {"old", {{"tree_size", old_size}, {"root_hash", old_root}}},
          {"new", {{"tree_size", new_size}, {"root_hash", new_root}}},
          {"proof", audit::ToJson(proof)}};
}

TreeConsistency CheckTreeConsistency(const privacy::BudgetLedger& ledger,
                                     const SignedTreeHead& head) {
  TreeConsistency result;
  result.old_size = head.tree_size;
  result.old_root = head.root_hash;
  std::vector<privacy::MerkleHash> leaves;
  privacy::VerifyResult chain;
  try {
    leaves = ledger.VerifiedLeafHashes(chain);
  } catch (const Error& e) {
    result.detail = std::string("the ledger's tree cannot be recomputed: ") + e.what();
    return result;
  }
  result.new_size = leaves.size();
  result.new_root = privacy::HashToHex(privacy::TreeHash(leaves));
  const std::string covered = "the tree head of size " + std::to_string(head.tree_size);
  if (head.tree_size > leaves.size()) {
    result.detail =
        chain.ok ? "the ledger has " + std::to_string(leaves.size()) + " entries, fewer than " +
                       covered + " covers: entries it covers were deleted"
                 : "entries " + covered + " covers do not verify: " + chain.message;
    return result;
  }
  result.proof = {head.tree_size, leaves.size(),
                  privacy::ConsistencyProof(leaves, head.tree_size)};
  privacy::MerkleHash old_root{};
  try {
    old_root = privacy::HashFromHex(head.root_hash);
  } catch (const Error&) {
    result.detail = covered + " has a malformed root hash";
    return result;
  }
  result.ok = privacy::VerifyConsistency(head.tree_size, leaves.size(), old_root,
                                         privacy::TreeHash(leaves), result.proof.hashes);
  const std::string tree = chain.ok ? "the ledger's tree of size " + std::to_string(leaves.size())
                                    : "the tree of the ledger's " +
                                          std::to_string(leaves.size()) +
                                          " entries that verify (later history is broken: " +
                                          chain.message + ")";
  result.detail = result.ok ? tree + " extends " + covered + " (RFC 9162 consistency proof verifies)"
                            : "the ledger's first " + std::to_string(head.tree_size) +
                                  " entries are not the ones " + covered +
                                  " signed: history it covers was edited or replaced";
  return result;
}

}  // namespace privet::audit
