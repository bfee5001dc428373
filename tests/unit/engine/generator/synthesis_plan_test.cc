#include "engine/generator/synthesis_plan.h"

#include <doctest/doctest.h>

#include <cmath>

#include "engine/table/marginals.h"
#include "privacy/accountant.h"
#include "privacy/errors.h"
#include "privacy/noisy_counts.h"
#include "privacy/random_source.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

std::vector<AttributeDomain> Domains(std::size_t k) {
  std::vector<AttributeDomain> domains;
  for (std::size_t i = 0; i < k; ++i) {
    domains.push_back({std::string("a").append(std::to_string(i)),
                       static_cast<std::uint32_t>(2 + i % 7), i % 2 == 0, std::nullopt});
  }
  return domains;
}

TEST_CASE("The plan's events compose to exactly the requested budget (Gaussian mode)") {
  for (std::size_t k : {1u, 2u, 14u, 76u}) {
    for (double epsilon : {0.1, 1.0, 10.0}) {
      for (std::uint32_t m : {1u, 3u}) {
        SynthesisOptions options;
        options.epsilon = epsilon;
        options.delta = 1e-9;
        options.max_rows_per_unit = m;
        const SynthesisPlan plan = PlanSynthesis(Domains(k), options);
        CAPTURE(k);
        CAPTURE(epsilon);
        // k 1-way marginals, k - 1 selections, k - 1 families, and (automatic: from epsilon
        // 0.5 in Gaussian mode) every pair while there are at most 2k of them (k <= 5) or from
        // epsilon 5 with at most 20 attributes, else 2k rounds of a pair selection and a pair
        // marginal.
        const std::size_t all = k * (k - 1) / 2;
        const bool every = all <= 2 * k || (epsilon >= 5 && k <= 20);
        const std::size_t pairs = k < 2 || epsilon < 0.5 ? 0 : every ? all : 2 * k;
        const std::size_t selections = k >= 2 && epsilon >= 0.5 && !every ? 2 * k : 0;
        REQUIRE(plan.num_pairs == pairs);
        REQUIRE(plan.num_pair_selections == selections);
        REQUIRE(plan.events.size() == 3 * k - 2 + pairs + selections);
        const double composed = privacy::ComposeEpsilon(plan.events, 1e-9);
        CHECK(composed == plan.composed_epsilon);
        CHECK(composed <= epsilon);
        // Lands on the budget: the samplers' 32-bit safe rounding of sigma^2 and the PLD bound's
        // small steps (its grid moves with the RDP answer, privacy/accountant.h) are the slack.
        CHECK(composed >= epsilon * (1 - 1e-6));
        CHECK(plan.histogram_sensitivity == m);
        CHECK(plan.selection_sensitivity == 2 * m);
        for (const auto& event : plan.events) {
          if (event.kind == privacy::MechanismKind::kGaussian) CHECK(event.l2_sensitivity == m);
        }
      }
    }
  }
}

TEST_CASE("Pure mode: discrete Laplace and exponential events summing to epsilon, delta 0") {
  SynthesisOptions options;
  options.epsilon = 1.0;
  options.delta = 0.0;
  options.mode = NoiseMode::kPure;
  const SynthesisPlan plan = PlanSynthesis(Domains(14), options);
  double sum = 0;
  for (const auto& event : plan.events) {
    CHECK(event.kind != privacy::MechanismKind::kGaussian);
    sum += event.epsilon;
  }
  CHECK(sum <= 1.0);
  CHECK(sum >= 1.0 - 1e-9);
  CHECK(plan.composed_epsilon <= 1.0);
}

