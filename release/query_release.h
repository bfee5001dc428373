// Direct noisy statistics as releases of their own (`privet query marginal|correlation`, the
// service's "marginal" and "correlation" requests): planned from public inputs, charged
// before any noise, written with the mechanism and scale they used, and attested.
#ifndef PRIVET_RELEASE_QUERY_RELEASE_H_
#define PRIVET_RELEASE_QUERY_RELEASE_H_

#include <optional>
#include <string>

#include "engine/queries/correlation_query.h"
#include "engine/queries/noisy_marginal_query.h"
#include "release/budget_preview.h"
#include "release/release_request.h"

namespace privet::release {

// The plan of a query, from public inputs only (the config, epsilon, delta, options); the same
// plan the release charges. `delta` is the request's (or the budget's): a pure marginal plans
// at delta 0 whatever it is. "auto" (kAutoNoiseMode) picks the mode with less noise per cell.
engine::MarginalQueryPlan PlanMarginal(const engine::Schema& schema, const ReleaseRequest& request,
                                       const QueryOptions& options, double delta);
engine::CorrelationQueryPlan PlanCorrelation(const engine::Schema& schema,
                                             const ReleaseRequest& request,
                                             const QueryOptions& options, double delta);

// A query's plan with its budget preview (release/budget_preview.h): what `privet query
// marginal|correlation --plan` prints. Charges nothing, reads no data.
struct QueryPreview {
  nlohmann::json plan;                  // the engine plan's ToJson()
  std::string description;              // the engine plan's Describe()
  std::optional<BudgetPreview> budget;  // nullopt: no ledger, or no budget for the dataset
  bool refused() const { return budget && budget->refused(); }
  // plan with "budget": budget->ToJson(), or null when there is no budget to check.
  nlohmann::json ToJson() const;
};
// ResolvePlanInputs (release/plan_inputs.h), the plan, then PreviewBudget of its one event.
QueryPreview PreviewMarginal(const Deployment& deployment, const ReleaseRequest& request,
                             const QueryOptions& options);
QueryPreview PreviewCorrelation(const Deployment& deployment, const ReleaseRequest& request,
                                const QueryOptions& options);

// marginal.csv and marginal.json: a noisy contingency table of 1 to 3 attributes.
ReleaseResult QueryMarginal(const Deployment& deployment, const ReleaseRequest& request,
                            const QueryOptions& options, const StageCallback& stage = nullptr);

// correlation.csv and correlation.json: a noisy correlation matrix of numeric attributes.
ReleaseResult QueryCorrelation(const Deployment& deployment, const ReleaseRequest& request,
                               const QueryOptions& options, const StageCallback& stage = nullptr);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_QUERY_RELEASE_H_
