// Direct noisy statistics as releases of their own (`privet query marginal|correlation`, the
// service's "marginal" and "correlation" requests): planned from public inputs, charged
// before any noise, written with the mechanism and scale they used, and attested.
#ifndef PRIVET_RELEASE_QUERY_RELEASE_H_
#define PRIVET_RELEASE_QUERY_RELEASE_H_

#include "release/release_request.h"

namespace privet::release {

// marginal.csv and marginal.json: a noisy contingency table of 1 to 3 attributes.
ReleaseResult QueryMarginal(const Deployment& deployment, const ReleaseRequest& request,
                            const QueryOptions& options, const StageCallback& stage = nullptr);

// correlation.csv and correlation.json: a noisy correlation matrix of numeric attributes.
ReleaseResult QueryCorrelation(const Deployment& deployment, const ReleaseRequest& request,
                               const QueryOptions& options, const StageCallback& stage = nullptr);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_QUERY_RELEASE_H_