TEST_CASE("Selected pairs: R rounds of a selection then a measurement, all listed in the plan") {
  // 30 attributes (435 pairs), 60 rounds by default; every event is known before data is read.
  SynthesisOptions options;
  const SynthesisPlan plan = PlanSynthesis(Domains(30), options);
  REQUIRE(plan.num_pair_selections == 60);
  REQUIRE(plan.num_pairs == 60);
  const std::size_t first = 3 * 30 - 2;  // the network's events come first
  REQUIRE(plan.events.size() == first + 2 * 60);
  for (std::size_t r = 0; r < 60; ++r) {
    const auto& selection = plan.events[first + 2 * r];
    const auto& measurement = plan.events[first + 2 * r + 1];
    CHECK(selection.kind == privacy::MechanismKind::kExponential);
    CHECK(selection.epsilon == plan.pair_selection_epsilon);
    CHECK(selection.query == "synthesize: pair selection " + std::to_string(r + 1) +
                                 " (exponential mechanism, score sensitivity 1)");
    CHECK(measurement.kind == privacy::MechanismKind::kGaussian);
    CHECK(measurement.query == "synthesize: selected pair marginal " + std::to_string(r + 1));
  }
  // The selections get pair_selection_fraction of the pair budget (zCDP rho = eps^2 / 8 each),
  // the measurements the rest (rho = m^2 / (2 sigma^2) each), up to the samplers' rounding.
  const double rho_select = 60 * plan.pair_selection_epsilon * plan.pair_selection_epsilon / 8;
  const double rho_measure = 60 / (2 * plan.pair.gaussian.sigma * plan.pair.gaussian.sigma);
  CHECK(rho_select / (rho_select + rho_measure) ==
        doctest::Approx(options.pair_selection_fraction).epsilon(1e-6));
  CHECK(plan.composed_epsilon <= options.epsilon);
  CHECK(plan.composed_epsilon >= options.epsilon * (1 - 1e-6));
  const nlohmann::json json = plan.ToJson();
  CHECK(json.at("pair_selection").at("count") == 60);
  CHECK(json.at("pair").at("selected") == true);
  CHECK(plan.Describe().find("60 of the 435 pairs") != std::string::npos);
  // Enough rounds for every pair: no selection, every pair measured.
  options.pair_rounds = 435;
  const SynthesisPlan all = PlanSynthesis(Domains(30), options);
  CHECK(all.num_pair_selections == 0);
  CHECK(all.num_pairs == 435);
  // Pure mode: the selections and measurements sum with the rest to epsilon.
  SynthesisOptions pure;
  pure.mode = NoiseMode::kPure;
  pure.delta = 0;
  pure.pair_share = 0.2;
  const SynthesisPlan pure_plan = PlanSynthesis(Domains(30), pure);
  REQUIRE(pure_plan.num_pair_selections == 60);
  double sum = 0;
  for (const auto& event : pure_plan.events) sum += event.epsilon;
  CHECK(sum <= 1.0);
  CHECK(sum >= 1.0 - 1e-9);
  SynthesisOptions bad;
  bad.pair_rounds = 0;
  CHECK_THROWS_AS(PlanSynthesis(Domains(30), bad), InputError);
  bad.pair_rounds.reset();
  bad.pair_selection_fraction = 1;
  CHECK_THROWS_AS(PlanSynthesis(Domains(30), bad), InputError);
}

TEST_CASE("Pair marginals: one event per pair with their share, or none when turned off") {
  SynthesisOptions options;
  const SynthesisPlan with_pairs = PlanSynthesis(Domains(5), options);
  CHECK(with_pairs.num_pairs == 10);
  CHECK(with_pairs.pair_fraction == SynthesisOptions::kAutoPairShare);
  CHECK(with_pairs.family_fraction ==
        doctest::Approx(1 - options.one_way_share - options.structure_share -
                        SynthesisOptions::kAutoPairShare));
  CHECK(with_pairs.events.back().query == "synthesize: pair marginal(a3,a4)");
  CHECK(with_pairs.ToJson().at("pair").at("count") == 10);
  options.pair_share = 0;
  const SynthesisPlan without = PlanSynthesis(Domains(5), options);
  CHECK(without.num_pairs == 0);
  CHECK(without.events.size() == 3 * 5 - 2);
  CHECK(!without.ToJson().contains("pair"));
  // The pairs' budget goes to the families instead, so they get less noise.
  CHECK(without.family.StdDev() < with_pairs.family.StdDev());
  // Automatic: none in pure mode or below epsilon 0.5; an explicit share applies anyway.
  SynthesisOptions pure;
  pure.mode = NoiseMode::kPure;
  pure.delta = 0;
  CHECK(PlanSynthesis(Domains(5), pure).num_pairs == 0);
  SynthesisOptions small;
  small.epsilon = 0.2;
  CHECK(PlanSynthesis(Domains(5), small).num_pairs == 0);
  small.pair_share = 0.25;
  CHECK(PlanSynthesis(Domains(5), small).num_pairs == 10);
}

