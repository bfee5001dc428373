// `privet dataset unit-bound` (the privacy officer's tool for choosing max_rows_per_unit): a
// DP quantile of the rows per privacy unit (engine/queries/unit_bound_query.h), released like
// every spending request: planned from public inputs, charged in the ledger before any noise
// is drawn, written to unit_bound.json and attested (release kind "unit-bound").
#ifndef PRIVET_RELEASE_UNIT_BOUND_RELEASE_H_
#define PRIVET_RELEASE_UNIT_BOUND_RELEASE_H_

#include <cstdint>

#include "release/release_request.h"

namespace privet::release {

struct UnitBoundOptions {
  double quantile = 0.95;        // q in (0, 1)
  std::uint32_t max_rows = 100;  // M, the largest bound considered (public)
};

// Refuses for free (UsageError, before the charge) a dataset whose config has no privacy
// unit column, and bad options (InputError). The released bound is in result.extra
// ("max_rows_per_unit") and in OUT/unit_bound.json.
ReleaseResult QueryUnitBound(const Deployment& deployment, const ReleaseRequest& request,
                             const UnitBoundOptions& options, const StageCallback& stage = nullptr);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_UNIT_BOUND_RELEASE_H_
