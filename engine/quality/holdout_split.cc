#include "engine/quality/holdout_split.h"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <utility>

namespace privet::engine::quality {
namespace {

// numpy's legacy random_interval(max): the smallest all-ones mask covering max, then 32-bit
// draws masked until one is <= max (no modulo bias). Indices here stay below 2^32, where
// numpy draws 32-bit words; std::mt19937 seeded with s is exactly init_genrand(s).
std::uint32_t RandomInterval(std::uint32_t max, std::mt19937& engine) {
  if (max == 0) return 0;
  std::uint32_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  std::uint32_t value;
  do {
    value = static_cast<std::uint32_t>(engine()) & mask;
  } while (value > max);
  return value;
}

}  // namespace

std::vector<std::size_t> NumpyLegacyPermutation(std::size_t n, std::uint32_t seed) {
  std::vector<std::size_t> permutation(n);
  for (std::size_t i = 0; i < n; ++i) permutation[i] = i;
  std::mt19937 engine(seed);
  for (std::size_t i = n; i-- > 1;) {
    const std::size_t j = RandomInterval(static_cast<std::uint32_t>(i), engine);
    std::swap(permutation[i], permutation[j]);
  }
  return permutation;
}

HoldoutSplit EightyTwentySplit(std::size_t n, std::uint32_t seed) {
  std::vector<std::size_t> permutation = NumpyLegacyPermutation(n, seed);
  // int(0.8 * n) in Python: the double product truncated, as here.
  const auto cut = static_cast<std::size_t>(0.8 * static_cast<double>(n));
  HoldoutSplit split;
  split.train_rows.assign(permutation.begin(), permutation.begin() + static_cast<long>(cut));
  split.test_rows.assign(permutation.begin() + static_cast<long>(cut), permutation.end());
  return split;
}

HoldoutSplit EightyTwentyUnitSplit(std::span<const std::uint32_t> unit_ids, std::uint32_t seed) {
  const std::size_t num_units =
      unit_ids.empty() ? 0 : static_cast<std::size_t>(*std::ranges::max_element(unit_ids)) + 1;
  std::vector<std::vector<std::size_t>> rows_of(num_units);
  for (std::size_t row = 0; row < unit_ids.size(); ++row) rows_of[unit_ids[row]].push_back(row);
  for (const auto& rows : rows_of) {
    if (rows.empty()) throw std::invalid_argument("EightyTwentyUnitSplit: unit ids not dense");
  }
  const std::vector<std::size_t> permutation = NumpyLegacyPermutation(num_units, seed);
  const auto cut = static_cast<std::size_t>(0.8 * static_cast<double>(num_units));
  HoldoutSplit split;
  for (std::size_t k = 0; k < num_units; ++k) {
    std::vector<std::size_t>& side = k < cut ? split.train_rows : split.test_rows;
    const std::vector<std::size_t>& rows = rows_of[permutation[k]];
    side.insert(side.end(), rows.begin(), rows.end());
  }
  return split;
}

}  // namespace privet::engine::quality