TEST_CASE("The plan does not depend on anything but public inputs (deterministic)") {
  SynthesisOptions options;
  const SynthesisPlan a = PlanSynthesis(Domains(10), options);
  const SynthesisPlan b = PlanSynthesis(Domains(10), options);
  CHECK(a.events == b.events);
  CHECK(a.ToJson() == b.ToJson());
  CHECK(a.Describe().find("discrete Gaussian") != std::string::npos);
}

TEST_CASE("Invalid options are InputErrors naming the field") {
  auto plan_with = [](auto mutate) {
    SynthesisOptions options;
    mutate(options);
    return PlanSynthesis(Domains(3), options);
  };
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.epsilon = 0; }), InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.epsilon = INFINITY; }), InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.delta = 1; }), InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.delta = 0; }), InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.max_rows_per_unit = 0; }), InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) {
                    o.one_way_share = 0.7;
                    o.structure_share = 0.4;
                  }),
                  InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.degree = 9; }), InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.pair_share = 0.8; }), InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.pair_share = -0.1; }), InputError);
  CHECK_THROWS_AS(plan_with([](SynthesisOptions& o) { o.pair_levels = 1; }), InputError);
  CHECK_THROWS_AS(PlanSynthesis(std::vector<AttributeDomain>{}, SynthesisOptions{}), InputError);
  CHECK_THROWS_AS(ParseNoiseMode("laplace"), InputError);
}

TEST_CASE("The forecast's 1-way noise TVD is within 20% of the noise measured on a seeded run") {
  // 12 attributes of 20 codes, 8,000 rows, the config's expected_rows exact. The measured
  // quantity is what the fit measures: each attribute's 1-way marginal with the plan's noise
  // (the same samplers, privbayes.cc Noisy), its TVD from the true marginal. Mean over the 12
  // attributes (240 cells): the relative standard deviation of a mean of 240 |Z| is about
  // 0.76 / sqrt(240) = 5% (Gaussian) and smaller for Laplace, so 20% is about 4 standard
  // deviations; with the fixed seed the result is deterministic.
  for (const NoiseMode mode : {NoiseMode::kGaussian, NoiseMode::kPure}) {
    nlohmann::json config = testing::IntegerSchema(12, 19).ToJson();
    config["expected_rows"] = 8000;
    const Schema schema = Schema::FromJson(config, ".", "forecast test");
    std::vector<std::vector<std::uint32_t>> rows;
    for (std::uint32_t r = 0; r < 8000; ++r) {
      std::vector<std::uint32_t> row;
      for (std::uint32_t c = 0; c < 12; ++c) row.push_back((r * (c + 3) + r / 7) % 20);
      rows.push_back(std::move(row));
    }
    const EncodedTable table = testing::TableForSchema(schema, rows);
    SynthesisOptions options;
    options.mode = mode;
    if (mode == NoiseMode::kPure) options.delta = 0;
    const SynthesisPlan plan = PlanSynthesis(schema, options);
    const auto forecast = plan.Forecast();
    REQUIRE(forecast);
    REQUIRE(forecast->attributes.size() == 12);
    privacy::RandomSource noise = privacy::RandomSource::Seeded(2026);
    double measured = 0, predicted = 0;
    for (std::size_t a = 0; a < 12; ++a) {
      const Marginal marginal = ComputeMarginal(table, std::vector<std::size_t>{a});
      const std::vector<std::int64_t> counts(marginal.counts.begin(), marginal.counts.end());
      const std::vector<std::int64_t> noisy =
          mode == NoiseMode::kGaussian
              ? privacy::AddDiscreteGaussianNoise(counts, plan.one_way.gaussian, noise)
              : privacy::AddDiscreteLaplaceNoise(counts, plan.one_way.laplace, noise);
      double l1 = 0;
      for (std::size_t i = 0; i < counts.size(); ++i) l1 += std::abs(noisy[i] - counts[i]);
      measured += 0.5 * l1 / 8000.0 / 12.0;
      predicted += forecast->attributes[a].one_way_noise_tvd / 12.0;
    }
    CAPTURE(measured);
    CAPTURE(predicted);
    CHECK(predicted == doctest::Approx(measured).epsilon(0.2));
    CHECK(predicted > 0.01);  // a test of something: the noise is not negligible here
  }
}

