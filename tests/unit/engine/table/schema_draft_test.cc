#include "engine/table/schema_draft.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/table/encoder.h"
#include "engine/table/schema.h"
#include "engine/table/schema_review.h"
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
  // File order (no order is named by the labels), never alphabetical.
  CHECK(ward["values"] == json::array({"north", "south", "east, annex"}));
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

// tests/data/schema/draft_frictions.csv: 80 rows written by a seeded script (invented values,
// no real data): patient_id repeats (1 or 2 rows per id), education uses the Census/UCI Adult
// labels, age is never missing, admission_type_id holds codes 1..8, bmi is NA every 9th row,
// age_band holds " 0-9".." 40-49", smokes Never/Sometimes/Often/Always.
const fs::path kFrictions = kSource / "tests/data/schema/draft_frictions.csv";

TEST_CASE("DraftSchema: honest defaults and a draft worth reviewing (issue 16)") {
  const json draft = DraftSchema(kFrictions);
  // A repeating identifier is proposed as the privacy unit, with its quantiles named private.
  REQUIRE(draft.contains("privacy_unit"));
  CHECK(draft["privacy_unit"]["column"] == "patient_id");
  CHECK(draft["privacy_unit"]["max_rows_per_unit"] == 2);
  CHECK(draft["privacy_unit"]["id_type"] == "integer");
  const json& unit = AttributeNamed(draft, "patient_id");
  CHECK(unit["type"] == "ignore");
  CHECK(unit["description"].get<std::string>().find("PRIVATE") != std::string::npos);
  // nullable false exactly where the data has no missing value.
  CHECK(AttributeNamed(draft, "age")["nullable"] == false);
  CHECK(AttributeNamed(draft, "education")["nullable"] == false);
  CHECK_FALSE(AttributeNamed(draft, "bmi").contains("nullable"));  // default true: it has NA
  // No out_of_domain "missing" on a non-nullable category (the default then rejects).
  CHECK_FALSE(AttributeNamed(draft, "education").contains("out_of_domain"));
  // Ordered categories: a known ordering, leading numbers, frequency words.
  const std::vector<std::string> education =
      AttributeNamed(draft, "education")["values"].get<std::vector<std::string>>();
  const std::vector<std::string> census = {
      "Preschool", "1st-4th", "5th-6th",      "7th-8th",   "9th",     "10th",     "11th",
      "12th",      "HS-grad", "Some-college", "Bachelors", "Masters", "Doctorate"};
  std::vector<std::string> expected;
  for (const auto& label : census) {
    if (std::find(education.begin(), education.end(), label) != education.end()) {
      expected.push_back(label);
    }
  }
  CHECK(education == expected);
  CHECK(AttributeNamed(draft, "age_band")["values"] ==
        json::array({" 0-9", " 10-19", " 20-29", " 30-39", " 40-49"}));
  CHECK(AttributeNamed(draft, "smokes")["values"] ==
        json::array({"Never", "Sometimes", "Often", "Always"}));
  // Low-cardinality integer codes with a code-like name become categories, in numeric order.
  const json& admission = AttributeNamed(draft, "admission_type_id");
  CHECK(admission["type"] == "categorical");
  CHECK(admission["values"] == json::array({"1", "2", "3", "4", "5", "6", "7", "8"}));
  // The draft is a valid config that encodes its own data.
  const Schema schema = Schema::FromJson(draft, kFrictions.parent_path(), "draft");
  CHECK(schema.max_rows_per_unit() == 2);
  CHECK_NOTHROW(EncodeDataset(schema));
}

// tests/data/schema/draft_few_integers.csv: 40 invented rows; cp holds 1..4 (like heart's
// chest-pain type, a code under a name that says nothing), ca holds 0..3, age 30..69.
TEST_CASE("DraftSchema: a few distinct integers under a plain name ask whether they are codes") {
  const json draft = DraftSchema(kSource / "tests/data/schema/draft_few_integers.csv");
  for (const char* name : {"cp", "ca"}) {
    const json& column = AttributeNamed(draft, name);
    CAPTURE(column.dump());
    CHECK(column["type"] == "integer");  // the data cannot tell a code from an amount
    CHECK(column["description"].get<std::string>().find(
              "4 distinct values: if they are codes (a type or a category, not an amount), make "
              "it categorical") != std::string::npos);
  }
  const json& age = AttributeNamed(draft, "age");
  CHECK(age["description"].get<std::string>().find("if they are codes") == std::string::npos);
}

