#include "engine/table/rules.h"

#include <doctest/doctest.h>

#include <string>

#include "privacy/errors.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

using nlohmann::json;

// age 0..29 in 5-year bins (codes 0..5), edu nullable (none, school, degree, missing = 3),
// sex (F, M), decade (0-9, 10-19, 20-29) derived from age.
json RulesConfig() {
  return json::parse(R"({
    "schema_version": 1,
    "dataset": {"id": "rules", "csv": "unused.csv"},
    "attributes": [
      {"name": "age", "type": "integer", "min": 0, "max": 29, "bins": 6, "nullable": false},
      {"name": "edu", "type": "categorical", "values": ["none", "school", "degree"]},
      {"name": "sex", "type": "categorical", "values": ["F", "M"], "nullable": false},
      {"name": "decade", "type": "categorical", "values": ["0-9", "10-19", "20-29"],
       "nullable": false}
    ],
    "derived": [{"column": "decade", "from": "age", "bucket": [10, 20]}],
    "constraints": [
      {"name": "no degree under 15", "if": {"age": {"max": 14}}, "then": {"edu": ["none", null]}},
      {"name": "no school-age men under 10", "never": {"decade": ["0-9"], "sex": ["M"],
                                                       "edu": ["school"]}}
    ]})");
}

std::string ErrorOf(const json& config) {
  try {
    Schema::FromJson(config, ".", "r.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("Rules compile to code-space derived maps and forbidden combinations") {
  const Schema schema = Schema::FromJson(RulesConfig(), ".", "r.json");
  const TableRules rules = TableRules::Compile(schema);
  REQUIRE(rules.derived().size() == 1);
  const DerivedColumn& d = rules.derived()[0];
  CHECK(d.column == 3);
  CHECK(d.source == 0);
  CHECK(d.code_of_source == std::vector<std::uint32_t>{0, 0, 1, 1, 2, 2});
  CHECK(rules.IsDerived(3));
  CHECK_FALSE(rules.IsDerived(0));
  REQUIRE(rules.rule_names().size() == 2);
  REQUIRE(rules.forbidden().size() == 2);
  // if age <= 14 then edu in {none, missing}: forbidden is age in bins 0..2 and edu in
  // {school, degree}.
  const ForbiddenCombination& first = rules.forbidden()[0];
  REQUIRE(first.conditions.size() == 2);
  CHECK(first.conditions[0].column == 0);
  CHECK(first.conditions[0].codes == std::vector<bool>{true, true, true, false, false, false});
  CHECK(first.conditions[1].column == 1);
  CHECK(first.conditions[1].codes == std::vector<bool>{false, true, true, false});
  // The condition on the derived decade becomes one on age (bins 0 and 1).
  const auto modelled = rules.OnModelledColumns();
  REQUIRE(modelled.size() == 2);
  REQUIRE(modelled[1].conditions.size() == 3);
  CHECK(modelled[1].conditions[0].column == 0);
  CHECK(modelled[1].conditions[0].codes ==
        std::vector<bool>{true, true, false, false, false, false});
  const auto sets = rules.CodeSetsPerColumn();
  CHECK(sets[0].size() == 2);
  CHECK(sets[3].empty());
}

TEST_CASE("Violations are counted per rule and derived columns are recomputed") {
  const Schema schema = Schema::FromJson(RulesConfig(), ".", "r.json");
  const TableRules rules = TableRules::Compile(schema);
  // Rows (age code, edu, sex, decade): a degree at age 0-4 (rule 0), a school-age man under
  // 10 (rules 0 and 1), a fine adult, and a decade that disagrees with its age.
  const EncodedTable table =
      testing::TableForSchema(schema, {{0, 2, 0, 0}, {1, 1, 1, 0}, {5, 2, 1, 2}, {4, 0, 0, 0}});
  const TableRules::Violations v = rules.CountViolations(table);
  CHECK(v.per_rule == std::vector<std::uint64_t>{2, 1});
  CHECK(v.per_derived == std::vector<std::uint64_t>{1});
  CHECK(v.total() == 4);
  CHECK_FALSE(rules.RowAllowed(table, 0));
  CHECK(rules.RowAllowed(table, 2));
  const EncodedTable fixed = rules.ApplyDerived(table);
  CHECK(fixed.column(3).at(3) == 2);
  CHECK(rules.CountViolations(fixed).per_derived == std::vector<std::uint64_t>{0});
}

TEST_CASE("Rules survive the model file's JSON and the schema's round trip") {
  const Schema schema = Schema::FromJson(RulesConfig(), ".", "r.json");
  const TableRules rules = TableRules::Compile(schema);
  const TableRules back = TableRules::FromJson(rules.ToJson(), {6, 4, 2, 3}, "m");
  CHECK(back == rules);
  CHECK_THROWS_AS(TableRules::FromJson(rules.ToJson(), {6, 4, 2}, "m"), InputError);
  json config = RulesConfig();
  config["expected_rows"] = 20000;
  const Schema with_rows = Schema::FromJson(config, ".", "r.json");
  CHECK(with_rows.expected_rows() == 20000);
  const Schema again = Schema::FromJson(with_rows.ToJson(), ".", "r.json");
  CHECK(again.expected_rows() == 20000);
  CHECK(TableRules::Compile(again) == rules);
}

TEST_CASE("A config's rules are checked against the public domain") {
  auto with = [](const char* key, const char* text) {
    json config = RulesConfig();
    config[key] = json::parse(text);
    return ErrorOf(config);
  };
  CHECK(with("derived", R"([{"column": "decade", "from": "age", "bucket": [10, 18]}])")
            .find("bucket edge 18 splits bin [15, 19] of \"age\"") != std::string::npos);
  CHECK(with("derived", R"([{"column": "decade", "from": "age", "bucket": [10]}])")
            .find("1 bucket edges make 2 buckets") != std::string::npos);
  CHECK(with("derived", R"([{"column": "sex", "from": "edu", "map": {"none": "F"}}])")
            .find("must be nullable") != std::string::npos);
  CHECK(
      with("derived", R"([{"column": "sex", "from": "decade", "map": {"0-9": "F", "10-19": "M"}}])")
          .find("gives no value for \"20-29\"") != std::string::npos);
  CHECK(with("derived", R"([{"column": "decade", "from": "age", "bucket": [10, 20]},
                           {"column": "sex", "from": "decade",
                            "map": {"0-9": "F", "10-19": "M", "20-29": "M"}}])")
            .find("is derived itself") != std::string::npos);
  CHECK(
      with("constraints", R"([{"name": "x", "if": {"age": {"max": 17}}, "then": {"sex": ["F"]}}])")
          .find("the range splits bin [15, 19]") != std::string::npos);
  CHECK(with("constraints", R"([{"name": "x", "never": {"edu": ["phd"]}}])")
            .find("\"phd\" is not one of the values of \"edu\"") != std::string::npos);
  CHECK(with("constraints", R"([{"name": "x", "never": {"height": ["1"]}}])")
            .find("\"height\" is not a modeled attribute") != std::string::npos);
  CHECK(with("constraints", R"([{"name": "x", "never": {"sex": ["F", "M"]}}])")
            .find("forbids every row") != std::string::npos);
  CHECK(with("constraints", R"([{"name": "x", "never": {"sex": ["F"]}, "if": {"sex": ["M"]}}])")
            .find("either \"never\" or") != std::string::npos);
  CHECK(with("constraints", R"([{"never": {"sex": ["F"]}}])").find("\"name\"") !=
        std::string::npos);
  CHECK(with("expected_rows", "0").find("expected_rows") != std::string::npos);
  CHECK(ErrorOf(RulesConfig()).empty());
}

}  // namespace
}  // namespace privet::engine
