// Chi-square goodness of fit for integer-valued samplers, shared by the privacy stat tests.
//
// Bins: consecutive support points are pooled until each bin expects >= 20 draws, so the
// chi-square approximation of Pearson's statistic is accurate; the mass beyond the scanned
// range (< 1e-15 by construction of the range) joins the outermost bins. The threshold is
// the (1 - 1e-6) quantile of chi-square with (bins - 1) degrees of freedom (Boost.Math):
// under the null hypothesis each such assertion fails with probability 1e-6 (for a fresh
// seed; with the fixed seeds here the outcome is deterministic).
#ifndef PRIVET_TESTS_STAT_PRIVACY_STAT_SUPPORT_H_
#define PRIVET_TESTS_STAT_PRIVACY_STAT_SUPPORT_H_

#include <boost/math/distributions/chi_squared.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace privet::privacy::stat {

inline constexpr double kFalseFailureProbability = 1e-6;

struct ChiSquare {
  double statistic = 0;
  int degrees_of_freedom = 0;
  double threshold = 0;
};

// observed: value -> count (total draws); pmf: exact probability of each integer in
// [low, high] (normalised over that range).
inline ChiSquare ChiSquareFit(const std::map<std::int64_t, std::int64_t>& observed,
                              std::int64_t draws, std::int64_t low, std::int64_t high,
                              const std::function<long double(std::int64_t)>& pmf) {
  struct Bin {
    std::int64_t last = 0;
    long double expected = 0;
    std::int64_t observed = 0;
  };
  std::vector<Bin> bins;
  Bin current;
  for (std::int64_t value = low; value <= high; ++value) {
    current.expected += pmf(value) * static_cast<long double>(draws);
    current.last = value;
    if (current.expected >= 20) {
      bins.push_back(current);
      current = Bin{};
    }
  }
  if (current.expected > 0 && !bins.empty()) {
    bins.back().expected += current.expected;
    bins.back().last = high;
  }
  bins.back().last = high;
  for (const auto& [value, count] : observed) {
    std::size_t index = 0;
    while (index + 1 < bins.size() && value > bins[index].last) ++index;
    bins[index].observed += count;
  }
  ChiSquare result;
  for (const auto& bin : bins) {
    const long double difference = static_cast<long double>(bin.observed) - bin.expected;
    result.statistic += static_cast<double>(difference * difference / bin.expected);
  }
  result.degrees_of_freedom = static_cast<int>(bins.size()) - 1;
  result.threshold = boost::math::quantile(boost::math::complement(
      boost::math::chi_squared(result.degrees_of_freedom), kFalseFailureProbability));
  return result;
}

}  // namespace privet::privacy::stat

#endif  // PRIVET_TESTS_STAT_PRIVACY_STAT_SUPPORT_H_
