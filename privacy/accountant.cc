#include "privacy/accountant.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "privacy/errors.h"
#include "privacy/format_number.h"
#include "privacy/pld/mechanism_plds.h"
#include "privacy/pld/privacy_loss_distribution.h"

namespace privet::privacy {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

void RequireDelta(double delta, bool allow_zero) {
  if (!std::isfinite(delta) || delta < 0 || delta >= 1 || (!allow_zero && delta == 0)) {
    throw InputError(std::string("accountant: delta must be in ") +
                     (allow_zero ? "[0, 1)" : "(0, 1)") + " (got " + FormatNumber(delta) + ")");
  }
}

// Identical events share one RDP curve evaluation: a release of 500 equal marginals costs
// one curve times 500.
struct EventGroup {
  PrivacyEvent event;
  double count = 0;
};

struct Aggregate {
  std::vector<EventGroup> rdp_groups;     // non-approx events
  std::vector<EventGroup> approx_groups;  // approx events (the PLD composes them too)
  bool all_pure = true;                   // every rdp group is laplace/exponential/pure
  double pure_epsilon_sum = 0;            // sum of epsilons of the rdp groups (if all_pure)
  double approx_epsilon = 0;
  double approx_delta = 0;
};

bool SameCurve(const PrivacyEvent& a, const PrivacyEvent& b) {
  return a.kind == b.kind && a.epsilon == b.epsilon && a.sigma == b.sigma &&
         a.l2_sensitivity == b.l2_sensitivity;
}

void AddEvent(Aggregate& aggregate, const PrivacyEvent& event, double count) {
  if (event.kind == MechanismKind::kApprox) {
    aggregate.approx_epsilon += count * event.epsilon;
    aggregate.approx_delta += count * event.delta;
    for (auto& group : aggregate.approx_groups) {
      if (group.event.epsilon == event.epsilon && group.event.delta == event.delta) {
        group.count += count;
        return;
      }
    }
    aggregate.approx_groups.push_back({event, count});
    return;
  }
  if (event.kind == MechanismKind::kGaussian) {
    aggregate.all_pure = false;
  } else {
    aggregate.pure_epsilon_sum += count * event.epsilon;
  }
  for (auto& group : aggregate.rdp_groups) {
    if (SameCurve(group.event, event)) {
      group.count += count;
      return;
    }
  }
  aggregate.rdp_groups.push_back({event, count});
}

Aggregate Aggregated(std::span<const PrivacyEvent> events) {
  Aggregate aggregate;
  for (const auto& event : events) AddEvent(aggregate, event, 1.0);
  return aggregate;
}

// CKS 2020 Prop. 12 conversion at one order, with dp_accounting's two special cases.
double ConvertAtOrder(double alpha, double rdp, double delta) {
  if (std::isnan(rdp)) return kInfinity;
  if (rdp < 0) return 0.0;  // only from rounding of a zero curve
  // KL bound: delta <= sqrt(1 - exp(-KL)) and RDP is non-decreasing in alpha.
  if (delta * delta + std::expm1(-rdp) > 0) return 0.0;
  if (alpha <= 1) return kInfinity;
  return rdp + std::log1p(-1.0 / alpha) - (std::log(delta) + std::log(alpha)) / (alpha - 1.0);
}

double ComposeAggregateRdp(const Aggregate& aggregate, double delta) {
  const double rdp_delta = delta - aggregate.approx_delta;
  if (rdp_delta < 0) return kInfinity;
  if (aggregate.rdp_groups.empty()) return aggregate.approx_epsilon;
  double best = kInfinity;
  if (aggregate.all_pure) best = aggregate.pure_epsilon_sum;  // basic composition
  if (rdp_delta > 0) {
    const auto curve = [&aggregate](double alpha) {
      double total = 0;
      for (const auto& group : aggregate.rdp_groups) {
        total += group.count * EventRdp(group.event, alpha);
      }
      return total;
    };
    best = std::min(best, EpsilonFromRdpCurve(curve, rdp_delta));
  }
  return best + aggregate.approx_epsilon;
}

// The PLD bound (privacy/pld/): +infinity when some event has no PLD here, delta = 0, or the
// composition does not fit the FFT. `scale` is an epsilon of the right magnitude (the RDP
// answer): the grid interval is scale / kPldPointsPerEpsilon, so the grid's resolution is
// relative to the answer, and the window stays a few times 10^4 points.
constexpr double kPldPointsPerEpsilon = 2048;

double ComposeAggregatePld(const Aggregate& aggregate, double delta, double scale) {
  if (!(delta > 0) || !std::isfinite(scale) || !(scale > 0)) return kInfinity;
  const double interval = std::max(scale / kPldPointsPerEpsilon, 1e-7);
  std::vector<pld::DiscretePld> distributions;
  std::vector<std::uint64_t> counts;
  for (const auto* groups : {&aggregate.rdp_groups, &aggregate.approx_groups}) {
    for (const auto& group : *groups) {
      std::optional<pld::DiscretePld> distribution = pld::EventPld(group.event, interval);
      if (!distribution) return kInfinity;
      distributions.push_back(std::move(*distribution));
      counts.push_back(static_cast<std::uint64_t>(group.count));
    }
  }
  if (distributions.empty()) return 0.0;
  std::vector<pld::PldGroup> groups;
  for (std::size_t i = 0; i < distributions.size(); ++i) {
    groups.push_back({&distributions[i], counts[i]});
  }
  const std::optional<pld::DiscretePld> composed = pld::Compose(groups);
  if (!composed) return kInfinity;
  return composed->EpsilonForDelta(delta);
}

// The groups and delta of a composition, exactly (every field that enters it), as the key of
// the composition cache below.
std::vector<double> CompositionKey(const Aggregate& aggregate, double delta) {
  std::vector<double> key{delta};
  for (const auto* groups : {&aggregate.rdp_groups, &aggregate.approx_groups}) {
    for (const EventGroup& group : *groups) {
      key.insert(key.end(),
                 {static_cast<double>(group.event.kind), group.event.epsilon, group.event.delta,
                  group.event.sigma, group.event.l2_sensitivity, group.count});
    }
    key.push_back(-1);  // separates the two lists
  }
  return key;
}

// The last few compositions of this thread. A planner composes the events it settled on once
// more when it builds the plan (PlanSynthesis' final PlanAt): that is then a lookup. The result is
// a pure function of the key, so a hit returns exactly what the composition would; thread_local, so
// concurrent requests share nothing.
constexpr std::size_t kCachedCompositions = 4;

struct CachedComposition {
  std::vector<double> key;
  double epsilon = 0;
};

double ComposeAggregateUncached(const Aggregate& aggregate, double delta) {
  const double rdp = ComposeAggregateRdp(aggregate, delta);
  double scale = rdp;
  if (!std::isfinite(scale) && aggregate.all_pure) {
    scale = aggregate.pure_epsilon_sum + aggregate.approx_epsilon;
  }
  return std::min(rdp, ComposeAggregatePld(aggregate, delta, scale));
}

double ComposeAggregate(const Aggregate& aggregate, double delta) {
  thread_local std::vector<CachedComposition> cache;
  thread_local std::size_t next_slot = 0;
  std::vector<double> key = CompositionKey(aggregate, delta);
  for (const CachedComposition& entry : cache) {
    if (entry.key == key) return entry.epsilon;
  }
  const double epsilon = ComposeAggregateUncached(aggregate, delta);
  if (cache.size() < kCachedCompositions) {
    cache.push_back({std::move(key), epsilon});
  } else {
    cache[next_slot] = {std::move(key), epsilon};
    next_slot = (next_slot + 1) % kCachedCompositions;
  }
  return epsilon;
}

}  // namespace

