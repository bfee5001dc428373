// Recomputing the hash chain (and the Merkle tree's leaves) from the stored entries, and
// appending only on top of a chain that verifies.
#include "privacy/bounded_json.h"
#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/ledger/impl_internal.h"
#include "privacy/sha256.h"

namespace privet::privacy {

using internal::AppendEntry;
using internal::kGenesisHash;
using internal::LeafBytesOfCanonical;
using internal::MetaValue;
using internal::Row;

VerifyResult BudgetLedger::Impl::Verify(std::vector<MerkleHash>* leaves) const {
  VerifyResult result;
  std::string previous = kGenesisHash;
  std::int64_t expected_id = 1;
  const auto fail = [&result, &previous](std::int64_t entry_id, const std::string& message) {
    result.ok = false;
    result.first_bad_entry = entry_id;
    result.message = "entry " + std::to_string(entry_id) + " " + message;
    result.head_hash = previous;
    return result;
  };
  for (const Row& row : Rows(nullptr, "")) {
    if (row.entry_id != expected_id) {
      return fail(expected_id, "is missing (the next entry found is " +
                                   std::to_string(row.entry_id) + "): history was deleted");
    }
    if (row.previous_hash != previous) {
      return fail(row.entry_id, "does not link to entry " + std::to_string(row.entry_id - 1) +
                                    " (its previous_hash differs from that entry's hash)");
    }
    nlohmann::json body;
    try {
      body = ParseBoundedJson<IntegrityError>(row.body, "entry");
    } catch (const IntegrityError&) {
      return fail(row.entry_id, "is not valid JSON, or nests deeper than " +
                                    std::to_string(kMaxJsonDepth) + " levels (edited?)");
    }
    std::string canonical;
    try {
      canonical = CanonicalJson(body);
    } catch (const Error&) {
      return fail(row.entry_id, "holds a value that has no canonical JSON form (edited?)");
    }
    if (canonical != row.body) {
      return fail(row.entry_id, "is not in canonical form (edited?)");
    }
    if (!body.is_object() || body.value("entry_id", std::int64_t{-1}) != row.entry_id ||
        body.value("type", std::string()) != row.type ||
        body.value("dataset_id", std::string()) != row.dataset_id ||
        body.value("release_id", std::string()) != row.release_id) {
      return fail(row.entry_id, "has index columns that disagree with its content (edited?)");
    }
    // row.body is canonical (checked above), so its leaf bytes are built from the text.
    const std::string leaf = LeafBytesOfCanonical(row.body, row.previous_hash);
    if (Sha256Hex(leaf) != row.entry_hash) {
      return fail(row.entry_id, "does not match its hash (its content was edited)");
    }
    if (leaves != nullptr) leaves->push_back(HashLeaf(leaf));
    previous = row.entry_hash;
    ++expected_id;
    ++result.entries_checked;
  }
  const std::string head_id = MetaValue(db.get(), where, "head_entry_id");
  const std::string head_hash = MetaValue(db.get(), where, "head_hash");
  if (head_id != std::to_string(expected_id - 1) || head_hash != previous) {
    return fail(expected_id, "is missing: the ledger head records entry " + head_id +
                                 " but the last entry is " + std::to_string(expected_id - 1));
  }
  result.ok = true;
  result.head_hash = previous;
  result.message = std::to_string(result.entries_checked) + " entries, hash chain intact";
  return result;
}

void BudgetLedger::Impl::RequireIntactChain(const char* action,
                                            std::vector<MerkleHash>* leaves) const {
  const VerifyResult integrity = Verify(leaves);
  if (!integrity.ok) {
    throw IntegrityError("ledger " + where + ": " + integrity.message + "; refusing to " + action +
                         " until `privet ledger verify` passes");
  }
}

std::pair<std::int64_t, std::string> BudgetLedger::Impl::Append(
    const std::string& type, const std::string& dataset_id, nlohmann::json body,
    const std::function<void(std::int64_t, nlohmann::json&)>& complete, std::string* leaf_bytes) {
  return AppendEntry(db.get(), where, type, dataset_id, std::move(body), complete, leaf_bytes);
}

std::vector<MerkleHash> BudgetLedger::Impl::Leaves() const {
  std::vector<MerkleHash> leaves;
  RequireIntactChain("build its Merkle tree", &leaves);
  return leaves;
}

}  // namespace privet::privacy
