// The declared rules through the whole generator: the plan leaves derived columns out, the fit
// refines groups at rule boundaries, and no sampled row breaks a rule.
#include <doctest/doctest.h>

#include <boost/random/mersenne_twister.hpp>

#include "engine/generator/domain_compression.h"
#include "engine/generator/model.h"
#include "engine/generator/privbayes.h"
#include "engine/generator/sampler.h"
#include "engine/generator/synthesis_plan.h"
#include "engine/table/rules.h"
#include "privacy/errors.h"
#include "privacy/random_source.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

using nlohmann::json;

// age 0..79 in 5-year bins, edu (nullable), sex, pregnant (nullable), height 50..209 in
// 10 cm bins, decade derived from age, level derived (map) from edu.
Schema RulesSchema() {
  return Schema::FromJson(json::parse(R"({
    "schema_version": 1,
    "dataset": {"id": "rules", "csv": "unused.csv"},
    "attributes": [
      {"name": "age", "type": "integer", "min": 0, "max": 79, "bins": 16, "nullable": false},
      {"name": "edu", "type": "categorical", "values": ["school", "college", "degree"]},
      {"name": "sex", "type": "categorical", "values": ["F", "M"], "nullable": false},
      {"name": "pregnant", "type": "categorical", "values": ["Yes", "No"]},
      {"name": "height", "type": "integer", "min": 50, "max": 209, "bins": 16,
       "nullable": false},
      {"name": "decade", "type": "categorical",
       "values": ["0-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+"],
       "nullable": false},
      {"name": "level", "type": "integer", "min": 1, "max": 3}
    ],
    "derived": [
      {"column": "decade", "from": "age", "bucket": [10, 20, 30, 40, 50, 60, 70]},
      {"column": "level", "from": "edu", "map": {"school": 1, "college": 2, "degree": 3}}
    ],
    "constraints": [
      {"name": "pregnancy only for women", "if": {"pregnant": ["Yes", "No"]},
       "then": {"sex": ["F"]}},
      {"name": "no education under 20", "if": {"age": {"max": 19}}, "then": {"edu": [null]}},
      {"name": "no tall children", "never": {"decade": ["0-9"], "height": {"min": 170}}}
    ]})"),
                          ".", "rules test");
}

// Rows where every column is independent and uniform, so the real data itself breaks every
// rule often (about a quarter of the rows are under 20 with an education, ...): the model
// learns the violations and only the sampler's conditioning keeps them out.
EncodedTable IndependentTable(const Schema& schema, std::size_t n, std::uint64_t seed) {
  boost::random::mt19937_64 rng(seed);
  std::vector<std::vector<std::uint32_t>> rows;
  const auto& modeled = schema.modeled_attributes();
  for (std::size_t r = 0; r < n; ++r) {
    std::vector<std::uint32_t> row;
    for (const Attribute& a : modeled) {
      row.push_back(static_cast<std::uint32_t>(rng() % a.domain_size()));
    }
    rows.push_back(std::move(row));
  }
  return testing::TableForSchema(schema, rows);
}

TEST_CASE("Derived columns are not planned: no event measures them") {
  const Schema schema = RulesSchema();
  const SynthesisPlan plan = PlanSynthesis(schema, SynthesisOptions{});
  CHECK(plan.columns.size() == 7);
  REQUIRE(plan.attributes.size() == 5);
  CHECK(plan.modelled_columns == std::vector<std::size_t>{0, 1, 2, 3, 4});
  // 5 one-way marginals, 4 selections, 4 families, 10 pairs (Gaussian, epsilon 1).
  CHECK(plan.events.size() == 5 + 4 + 4 + 10);
  const json out = plan.ToJson();
  REQUIRE(out["derived"].size() == 2);
  CHECK(out["derived"][0]["name"] == "decade");
  CHECK(out["constraints"].size() == 3);
  CHECK(plan.Describe().find("decade (bucket of age)") != std::string::npos);
}

TEST_CASE("Refining a compression keeps every group inside or outside each code set") {
  AttributeCompression c;
  c.group_of_code = {0, 0, 0, 1, 1, 1};
  c.num_groups = 2;
  c.code_weight = {0.2, 0.3, 0.5, 0.5, 0.25, 0.25};
  RefineByCodeSets(
      {{true, true, false, false, false, false}, {false, false, false, false, true, true}}, c);
  CHECK(c.num_groups == 4);
  CHECK(c.group_of_code == std::vector<std::uint32_t>{0, 0, 1, 2, 3, 3});
  CHECK(c.code_weight[0] == doctest::Approx(0.4));
  CHECK(c.code_weight[2] == doctest::Approx(1.0));
  CHECK(c.code_weight[4] == doctest::Approx(0.5));
}