double EventRdp(const PrivacyEvent& event, double alpha) {
  if (!(alpha > 1)) throw InputError("accountant: RDP order must be > 1");
  const double e = event.epsilon;
  switch (event.kind) {
    case MechanismKind::kLaplace:
      // Exact Renyi divergence of DLap(1/e) from DLap(1/e) + 1 (derivation in
      // docs/privacy.md): sum_z p^a q^(1-a) = (exp((a-1)e) + exp(-a e)) / (1 + exp(-e)).
      return e + (std::log1p(std::exp(-(2.0 * alpha - 1.0) * e)) - std::log1p(std::exp(-e))) /
                     (alpha - 1.0);
    case MechanismKind::kGaussian: {
      const double ratio = event.l2_sensitivity / event.sigma;
      return alpha * ratio * ratio / 2.0;
    }
    case MechanismKind::kExponential:
      return std::min(alpha * e * e / 8.0, e);
    case MechanismKind::kPure:
      return std::min(e, alpha * e * e / 2.0);
    case MechanismKind::kApprox:
      break;
  }
  throw InputError("accountant: an approx(epsilon, delta) event has no RDP curve");
}

double ContinuousLaplaceRdp(double epsilon, double alpha) {
  if (!(alpha > 1)) throw InputError("accountant: RDP order must be > 1");
  return epsilon + std::log1p((alpha - 1.0) * std::expm1((1.0 - 2.0 * alpha) * epsilon) /
                              (2.0 * alpha - 1.0)) /
                       (alpha - 1.0);
}

