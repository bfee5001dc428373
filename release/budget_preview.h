// What a planned release would do to its dataset's budget, without charging anything: the
// preview `privet synthesize --plan` prints and the service's plan endpoint returns.
//
// The decision is the ledger's own (privacy::QuoteCharge, the rule BudgetLedger::Charge
// applies), so a plan that says "accepted" is charged exactly as shown unless another release
// is charged in between. Releases compose sub-additively (Renyi DP, privacy/accountant.h): the
// total after a release is usually less than the total before plus the release's epsilon, and
// "remaining" is not an amount a release may take. The preview names the composed total.
//
// Privacy: the preview shows the dataset's budget and composed spend, which every release
// summary and attestation already carries (public ledger figures, no statistic of the data).
#ifndef PRIVET_RELEASE_BUDGET_PREVIEW_H_
#define PRIVET_RELEASE_BUDGET_PREVIEW_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "privacy/privacy_event.h"
#include "release/release_request.h"

namespace privet::release {

struct BudgetPreview {
  std::string dataset_id;
  privacy::Budget budget;
  privacy::ChargeQuote quote;

  bool refused() const { return !quote.accepted(); }
  // {"dataset", "budget": {epsilon, delta, per_release_epsilon}, "this_release": {epsilon,
  //  delta}, "spent_before", "total_after" ({epsilon, delta} each), "remaining_before",
  //  "remaining_after", "decision": "accepted" | "refused", "refused_by": "none" |
  //  "per_release_cap" | "budget" | "no_finite_epsilon", "reason"}.
  nlohmann::json ToJson() const;
  // A few lines for humans: the release's cost, the composed total after it, what remains,
  // and the verdict (which limit refuses it).
  std::string Describe() const;
};

// The preview of charging `events` to `dataset_id` in the deployment's ledger (opened
// read-only). nullopt when there is no ledger or the ledger has no budget for the dataset (a
// dry run before registration); other ledger errors propagate.
std::optional<BudgetPreview> PreviewBudget(const Deployment& deployment,
                                           const std::string& dataset_id,
                                           std::span<const privacy::PrivacyEvent> events);

// Thrown by a command whose --plan preview says the release would be refused, after the plan
// was printed: exit code kPlanRefused (privacy/errors.h), distinct from a real refusal.
class PlanRefused : public Error {
 public:
  using Error::Error;
  ExitCode exit_code() const override { return ExitCode::kPlanRefused; }
};

}  // namespace privet::release

#endif  // PRIVET_RELEASE_BUDGET_PREVIEW_H_
