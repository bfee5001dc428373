#include "engine/table/schema.h"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/table/attribute_domain.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = PRIVET_SOURCE_DIR;
const fs::path kFixture = kSource / "tests/data/schema/all_types.json";

json Minimal() {
  return json::parse(R"({
    "schema_version": 1,
    "dataset": {"id": "t", "csv": "t.csv"},
    "attributes": [
      {"name": "id", "type": "ignore"},
      {"name": "sex", "type": "categorical", "values": ["F", "M"]},
      {"name": "age", "type": "integer", "min": 0, "max": 9}
    ]})");
}

// The InputError message FromJson throws for `config`, or "" if it is accepted.
std::string ErrorOf(const json& config) {
  try {
    Schema::FromJson(config, "/base", "x.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("Schema: the fixture loads with every type, in config order") {
  const Schema schema = Schema::Load(kFixture);
  CHECK(schema.dataset_id() == "all_types");
  CHECK(schema.csv_path() == (kSource / "tests/data/schema/all_types.csv").lexically_normal());
  CHECK(schema.delimiter() == ',');
  CHECK(schema.has_header());
  CHECK(schema.missing_tokens() == std::vector<std::string>{"NA", ""});
  CHECK(schema.privacy_unit_column() == std::optional<std::string>("patient"));
  CHECK(schema.max_rows_per_unit() == 2);
  CHECK_FALSE(schema.is_draft());
  CHECK_NOTHROW(schema.RequireReviewed());
  REQUIRE(schema.attributes().size() == 8);
  REQUIRE(schema.modeled_attributes().size() == 6);
  const std::vector<std::string> modeled{"sex", "ward", "age", "weight", "visit", "seen_at"};
  for (std::size_t i = 0; i < modeled.size(); ++i) {
    CHECK(schema.modeled_attributes()[i].name == modeled[i]);
  }
  CHECK(schema.FindAttribute("note")->type == AttributeType::kIgnore);
  CHECK(schema.FindAttribute("nope") == nullptr);
}

TEST_CASE("Schema: domain sizes, missing codes and labels per type") {
  const Schema schema = Schema::Load(kFixture);
  const Attribute& sex = *schema.FindAttribute("sex");
  CHECK(sex.domain_size() == 3);
  CHECK(sex.missing_code() == std::optional<std::uint32_t>(2));
  CHECK(sex.Label(0) == "F");
  CHECK(sex.Label(2) == "missing");
  CHECK(sex.out_of_domain == OutOfDomainPolicy::kMissing);
  CHECK_THROWS_AS(sex.Label(3), std::out_of_range);

  const Attribute& ward = *schema.FindAttribute("ward");
  CHECK(ward.out_of_domain == OutOfDomainPolicy::kCatchAll);  // the default with a catch_all

  // 0..99 in 10 uniform bins of 10 integers each.
  const Attribute& age = *schema.FindAttribute("age");
  CHECK(age.domain_size() == 11);
  CHECK(age.Label(0) == "[0, 9]");
  CHECK(age.Label(9) == "[90, 99]");
  CHECK(age.BinOf(34) == 3);
  CHECK(age.bin_upper_inclusive(3) == 39);

  const Attribute& weight = *schema.FindAttribute("weight");
  CHECK_FALSE(weight.nullable);
  CHECK(weight.domain_size() == 4);
  CHECK_FALSE(weight.missing_code().has_value());
  CHECK(weight.min == 0);
  CHECK(weight.max == 200);
  CHECK(weight.Label(0) == "[0, 2.5)");
  CHECK(weight.Label(3) == "[50, 200]");
  CHECK(weight.BinOf(2.5) == 1);
  CHECK(weight.BinOf(200) == 3);

  // Calendar months from a mid-month start: Jan 15-31, February, March 1-10.
  const Attribute& visit = *schema.FindAttribute("visit");
  CHECK(visit.domain_size() == 4);
  CHECK(visit.Label(0) == "2020-01-15..2020-01-31");
  CHECK(visit.Label(1) == "2020-02-01..2020-02-29");
  CHECK(visit.Label(2) == "2020-03-01..2020-03-10");

  const Attribute& seen = *schema.FindAttribute("seen_at");
  CHECK(seen.domain_size() == 49);  // 48 hours + missing
  CHECK(seen.Label(8) == "2020-01-01 08:00:00..2020-01-01 08:59:59");
  CHECK(seen.missing_tokens == std::vector<std::string>{"-"});
}

TEST_CASE("Schema: integer attribute without bins has one code per integer") {
  json config = Minimal();
  const Schema schema = Schema::FromJson(config, "/base");
  const Attribute& age = *schema.FindAttribute("age");
  CHECK(age.domain_size() == 11);
  CHECK(age.Label(0) == "0");
  CHECK(age.Label(9) == "9");
  // Uneven uniform bins: 10 integers in 3 bins -> floor(i * 10 / 3) = 0, 3, 6.
  config["attributes"][2]["bins"] = 3;
  const Schema binned = Schema::FromJson(config, "/base");
  CHECK(binned.FindAttribute("age")->Label(0) == "[0, 2]");
  CHECK(binned.FindAttribute("age")->Label(2) == "[6, 9]");
}

TEST_CASE("Schema: cut points are bin edges, kept in ToJson and as cut codes of the domain") {
  json config = Minimal();
  config["attributes"][2]["cut_points"] = {3, 6};  // one bin per integer 0..9, missing is 10
  config["attributes"].push_back({{"name", "w"},
                                  {"type", "continuous"},
                                  {"edges", {0, 2.5, 10, 40, 80}},
                                  {"cut_points", {10, 40}},
                                  {"nullable", false}});
  const Schema schema = Schema::FromJson(config, "/base");
  CHECK(schema.FindAttribute("age")->cut_points == std::vector<double>{3, 6});
  CHECK(schema.ToJson()["attributes"][2]["cut_points"] == json{3, 6});
  CHECK(Schema::FromJson(schema.ToJson(), "/base").ToJson() == schema.ToJson());
  const std::vector<AttributeDomain> domains = DomainsOf(schema);
  REQUIRE(domains.size() == 3);
  CHECK(domains[0].cut_codes.empty());                              // sex
  CHECK(domains[1].cut_codes == std::vector<std::uint32_t>{3, 6});  // age: the bins of 3 and 6
  CHECK(domains[2].cut_codes == std::vector<std::uint32_t>{2, 3});  // w: [10, 40) and [40, 80]
  // Without cut points the field stays out of the normalised config.
  CHECK_FALSE(
      Schema::FromJson(Minimal(), "/base").ToJson()["attributes"][2].contains("cut_points"));
}

TEST_CASE("Schema: BinOf agrees with the half-open bin rule on every kind of binning") {
  json config = Minimal();
  config["attributes"].push_back(
      {{"name", "u"}, {"type", "continuous"}, {"min", -1.5}, {"max", 2.2}, {"bins", 7}});
  config["attributes"].push_back(
      {{"name", "e"}, {"type", "continuous"}, {"edges", {-1.5, 0, 0.1, 2.2}}});
  config["attributes"].push_back(
      {{"name", "i"}, {"type", "integer"}, {"min", -3}, {"max", 96}, {"bins", 7}});
  const Schema schema = Schema::FromJson(config, "/base");
  for (const char* name : {"age", "u", "e", "i"}) {
    const Attribute& a = *schema.FindAttribute(name);
    CAPTURE(name);
    // Reference: the last bin whose lower edge is <= value (values are already clamped).
    for (int step = 0; step <= 4000; ++step) {
      double value = a.min + (a.max - a.min) * step / 4000.0;
      if (a.type == AttributeType::kInteger) value = std::floor(value);
      std::uint32_t expected = 0;
      while (expected + 1 < a.bin_lower.size() && a.bin_lower[expected + 1] <= value) ++expected;
      if (a.BinOf(value) != expected) REQUIRE(a.BinOf(value) == expected);
    }
    for (std::uint32_t b = 0; b < a.bin_lower.size(); ++b) CHECK(a.BinOf(a.bin_lower[b]) == b);
  }
}

TEST_CASE("Schema: ToJson round-trips") {
  for (const fs::path& path : {kFixture, kSource / "configs/covid_testing.json"}) {
    CAPTURE(path);
    const Schema schema = Schema::Load(path);
    const json first = schema.ToJson();
    const Schema again = Schema::FromJson(first, path.parent_path(), "again");
    CHECK(again.ToJson() == first);
    CHECK(again.csv_path() == schema.csv_path());
    REQUIRE(again.modeled_attributes().size() == schema.modeled_attributes().size());
    for (std::size_t i = 0; i < schema.modeled_attributes().size(); ++i) {
      const Attribute& a = schema.modeled_attributes()[i];
      const Attribute& b = again.modeled_attributes()[i];
      CHECK(a.domain_size() == b.domain_size());
      for (std::uint32_t code = 0; code < a.domain_size(); ++code)
        CHECK(a.Label(code) == b.Label(code));
    }
  }
}

TEST_CASE("Schema: paths resolve against the config's directory; the CSV can be overridden") {
  const Schema schema = Schema::Load(kSource / "configs/covid_testing.json");
  CHECK(schema.csv_path() ==
        (kSource / "data/covid_testing/covid_testing_deid.csv").lexically_normal());
  CHECK(fs::exists(schema.csv_path()));
  const Schema other = Schema::Load(kSource / "configs/covid_testing.json", fs::path("/tmp/o.csv"));
  CHECK(other.csv_path() == fs::path("/tmp/o.csv"));
  // The model file embeds ToJson(): it keeps the path as written, not the resolved one.
  CHECK(other.ToJson()["dataset"]["csv"] == "../data/covid_testing/covid_testing_deid.csv");
}

TEST_CASE("Schema: the shipped covid config declares the unit and ignores identifiers") {
  const Schema schema = Schema::Load(kSource / "configs/covid_testing.json");
  CHECK(schema.privacy_unit_column() == std::optional<std::string>("subject_id"));
  CHECK(schema.max_rows_per_unit() == 3);
  for (const char* identifier : {"subject_id", "fake_first_name", "fake_last_name"}) {
    CHECK(schema.FindAttribute(identifier)->type == AttributeType::kIgnore);
  }
  CHECK(schema.modeled_attributes().size() == 14);
}

TEST_CASE("Schema: a draft config is refused for spending with the review message") {
  json config = Minimal();
  config["draft"] = true;
  config["warning"] = "derived from private data";
  const Schema schema = Schema::FromJson(config, "/base", "drafts/x.json");
  CHECK(schema.is_draft());
  try {
    schema.RequireReviewed();
    FAIL("a draft must be refused");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) ==
          "config drafts/x.json is a draft derived from private data: a person must review every "
          "domain and remove \"draft\": true before it can spend budget");
  }
  CHECK(schema.ToJson()["draft"] == true);
  config["draft"] = false;
  CHECK_NOTHROW(Schema::FromJson(config, "/base").RequireReviewed());
}

