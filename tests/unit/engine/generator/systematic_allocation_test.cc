// Systematic rounding and shuffling (engine/generator/systematic_allocation.h).
#include "engine/generator/systematic_allocation.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace privet::engine {
namespace {

TEST_CASE("SystematicCounts: floor or ceil of each share, summing to n") {
  boost::random::mt19937_64 rng(1);
  const std::vector<double> weights{0.5, 0.3, 0.2, 0.0};
  for (std::size_t n : {1u, 7u, 10u, 1001u}) {
    for (int trial = 0; trial < 50; ++trial) {
      const std::vector<std::size_t> counts = SystematicCounts(weights, n, rng);
      CHECK(std::accumulate(counts.begin(), counts.end(), std::size_t{0}) == n);
      for (std::size_t j = 0; j < weights.size(); ++j) {
        const double share = static_cast<double>(n) * weights[j];
        CHECK(static_cast<double>(counts[j]) >= std::floor(share));
        CHECK(static_cast<double>(counts[j]) <= std::ceil(share));
      }
    }
  }
  // Unnormalised weights are shares of their sum; all-zero weights share equally.
  CHECK(SystematicCounts(std::vector<double>{2, 6}, 8, rng) == std::vector<std::size_t>{2, 6});
  CHECK(SystematicCounts(std::vector<double>{0, 0}, 4, rng) == std::vector<std::size_t>{2, 2});
  CHECK(SystematicCounts(std::vector<double>{1, 1}, 0, rng) == std::vector<std::size_t>{0, 0});
}

TEST_CASE("SystematicCounts is unbiased: the mean count is n w_j / sum w") {
  // Each count is floor or ceil of its share (a range of 1), so by Hoeffding the mean of
  // 20,000 draws is farther than 0.0177 from the share with probability at most
  // 2 exp(-2 * 20000 * 0.0177^2) = 7.4e-6 per entry, < 2.3e-5 for the 3 entries.
  boost::random::mt19937_64 rng(2);
  const std::vector<double> weights{0.45, 0.35, 0.2};
  const std::size_t n = 7, runs = 20000;
  std::vector<double> sum(3, 0.0);
  for (std::size_t r = 0; r < runs; ++r) {
    const std::vector<std::size_t> counts = SystematicCounts(weights, n, rng);
    for (std::size_t j = 0; j < 3; ++j) sum[j] += static_cast<double>(counts[j]);
  }
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(std::abs(sum[j] / runs - n * weights[j]) < 0.0177);
  }
}

TEST_CASE("Shuffle permutes and reproduces for a seed") {
  std::vector<int> a(100), b(100);
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 0);
  boost::random::mt19937_64 x(9), y(9);
  Shuffle(std::span<int>(a), x);
  Shuffle(std::span<int>(b), y);
  CHECK(a == b);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> identity(100);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(sorted == identity);
  CHECK(a != identity);  // probability 1/100! of a false failure
}

}  // namespace
}  // namespace privet::engine