double EpsilonFromRdp(std::span<const double> orders, std::span<const double> rdp, double delta) {
  RequireDelta(delta, /*allow_zero=*/false);
  if (orders.size() != rdp.size() || orders.empty()) {
    throw InputError("accountant: orders and RDP values must be non-empty and equally long");
  }
  double best = kInfinity;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (!(orders[i] >= 1)) throw InputError("accountant: RDP orders must be >= 1");
    // dp_accounting excludes orders <= 1.01, where the bound is numerically unstable and
    // never the minimum.
    double epsilon = ConvertAtOrder(orders[i], rdp[i], delta);
    if (orders[i] <= 1.01 && epsilon > 0) epsilon = kInfinity;
    best = std::min(best, epsilon);
  }
  return std::max(0.0, best);
}

double EpsilonFromRdpCurve(const std::function<double(double)>& rdp, double delta) {
  RequireDelta(delta, /*allow_zero=*/false);
  const auto objective = [&rdp, delta](double alpha) {
    return ConvertAtOrder(alpha, rdp(alpha), delta);
  };
  // Grid: alpha = 1 + 10^x, x in [-3, 6] in steps of 1/200 (1801 orders).
  constexpr int kSteps = 1800;
  const auto order_at = [](int i) { return 1.0 + std::pow(10.0, -3.0 + 9.0 * i / kSteps); };
  int best_index = 0;
  double best = kInfinity;
  for (int i = 0; i <= kSteps; ++i) {
    const double value = objective(order_at(i));
    if (value < best) {
      best = value;
      best_index = i;
    }
  }
  if (best <= 0) return 0.0;
  if (!std::isfinite(best)) return kInfinity;
  // Golden-section refinement between the grid neighbours of the best order. Any order
  // gives a valid bound, so the refinement only ever tightens (we keep the minimum seen).
  double low = order_at(std::max(best_index - 1, 0));
  double high = order_at(std::min(best_index + 1, kSteps));
  const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
  double left = high - ratio * (high - low);
  double right = low + ratio * (high - low);
  double left_value = objective(left);
  double right_value = objective(right);
  for (int iteration = 0; iteration < 100 && high - low > 1e-12 * high; ++iteration) {
    if (left_value < right_value) {
      high = right;
      right = left;
      right_value = left_value;
      left = high - ratio * (high - low);
      left_value = objective(left);
    } else {
      low = left;
      left = right;
      left_value = right_value;
      right = low + ratio * (high - low);
      right_value = objective(right);
    }
    best = std::min({best, left_value, right_value});
  }
  return std::max(0.0, best);
}

double ComposeEpsilon(std::span<const PrivacyEvent> events, double delta) {
  RequireDelta(delta, /*allow_zero=*/true);
  return ComposeAggregate(Aggregated(events), delta);
}

double ComposeEpsilonRdp(std::span<const PrivacyEvent> events, double delta) {
  RequireDelta(delta, /*allow_zero=*/true);
  return ComposeAggregateRdp(Aggregated(events), delta);
}

double ComposeEpsilonPld(std::span<const PrivacyEvent> events, double delta, double interval) {
  RequireDelta(delta, /*allow_zero=*/true);
  if (!std::isfinite(interval) || interval <= 0) {
    throw InputError("accountant: the PLD interval must be a finite number > 0");
  }
  return ComposeAggregatePld(Aggregated(events), delta, interval * kPldPointsPerEpsilon);
}

PrivacyLoss Compose(std::span<const PrivacyEvent> events, double delta) {
  return PrivacyLoss{ComposeEpsilon(events, delta), delta};
}