TEST_CASE("Schema: min above max is rejected naming the file, attribute and values") {
  json config = Minimal();
  config["attributes"][2] = {{"name", "age"}, {"type", "integer"}, {"min", 90}, {"max", 10}};
  CHECK(ErrorOf(config) == "x.json: attributes[2] \"age\": min (90) must be below max (10)");
  config["attributes"][2]["max"] = 90;  // min == max is an empty range too
  CHECK(ErrorOf(config) == "x.json: attributes[2] \"age\": min (90) must be below max (90)");
}

TEST_CASE("Schema: the config file itself is checked on load") {
  const fs::path dir = fs::temp_directory_path() / "privet_schema_test";
  fs::create_directories(dir);
  { std::ofstream(dir / "broken.json") << "{\"schema_version\": 1,"; }
  CHECK_THROWS_WITH_AS(Schema::Load(dir / "broken.json"),
                       doctest::Contains("broken.json: not JSON"), InputError);
  CHECK_THROWS_WITH_AS(Schema::Load(dir / "absent.json"),
                       doctest::Contains("absent.json: cannot open the config file"), InputError);
  fs::remove_all(dir);
}

struct BadCase {
  const char* what;
  const char* json_patch;  // RFC 6902 patch applied to Minimal()
  const char* message;     // a substring of the error
};