TEST_CASE("The forecast warns in words, and says when it cannot judge") {
  nlohmann::json config = testing::IntegerSchema(40, 49, 3).ToJson();
  const Schema without = Schema::FromJson(config, ".", "no estimate");
  const SynthesisPlan blind = PlanSynthesis(without, SynthesisOptions{});
  CHECK_FALSE(blind.Forecast());
  CHECK(blind.Describe().find("cannot judge") != std::string::npos);
  CHECK(blind.ToJson()["forecast"].is_null());
  // 40 attributes of 50 codes on about 2,000 rows, m = 3: mostly noise.
  config["expected_rows"] = 2000;
  const SynthesisPlan noisy = PlanSynthesis(Schema::FromJson(config, ".", "noisy"), {});
  const auto forecast = noisy.Forecast();
  REQUIRE(forecast);
  CHECK(forecast->mostly_noise);
  const std::string text = noisy.Describe();
  CHECK(text.find("MOST OF THIS RELEASE WILL BE NOISE") != std::string::npos);
  CHECK(text.find("a larger epsilon") != std::string::npos);
  CHECK(text.find("a smaller unit bound") != std::string::npos);
  CHECK(text.find("fewer attributes") != std::string::npos);
  CHECK(text.find("coarser bins") != std::string::npos);
  CHECK(noisy.ToJson()["forecast"]["mostly_noise"] == true);
  // The same table at 1,000,000 rows and m = 1 is not.
  config["expected_rows"] = 1000000;
  config.erase("privacy_unit");
  config["attributes"].erase(0);  // the unit column
  SynthesisOptions generous;
  generous.epsilon = 4;
  const auto fine = PlanSynthesis(Schema::FromJson(config, ".", "fine"), generous).Forecast();
  REQUIRE(fine);
  CHECK_FALSE(fine->mostly_noise);
  CHECK(fine->advice.empty());
}

TEST_CASE("Wide tables without expected_rows plan no automatic pairs; with it they are judged") {
  // 21 attributes, one above kMaxAttributesForPairsWithoutEstimate: no estimate, no pairs, and
  // their share goes to the families; 20 attributes keep them.
  const Schema wide = testing::IntegerSchema(kMaxAttributesForPairsWithoutEstimate + 1, 3);
  const SynthesisPlan blind = PlanSynthesis(wide, SynthesisOptions{});
  CHECK(blind.num_pairs == 0);
  CHECK(blind.pair_fraction == 0);
  const Schema narrow = testing::IntegerSchema(kMaxAttributesForPairsWithoutEstimate, 3);
  CHECK(PlanSynthesis(narrow, SynthesisOptions{}).num_pairs > 0);
  // An explicit share is obeyed whatever the width.
  SynthesisOptions forced;
  forced.pair_share = SynthesisOptions::kAutoPairShare;
  CHECK(PlanSynthesis(wide, forced).num_pair_selections ==
        SynthesisOptions::kAutoPairRoundsPerAttribute * wide.attributes().size());
  // With a large public estimate the pairs pass the plan's rule and are planned.
  nlohmann::json config = wide.ToJson();
  config["expected_rows"] = 1000000;
  CHECK(PlanSynthesis(Schema::FromJson(config, ".", "estimated"), SynthesisOptions{}).num_pairs >
        0);
}

