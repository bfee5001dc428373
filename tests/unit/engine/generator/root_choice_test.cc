// The network's root (ChooseRoot) and what follows from it (issue 12: never a constant root).
#include "engine/generator/network_structure.h"

#include <doctest/doctest.h>

#include <boost/random/mersenne_twister.hpp>

#include "engine/generator/privbayes.h"
#include "engine/generator/synthesis_plan.h"
#include "privacy/random_source.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

TEST_CASE("The root is the narrowest attribute that is not constant or near-constant") {
  // Column 0 has one group (constant), column 1 two groups with 97% in one (near-constant),
  // column 2 three groups, column 3 two balanced groups.
  const std::vector<std::uint32_t> groups{1, 2, 3, 2};
  const std::vector<std::vector<double>> marginals{
      {1.0}, {0.97, 0.03}, {0.5, 0.3, 0.2}, {0.6, 0.4}};
  CHECK(ChooseRoot(groups, marginals) == 3);
  // Without column 3 the 3-group column wins over the narrower (near-)constant ones.
  CHECK(ChooseRoot(std::vector<std::uint32_t>{1, 2, 3},
                   {marginals[0], marginals[1], marginals[2]}) == 2);
  // When every attribute is near-constant, the least concentrated one.
  CHECK(ChooseRoot(std::vector<std::uint32_t>{1, 2, 2}, {{1.0}, {0.97, 0.03}, {0.93, 0.07}}) == 2);
  // Ties by index among the qualifying narrowest.
  CHECK(ChooseRoot(std::vector<std::uint32_t>{2, 2}, {{0.5, 0.5}, {0.5, 0.5}}) == 0);
}

TEST_CASE("A fitted network is never rooted at a constant column") {
  // x0 is constant (every row 0), x1 is 98% one value, x2 and x3 are uniform over 4 values:
  // "fewest groups" alone would pick x0.
  const Schema schema = testing::IntegerSchema(4, 3);
  boost::random::mt19937_64 rng(9);
  std::vector<std::vector<std::uint32_t>> rows;
  for (int r = 0; r < 5000; ++r) {
    rows.push_back({0, rng() % 50 == 0 ? 1u : 0u, static_cast<std::uint32_t>(rng() % 4),
                    static_cast<std::uint32_t>(rng() % 4)});
  }
  const EncodedTable table = testing::TableForSchema(schema, rows);
  SynthesisOptions options;
  options.pair_share = 0;
  const SynthesisPlan plan = PlanSynthesis(schema, options);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    privacy::RandomSource noise = privacy::RandomSource::Seeded(seed);
    const BayesNetModel model = FitBayesNet(table, plan, nullptr, noise);
    const std::size_t root = model.network().front().attribute;
    CHECK(root >= 2);
  }
}

}  // namespace
}  // namespace privet::engine
