// The transparency log's tree over the verified entries (privacy/merkle_tree.h).
#include <span>

#include "privacy/errors.h"
#include "privacy/ledger/impl_internal.h"

namespace privet::privacy {

using internal::Transaction;

std::vector<MerkleHash> BudgetLedger::LeafHashes() const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  std::vector<MerkleHash> leaves = impl_->Leaves();
  transaction.Commit();
  return leaves;
}

std::vector<MerkleHash> BudgetLedger::VerifiedLeafHashes(VerifyResult& verdict) const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  std::vector<MerkleHash> leaves;
  verdict = impl_->Verify(&leaves);
  transaction.Commit();
  return leaves;
}

namespace {
void RequireSize(const std::vector<MerkleHash>& leaves, std::uint64_t size,
                 const std::string& where) {
  if (size > leaves.size()) {
    throw InputError("ledger " + where + " has " + std::to_string(leaves.size()) +
                     " entries; there is no tree of size " + std::to_string(size));
  }
}
}  // namespace

MerkleHash BudgetLedger::TreeRoot(std::uint64_t size) const {
  const std::vector<MerkleHash> leaves = LeafHashes();
  RequireSize(leaves, size, impl_->where);
  return TreeHash(std::span<const MerkleHash>(leaves.data(), size));
}

std::vector<MerkleHash> BudgetLedger::TreeInclusionProof(std::uint64_t leaf_index,
                                                         std::uint64_t size) const {
  const std::vector<MerkleHash> leaves = LeafHashes();
  RequireSize(leaves, size, impl_->where);
  return InclusionProof(std::span<const MerkleHash>(leaves.data(), size), leaf_index);
}

std::vector<MerkleHash> BudgetLedger::TreeConsistencyProof(std::uint64_t old_size,
                                                           std::uint64_t new_size) const {
  const std::vector<MerkleHash> leaves = LeafHashes();
  RequireSize(leaves, new_size, impl_->where);
  return ConsistencyProof(std::span<const MerkleHash>(leaves.data(), new_size), old_size);
}

}  // namespace privet::privacy