TEST_CASE("The forecast's pair noise TVD is within 20% of the noise measured on a seeded run") {
  // 12 attributes, the config's expected_rows 8,000 exact, pairs asked for explicitly (so the
  // plan keeps them): each of the plan's pair measurements is a pair_levels^2 histogram with
  // plan.pair noise (the samplers the fit uses, pair_selection.cc). The noise does not depend on
  // the counts, so it is drawn on zero counts. Mean over the rounds' 24 x 36 = 864 cells: the
  // relative standard deviation of a mean of 864 |Z| is about 0.76 / sqrt(864) = 2.6%, so 20%
  // is about 8 standard deviations; with the fixed seed the result is deterministic.
  nlohmann::json config = testing::IntegerSchema(12, 19).ToJson();
  config["expected_rows"] = 8000;
  const Schema schema = Schema::FromJson(config, ".", "pair forecast test");
  SynthesisOptions options;
  options.pair_share = SynthesisOptions::kAutoPairShare;
  const SynthesisPlan plan = PlanSynthesis(schema, options);
  REQUIRE(plan.num_pairs == 24);
  const auto forecast = plan.Forecast();
  REQUIRE(forecast);
  privacy::RandomSource noise = privacy::RandomSource::Seeded(2027);
  const std::vector<std::int64_t> zero(std::size_t{options.pair_levels} * options.pair_levels, 0);
  double measured = 0;
  for (std::size_t r = 0; r < plan.num_pairs; ++r) {
    const std::vector<std::int64_t> noisy =
        privacy::AddDiscreteGaussianNoise(zero, plan.pair.gaussian, noise);
    double l1 = 0;
    for (const std::int64_t v : noisy) l1 += std::abs(static_cast<double>(v));
    measured += 0.5 * l1 / 8000.0 / static_cast<double>(plan.num_pairs);
  }
  CAPTURE(measured);
  CAPTURE(forecast->pair_noise_tvd);
  CHECK(forecast->pair_noise_tvd == doctest::Approx(measured).epsilon(0.2));
  CHECK(forecast->pair_noise_tvd > 0.01);  // the noise is not negligible here
}

TEST_CASE("With expected_rows, automatic pair rounds are cut until a pair's planned noise passes") {
  // 30 attributes of 10 codes, m = 1, epsilon 1: at 10,000 expected rows the default 2k = 60
  // rounds give a pair noise TVD above kMaxPlannedPairNoiseTvd; fewer rounds (a larger share
  // each) pass it, so the plan keeps a few pairs instead of none. At 300 rows not even one
  // round passes, and the pairs are left out.
  nlohmann::json config = testing::IntegerSchema(30, 9).ToJson();
  config["expected_rows"] = 10000;
  const SynthesisPlan cut = PlanSynthesis(Schema::FromJson(config, ".", "cut"), {});
  REQUIRE(cut.num_pairs > 0);
  CHECK(cut.num_pair_selections < SynthesisOptions::kAutoPairRoundsPerAttribute * 30);
  CHECK(PlannedPairNoiseTvd(cut, 10000) <= kMaxPlannedPairNoiseTvd);
  config["expected_rows"] = 300;
  const SynthesisPlan none = PlanSynthesis(Schema::FromJson(config, ".", "none"), {});
  CHECK(none.num_pairs == 0);
  CHECK(none.pair_fraction == 0);
}

}  // namespace
}  // namespace privet::engine
