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

double ComposeAggregate(const Aggregate& aggregate, double delta) {
  const double rdp = ComposeAggregateRdp(aggregate, delta);
  double scale = rdp;
  if (!std::isfinite(scale) && aggregate.all_pure) {
    scale = aggregate.pure_epsilon_sum + aggregate.approx_epsilon;
  }
  return std::min(rdp, ComposeAggregatePld(aggregate, delta, scale));
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
  const auto fits = [&](double sigma) {
    Aggregate planned = base;
    AddEvent(planned, PrivacyEvent::Gaussian(sigma, l2_sensitivity), static_cast<double>(count));
    return ComposeAggregate(planned, delta) <= epsilon;
  };
  // Bracket: grow `high` until it fits, shrink `low` until it does not.
  double high = l2_sensitivity;
  for (int i = 0; !fits(high); ++i) {
    if (i > 200) return std::nullopt;
    high *= 2;
  }
  double low = high;
  for (int i = 0; fits(low); ++i) {
    if (i > 200) return low;  // any sigma fits (cannot happen with a gaussian event)
    low /= 2;
  }
  while (high / low - 1.0 > 1e-10) {
    const double middle = std::sqrt(low * high);
    (fits(middle) ? high : low) = middle;
  }
  // Slack so the ledger's recomputation (other rounding) still fits; larger sigma is safe.
  const double sigma = high * (1.0 + 1e-9);
  return fits(sigma) ? std::optional<double>(sigma) : std::optional<double>(high);
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
  const auto fits = [&](double e) {
    Aggregate planned = base;
    AddEvent(planned, make(e), static_cast<double>(count));
    return ComposeAggregate(planned, delta) <= epsilon;
  };
  double low = epsilon / static_cast<double>(count);
  for (int i = 0; !fits(low); ++i) {
    if (i > 200) return std::nullopt;
    low /= 2;
  }
  double high = low;
  for (int i = 0; fits(high); ++i) {
    if (i > 200) return high;
    high *= 2;
  }
  while (high / low - 1.0 > 1e-10) {
    const double middle = std::sqrt(low * high);
    (fits(middle) ? low : high) = middle;
  }
  const double safe = low * (1.0 - 1e-9);
  return fits(safe) ? safe : low;
}

}  // namespace privet::privacy