namespace {

// The calibration search behind LargestFittingScale, on aggregates so that the fixed part of
// SmallestGaussianSigma / LargestEpsilonPerEvent is grouped once. `at(t)` is nullopt where the
// family has no event list (a parameter out of range): such t count as not fitting.
using AggregateAt = std::function<std::optional<Aggregate>(double)>;

// Phase 1, RDP only: the RDP bound is an upper bound on min(RDP, PLD), so every t that fits
// under it fits under the full accountant. Bracket from `start` (down by 4, up by 2), then
// bisect on log t to 1e-13 relative. nullopt when no t fits.
std::optional<double> LargestRdpFit(const AggregateAt& at, double epsilon, double delta,
                                    double start) {
  const auto fits = [&](double t) {
    const std::optional<Aggregate> aggregate = at(t);
    return aggregate && ComposeAggregateRdp(*aggregate, delta) <= epsilon;
  };
  double low = start;
  for (int i = 0; i < 60 && !fits(low); ++i) low /= 4;
  if (!fits(low)) return std::nullopt;
  double high = low * 2;
  for (int i = 0; i < 60 && fits(high); ++i) high *= 2;
  if (fits(high)) return high;  // every t tried fits (a family whose loss does not grow)
  for (int i = 0; i < 80 && high / low > 1 + 1e-13; ++i) {
    const double middle = std::sqrt(low * high);
    (fits(middle) ? low : high) = middle;
  }
  return low;
}

// Phase 2, the full accountant (min(RDP, PLD)), from the RDP answer upwards. The composed
// epsilon e(t) is continuous and increasing in t; with x = log t and y = log(e(t) / epsilon)
// the root is found by the Illinois variant of regula falsi (Dowell & Jarratt 1971), which
// keeps a bracket [x_lo, x_hi] with y_lo <= 0 < y_hi and converges superlinearly; a step that
// would land within 0.1% of the bracket's width from an end is moved there. It stops when the
// fitting end is within kCalibrationTolerance of epsilon, the bracket is 1e-13 wide, or after
// kMaxFullCompositions compositions. Only a t whose full composition was computed and found
// <= epsilon is returned, so the answer is sound whatever the shape of e(t).
constexpr double kCalibrationTolerance = 1e-8;
constexpr int kMaxFullCompositions = 40;

double RefineWithFullAccountant(const AggregateAt& at, double epsilon, double delta,
                                double rdp_fit) {
  const double log_target = std::log(epsilon);
  // y(t), or +infinity where t has no event list or no finite epsilon.
  const auto excess = [&](double log_t) {
    const std::optional<Aggregate> aggregate = at(std::exp(log_t));
    if (!aggregate) return kInfinity;
    const double composed = ComposeAggregate(*aggregate, delta);
    if (!(composed > 0)) return -kInfinity;
    return std::log(composed) - log_target;
  };
  double x_low = std::log(rdp_fit);
  double y_low = excess(x_low);
  int compositions = 1;
  if (!(y_low <= 0)) return rdp_fit;  // cannot happen (min <= RDP); keep the RDP answer
  if (y_low >= std::log1p(-kCalibrationTolerance) || y_low == -kInfinity) return rdp_fit;
  // The upper end: e grows at least like t^(1/2) in every privet family (rho-scaled
  // Gaussians: epsilon ~ sqrt(rho); epsilon-scaled pure events: epsilon ~ t), so a step of
  // -2 y in x overshoots the root; steps double until one does not fit.
  double x_high = x_low;
  double y_high = y_low;
  double step = std::max(-2 * y_low, 1e-9);
  while (y_high <= 0) {
    if (compositions >= kMaxFullCompositions) return std::exp(x_low);
    x_high = x_low + step;
    y_high = excess(x_high);
    ++compositions;
    if (y_high <= 0) {
      x_low = x_high;
      y_low = y_high;
      if (y_low >= std::log1p(-kCalibrationTolerance)) return std::exp(x_low);
      step *= 2;
    }
  }
  int last_side = 0;  // -1: the low end moved last, +1: the high end
  while (compositions < kMaxFullCompositions &&
         x_high - x_low > 1e-13 * std::max(1.0, std::abs(x_low)) &&
         y_low < std::log1p(-kCalibrationTolerance)) {
    double x;
    if (std::isfinite(y_high)) {
      // Illinois: halve the retained end's y when the same end moved twice in a row.
      x = x_low - y_low * (x_high - x_low) / (y_high - y_low);
    } else {
      x = 0.5 * (x_low + x_high);
    }
    // Keep the step strictly inside the bracket (NaN, from infinite ends, bisects).
    const double margin = 1e-3 * (x_high - x_low);
    if (std::isnan(x)) x = 0.5 * (x_low + x_high);
    x = std::clamp(x, x_low + margin, x_high - margin);
    const double y = excess(x);
    ++compositions;
    if (y <= 0) {
      x_low = x;
      y_low = y;
      if (last_side == -1 && std::isfinite(y_high)) y_high /= 2;
      last_side = -1;
    } else {
      x_high = x;
      y_high = y;
      if (last_side == 1) y_low /= 2;
      last_side = 1;
    }
  }
  return std::exp(x_low);
}

std::optional<double> LargestFit(const AggregateAt& at, double epsilon, double delta,
                                 double start) {
  const std::optional<double> rdp_fit = LargestRdpFit(at, epsilon, delta, start);
  if (!rdp_fit) return std::nullopt;
  return RefineWithFullAccountant(at, epsilon, delta, *rdp_fit);
}

}  // namespace