TEST_CASE("No sampled row breaks a declared rule (10^6 rows) and derived columns agree") {
  const Schema schema = RulesSchema();
  const EncodedTable table = IndependentTable(schema, 20000, 7);
  const TableRules rules = TableRules::Compile(schema);
  // The data breaks the rules: otherwise the test could not fail.
  REQUIRE(rules.CountViolations(table).total() > 5000);
  SynthesisOptions options;
  options.epsilon = 1;
  const SynthesisPlan plan = PlanSynthesis(schema, options);
  privacy::RandomSource noise = privacy::RandomSource::Seeded(11);
  const BayesNetModel model = FitBayesNet(table, plan, schema.ToJson(), noise);
  CHECK(model.network().size() == 5);
  // The model file keeps the rules, and the loaded model samples the same way.
  const BayesNetModel loaded = BayesNetModel::FromJson(model.ToJson(), "model");
  CHECK(loaded.rules() == model.rules());
  boost::random::mt19937_64 rng(3);
  const EncodedTable sample = SampleRows(loaded, 1000000, rng);
  REQUIRE(sample.num_rows() == 1000000);
  const TableRules::Violations v = rules.CountViolations(sample);
  CHECK(v.per_rule == std::vector<std::uint64_t>{0, 0, 0});
  CHECK(v.per_derived == std::vector<std::uint64_t>{0, 0});
}

TEST_CASE("On data that obeys the rules, conditioning on them leaves the marginals alone") {
  const Schema schema = RulesSchema();
  // As IndependentTable, but repaired so every rule holds: under-20s have no education, men
  // no pregnancy status, children under 10 are below 170 cm.
  boost::random::mt19937_64 rng(5);
  std::vector<std::vector<std::uint32_t>> rows;
  for (std::size_t r = 0; r < 20000; ++r) {
    const auto age = static_cast<std::uint32_t>(rng() % 16);
    const auto sex = static_cast<std::uint32_t>(rng() % 2);
    const std::uint32_t edu = age < 4 ? 3 : static_cast<std::uint32_t>(rng() % 3);
    const std::uint32_t pregnant = sex == 1 ? 2 : static_cast<std::uint32_t>(rng() % 3);
    const auto height = static_cast<std::uint32_t>(rng() % (age < 2 ? 12 : 16));
    rows.push_back({age, edu, sex, pregnant, height, 0, 0});
  }
  const TableRules rules = TableRules::Compile(schema);
  const EncodedTable table = rules.ApplyDerived(testing::TableForSchema(schema, rows));
  REQUIRE(rules.CountViolations(table).total() == 0);
  const SynthesisPlan plan = PlanSynthesis(schema, SynthesisOptions{});
  privacy::RandomSource noise = privacy::RandomSource::Seeded(12);
  const BayesNetModel model = FitBayesNet(table, plan, schema.ToJson(), noise);
  boost::random::mt19937_64 sample_rng(4);
  const EncodedTable sample = SampleRows(model, 200000, sample_rng);
  CHECK(rules.CountViolations(sample).total() == 0);
  // The under-20 share is 4/16 = 0.25 in the data. The model's 1-way noise on 20,000 rows at
  // epsilon 1 moves it by well under 0.01 (sigma ~ 40 counts per cell); conditioning the
  // model on rules the data already obeys removes only noise mass, so 0.03 would take a
  // defect (rejecting or shifting young rows), not chance.
  std::size_t young = 0;
  for (std::size_t r = 0; r < sample.num_rows(); ++r) young += sample.column(0).at(r) < 4;
  CHECK(static_cast<double>(young) / 200000.0 == doctest::Approx(0.25).epsilon(0.12));
}

// Minors in a run with adults: age 10..49 (one code per integer), edu; under 18 every row is
// "school", from 18 edu is uniform. cut_points and constraints are added per case.
Schema MinorsSchema(const json& cut_points, const json& constraints) {
  json config = json::parse(R"({
    "schema_version": 1,
    "dataset": {"id": "minors", "csv": "unused.csv"},
    "attributes": [
      {"name": "age", "type": "integer", "min": 10, "max": 49, "nullable": false},
      {"name": "edu", "type": "categorical", "values": ["school", "college", "degree"],
       "nullable": false}
    ]})");
  if (!cut_points.is_null()) config["attributes"][0]["cut_points"] = cut_points;
  if (!constraints.is_null()) config["constraints"] = constraints;
  return Schema::FromJson(config, ".", "minors");
}

