#include "release/budget_preview.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "privacy/format_number.h"

namespace privet::release {
namespace {

nlohmann::json LossJson(const privacy::PrivacyLoss& loss) {
  return {{"epsilon", loss.epsilon}, {"delta", loss.delta}};
}

std::string Amount(const privacy::PrivacyLoss& loss) {
  return "epsilon " + FormatNumber(loss.epsilon, 6) + ", delta " + FormatNumber(loss.delta, 6);
}

}  // namespace

nlohmann::json BudgetPreview::ToJson() const {
  nlohmann::json budget_json = {{"epsilon", budget.epsilon}, {"delta", budget.delta}};
  budget_json["per_release_epsilon"] =
      budget.per_release_epsilon ? nlohmann::json(*budget.per_release_epsilon) : nullptr;
  return {{"dataset", dataset_id},
          {"budget", budget_json},
          {"this_release", LossJson(quote.cost)},
          {"spent_before", LossJson(quote.spent_before)},
          {"total_after", LossJson(quote.total)},
          {"remaining_before", quote.remaining_before},
          {"remaining_after", quote.remaining_after},
          {"decision", refused() ? "refused" : "accepted"},
          {"refused_by", privacy::RefusalName(quote.refusal)},
          {"reason", quote.reason}};
}

std::string BudgetPreview::Describe() const {
  std::string text = "budget of dataset " + dataset_id + ": epsilon " +
                     FormatNumber(budget.epsilon, 6) + ", delta " + FormatNumber(budget.delta, 6);
  if (budget.per_release_epsilon) {
    text += ", per-release cap epsilon " + FormatNumber(*budget.per_release_epsilon, 6);
  }
  text += "\n  this release:        " + Amount(quote.cost);
  text += "\n  spent so far:        " + Amount(quote.spent_before) + " (remaining epsilon " +
          FormatNumber(quote.remaining_before, 6) + ")";
  if (std::isfinite(quote.total.epsilon)) {
    text += "\n  total after release: " + Amount(quote.total) + " (composed, not added)";
  }
  if (refused()) {
    text += "\n  REFUSED: " + quote.reason + "; nothing was charged";
  } else {
    text += "\n  remaining after:     epsilon " + FormatNumber(quote.remaining_after, 6) +
            "\n  accepted: the budget and the per-release cap allow it (unless another release is "
            "charged first)";
  }
  return text;
}

std::optional<BudgetPreview> PreviewBudget(const Deployment& deployment,
                                           const std::string& dataset_id,
                                           std::span<const privacy::PrivacyEvent> events) {
  std::error_code error;
  if (!std::filesystem::exists(deployment.ledger, error)) return std::nullopt;
  const auto ledger =
      privacy::BudgetLedger::Open(deployment.ledger, privacy::LedgerOpenMode::kReadOnly);
  const auto datasets = ledger.Datasets();
  if (std::find(datasets.begin(), datasets.end(), dataset_id) == datasets.end()) {
    return std::nullopt;
  }
  BudgetPreview preview;
  preview.dataset_id = dataset_id;
  preview.budget = ledger.Show(dataset_id).budget;
  preview.quote = ledger.Quote(dataset_id, events);
  return preview;
}

}  // namespace privet::release