std::optional<double> LargestFittingScale(
    const std::function<std::optional<std::vector<PrivacyEvent>>(double)>& events_at,
    double epsilon, double delta, double start) {
  if (!std::isfinite(epsilon) || epsilon <= 0) {
    throw InputError("accountant: target epsilon must be a finite number > 0 (got " +
                     FormatNumber(epsilon) + ")");
  }
  RequireDelta(delta, /*allow_zero=*/true);
  if (!std::isfinite(start) || start <= 0) {
    throw InputError("accountant: the calibration's start must be a finite number > 0");
  }
  return LargestFit(
      [&events_at](double t) -> std::optional<Aggregate> {
        const std::optional<std::vector<PrivacyEvent>> events = events_at(t);
        if (!events) return std::nullopt;
        return Aggregated(*events);
      },
      epsilon, delta, start);
}

std::optional<double> SmallestGaussianSigma(std::span<const PrivacyEvent> fixed, std::size_t count,
                                            double l2_sensitivity, double epsilon, double delta) {
  if (!std::isfinite(epsilon) || epsilon <= 0) {
    throw InputError("accountant: target epsilon must be a finite number > 0 (got " +
                     FormatNumber(epsilon) + ")");
  }
  RequireDelta(delta, /*allow_zero=*/true);
  if (count == 0) throw InputError("accountant: plan at least one gaussian event");
  // Validates l2_sensitivity the same way the event factory does.
  (void)PrivacyEvent::Gaussian(1.0, l2_sensitivity);
  if (delta == 0) return std::nullopt;
  const Aggregate base = Aggregated(fixed);
  if (!(ComposeAggregate(base, delta) < epsilon)) return std::nullopt;
  // The loss grows with t = 1 / sigma.
  const auto planned = [&](double sigma) {
    Aggregate aggregate = base;
    AddEvent(aggregate, PrivacyEvent::Gaussian(sigma, l2_sensitivity), static_cast<double>(count));
    return aggregate;
  };
  const std::optional<double> inverse = LargestFit(
      [&](double t) -> std::optional<Aggregate> {
        if (!(t > 0) || !std::isfinite(1 / t)) return std::nullopt;
        return planned(1 / t);
      },
      epsilon, delta, 1 / l2_sensitivity);
  if (!inverse) return std::nullopt;
  const double high = 1 / *inverse;
  // Slack so the ledger's recomputation (other rounding) still fits; larger sigma is safe.
  // `high` itself was found to fit by the full accountant.
  const double sigma = high * (1.0 + 1e-9);
  return ComposeAggregate(planned(sigma), delta) <= epsilon ? sigma : high;
}

std::optional<double> LargestEpsilonPerEvent(std::span<const PrivacyEvent> fixed, std::size_t count,
                                             MechanismKind kind, double epsilon, double delta) {
  if (kind != MechanismKind::kLaplace && kind != MechanismKind::kExponential &&
      kind != MechanismKind::kPure) {
    throw InputError(
        "accountant: per-event epsilon is defined for laplace, exponential and "
        "pure events only");
  }
  if (!std::isfinite(epsilon) || epsilon <= 0) {
    throw InputError("accountant: target epsilon must be a finite number > 0 (got " +
                     FormatNumber(epsilon) + ")");
  }
  RequireDelta(delta, /*allow_zero=*/true);
  if (count == 0) throw InputError("accountant: plan at least one event");
  const Aggregate base = Aggregated(fixed);
  if (!(ComposeAggregate(base, delta) < epsilon)) return std::nullopt;
  const auto make = [kind](double e) {
    switch (kind) {
      case MechanismKind::kLaplace:
        return PrivacyEvent::Laplace(e);
      case MechanismKind::kExponential:
        return PrivacyEvent::Exponential(e);
      default:
        return PrivacyEvent::Pure(e);
    }
  };
  const auto planned = [&](double e) {
    Aggregate aggregate = base;
    AddEvent(aggregate, make(e), static_cast<double>(count));
    return aggregate;
  };
  const std::optional<double> low = LargestFit(
      [&](double e) -> std::optional<Aggregate> {
        if (!(e > 0) || !std::isfinite(e)) return std::nullopt;
        return planned(e);
      },
      epsilon, delta, epsilon / static_cast<double>(count));
  if (!low) return std::nullopt;
  const double safe = *low * (1.0 - 1e-9);
  return ComposeAggregate(planned(safe), delta) <= epsilon ? safe : *low;
}

}  // namespace privet::privacy
