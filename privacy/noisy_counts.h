// Noisy counts and histograms: integer queries released with exact discrete noise.
//
//   - Discrete Laplace (pure epsilon-DP): each count gets independent noise with
//     Pr[z] proportional to exp(-|z| / scale), scale >= l1_sensitivity / epsilon, where
//     l1_sensitivity bounds the L1 change of the WHOLE vector between neighbours
//     (Ghosh-Roughgarden-Sundararajan 2009; CKS 2020 Section 2.3). For a histogram over
//     disjoint cells with rows_per_unit = m, l1_sensitivity = m.
//   - Discrete Gaussian (zCDP): independent noise of parameter sigma; the release is
//     (Delta_2^2 / (2 sigma^2))-zCDP for an L2 sensitivity Delta_2 (CKS 2020 Theorem 14),
//     which the caller records in its PrivacyEvent.
//
// Safe rounding: scale and sigma^2 become rationals rounded UP (more noise; see
// discrete_samplers.h). The Plan* helpers return the exact rational used and the privacy
// parameter to charge, which is never smaller than the true loss of the noise drawn. The
// intended order is Plan -> charge the ledger with plan.Event(...) -> Add*Noise(plan).
#ifndef PRIVET_PRIVACY_NOISY_COUNTS_H_
#define PRIVET_PRIVACY_NOISY_COUNTS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "privacy/discrete_samplers.h"
#include "privacy/privacy_event.h"
#include "privacy/random_source.h"

namespace privet::privacy {

struct DiscreteLaplacePlan {
  Rational scale;             // the scale the sampler uses, >= l1_sensitivity / epsilon
  double l1_sensitivity = 0;  // as given
  // The epsilon to charge: l1_sensitivity / scale rounded up to a double, and never above
  // the requested epsilon (rounding the scale up only lowers the true loss).
  double epsilon = 0;
  PrivacyEvent Event(std::string query = "") const;  // PrivacyEvent::Laplace(epsilon)
};

// Throws InputError unless epsilon and l1_sensitivity are finite and > 0 and the scale
// l1_sensitivity/epsilon lies in [kMinSamplerParameter, kMaxSamplerParameter].
DiscreteLaplacePlan PlanDiscreteLaplace(double epsilon, double l1_sensitivity);

// counts[i] + independent discrete Laplace noise of plan.scale. Saturates at the int64
// range instead of wrapping (a count that large is not a real count).
std::vector<std::int64_t> AddDiscreteLaplaceNoise(std::span<const std::int64_t> counts,
                                                  const DiscreteLaplacePlan& plan,
                                                  RandomSource& random);
// Convenience: PlanDiscreteLaplace(epsilon, l1_sensitivity) then the above. The charge for
// it is PlanDiscreteLaplace(epsilon, l1_sensitivity).Event().
std::vector<std::int64_t> AddDiscreteLaplaceNoise(std::span<const std::int64_t> counts,
                                                  double epsilon, double l1_sensitivity,
                                                  RandomSource& random);

struct DiscreteGaussianPlan {
  Rational sigma_squared;  // the sigma^2 the sampler uses, >= requested sigma^2
  // The sigma to charge: at most sqrt(sigma_squared) (rounded down) and at least the
  // requested sigma, so Event() never understates the loss.
  double sigma = 0;
  PrivacyEvent Event(double l2_sensitivity, std::string query = "") const;
};

// sigma is the absolute noise parameter (same units as the counts). Throws InputError
// unless sigma is finite, > 0 and sigma^2 in [kMinSamplerParameter, kMaxSamplerParameter].
DiscreteGaussianPlan PlanDiscreteGaussian(double sigma);

std::vector<std::int64_t> AddDiscreteGaussianNoise(std::span<const std::int64_t> counts,
                                                   const DiscreteGaussianPlan& plan,
                                                   RandomSource& random);
// Convenience: PlanDiscreteGaussian(sigma) then the above.
std::vector<std::int64_t> AddDiscreteGaussianNoise(std::span<const std::int64_t> counts,
                                                   double sigma, RandomSource& random);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_NOISY_COUNTS_H_