TEST_CASE("InReadingOrder: name, type, domain, then options; top level as a person reads it") {
  const std::string text = InReadingOrder(DraftSchema(kFrictions)).dump();
  const auto at = [&](const std::string& key) { return text.find(key); };
  CHECK(at("\"schema_version\"") < at("\"draft\""));
  CHECK(at("\"draft\"") < at("\"warning\""));
  CHECK(at("\"dataset\"") < at("\"privacy_unit\""));
  CHECK(at("\"privacy_unit\"") < at("\"attributes\""));
  const std::string first = InReadingOrder(DraftSchema(kFrictions))["attributes"][1].dump();
  CHECK(first.find("\"name\"") < first.find("\"type\""));
  CHECK(first.find("\"type\"") < first.find("\"values\""));
  CHECK(first.find("\"values\"") < first.find("\"nullable\""));
  CHECK(first.find("\"nullable\"") < first.find("\"description\""));
}

TEST_CASE("ReviewSchema: data-derived bounds, categories and unit bound are flagged") {
  const json draft = DraftSchema(kFrictions);
  const Schema schema = Schema::FromJson(draft, kFrictions.parent_path(), "draft");
  const std::vector<ReviewItem> items = ReviewSchema(schema);
  const auto flagged = [&](const std::string& subject, const std::string& words) {
    for (const auto& item : items) {
      if (item.subject == subject && item.finding.find(words) != std::string::npos) return true;
    }
    return false;
  };
  CHECK(flagged("config", "\"draft\": true is still set"));
  CHECK(flagged("age", "are the data's own min and max"));
  CHECK(flagged("bmi", "are the data's own min and max"));
  CHECK(flagged("education", "exactly values seen in the data"));
  CHECK(flagged("privacy_unit", "is the data's largest rows per unit"));
  // Replaced by public domains and reviewed: nothing is flagged.
  json reviewed = draft;
  reviewed.erase("draft");
  reviewed["privacy_unit"]["max_rows_per_unit"] = 5;
  for (json& a : reviewed["attributes"]) {
    a["description"] = "reviewed";
    if (a["type"] == "integer") a["min"] = 0, a["max"] = 120, a["bins"] = 12;
    if (a["type"] == "continuous") a["min"] = 10, a["max"] = 80;
    if (a["type"] == "categorical") a["values"].push_back("unknown");
  }
  const Schema clean = Schema::FromJson(reviewed, kFrictions.parent_path(), "reviewed");
  const std::vector<ReviewItem> none = ReviewSchema(clean);
  CHECK(none.empty());
  for (const auto& item : none) MESSAGE(item.subject << ": " << item.finding);
}

TEST_CASE("ReviewSchema: a \"reviewed\" note answers a domain finding, never a draft description") {
  json draft = DraftSchema(kFrictions);
  for (json& a : draft["attributes"]) {
    if (a["name"] == "age" || a["name"] == "education") a["reviewed"] = "code book p. 3";
  }
  const fs::path config = fs::temp_directory_path() / "privet_reviewed_note_test.json";
  std::ofstream(config) << draft.dump();
  const std::map<std::string, std::string> notes = ReviewedNotes(config);
  fs::remove(config);
  REQUIRE(notes.size() == 2);
  CHECK(notes.at("age") == "code book p. 3");
  const Schema schema = Schema::FromJson(draft, kFrictions.parent_path(), "draft");
  const std::vector<ReviewItem> items = ReviewSchema(schema, notes);
  const auto kinds = [&](const std::string& subject) {
    std::vector<ReviewKind> out;
    for (const auto& item : items) {
      if (item.subject == subject) out.push_back(item.kind);
    }
    return out;
  };
  CHECK(kinds("age") ==
        std::vector<ReviewKind>{ReviewKind::kDraftDescription, ReviewKind::kReviewed});
  CHECK(kinds("education") ==
        std::vector<ReviewKind>{ReviewKind::kDraftDescription, ReviewKind::kReviewed});
  CHECK(kinds("bmi") ==
        std::vector<ReviewKind>{ReviewKind::kDraftDescription, ReviewKind::kBoundsFromData});
  for (const auto& item : items) {
    if (item.subject == "age" && item.kind == ReviewKind::kReviewed) {
      CHECK(item.finding.rfind("reviewed: code book p. 3 (bounds [", 0) == 0);
    }
  }
  // An empty note is refused when the config is read.
  draft["attributes"][1]["reviewed"] = "";
  CHECK_THROWS_AS(Schema::FromJson(draft, kFrictions.parent_path(), "draft"), InputError);
}

