// Composition of privacy events into one (epsilon, delta) guarantee, and the inverse
// questions a planner asks ("how much noise may each of k more steps use?").
//
// Method (Mironov 2017, "Renyi Differential Privacy", Prop. 1 composition): every
// non-approx event has an RDP curve eps_i(alpha), valid for every real alpha > 1:
//   laplace(e)       exact curve of the DISCRETE Laplace at sensitivity 1 (what privet
//                    samples): e + [log1p(exp(-(2a-1)e)) - log1p(exp(-e))] / (a-1).
//                    It dominates every integer sensitivity D at the same epsilon, because
//                    DLap(e/D) = D * DLap(e) + (U1 - U2) with U1, U2 i.i.d. truncated
//                    geometric on {0..D-1} (compare probability generating functions),
//                    so sensitivity D is post-processing of sensitivity 1. It is slightly
//                    ABOVE Mironov's continuous-Laplace curve (Prop. 6)
//                    e + log1p((a-1) expm1((1-2a)e) / (2a-1)) / (a-1), which the
//                    discrete noise does not satisfy; that curve is exposed below for
//                    comparison only.
//   gaussian(s, D)   a D^2 / (2 s^2)  (Mironov 2017 Prop. 7; CKS 2020 Thm 4 for discrete).
//   exponential(e)   min(a e^2 / 8, e)  (bounded range: Cesar & Rogers 2021,
//                    Durfee & Rogers 2019).
//   pure(e)          min(e, a e^2 / 2)  (Bun & Steinke 2016 Prop. 1.4).
// The sum of the curves is converted to (epsilon, delta') with the improved bound of
// Canonne-Kamath-Steinke 2020 Prop. 12 (also Asoodeh et al. 2020):
//   epsilon = rdp(a) + log1p(-1/a) - (log(delta') + log(a)) / (a - 1),
// and epsilon = 0 when delta'^2 >= 1 - exp(-rdp(a)) (KL bound, as dp_accounting does),
// minimised over alpha: a log-spaced grid of 1801 orders in [1.001, 1 + 10^6] refined by
// golden-section search around the best grid point. Every alpha gives a valid bound, so
// the optimisation only affects tightness, never soundness.
// Approx events are composed by basic composition: their deltas are subtracted from the
// delta target (delta' = delta - sum delta_i) and their epsilons added to the result.
// When every event is pure-type (laplace, exponential, pure, approx) the result is
// min(RDP result, sum of epsilons), so it is never worse than basic composition; with
// delta' = 0 only the basic sum is available (RDP needs delta' > 0).
#ifndef PRIVET_PRIVACY_ACCOUNTANT_H_
#define PRIVET_PRIVACY_ACCOUNTANT_H_

#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "privacy/privacy_event.h"