TEST_CASE("Schema: every invalid config is rejected with a message naming the field") {
  const BadCase cases[] = {
      {"unsupported version", R"([{"op":"replace","path":"/schema_version","value":2}])",
       "x.json: schema_version 2 is not supported: this privet reads version 1"},
      {"missing version", R"([{"op":"remove","path":"/schema_version"}])",
       "x.json: missing required key \"schema_version\""},
      {"unknown type", R"([{"op":"replace","path":"/attributes/1/type","value":"categoric"}])",
       "x.json: attributes[1] \"sex\": unknown type \"categoric\""},
      {"empty domain", R"([{"op":"replace","path":"/attributes/1/values","value":[]}])",
       "attributes[1] \"sex\": \"values\" is empty"},
      {"duplicate value", R"([{"op":"replace","path":"/attributes/1/values","value":["F","F"]}])",
       "attributes[1] \"sex\": value \"F\" is listed twice"},
      {"duplicate name", R"([{"op":"replace","path":"/attributes/2/name","value":"sex"}])",
       "x.json: attributes[2] \"sex\": duplicate name"},
      {"typo in attribute", R"([{"op":"add","path":"/attributes/2/bin","value":3}])",
       "attributes[2] \"age\": unknown key \"bin\" for type integer"},
      {"key of another type", R"([{"op":"add","path":"/attributes/1/bins","value":3}])",
       "attributes[1] \"sex\": unknown key \"bins\" for type categorical"},
      {"typo at top level", R"([{"op":"add","path":"/atributes","value":[]}])",
       "x.json: unknown key \"atributes\""},
      {"typo in dataset", R"([{"op":"add","path":"/dataset/delimter","value":";"}])",
       "x.json: dataset: unknown key \"delimter\""},
      {"unsorted edges",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"age","type":"continuous","edges":[0,10,5,20]}}])",
       "edges must be strictly increasing: edges[2] (5) is not above edges[1] (10)"},
      {"duplicate edges",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"age","type":"continuous","edges":[0,10,10,20]}}])",
       "edges[2] (10) is not above edges[1] (10)"},
      {"edges and bounds",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"age","type":"continuous","edges":[0,10],"min":0}}])",
       "with \"edges\", leave out min and max"},
      {"continuous without bins",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"age","type":"continuous","min":0,"max":1}}])",
       "type continuous needs \"bins\""},
      {"too many integer bins", R"([{"op":"add","path":"/attributes/2/bins","value":11}])",
       "bins (11) exceeds the 10 integers in [min, max]"},
      {"zero bins", R"([{"op":"add","path":"/attributes/2/bins","value":0}])",
       "\"bins\" must be at least 1"},
      {"fractional integer bound", R"([{"op":"replace","path":"/attributes/2/max","value":9.5}])",
       "max (9.5) must be an integer for type integer"},
      {"bound not a number", R"([{"op":"replace","path":"/attributes/2/max","value":"9"}])",
       "attributes[2] \"age\": \"max\" must be a number"},
      {"catch-all outside values", R"([{"op":"add","path":"/attributes/1/catch_all","value":"U"}])",
       "catch_all \"U\" must be one of \"values\""},
      {"catch_all policy without value",
       R"([{"op":"add","path":"/attributes/1/out_of_domain","value":"catch_all"}])",
       "out_of_domain \"catch_all\" needs a \"catch_all\" value"},
      {"missing policy on non-nullable",
       R"([{"op":"add","path":"/attributes/1/nullable","value":false},{"op":"add","path":"/attributes/1/out_of_domain","value":"missing"}])",
       "out_of_domain \"missing\" needs nullable true"},
      {"unknown policy", R"([{"op":"add","path":"/attributes/1/out_of_domain","value":"drop"}])",
       "out_of_domain must be \"catch_all\", \"missing\" or \"error\""},
      {"value equal to a missing token",
       R"([{"op":"replace","path":"/attributes/1/values","value":["F",""]}])",
       "value \"\" is also a missing token"},
      {"ignore with a domain", R"([{"op":"add","path":"/attributes/0/nullable","value":true}])",
       "attributes[0] \"id\": unknown key \"nullable\" for type ignore"},
      {"unit without bound", R"([{"op":"add","path":"/privacy_unit","value":{"column":"id"}}])",
       "privacy_unit: missing required key \"max_rows_per_unit\""},
      {"unit bound zero",
       R"([{"op":"add","path":"/privacy_unit","value":{"column":"id","max_rows_per_unit":0}}])",
       "max_rows_per_unit must be between 1 and 1000000"},
      {"unit column unknown",
       R"([{"op":"add","path":"/privacy_unit","value":{"column":"pid","max_rows_per_unit":2}}])",
       "privacy_unit: column \"pid\" is not one of the attributes"},
      {"unit column modeled",
       R"([{"op":"add","path":"/privacy_unit","value":{"column":"sex","max_rows_per_unit":2}}])",
       "column \"sex\" must have type \"ignore\""},
      {"bad dataset id", R"([{"op":"replace","path":"/dataset/id","value":"a b"}])",
       "dataset: id \"a b\" must be 1-128 characters"},
      {"long delimiter", R"([{"op":"add","path":"/dataset/delimiter","value":";;"}])",
       "delimiter must be one ASCII character"},
      {"quote delimiter", R"([{"op":"add","path":"/dataset/delimiter","value":"\""}])",
       "delimiter must be one ASCII character other than a quote"},
      {"no attributes", R"([{"op":"replace","path":"/attributes","value":[]}])",
       "\"attributes\" must be a non-empty array"},
      {"nothing modeled",
       R"([{"op":"remove","path":"/attributes/2"},{"op":"remove","path":"/attributes/1"}])",
       "every attribute is \"ignore\""},
      {"date min after max",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"d","type":"date","min":"2020-02-01","max":"2020-01-01"}}])",
       "attributes[2] \"d\": min (2020-02-01) must be below max (2020-01-01)"},
      {"impossible date",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"d","type":"date","min":"2021-02-29","max":"2022-01-01"}}])",
       "min \"2021-02-29\" is not a valid date in the form %Y-%m-%d"},
      {"hour granularity on a date",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"d","type":"date","min":"2020-01-01","max":"2020-02-01","granularity":"hour"}}])",
       "granularity \"hour\" needs type datetime"},
      {"unknown granularity",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"d","type":"date","min":"2020-01-01","max":"2020-02-01","granularity":"fortnight"}}])",
       "unknown granularity \"fortnight\""},
      {"time field in a date format",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"d","type":"date","min":"2020-01-01","max":"2020-02-01","format":"%Y-%m-%d %H"}}])",
       "%H is a time field; use type datetime"},
      {"too fine a granularity",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"d","type":"datetime","min":"2000-01-01 00:00:00","max":"2020-01-01 00:00:00","granularity":"minute"}}])",
       "buckets; choose a coarser granularity"},
      {"huge integer range", R"([{"op":"replace","path":"/attributes/2/max","value":100000000}])",
       "integers; declare \"bins\" or \"edges\""},
      {"cut points not a list", R"([{"op":"add","path":"/attributes/2/cut_points","value":5}])",
       "attributes[2] \"age\": \"cut_points\" must be an array of numbers"},
      {"cut point not a number",
       R"([{"op":"add","path":"/attributes/2/cut_points","value":["5"]}])",
       "attributes[2] \"age\": cut_points[0] must be a finite number"},
      {"unsorted cut points", R"([{"op":"add","path":"/attributes/2/cut_points","value":[5, 3]}])",
       "cut_points must be strictly increasing: cut_points[1] (3) is not above cut_points[0] (5)"},
      {"repeated cut point", R"([{"op":"add","path":"/attributes/2/cut_points","value":[5, 5]}])",
       "cut_points[1] (5) is not above cut_points[0] (5)"},
      {"cut point at min", R"([{"op":"add","path":"/attributes/2/cut_points","value":[0]}])",
       "cut_points[0] (0) is outside the domain: a cut must be above min (0) and at most max (9)"},
      {"cut point above max", R"([{"op":"add","path":"/attributes/2/cut_points","value":[4, 10]}])",
       "cut_points[1] (10) is outside the domain"},
      {"fractional integer cut",
       R"([{"op":"add","path":"/attributes/2/cut_points","value":[2.5]}])",
       "cut_points[0] (2.5) must be an integer for type integer"},
      {"cut inside an integer bin",
       R"([{"op":"add","path":"/attributes/2/bins","value":3},{"op":"add","path":"/attributes/2/cut_points","value":[3, 4]}])",
       "cut_points[1] (4) falls inside the bin [3, 5]: a cut must be a bin edge, so declare "
       "\"edges\" that include it (or one bin per integer)"},
      {"cut inside a continuous bin",
       R"([{"op":"replace","path":"/attributes/2","value":{"name":"age","type":"continuous","edges":[0,10,20],"cut_points":[15]}}])",
       "cut_points[0] (15) falls inside the bin [10, 20]: a cut must be a bin edge, so declare "
       "\"edges\" that include it"},
      {"cut points on a category",
       R"([{"op":"add","path":"/attributes/1/cut_points","value":[1]}])",
       "attributes[1] \"sex\": \"cut_points\" is for ordered numbers (type integer or "
       "continuous), not type categorical"},
  };
  for (const BadCase& bad : cases) {
    CAPTURE(bad.what);
    const json config = Minimal().patch(json::parse(bad.json_patch));
    const std::string error = ErrorOf(config);
    CHECK_MESSAGE(error.find(bad.message) != std::string::npos, "got: ", error);
  }
}

}  // namespace
}  // namespace privet::engine
