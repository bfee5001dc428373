#include "release/unit_bound_release.h"

#include "engine/queries/unit_bound_query.h"
#include "privacy/errors.h"
#include "release/output_dir.h"
#include "release/release_pipeline.h"

namespace privet::release {
namespace {

// A pre-data refusal: the registered config decides it.
void RequireUnitColumn(const PreparedRelease& prepared) {
  if (!prepared.schema.privacy_unit_column()) {
    throw UsageError("dataset " + prepared.registration.dataset_id +
                     " has no privacy_unit column: every row is its own unit, so there is no "
                     "bound to choose (nothing was charged)");
  }
}

}  // namespace

ReleaseResult QueryUnitBound(const Deployment& deployment, const ReleaseRequest& request,
                             const UnitBoundOptions& options, const StageCallback& stage) {
  engine::UnitBoundQueryOptions query;
  query.quantile = options.quantile;
  query.max_rows = options.max_rows;
  query.epsilon = request.epsilon;
  const engine::UnitBoundQueryPlan plan = engine::PlanUnitBoundQuery(query);
  PreparedRelease prepared = PrepareRelease(deployment, request, "unit-bound");
  RequireUnitColumn(prepared);
  // The rows per unit are what the bound would cut: measured before bounding.
  prepared.bound_rows_per_unit = false;
  const auto compute = [&](const engine::EncodedTable& unbounded, privacy::RandomSource& noise,
                           const std::filesystem::path& staging, const StageCallback& announce) {
    if (announce) announce("measuring");
    const engine::UnitBoundResult result = engine::RunUnitBoundQuery(unbounded, plan, noise);
    ComputedRelease computed;
    computed.files = {staging / "unit_bound.json"};
    WriteReleaseFile(computed.files[0], engine::UnitBoundResultJson(result).dump(2) + "\n");
    computed.extra = {{"max_rows_per_unit", result.bound}};
    return computed;
  };
  return RunRelease(prepared, request, {plan.event}, audit::ReleaseKind::kUnitBound, stage,
                    compute);
}

}  // namespace privet::release