namespace privet::privacy {

struct PrivacyLoss {
  double epsilon = 0.0;
  double delta = 0.0;
};

// Which accountant composed a total. Recorded by the ledger with every charge, so a total can
// be traced to the method that produced it. "rdp-1": RDP only (before issue 14);
// "rdp+pld-1": min(RDP bound, PLD bound), below.
inline constexpr const char* kAccountantVersion = "rdp+pld-1";

// The smallest epsilon such that the composition of `events` is (epsilon, delta)-DP:
// min(RDP bound above, PLD bound), both sound, so the minimum is too. The PLD bound
// (privacy/pld/; docs/privacy.md "Privacy loss distributions") composes each event's
// dominating privacy loss distribution, discretised pessimistically on a grid of
// interval (RDP answer) / 2048 and convolved by FFT with its roundoff and truncated tails
// added to delta; events without a PLD here (gaussian with L2 sensitivity != 1) leave only
// the RDP bound. delta in [0, 1) (InputError otherwise). Returns +infinity when no finite
// epsilon is certified (e.g. delta = 0 with a gaussian event, or the approx deltas use up
// delta). An empty list costs 0.
double ComposeEpsilon(std::span<const PrivacyEvent> events, double delta);
// The two bounds separately (tests, benchmarks). ComposeEpsilonPld uses the given grid
// interval and returns +infinity where the PLD bound is unavailable.
double ComposeEpsilonRdp(std::span<const PrivacyEvent> events, double delta);
double ComposeEpsilonPld(std::span<const PrivacyEvent> events, double delta, double interval);
// {ComposeEpsilon(events, delta), delta}.
PrivacyLoss Compose(std::span<const PrivacyEvent> events, double delta);

// RDP of one event at order alpha > 1 (nats). Throws InputError for approx events.
double EventRdp(const PrivacyEvent& event, double alpha);
// Mironov 2017 Prop. 6: the continuous Laplace mechanism's exact RDP. Not used for privet's
// (discrete) Laplace events; exposed so tests can compare with published numbers.
double ContinuousLaplaceRdp(double epsilon, double alpha);

// The improved conversion on an explicit list of orders (> 1) and RDP values, as
// dp_accounting's compute_epsilon: min over the orders, clamped at 0. delta in (0, 1).
double EpsilonFromRdp(std::span<const double> orders, std::span<const double> rdp, double delta);
// The same conversion minimised over all real alpha > 1 (the grid + refinement above) for
// an arbitrary RDP curve. delta in (0, 1).
double EpsilonFromRdpCurve(const std::function<double(double)>& rdp, double delta);

// Calibration: the largest t such that ComposeEpsilon(*events_at(t), delta) <= epsilon, for a
// family of event lists whose loss grows with t (a planner's budget scale). events_at returns
// nullopt where t has no event list (a sampler parameter out of range); such t do not fit.
// Two phases (docs/privacy.md, "Planning"): the RDP bound alone, which is an upper bound on
// min(RDP, PLD) and costs microseconds, brackets from `start` (divided by 4, multiplied by 2)
// and bisects to the largest t that fits under it; then the full accountant moves t up from
// there by regula falsi (Illinois) on log epsilon against log t, in a handful of PLD
// compositions, until the composed epsilon is within 1e-8 relative below `epsilon` (or the
// bracket is 1e-13 wide, or 40 compositions). The answer is a t whose events the full
// accountant composed and found to be at most `epsilon`: sound whatever the family's shape,
// and tight where the family is increasing. nullopt when no t tried fits. InputError for an
// epsilon or start that is not finite > 0, or a delta outside [0, 1).
std::optional<double> LargestFittingScale(
    const std::function<std::optional<std::vector<PrivacyEvent>>(double)>& events_at,
    double epsilon, double delta, double start);

// Inverse question 1: the smallest sigma such that `fixed` plus `count` gaussian events
// gaussian(sigma, l2_sensitivity) compose to at most `epsilon` at `delta`: the calibration
// above on t = 1 / sigma (so about 60 RDP compositions and a handful of PLD ones, whatever
// `fixed` holds; `fixed` is grouped once). The returned sigma satisfies the bound by the full
// accountant, with slack of 1e-9 relative for the rounding of later recomputation. Returns
// nullopt when `fixed` alone already exceeds (epsilon, delta) or delta = 0.
std::optional<double> SmallestGaussianSigma(std::span<const PrivacyEvent> fixed, std::size_t count,
                                            double l2_sensitivity, double epsilon, double delta);

// Inverse question 2: the largest per-event epsilon e such that `fixed` plus `count`
// events of `kind` (kLaplace, kExponential or kPure) with epsilon e compose to at most
// `epsilon` at `delta`: the calibration above on e, safe side (1e-9 relative below the
// calibrated e). nullopt when no positive e fits. InputError for other kinds.
std::optional<double> LargestEpsilonPerEvent(std::span<const PrivacyEvent> fixed, std::size_t count,
                                             MechanismKind kind, double epsilon, double delta);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_ACCOUNTANT_H_