// A model of 20,000 such rows fitted at epsilon 10 with at most 4 groups per attribute and no
// pairs (fixed seeds).
BayesNetModel FitMinors(const Schema& schema) {
  boost::random::mt19937_64 rng(18);
  std::vector<std::vector<std::uint32_t>> rows;
  for (std::size_t r = 0; r < 20000; ++r) {
    const auto age = static_cast<std::uint32_t>(rng() % 40);
    rows.push_back({age, age < 8 ? 0u : static_cast<std::uint32_t>(rng() % 3)});
  }
  const EncodedTable table = testing::TableForSchema(schema, rows);
  SynthesisOptions options;
  options.epsilon = 10;
  options.max_groups = 4;
  options.pair_share = 0;
  const SynthesisPlan plan = PlanSynthesis(schema, options);
  privacy::RandomSource noise = privacy::RandomSource::Seeded(18);
  return FitBayesNet(table, plan, schema.ToJson(), noise);
}

// Sampled rows under 18 (age codes 0..7) with a degree, of 100,000.
std::uint64_t MinorsWithDegree(const Schema& schema) {
  const BayesNetModel model = FitMinors(schema);
  boost::random::mt19937_64 sample_rng(18);
  const EncodedTable sample = SampleRows(model, 100000, sample_rng);
  std::uint64_t count = 0;
  for (std::size_t r = 0; r < sample.num_rows(); ++r) {
    count += sample.column(0).at(r) < 8 && sample.column(1).at(r) == 2;
  }
  return count;
}

TEST_CASE("A model file keeps the cut codes and refuses a group that straddles one") {
  const Schema schema = MinorsSchema(json{18, 30}, nullptr);
  json file = FitMinors(schema).ToJson();
  CHECK(file["attributes"][0]["cut_codes"] == json{8, 20});
  const BayesNetModel loaded = BayesNetModel::FromJson(file, "model");
  CHECK(loaded.attributes()[0].cut_codes == std::vector<std::uint32_t>{8, 20});
  // Ages 17 and 18 (codes 7 and 8) in one group: refused before the weights are checked.
  file["attributes"][0]["group_of_code"][8] = file["attributes"][0]["group_of_code"][7];
  try {
    BayesNetModel::FromJson(file, "model");
    FAIL("a model whose group straddles a cut was accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("a group straddles the cut at code 8") != std::string::npos);
  }
}

TEST_CASE("A cut point at 18 keeps minors out of the adults' groups") {
  // Without the cut, 4 equal-mass runs of 10 ages: the first, 10-19, holds 8 ages of
  // school-only minors and 2 of adults, so P(degree | run) = 2/10 x 1/3 = 1/15, and the age
  // drawn inside the run ignores edu: expected 100,000 x 1/4 x 1/15 x 8/10 = 1,333 minors with
  // a degree. With the cut the minors are a group of their own whose degree count is noise
  // only (at epsilon 10 a few counts of 4,000): expected near 0. The thresholds (600, 150) sit
  // many standard deviations from both (binomial sd about 36 at 1,333).
  const json rule = json::parse(R"([{"name": "no degree under 18", "if": {"age": {"max": 17}},
                                     "then": {"edu": ["school", "college"]}}])");
  const std::uint64_t without_cut = MinorsWithDegree(MinorsSchema(nullptr, nullptr));
  const std::uint64_t with_cut = MinorsWithDegree(MinorsSchema(json{18, 30}, nullptr));
  const std::uint64_t with_rule = MinorsWithDegree(MinorsSchema(json{18, 30}, rule));
  MESSAGE("minors with a degree per 100,000: without the cut ", without_cut, ", with it ", with_cut,
          ", with the rule ", with_rule);
  CHECK(without_cut > 600);
  CHECK(with_cut < 150);
  CHECK(with_rule == 0);  // the sampler conditions on a declared rule: never violated
}

TEST_CASE("Contradictory rules are caught when sampling") {
  // Every woman must be pregnant-missing and every man too, while pregnant is never missing:
  // no row can be completed.
  const Schema schema = Schema::FromJson(json::parse(R"({
    "schema_version": 1,
    "dataset": {"id": "contradiction", "csv": "unused.csv"},
    "attributes": [
      {"name": "sex", "type": "categorical", "values": ["F", "M"], "nullable": false},
      {"name": "pregnant", "type": "categorical", "values": ["Yes", "No"], "nullable": false}
    ],
    "constraints": [
      {"name": "a", "never": {"sex": ["F"], "pregnant": ["Yes", "No"]}},
      {"name": "b", "never": {"sex": ["M"], "pregnant": ["Yes", "No"]}}
    ]})"),
                                         ".", "contradiction");
  const EncodedTable table = testing::TableForSchema(schema, {{0, 0}, {1, 1}, {0, 1}, {1, 0}});
  SynthesisOptions options;
  options.pair_share = 0;
  const SynthesisPlan plan = PlanSynthesis(schema, options);
  privacy::RandomSource noise = privacy::RandomSource::Seeded(1);
  const BayesNetModel model = FitBayesNet(table, plan, schema.ToJson(), noise);
  boost::random::mt19937_64 rng(1);
  CHECK_THROWS_AS(SampleRows(model, 100, rng), InputError);
}

}  // namespace
}  // namespace privet::engine
