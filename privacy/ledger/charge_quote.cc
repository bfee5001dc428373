// The charge decision (QuoteCharge, one rule for Charge and for the plan's budget preview) and
// how a list of events is measured (MeasureLoss: pure releases at delta 0).
#include <algorithm>
#include <cmath>
#include <vector>

#include "privacy/errors.h"
#include "privacy/format_number.h"
#include "privacy/ledger/impl_internal.h"

namespace privet::privacy {

using internal::DatasetState;
using internal::Transaction;

PrivacyLoss MeasureLoss(std::span<const PrivacyEvent> events, double budget_delta) {
  const double at_delta = ComposeEpsilon(events, budget_delta);
  const bool pure = std::all_of(events.begin(), events.end(), [](const PrivacyEvent& event) {
    return event.kind == MechanismKind::kLaplace || event.kind == MechanismKind::kExponential ||
           event.kind == MechanismKind::kPure;
  });
  if (pure) {
    // (e, 0)-DP is also (e, d)-DP for every d, so the pure claim is the stronger one when its
    // epsilon is not larger. At delta > 0 the accountant certifies a hair less than the basic
    // sum even for one large Laplace event (1.3999975 for 1.4 at delta 1e-6), and the PLD of
    // one exponential event (bounded range) a few tenths of a percent less (0.29898 for 0.3);
    // within kPureSlack the pure guarantee is recorded instead and the budget is checked
    // against it: charging that little more is sound, and keeps what is attested equal to
    // what is checked (docs/privacy.md, "How the ledger records a loss").
    constexpr double kPureSlack = 1e-2;  // relative
    const double pure_epsilon = ComposeEpsilon(events, 0.0);
    if (pure_epsilon <= at_delta * (1 + kPureSlack)) return {pure_epsilon, 0.0};
  }
  return {at_delta, budget_delta};
}

std::string RefusalName(ChargeQuote::Refusal refusal) {
  switch (refusal) {
    case ChargeQuote::Refusal::kNone:
      return "none";
    case ChargeQuote::Refusal::kNoFiniteEpsilon:
      return "no_finite_epsilon";
    case ChargeQuote::Refusal::kPerReleaseCap:
      return "per_release_cap";
    case ChargeQuote::Refusal::kBudget:
      return "budget";
  }
  return "none";
}

ChargeQuote QuoteCharge(const Budget& budget, std::span<const PrivacyEvent> earlier,
                        std::span<const PrivacyEvent> request) {
  const double delta = budget.delta;
  std::vector<PrivacyEvent> all_events(earlier.begin(), earlier.end());
  all_events.insert(all_events.end(), request.begin(), request.end());
  ChargeQuote quote;
  quote.cost = MeasureLoss(request, delta);
  quote.spent_before = MeasureLoss(earlier, delta);
  quote.total = MeasureLoss(all_events, delta);
  quote.remaining_before = std::max(0.0, budget.epsilon - quote.spent_before.epsilon);
  const double cost = quote.cost.epsilon;
  if (!std::isfinite(cost)) {
    quote.refusal = ChargeQuote::Refusal::kNoFiniteEpsilon;
    quote.reason = "this release has no finite epsilon at the budget's delta " +
                   FormatNumber(delta, 6) + " (gaussian and approx events need delta > 0)";
  } else if (budget.per_release_epsilon && cost > *budget.per_release_epsilon) {
    quote.refusal = ChargeQuote::Refusal::kPerReleaseCap;
    quote.reason = "this release needs epsilon " + FormatNumber(cost, 6) +
                   " but the per-release cap is " + FormatNumber(*budget.per_release_epsilon, 6) +
                   " (delta " + FormatNumber(delta, 6) + ")";
  } else if (!(quote.total.epsilon <= budget.epsilon)) {
    quote.refusal = ChargeQuote::Refusal::kBudget;
    quote.reason = "this release needs epsilon " + FormatNumber(cost, 6) + " but only " +
                   FormatNumber(quote.remaining_before, 6) + " of " +
                   FormatNumber(budget.epsilon, 6) + " remains (delta " + FormatNumber(delta, 6) +
                   ")";
    if (cost <= quote.remaining_before) {
      quote.reason += "; composed with the earlier releases the total would be " +
                      FormatNumber(quote.total.epsilon, 6);
    }
  }
  quote.remaining_after = std::max(0.0, budget.epsilon - quote.total.epsilon);
  return quote;
}

ChargeQuote BudgetLedger::Quote(const std::string& dataset_id,
                                std::span<const PrivacyEvent> events) const {
  Transaction transaction(impl_->db.get(), impl_->where, /*write=*/false);
  const DatasetState state = impl_->LoadDataset(dataset_id);
  transaction.Commit();
  if (!state.exists) {
    throw InputError("unknown dataset " + dataset_id + " in ledger " + impl_->where);
  }
  return QuoteCharge(state.budget, state.events, events);
}

}  // namespace privet::privacy
