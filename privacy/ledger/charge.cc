// The charge (spend before release) and the outcome entries that follow it.
#include <algorithm>
#include <cmath>
#include <utility>

#include "privacy/accountant.h"
#include "privacy/errors.h"
#include "privacy/format_number.h"
#include "privacy/ledger/entry_json_internal.h"
#include "privacy/ledger/impl_internal.h"
#include "privacy/ledger/validation_internal.h"

namespace privet::privacy {

using internal::DatasetState;
using internal::LossToJson;
using internal::Transaction;
using internal::ValidateDatasetId;

ChargeReceipt BudgetLedger::Charge(const ChargeRequest& request) {
  ValidateDatasetId(request.dataset_id);
  if (request.events.empty()) {
    throw InputError("charge for dataset " + request.dataset_id + ": no privacy events");
  }
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/true);
  std::vector<MerkleHash> leaves;  // the tree before the charge, then with it
  impl_->RequireIntactChain("charge", &leaves);
  const DatasetState state = impl_->LoadDataset(request.dataset_id);
  if (!state.exists) {
    throw InputError("unknown dataset " + request.dataset_id + " in ledger " + impl_->where +
                     ": register it first with `privet budget init --dataset " +
                     request.dataset_id + " ...`");
  }
  if (!state.registration) {
    throw InputError("dataset " + request.dataset_id + " is not registered in ledger " +
                     impl_->where +
                     ": the privacy officer registers its config and data with "
                     "`privet dataset register --config ...` before anything is released");
  }
  if (state.registration->entry_id != request.registration_entry_id ||
      state.registration->config_sha256 != request.config_sha256) {
    throw InputError("dataset " + request.dataset_id + " was registered again (entry " +
                     std::to_string(state.registration->entry_id) +
                     ") after this request was prepared; nothing was charged, submit it again");
  }
  const LedgerMode mode = impl_->Mode();
  if (request.seeded && mode == LedgerMode::kProduction) {
    throw InputError("seeded noise is refused on the production ledger " + impl_->where +
                     ": a seed lets anyone regenerate the noise; use a test ledger "
                     "(`privet ledger init --test-only`)");
  }
  const Budget& budget = state.budget;
  const ChargeQuote quote = QuoteCharge(budget, state.events, request.events);
  if (!quote.accepted()) {
    throw BudgetExceeded("dataset " + request.dataset_id + ": " + quote.reason);
  }
  nlohmann::json events = nlohmann::json::array();
  for (const auto& event : request.events) events.push_back(event.ToJson());
  nlohmann::json body = {{"requester", request.requester},
                         {"purpose", request.purpose},
                         {"kind", request.kind},
                         {"config_sha256", request.config_sha256},
                         {"registration_entry_id", request.registration_entry_id},
                         {"randomness", request.seeded ? "seeded" : "secure"},
                         {"events", events},
                         {"accountant", kAccountantVersion},  // composed cost and cumulative
                         {"cost", LossToJson(quote.cost)},
                         {"cumulative", LossToJson(quote.total)},
                         {"budget", ToJson(budget)}};
  if (!request.approved_by.empty()) body["approved_by"] = request.approved_by;
  ChargeReceipt receipt;
  const auto [entry_id, entry_hash] = impl_->Append(
      "charge", request.dataset_id, std::move(body),
      [&receipt](std::int64_t id, nlohmann::json& full) {
        receipt.release_id = "release-" + std::to_string(id);
        full["release_id"] = receipt.release_id;
      },
      &receipt.entry_leaf);
  // The verified chain has ids 1..n without gaps, so the new entry is leaf n = entry_id - 1.
  leaves.push_back(HashLeaf(receipt.entry_leaf));
  if (static_cast<std::int64_t>(leaves.size()) != entry_id) {
    throw IntegrityError("ledger " + impl_->where + ": charge entry " + std::to_string(entry_id) +
                         " is not leaf " + std::to_string(leaves.size()) +
                         " of the tree; nothing was charged");
  }
  receipt.tree_root = TreeHash(leaves);
  receipt.inclusion_proof = InclusionProof(leaves, static_cast<std::uint64_t>(entry_id - 1));
  transaction.Commit();  // durable before anything is released
  receipt.entry_id = entry_id;
  receipt.entry_hash = entry_hash;
  receipt.head_hash = entry_hash;
  receipt.cost = quote.cost;
  receipt.cumulative = quote.total;
  receipt.budget = budget;
  receipt.remaining_epsilon = quote.remaining_after;
  receipt.ledger_mode = mode;
  receipt.registration_entry_id = request.registration_entry_id;
  return receipt;
}

void BudgetLedger::RecordOutcome(const std::string& release_id, const std::string& status,
                                 const std::string& detail) {
  if (status != "released" && status != "failed") {
    throw InputError("release outcome must be \"released\" or \"failed\" (got \"" + status + "\")");
  }
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/true);
  const auto rows = impl_->Rows("release_id = ?1 AND type = 'charge'", release_id);
  if (rows.empty()) {
    throw InputError("unknown release " + release_id + " in ledger " + impl_->where);
  }
  const nlohmann::json charge = impl_->CheckedBody(rows.front());
  nlohmann::json body = {{"release_id", release_id}, {"status", status}, {"detail", detail}};
  impl_->Append("outcome", charge.at("dataset_id").get<std::string>(), std::move(body));
  transaction.Commit();
}

}  // namespace privet::privacy
