#include "privacy/random_source.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

namespace privet::privacy {
namespace {

TEST_CASE("Seeded streams are reproducible and differ between seeds") {
  auto first = RandomSource::Seeded(42);
  auto second = RandomSource::Seeded(42);
  auto other = RandomSource::Seeded(43);
  bool any_difference = false;
  for (int i = 0; i < 100; ++i) {
    const auto a = first();
    CHECK(a == second());
    any_difference |= (a != other());
  }
  CHECK(any_difference);
  CHECK_FALSE(first.is_secure());
}

TEST_CASE("The secure source crosses buffer refills without repeating words") {
  auto source = RandomSource::Secure();
  CHECK(source.is_secure());
  std::set<std::uint64_t> seen;
  // 1000 draws span 16 refills; a repeat among 64-bit CSPRNG words has probability < 2^-44.
  for (int i = 0; i < 1000; ++i) seen.insert(source());
  CHECK(seen.size() == 1000);
}

TEST_CASE("UniformBelow stays in range and reaches every value") {
  auto source = RandomSource::Seeded(7);
  std::vector<int> hits(6, 0);
  for (int i = 0; i < 6000; ++i) {
    const auto value = source.UniformBelow(6);
    REQUIRE(value < 6);
    ++hits[value];
  }
  // Each count is Binomial(6000, 1/6): mean 1000, sd 28.9. A count outside [800, 1200] is a
  // 6.9-sigma event (probability < 1e-11 per value), so this only fails on a real bias.
  for (int count : hits) CHECK((count > 800 && count < 1200));
  CHECK(source.UniformBelow(1) == 0);
}

}  // namespace
}  // namespace privet::privacy
