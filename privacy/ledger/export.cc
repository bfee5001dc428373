// What an auditor receives: every entry and every dataset's status.
#include "privacy/ledger/impl_internal.h"

namespace privet::privacy {

using internal::kGenesisHash;
using internal::ParseBody;
using internal::Row;
using internal::Transaction;

nlohmann::json BudgetLedger::Export() const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  nlohmann::json entries = nlohmann::json::array();
  std::string head = kGenesisHash;
  for (const Row& row : impl_->Rows(nullptr, "")) {
    entries.push_back({{"entry_id", row.entry_id},
                       {"previous_hash", row.previous_hash},
                       {"entry_hash", row.entry_hash},
                       {"body", ParseBody(row, impl_->where)}});
    head = row.entry_hash;
  }
  nlohmann::json datasets = nlohmann::json::array();
  for (const Row& row : impl_->Rows("type = ?1", "dataset_init")) {
    datasets.push_back(ToJson(impl_->Status(row.dataset_id)));
  }
  const LedgerMode mode = impl_->Mode();
  transaction.Commit();
  return {{"format", "privet-ledger-export"},
          {"format_version", 1},
          {"mode", LedgerModeName(mode)},
          {"hash_recipe",
           "entry_hash = sha256_hex(canonical_json({\"body\": body, \"previous_hash\": "
           "previous_hash})); entry 1 links to 64 zeros"},
          {"head_hash", head},
          {"entries", entries},
          {"datasets", datasets}};
}

}  // namespace privet::privacy
