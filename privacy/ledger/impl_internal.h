// BudgetLedger's private state and the operations its public methods share: reading entries,
// a dataset's state, recomputing the chain, appending. The methods are defined in
// dataset_state.cc and chain_verify.cc. Not a public API.
#ifndef PRIVET_PRIVACY_LEDGER_IMPL_INTERNAL_H_
#define PRIVET_PRIVACY_LEDGER_IMPL_INTERNAL_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "privacy/ledger.h"
#include "privacy/ledger/entries_internal.h"
#include "privacy/ledger/sqlite_internal.h"

namespace privet::privacy::internal {

// Everything recorded about one dataset, read inside one transaction.
struct DatasetState {
  bool exists = false;
  std::string owner, created;
  Budget budget;
  std::vector<ReleaseRecord> releases;
  std::vector<PrivacyEvent> events;          // of every charge, in order
  std::optional<Registration> registration;  // the latest
  std::int64_t registrations = 0;
};

}  // namespace privet::privacy::internal

namespace privet::privacy {

struct BudgetLedger::Impl {
  std::filesystem::path path;
  std::string where;  // path as text, for messages
  internal::DatabaseHandle db;

  std::vector<internal::Row> Rows(const char* condition, const std::string& key) const;

  // Fails closed: an entry whose content does not match its stored hash is not trusted.
  nlohmann::json CheckedBody(const internal::Row& row) const;

  internal::DatasetState LoadDataset(const std::string& dataset_id) const;

  // The status of one dataset; the caller holds a transaction.
  DatasetStatus Status(const std::string& dataset_id) const;

  // Recomputes the whole chain; the caller holds a transaction. With `leaves`, also
  // collects the leaf hash of every verified entry (the Merkle tree's leaves, in order).
  VerifyResult Verify(std::vector<MerkleHash>* leaves = nullptr) const;

  // Fails closed: nothing is appended on top of a history that does not verify.
  void RequireIntactChain(const char* action, std::vector<MerkleHash>* leaves = nullptr) const;

  std::pair<std::int64_t, std::string> Append(
      const std::string& type, const std::string& dataset_id, nlohmann::json body,
      const std::function<void(std::int64_t, nlohmann::json&)>& complete = nullptr,
      std::string* leaf_bytes = nullptr);

  // The leaf hashes of the verified chain; the caller holds a transaction.
  std::vector<MerkleHash> Leaves() const;

  // The ledger's mode from entry 1; the caller holds a transaction.
  LedgerMode Mode() const;
};

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_LEDGER_IMPL_INTERNAL_H_
