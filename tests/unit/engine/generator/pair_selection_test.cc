// The private selection of pair marginals (engine/generator/pair_selection.h): the fit makes
// exactly the planned rounds, and the pairs the model gets most wrong are the ones chosen.
#include "engine/generator/pair_selection.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>

#include "engine/generator/privbayes.h"
#include "engine/generator/sampler.h"
#include "engine/table/marginals.h"
#include "privacy/accountant.h"
#include "privacy/random_source.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

// 24 attributes on {0..3}, 6,000 rows: x1 copies x0 and x3 copies x2; every other column is
// independent and uniform. 24 attributes are more than the pair calibration used to allow
// (20), and 276 pairs more than the 48 rounds.
EncodedTable CopiedPairsTable(const Schema& schema) {
  boost::random::mt19937_64 rng(17);
  std::vector<std::vector<std::uint32_t>> rows;
  for (int r = 0; r < 6000; ++r) {
    std::vector<std::uint32_t> row(24);
    for (auto& v : row) v = static_cast<std::uint32_t>(rng() % 4);
    row[1] = row[0];
    row[3] = row[2];
    rows.push_back(row);
  }
  return testing::TableForSchema(schema, rows);
}

TEST_CASE("A wide table's fit makes exactly the planned pair rounds and selects the copied pairs") {
  const Schema schema = testing::IntegerSchema(24, 3);
  const EncodedTable table = CopiedPairsTable(schema);
  SynthesisOptions options;
  options.epsilon = 4;
  options.max_parent_cells = 1;  // no parents: the network alone holds no dependence at all
  // 24 attributes without expected_rows: the automatic rule would leave the pairs out.
  options.pair_share = SynthesisOptions::kAutoPairShare;
  const SynthesisPlan plan = PlanSynthesis(schema, options);
  REQUIRE(plan.num_pair_selections == 48);
  // The ledger is charged with plan.events; the fit's invocations must be exactly these.
  std::size_t selections = 0, pair_measurements = 0;
  for (const auto& event : plan.events) {
    selections += event.query.starts_with("synthesize: pair selection") ? 1 : 0;
    pair_measurements += event.query.starts_with("synthesize: selected pair marginal") ? 1 : 0;
  }
  CHECK(selections == 48);
  CHECK(pair_measurements == 48);
  CHECK(privacy::ComposeEpsilon(plan.events, options.delta) == plan.composed_epsilon);

  privacy::RandomSource noise = privacy::RandomSource::Seeded(5);
  FitDiagnostics diag;
  const BayesNetModel model = FitBayesNet(table, plan, nullptr, noise, &diag);
  // One selection and one measurement per planned round, each a distinct pair.
  REQUIRE(diag.pairs_selected.size() == plan.num_pair_selections);
  auto selected = diag.pairs_selected;
  std::sort(selected.begin(), selected.end());
  CHECK(std::adjacent_find(selected.begin(), selected.end()) == selected.end());
  CHECK(model.pair_marginals().size() <= plan.num_pairs);
  CHECK(!model.pair_marginals().empty());
  // The independent model misses each copied pair by an L1 distance of 0.75 n = 4,500 counts
  // (score units), every other pair only by sampling and noise (a few hundred). With the
  // plan's selection epsilon the copied pairs' weight exp(epsilon * gap / 2) against at most
  // 276 others makes the chance that either is not among the first two picks below 1e-9 (its
  // exponent is printed below), so this fixed-seed check fails only on a defect.
  CAPTURE(plan.pair_selection_epsilon * 4000 / 2);
  CHECK(plan.pair_selection_epsilon * 4000 / 2 > 30);
  const std::vector<std::pair<std::size_t, std::size_t>> first_two(diag.pairs_selected.begin(),
                                                                   diag.pairs_selected.begin() + 2);
  CHECK(std::find(first_two.begin(), first_two.end(),
                  std::make_pair(std::size_t{0}, std::size_t{1})) != first_two.end());
  CHECK(std::find(first_two.begin(), first_two.end(),
                  std::make_pair(std::size_t{2}, std::size_t{3})) != first_two.end());

  // And the calibrated sample recovers most of the copy: x1 == x0 in well over the 25% of the
  // independent network (0.74 with this seed; the shrinkage and the 47 other pairs keep it
  // below 1).
  boost::random::mt19937_64 rng(3);
  const EncodedTable sample = SampleRows(model, 6000, rng);
  std::size_t equal = 0;
  for (std::size_t r = 0; r < sample.num_rows(); ++r) {
    equal += sample.column(0).at(r) == sample.column(1).at(r) ? 1 : 0;
  }
  CHECK(static_cast<double>(equal) / static_cast<double>(sample.num_rows()) > 0.6);
}

}  // namespace
}  // namespace privet::engine
