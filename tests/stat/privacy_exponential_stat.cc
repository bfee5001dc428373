// Selection frequencies of the exact exponential mechanism versus
// exp(epsilon * score / (2 * sensitivity)) normalised (McSherry-Talwar 2007).
// Every chi-square assertion: false-failure probability 1e-6 (privacy_stat_support.h).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "privacy/exponential_mechanism.h"
#include "privacy/random_source.h"
#include "tests/stat/privacy_stat_support.h"

namespace privet::privacy {
namespace {

void CheckSelectionFrequencies(const std::vector<double>& scores, double epsilon,
                               double sensitivity, std::uint64_t seed) {
  constexpr std::int64_t kDraws = 100000;
  double best = scores.front();
  for (const double score : scores) best = std::max(best, score);
  long double total = 0;
  for (const double score : scores) total += std::exp(epsilon * (score - best) / (2 * sensitivity));
  const auto pmf = [&](std::int64_t i) {
    return std::exp(epsilon * (scores[static_cast<std::size_t>(i)] - best) / (2 * sensitivity)) /
           total;
  };
  auto random = RandomSource::Seeded(seed);
  std::map<std::int64_t, std::int64_t> observed;
  for (std::int64_t i = 0; i < kDraws; ++i) {
    ++observed[static_cast<std::int64_t>(SelectExponential(scores, epsilon, sensitivity, random))];
  }
  const auto fit =
      stat::ChiSquareFit(observed, kDraws, 0, static_cast<std::int64_t>(scores.size()) - 1, pmf);
  CAPTURE(fit.degrees_of_freedom);
  CHECK(fit.degrees_of_freedom >= 3);
  CHECK(fit.statistic < fit.threshold);
}

TEST_CASE("Selection frequencies match the exponential mechanism's distribution") {
  CheckSelectionFrequencies({0.0, 1.0, 2.0, 3.0, 5.0, -1.0, 2.5}, 1.0, 1.0, 5000);
  // Non-unit sensitivity and epsilon; scores far from zero (large integers after snapping).
  CheckSelectionFrequencies({1e6 + 0.0, 1e6 + 0.25, 1e6 + 0.5, 1e6 - 0.75, 1e6 + 1.0}, 4.0, 0.5,
                            5001);
  // Many candidates with a wide spread: the small ones are pooled into shared bins.
  std::vector<double> many;
  for (int i = 0; i < 40; ++i) many.push_back(std::sin(i * 1.7) * 6.0);
  CheckSelectionFrequencies(many, 2.0, 1.0, 5002);
}

}  // namespace
}  // namespace privet::privacy
