// An empirical (epsilon, delta)-DP audit, in the manner of Google's stochastic tester
// (google/differential-privacy, cc/testing/stochastic_tester.h: run a mechanism many times on
// two neighbouring inputs, histogram the outputs, and check every event against e^epsilon and
// delta; cf. Ding, Wang, Wang, Zhang, Kifer, "Detecting Violations of Differential Privacy",
// CCS 2018, and DP-Auditorium, Kong et al. 2024). A mechanism M is (epsilon, delta)-DP only if
// for every event E and both orders of the neighbours (D, D'):
//   Pr[M(D) in E] <= e^epsilon Pr[M(D') in E] + delta.
//
// The test. Outputs are mapped, by a binning FIXED BEFORE SAMPLING, to bins 0..B-1 (ordered:
// the first and last bins absorb the tails). The events are every bin, and for ordered outputs
// every upper tail {bin >= t} and lower tail {bin <= t}: T events, each checked in both orders,
// 2T checks. For a check (E, D, D') with counts k of n and k' of n', let p_lo be the one-sided
// Clopper-Pearson lower bound of Pr[M(D) in E] and q_hi the upper bound of Pr[M(D') in E], each
// at level beta = alpha / (4T) (Bonferroni over the 2 bounds of the 2T checks). The audit
// reports a violation when p_lo > e^epsilon q_hi + delta.
//
// False alarm. If M is (epsilon, delta)-DP then p <= e^epsilon q + delta for the true p, q, so
// a reported violation needs p_lo > p or q_hi < q for some check; each has probability <= beta
// (Clopper-Pearson bounds are exact, conservative), so by the union bound over the 4T bounds
// the audit of a correct mechanism fails with probability <= alpha, whatever the sample sizes.
// The tests use alpha = 1e-6 and fixed seeds (the outcome is then deterministic; alpha is the
// probability over a fresh seed). Power is not guaranteed: each audit is paired with a mutant
// (the same mechanism with its noise halved, built in the test) that the same audit must flag,
// which shows the sample sizes suffice to see a privacy loss of about 2 epsilon.
#ifndef PRIVET_TESTS_STAT_DP_AUDIT_H_
#define PRIVET_TESTS_STAT_DP_AUDIT_H_

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace privet::stat {

inline constexpr double kAuditFalseAlarm = 1e-6;

// Counts of each bin for one dataset.
struct AuditHistogram {
  std::vector<std::int64_t> counts;
  std::int64_t total = 0;

  explicit AuditHistogram(std::size_t bins) : counts(bins, 0) {}
  void Add(std::size_t bin) {
    ++counts.at(bin);
    ++total;
  }
};

struct AuditResult {
  bool violation = false;
  // max over checks of p_lo - (e^epsilon q_hi + delta): > 0 exactly when violation.
  double worst_margin = -1;
  std::string worst_event;  // e.g. "bins >= 7, D vs D'"
  std::size_t checks = 0;   // 2T
};

// Bins of an integer output: value v goes to bin clamp(v, low, high) - low.
inline std::size_t IntegerBin(std::int64_t value, std::int64_t low, std::int64_t high) {
  return static_cast<std::size_t>(std::clamp(value, low, high) - low);
}

// Bins of a real output: width `width` from `low`, clamped into [0, bins).
inline std::size_t RealBin(double value, double low, double width, std::size_t bins) {
  const double index = std::floor((value - low) / width);
  if (!(index >= 0)) return 0;
  return std::min(bins - 1, static_cast<std::size_t>(index));
}

inline AuditResult AuditApproximateDp(const AuditHistogram& d, const AuditHistogram& d_prime,
                                      double epsilon, double delta, bool ordered,
                                      double alpha = kAuditFalseAlarm) {
  using boost::math::binomial_distribution;
  const std::size_t bins = d.counts.size();
  struct Event {
    std::string name;
    std::function<bool(std::size_t)> contains;
  };
  std::vector<Event> events;
  for (std::size_t b = 0; b < bins; ++b) {
    events.push_back({"bin " + std::to_string(b), [b](std::size_t x) { return x == b; }});
    if (ordered && b > 0) {
      events.push_back({"bins >= " + std::to_string(b), [b](std::size_t x) { return x >= b; }});
      events.push_back({"bins < " + std::to_string(b), [b](std::size_t x) { return x < b; }});
    }
  }
  AuditResult result;
  result.checks = 2 * events.size();
  const double beta = alpha / (2.0 * static_cast<double>(result.checks));
  const auto count_in = [](const AuditHistogram& h, const Event& e) {
    std::int64_t k = 0;
    for (std::size_t b = 0; b < h.counts.size(); ++b) {
      if (e.contains(b)) k += h.counts[b];
    }
    return static_cast<double>(k);
  };
  for (const Event& event : events) {
    for (int order = 0; order < 2; ++order) {
      const AuditHistogram& first = order == 0 ? d : d_prime;
      const AuditHistogram& second = order == 0 ? d_prime : d;
      const double k = count_in(first, event);
      const double k_prime = count_in(second, event);
      const double n = static_cast<double>(first.total);
      const double n_prime = static_cast<double>(second.total);
      const double p_low =
          k == 0 ? 0.0
                 : binomial_distribution<double>::find_lower_bound_on_p(
                       n, k, beta, binomial_distribution<double>::clopper_pearson_exact_interval);
      const double q_high =
          k_prime == n_prime ? 1.0
                             : binomial_distribution<double>::find_upper_bound_on_p(
                                   n_prime, k_prime, beta,
                                   binomial_distribution<double>::clopper_pearson_exact_interval);
      const double margin = p_low - (std::exp(epsilon) * q_high + delta);
      if (margin > result.worst_margin) {
        result.worst_margin = margin;
        result.worst_event = event.name + (order == 0 ? ", D vs D'" : ", D' vs D");
      }
    }
  }
  result.violation = result.worst_margin > 0;
  return result;
}

}  // namespace privet::stat

#endif  // PRIVET_TESTS_STAT_DP_AUDIT_H_