// The raw UCI adult file and nhanes, read from ../shared/data beside the clone when present
// (the tests skip without them; the fixture above covers the same rules).
TEST_CASE("DraftSchema: raw adult and nhanes drafts (skipped without ../shared/data)") {
  const fs::path adult = kSource / "../shared/data/adult/adult.csv";
  const fs::path nhanes = kSource / "../shared/data/nhanes/NHANES.csv";
  if (!fs::exists(adult) || !fs::exists(nhanes)) {
    MESSAGE("skipped: ../shared/data/adult and nhanes are absent");
    return;
  }
  const json a = DraftSchema(adult);
  CHECK_FALSE(a.contains("privacy_unit"));  // adult has no identifier
  CHECK(AttributeNamed(a, "age")["nullable"] == false);
  CHECK(AttributeNamed(a, "sex")["nullable"] == false);
  CHECK_FALSE(AttributeNamed(a, "workclass").contains("nullable"));  // "?" occurs
  const auto education = AttributeNamed(a, "education")["values"].get<std::vector<std::string>>();
  REQUIRE(education.size() == 16);
  CHECK(education.front() == "Preschool");
  CHECK(education[4] == "9th");
  CHECK(education[5] == "10th");
  CHECK(education.back() == "Doctorate");
  CHECK_NOTHROW(Schema::FromJson(a, adult.parent_path(), "adult draft"));

  const json n = DraftSchema(nhanes);
  REQUIRE(n.contains("privacy_unit"));
  CHECK(n["privacy_unit"]["column"] == "ID");
  CHECK(n["privacy_unit"]["max_rows_per_unit"].get<int>() >= 2);
  CHECK(AttributeNamed(n, "ID")["type"] == "ignore");
  CHECK(AttributeNamed(n, "Gender")["nullable"] == false);
  CHECK(AttributeNamed(n, "Age")["nullable"] == false);
  CHECK_FALSE(AttributeNamed(n, "BMI").contains("nullable"));
  CHECK(AttributeNamed(n, "AgeDecade")["values"][0] == " 0-9");
  const std::string text = InReadingOrder(n)["attributes"][0].dump();
  CHECK(text.rfind("{\"name\":\"ID\",\"type\"", 0) == 0);
  const Schema schema = Schema::FromJson(n, nhanes.parent_path(), "nhanes draft");
  const std::vector<ReviewItem> items = ReviewSchema(schema);
  bool age_flagged = false;
  for (const auto& item : items) age_flagged |= item.subject == "Age";
  CHECK(age_flagged);
}

// nhanes' HHIncome and TVHrsDay labels in the order its NHANES.csv shows them first (the
// R package's coding, walkthrough s6): one open-ended label ("more 99999", "More_4_hr") must
// not turn numeric ordering off, and it belongs at the top.
TEST_CASE("DraftSchema: numeric labels with one open-ended label are ordered (nhanes)") {
  const json draft = DraftSchema(kSource / "tests/data/schema/draft_open_ended.csv");
  const json& income = AttributeNamed(draft, "HHIncome");
  CHECK(income["type"] == "categorical");
  CHECK(income["values"] ==
        json::array({" 0-4999", " 5000-9999", "10000-14999", "15000-19999", "20000-24999",
                     "25000-34999", "35000-44999", "45000-54999", "55000-64999", "65000-74999",
                     "75000-99999", "more 99999"}));
  CHECK(income["description"].get<std::string>().find("in numeric order, 'more 99999' last") !=
        std::string::npos);
  // "0_hrs" {0} before "0_to_1_hr" {0, 1}: ties on the first number go to the next one.
  CHECK(AttributeNamed(draft, "TVHrsDay")["values"] ==
        json::array({"0_hrs", "0_to_1_hr", "1_hr", "2_hr", "3_hr", "4_hr", "More_4_hr"}));
  // One open-ended label at each end.
  CHECK(AttributeNamed(draft, "Wait")["values"] ==
        json::array({"less than 1 hr", "1-2 hr", "2-4 hr", "over 4 hr"}));
  // "overweight" is not the word "over": the labels name no order, file order is kept.
  CHECK(AttributeNamed(draft, "Shape")["values"] == json::array({"2", "overweight", "1"}));
}

TEST_CASE("DraftSchema: bad input files are InputErrors") {
  CHECK_THROWS_AS(DraftSchema(kSource / "tests/data/schema/absent.csv"), InputError);
  CHECK_THROWS_WITH_AS(DraftSchema(kSource / "tests/data/schema/ragged.csv"),
                       doctest::Contains("ragged.csv:3: expected 3 fields, found 2"), InputError);
}

}  // namespace
}  // namespace privet::engine
