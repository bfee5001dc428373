// What a `--plan` is made from, for every release kind: the config and the delta, resolved
// from public inputs only, so a plan reads no data and charges nothing.
#ifndef PRIVET_RELEASE_PLAN_INPUTS_H_
#define PRIVET_RELEASE_PLAN_INPUTS_H_

#include "engine/table/schema.h"
#include "release/release_request.h"

namespace privet::release {

struct PlanInputs {
  engine::Schema schema;  // the request's config when it names one, else the registered one
  double delta = 0;       // the request's delta, else the dataset's budget delta
};

// The inputs PrepareRelease would resolve for the same request (release/release_pipeline.h),
// without its checks: a dry run works without a ledger when the request gives its config and
// delta. UsageError when the dataset is not registered and the request gives no config, or
// when neither the request nor a ledger budget gives a delta.
PlanInputs ResolvePlanInputs(const Deployment& deployment, const ReleaseRequest& request);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_PLAN_INPUTS_H_
