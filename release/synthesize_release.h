// A synthetic-table release (`privet synthesize`, the service's "synthesize" request): the
// PrivBayes-style model fitted on the registered data with the plan's noise, rows sampled
// from it, and synthetic.csv + model.json + attestation.dsse.json written all or nothing.
#ifndef PRIVET_RELEASE_SYNTHESIZE_RELEASE_H_
#define PRIVET_RELEASE_SYNTHESIZE_RELEASE_H_

#include "engine/generator/model.h"
#include "engine/generator/synthesis_plan.h"
#include "release/budget_preview.h"
#include "release/release_request.h"

namespace privet::release {

// More rows than a synthetic table may have (refused before anything is charged).
inline constexpr std::uint64_t kMaxSyntheticRows = 100'000'000;

// InputError unless rows (when given) is in [1, kMaxSyntheticRows].
void CheckRows(const std::optional<std::uint64_t>& rows);

// How many rows to draw: `rows` if given, else the model's noisy row count (the true count is
// private), clamped to [1, kMaxSyntheticRows].
std::uint64_t RowsToSample(const std::optional<std::uint64_t>& rows,
                           const engine::BayesNetModel& model);

// The plan of a request: every event and noise scale, from public inputs only (the config,
// epsilon, delta, options); charges nothing, reads no data. The config is the request's own
// when it names one, else the registered one; delta is the request's, else the dataset's
// budget delta (UsageError when neither is known).
engine::SynthesisPlan PlanSynthesis(const Deployment& deployment, const ReleaseRequest& request,
                                    const SynthesizeOptions& options);

// A plan with its budget preview (release/budget_preview.h): what `privet synthesize --plan`
// prints and the service's plan endpoint returns. Charges nothing, reads no data.
struct SynthesisPreview {
  engine::SynthesisPlan plan;
  std::optional<BudgetPreview> budget;  // nullopt: no ledger, or no budget for the dataset
  bool refused() const { return budget && budget->refused(); }
  // plan.ToJson() with "budget": budget->ToJson(), or null when there is no budget to check.
  nlohmann::json ToJson() const;
};
// PlanSynthesis, then PreviewBudget of the plan's events on the request's dataset.
SynthesisPreview PreviewSynthesis(const Deployment& deployment, const ReleaseRequest& request,
                                  const SynthesizeOptions& options);

// The whole release (release/release_pipeline.h). extra: {"rows": N}.
ReleaseResult Synthesize(const Deployment& deployment, const ReleaseRequest& request,
                         const SynthesizeOptions& options, const StageCallback& stage = nullptr);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_SYNTHESIZE_RELEASE_H_
