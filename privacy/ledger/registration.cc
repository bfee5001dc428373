// Budgets and registrations: the officer's entries that every charge is checked against.
#include <utility>

#include "privacy/errors.h"
#include "privacy/format_number.h"
#include "privacy/ledger/impl_internal.h"
#include "privacy/ledger/validation_internal.h"

namespace privet::privacy {

using internal::DatasetState;
using internal::Transaction;
using internal::ValidateBudget;
using internal::ValidateDatasetId;
using internal::ValidateRegistration;

void BudgetLedger::InitDataset(const std::string& dataset_id, const Budget& budget,
                               const std::string& owner) {
  ValidateDatasetId(dataset_id);
  ValidateBudget(budget);
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/true);
  impl_->RequireIntactChain("register a dataset");
  const DatasetState state = impl_->LoadDataset(dataset_id);
  if (state.exists) {
    throw InputError("dataset " + dataset_id + " already has a budget in " + impl_->where +
                     " (epsilon " + FormatNumber(state.budget.epsilon, 6) + ", delta " +
                     FormatNumber(state.budget.delta, 6) + ", set " + state.created +
                     "); a budget is set once");
  }
  nlohmann::json body = {{"budget", ToJson(budget)}, {"owner", owner}};
  impl_->Append("dataset_init", dataset_id, std::move(body));
  transaction.Commit();
}

LedgerMode BudgetLedger::Mode() const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  const LedgerMode mode = impl_->Mode();
  transaction.Commit();
  return mode;
}

Registration BudgetLedger::Register(Registration registration, const std::optional<Budget>& budget,
                                    const std::string& owner) {
  ValidateDatasetId(registration.dataset_id);
  ValidateRegistration(registration);
  if (budget) ValidateBudget(*budget);
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/true);
  impl_->RequireIntactChain("register a dataset");
  const DatasetState state = impl_->LoadDataset(registration.dataset_id);
  if (!budget && !state.exists) {
    throw InputError("dataset " + registration.dataset_id +
                     " has no budget yet: set it in the same step (--epsilon and --delta)");
  }
  if (budget) {
    if (state.exists) {
      throw InputError("dataset " + registration.dataset_id + " already has a budget in " +
                       impl_->where + " (epsilon " + FormatNumber(state.budget.epsilon, 6) +
                       ", set " + state.created +
                       "); a budget is set once: register again without a budget");
    }
    impl_->Append("dataset_init", registration.dataset_id,
                  {{"budget", ToJson(*budget)}, {"owner", owner}});
  }
  nlohmann::json body = ToJson(registration);
  body.erase("entry_id");
  body.erase("time");
  body["registration_number"] = state.registrations + 1;
  const auto [entry_id, entry_hash] =
      impl_->Append("registration", registration.dataset_id, std::move(body));
  transaction.Commit();
  std::optional<Registration> recorded = CurrentRegistration(registration.dataset_id);
  if (!recorded || recorded->entry_id != entry_id) {
    throw StorageError("ledger " + impl_->where + ": the registration of " +
                       registration.dataset_id + " was not recorded");
  }
  return *recorded;
}

std::optional<Registration> BudgetLedger::CurrentRegistration(const std::string& dataset_id) const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  std::optional<Registration> registration = impl_->LoadDataset(dataset_id).registration;
  transaction.Commit();
  return registration;
}

}  // namespace privet::privacy
