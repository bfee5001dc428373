// Read-only queries: datasets, their status, the entries, the head, the chain's verdict.
#include "privacy/ledger/impl_internal.h"

namespace privet::privacy {

using internal::kGenesisHash;
using internal::ParseBody;
using internal::Row;
using internal::Statement;
using internal::Transaction;

std::vector<std::string> BudgetLedger::Datasets() const {
  std::vector<std::string> ids;
  for (const Row& row : impl_->Rows("type = ?1", "dataset_init")) ids.push_back(row.dataset_id);
  return ids;
}

DatasetStatus BudgetLedger::Show(const std::string& dataset_id) const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  DatasetStatus status = impl_->Status(dataset_id);
  transaction.Commit();
  return status;
}

std::vector<LedgerEntry> BudgetLedger::Entries() const {
  std::vector<LedgerEntry> entries;
  for (const Row& row : impl_->Rows(nullptr, "")) {
    entries.push_back(LedgerEntry{row.entry_id, row.type, row.dataset_id, row.release_id,
                                  ParseBody(row, impl_->where), row.previous_hash, row.entry_hash});
  }
  return entries;
}

std::optional<LedgerEntry> BudgetLedger::FindRelease(const std::string& release_id) const {
  const auto rows = impl_->Rows("release_id = ?1 AND type = 'charge'", release_id);
  if (rows.empty()) return std::nullopt;
  const Row& row = rows.front();
  return LedgerEntry{
      row.entry_id,      row.type,      row.dataset_id, row.release_id, impl_->CheckedBody(row),
      row.previous_hash, row.entry_hash};
}

std::string BudgetLedger::HeadHash() const {
  Statement head(impl_->db.get(), impl_->where,
                 "SELECT entry_hash FROM entries ORDER BY entry_id DESC LIMIT 1");
  return head.Step() ? head.Text(0) : kGenesisHash;
}

VerifyResult BudgetLedger::VerifyChain() const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  VerifyResult result = impl_->Verify();
  transaction.Commit();
  return result;
}

}  // namespace privet::privacy
