#include "engine/table/schema_draft.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "engine/table/encoder.h"
#include "engine/table/schema.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = PRIVET_SOURCE_DIR;
const fs::path kInput = kSource / "tests/data/schema/draft_input.csv";

const json& AttributeNamed(const json& config, const std::string& name) {
  for (const json& a : config["attributes"]) {
    if (a["name"] == name) return a;
  }
  FAIL("no attribute " << name);
  static const json none;
  return none;
}

TEST_CASE("DraftSchema: types, domains and identifiers inferred from the fixture") {
  // tests/data/schema/draft_input.csv: 60 rows written by a seeded script; record_id is unique
  // per row, age an integer 20..80 with NA every 10th row, weight a decimal, ward three labels
  // (one quoted with a comma), admitted a March 2021 date, flag 0/1.
  const json draft = DraftSchema(kInput);
  CHECK(draft["draft"] == true);
  CHECK(draft["warning"].get<std::string>().find("derived from the private data") !=
        std::string::npos);
  CHECK(draft["dataset"]["id"] == "draft_input");
  CHECK(draft["dataset"]["missing_tokens"] == json::array({"NA"}));
  CHECK(AttributeNamed(draft, "record_id")["type"] == "ignore");
  const json& age = AttributeNamed(draft, "age");
  CHECK(age["type"] == "integer");
  CHECK(age["min"].get<int>() >= 20);
  CHECK(age["max"].get<int>() <= 80);
  CHECK(age["bins"] == 20);  // the range spans more than 50 integers
  CHECK(AttributeNamed(draft, "weight")["type"] == "continuous");
  const json& ward = AttributeNamed(draft, "ward");
  CHECK(ward["type"] == "categorical");
  CHECK(ward["values"] == json::array({"east, annex", "north", "south"}));
  const json& admitted = AttributeNamed(draft, "admitted");
  CHECK(admitted["type"] == "date");
  CHECK(admitted["granularity"] == "day");
  const json& flag = AttributeNamed(draft, "flag");
  CHECK(flag["type"] == "integer");
  CHECK(flag["min"] == 0);
  CHECK(flag["max"] == 1);
  CHECK_FALSE(flag.contains("bins"));  // one code per value
}

TEST_CASE("DraftSchema: the draft is a valid config that encodes its data but cannot spend") {
  DraftOptions options;
  options.dataset_id = "ward_stays";
  options.csv_as_written = "draft_input.csv";
  const json draft = DraftSchema(kInput, options);
  const Schema schema = Schema::FromJson(draft, kInput.parent_path(), "draft.json");
  CHECK(schema.dataset_id() == "ward_stays");
  CHECK(schema.is_draft());
  CHECK_THROWS_WITH_AS(schema.RequireReviewed(),
                       doctest::Contains("is a draft derived from private data"), InputError);
  EncodingReport report;
  const EncodedTable table = EncodeDataset(schema, &report);
  CHECK(table.num_rows() == 60);
  for (const auto& column : report.columns) {
    CAPTURE(column.name);
    // The drafted domain covers the data it came from: nothing clamped or mapped.
    CHECK(column.clamped == 0);
    CHECK(column.mapped_to_catch_all == 0);
    CHECK(column.mapped_to_missing == 0);
  }
}

TEST_CASE("DraftSchema: many categories keep the most frequent and add a catch-all") {
  DraftOptions options;
  options.max_categories = 2;
  const json draft = DraftSchema(kInput, options);
  const json& ward = AttributeNamed(draft, "ward");
  CHECK(ward["values"].size() == 2);
  CHECK(ward["catch_all"] == "other");
  CHECK(ward["values"].back() == "other");
}

TEST_CASE("DraftSchema: the shipped covid file drafts into a valid config") {
  const fs::path csv = kSource / "data/covid_testing/covid_testing_deid.csv";
  const json draft = DraftSchema(csv);
  const Schema schema = Schema::FromJson(draft, "/", "covid_draft.json");
  CHECK(schema.attributes().size() == 17);
  CHECK(schema.FindAttribute("subject_id")->type == AttributeType::kIgnore);
  CHECK(schema.FindAttribute("result")->type == AttributeType::kCategorical);
  CHECK(schema.FindAttribute("ct_result")->type == AttributeType::kContinuous);
  CHECK_NOTHROW(EncodeDataset(schema));
}

TEST_CASE("ProposeRules: a function column and skip logic seen in the data, marked as drafts") {
  // 300 rows: age 0..29 in 5-year bins; grade is a function of school; job is missing for
  // every row under 15 (and for no one above); sex has no rule.
  const Schema schema = Schema::FromJson(json::parse(R"({
    "schema_version": 1, "draft": true,
    "dataset": {"id": "p", "csv": "unused.csv"},
    "attributes": [
      {"name": "age", "type": "integer", "min": 0, "max": 29, "bins": 6, "nullable": false},
      {"name": "school", "type": "categorical", "values": ["primary", "secondary"]},
      {"name": "grade", "type": "categorical", "values": ["low", "high"]},
      {"name": "job", "type": "categorical", "values": ["yes", "no"]},
      {"name": "sex", "type": "categorical", "values": ["F", "M"]}
    ]})"),
                                         ".", "p");
  EncodedTable table;
  std::vector<EncodedColumn> columns;
  for (const Attribute& a : schema.modeled_attributes())
    columns.emplace_back(a.name, a.domain_size());
  for (std::uint32_t r = 0; r < 300; ++r) {
    const std::uint32_t age = r % 6, school = (r / 6) % 2;
    columns[0].push_back(age);
    columns[1].push_back(school);
    columns[2].push_back(school);  // grade = low for primary, high for secondary
    columns[3].push_back(age < 3 ? 2 : (r / 12) % 2);  // 2 = missing
    columns[4].push_back((r / 7) % 2);
  }
  for (EncodedColumn& c : columns) table.AddColumn(std::move(c));
  const json rules = ProposeRules(schema, table);
  REQUIRE(rules["derived"].size() == 1);
  CHECK(rules["derived"][0]["column"] == "grade");
  CHECK(rules["derived"][0]["from"] == "school");
  CHECK(rules["derived"][0]["map"] == json{{"primary", "low"}, {"secondary", "high"}});
  CHECK(rules["derived"][0]["description"].get<std::string>().rfind("draft:", 0) == 0);
  REQUIRE(rules["constraints"].size() == 1);
  CHECK(rules["constraints"][0]["if"] == json::parse(R"({"age": {"max": 14}})"));
  CHECK(rules["constraints"][0]["then"] == json::parse(R"({"job": [null]})"));
  // The proposals compile as a config.
  json config = schema.ToJson();
  config["derived"] = rules["derived"];
  config["constraints"] = rules["constraints"];
  CHECK_NOTHROW(Schema::FromJson(config, ".", "p"));
}

TEST_CASE("DraftSchema: bad input files are InputErrors") {
  CHECK_THROWS_AS(DraftSchema(kSource / "tests/data/schema/absent.csv"), InputError);
  CHECK_THROWS_WITH_AS(DraftSchema(kSource / "tests/data/schema/ragged.csv"),
                       doctest::Contains("ragged.csv:3: expected 3 fields, found 2"), InputError);
}

}  // namespace
}  // namespace privet::engine
