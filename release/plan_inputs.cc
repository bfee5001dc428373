#include "release/plan_inputs.h"

#include <optional>

#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "release/release_pipeline.h"

namespace privet::release {

PlanInputs ResolvePlanInputs(const Deployment& deployment, const ReleaseRequest& request) {
  std::optional<privacy::Registration> registration;
  std::optional<privacy::Budget> budget;
  const std::string dataset_id = RequestedDatasetId(request);
  try {
    const auto ledger =
        privacy::BudgetLedger::Open(deployment.ledger, privacy::LedgerOpenMode::kReadOnly);
    registration = ledger.CurrentRegistration(dataset_id);
    if (registration) budget = ledger.Show(dataset_id).budget;
  } catch (const Error&) {
    // A dry run works without a ledger when the request gives its config and delta.
  }
  std::optional<engine::Schema> schema;
  if (request.config) {
    schema.emplace(engine::Schema::Load(*request.config));
  } else if (registration) {
    schema.emplace(engine::Schema::Load(registration->config_path));
  } else {
    throw UsageError("--plan needs --config when dataset " + dataset_id + " is not registered");
  }
  const std::optional<double> delta =
      request.delta ? request.delta
                    : (budget ? std::optional<double>(budget->delta) : std::nullopt);
  if (!delta) {
    throw UsageError("--plan needs --delta when the ledger has no budget for dataset " +
                     dataset_id);
  }
  return {std::move(*schema), *delta};
}

}  // namespace privet::release
