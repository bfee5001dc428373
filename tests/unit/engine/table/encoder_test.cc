#include "engine/table/encoder.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = PRIVET_SOURCE_DIR;
const fs::path kShared = PRIVET_SHARED_DATA_DIR;
const fs::path kFixture = kSource / "tests/data/schema/all_types.json";

std::vector<std::uint32_t> Column(const EncodedTable& table, const std::string& name) {
  const auto index = table.IndexOf(name);
  REQUIRE(index.has_value());
  std::vector<std::uint32_t> codes;
  for (std::size_t row = 0; row < table.num_rows(); ++row)
    codes.push_back(table.column(*index).at(row));
  return codes;
}

Schema Small(const std::string& extra_attribute_json = "") {
  std::string text = R"({
    "schema_version": 1,
    "dataset": {"id": "small", "csv": "small.csv", "missing_tokens": ["NA"]},
    "attributes": [
      {"name": "id", "type": "ignore"},
      {"name": "sex", "type": "categorical", "values": ["F", "M"], "out_of_domain": "error"},
      {"name": "age", "type": "integer", "min": 0, "max": 99, "bins": 10})";
  if (!extra_attribute_json.empty()) text += ", " + extra_attribute_json;
  text += "]}";
  return Schema::FromJson(json::parse(text), "/tmp", "small.json");
}

std::string ErrorOf(const Schema& schema, const std::string& csv) {
  std::istringstream in(csv);
  try {
    EncodeCsv(schema, in, "small.csv");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("Encoder: the all-types fixture encodes to the codes its domains define") {
  const Schema schema = Schema::Load(kFixture);
  EncodingReport report;
  const EncodedTable table = EncodeDataset(schema, &report);
  REQUIRE(table.num_rows() == 4);
  REQUIRE(table.num_columns() == 6);
  CHECK(table.column(0).name() == "sex");
  CHECK(table.column(5).name() == "seen_at");
  CHECK(table.column(5).domain_size() == 49);
  // sex: F, M, X (outside the domain -> missing), "" (a missing token).
  CHECK(Column(table, "sex") == std::vector<std::uint32_t>{0, 1, 2, 2});
  // ward: quoted values with a comma and doubled quotes, icu -> catch-all "other".
  CHECK(Column(table, "ward") == std::vector<std::uint32_t>{0, 1, 2, 2});
  // age: 34 -> [30, 39]; 120 clamped to 99; NA -> missing (10); -5 clamped to 0.
  CHECK(Column(table, "age") == std::vector<std::uint32_t>{3, 9, 10, 0});
  // weight edges 0, 2.5, 10, 50, 200: 70.5, 3, 2.5 (lower edge belongs to its bin), 250 clamped.
  CHECK(Column(table, "weight") == std::vector<std::uint32_t>{3, 1, 1, 3});
  // visit (%d/%m/%Y, month buckets from 2020-01-15): Jan, Feb 29, Mar, 2019 clamped to min.
  CHECK(Column(table, "visit") == std::vector<std::uint32_t>{0, 1, 2, 0});
  // seen_at hours; "-" is this column's only missing token.
  CHECK(Column(table, "seen_at") == std::vector<std::uint32_t>{8, 47, 48, 0});
  // Units 7, 7, 9, 12 -> dense ids in first-seen order.
  CHECK(table.unit_ids() == std::vector<std::uint32_t>{0, 0, 1, 2});

  CHECK(report.rows == 4);
  REQUIRE(report.columns.size() == 6);
  CHECK(report.columns[0].name == "sex");
  CHECK(report.columns[0].missing == 1);
  CHECK(report.columns[0].mapped_to_missing == 1);
  CHECK(report.columns[1].mapped_to_catch_all == 1);
  CHECK(report.columns[2].clamped == 2);
  CHECK(report.columns[2].missing == 1);
  CHECK(report.columns[3].clamped == 1);
  CHECK(report.columns[4].clamped == 1);
  CHECK(report.columns[5].missing == 1);
}

TEST_CASE("Encoder: columns are matched by name; ignored columns may be absent") {
  const Schema schema = Small();
  std::istringstream in("age,sex\n34,M\n5,F\n");
  const EncodedTable table = EncodeCsv(schema, in, "synthetic.csv");
  CHECK(Column(table, "sex") == std::vector<std::uint32_t>{1, 0});
  CHECK(Column(table, "age") == std::vector<std::uint32_t>{3, 0});
  CHECK(table.unit_ids().empty());
}

TEST_CASE("Encoder: a config without header reads columns in config order") {
  json config = Small().ToJson();
  config["dataset"]["header"] = false;
  const Schema schema = Schema::FromJson(config, "/tmp");
  std::istringstream in("a1,F,20\na2,M,99\n");
  const EncodedTable table = EncodeCsv(schema, in, "noheader.csv");
  CHECK(Column(table, "sex") == std::vector<std::uint32_t>{0, 1});
  CHECK(Column(table, "age") == std::vector<std::uint32_t>{2, 9});
}

TEST_CASE("Encoder: bad inputs name file, line and column") {
  const Schema schema = Small();
  // Ragged rows, short and long.
  CHECK(ErrorOf(schema, "id,sex,age\n1,F,3\n2,M\n") == "small.csv:3: expected 3 fields, found 2");
  CHECK(ErrorOf(schema, "id,sex,age\n1,F,3,4\n") == "small.csv:2: expected 3 fields, found 4");
  // A column the config does not declare (a typo would otherwise drop data silently).
  CHECK(ErrorOf(schema, "id,sex,age,zip\n1,F,3,19104\n") ==
        "small.csv:1: column \"zip\" (field 4) is not in the config small.json (declare it, "
        "with type \"ignore\" if it must not be modeled)");
  CHECK(ErrorOf(schema, "id,sex\n1,F\n") ==
        "small.csv: column \"age\" of the config is missing from the header");
  CHECK(ErrorOf(schema, "sex,age,sex\nF,1,F\n") ==
        "small.csv:1: column \"sex\" appears twice in the header");
  // Empty file, header without rows.
  CHECK(ErrorOf(schema, "") ==
        "small.csv: the file is empty (expected a header line naming the columns)");
  CHECK(ErrorOf(schema, "id,sex,age\n") == "small.csv: no data rows after the header");
  // A category outside the domain with policy "error".
  CHECK(ErrorOf(schema, "id,sex,age\n1,F,3\n2,U,4\n") ==
        "small.csv:3: column \"sex\" (field 2): value (not shown: private data) is not in the "
        "declared domain (add it to \"values\", or declare a \"catch_all\" value or "
        "out_of_domain \"missing\")");
  // Numbers that do not parse, and a fraction in an integer column.
  CHECK(ErrorOf(schema, "id,sex,age\n1,F,thirty\n") ==
        "small.csv:2: column \"age\" (field 3): value (not shown: private data) is not a number");
  CHECK(ErrorOf(schema, "id,sex,age\n1,F,3x\n")
            .find("value (not shown: private data) is not a number") != std::string::npos);
  CHECK(ErrorOf(schema, "id,sex,age\n1,F,nan\n")
            .find("value (not shown: private data) is not a number") != std::string::npos);
  CHECK(ErrorOf(schema, "id,sex,age\n1,F,2.5\n") ==
        "small.csv:2: column \"age\" (field 3): value (not shown: private data) is not an integer "
        "(declare the attribute continuous)");
  // The private cell itself never appears; a synthetic (public) file's cell is quoted.
  CHECK(ErrorOf(schema, "id,sex,age\n1,F,thirty-two\n").find("thirty") == std::string::npos);
  std::istringstream synthetic("sex,age\nF,thirty\n");
  CHECK_THROWS_WITH_AS(
      EncodeCsv(schema, synthetic, "synthetic.csv", nullptr, CsvKind::kSynthetic),
      "synthetic.csv:2: column \"age\" (field 2): value \"thirty\" is not a number", InputError);
  // Invalid UTF-8 comes from the reader with file and line.
  CHECK(ErrorOf(schema, "id,sex,age\n1,F\xFF,3\n").find("small.csv:2: field 2: invalid UTF-8") ==
        0);
}

TEST_CASE("Encoder: the privacy unit column is required in the private data, not in a synthetic") {
  const Schema schema = Schema::Load(kFixture);
  std::istringstream no_unit("sex,ward,age,weight,visit,seen_at\nF,other,3,1,15/01/2020,-\n");
  CHECK_THROWS_WITH_AS(EncodeCsv(schema, no_unit, "real.csv"),
                       "real.csv: privacy unit column \"patient\" is missing from the header",
                       InputError);
  std::istringstream synthetic("sex,ward,age,weight,visit,seen_at\nF,other,3,1,15/01/2020,-\n");
  const EncodedTable table =
      EncodeCsv(schema, synthetic, "synthetic.csv", nullptr, CsvKind::kSynthetic);
  CHECK(table.num_rows() == 1);
  CHECK(table.unit_ids().empty());
  // A row whose unit is empty or a missing token cannot be bounded per person.
  std::istringstream empty_unit(
      "patient,sex,ward,age,weight,visit,seen_at\n"
      "4,F,other,3,1,15/01/2020,-\nNA,F,other,3,1,15/01/2020,-\n");
  CHECK_THROWS_WITH_AS(EncodeCsv(schema, empty_unit, "real.csv"),
                       "real.csv:3: privacy unit column \"patient\" is empty or missing; every row "
                       "must name its unit",
                       InputError);
}

Schema WithUnit(const std::string& id_type) {
  json config = json::parse(R"({
    "schema_version": 1,
    "dataset": {"id": "units", "csv": "units.csv", "missing_tokens": ["NA"]},
    "privacy_unit": {"column": "patient", "max_rows_per_unit": 2},
    "attributes": [
      {"name": "patient", "type": "ignore"},
      {"name": "age", "type": "integer", "min": 0, "max": 99, "bins": 10}]})");
  if (!id_type.empty()) config["privacy_unit"]["id_type"] = id_type;
  return Schema::FromJson(config, "/tmp", "units.json");
}

std::vector<std::uint32_t> UnitsOf(const Schema& schema, const std::string& csv) {
  std::istringstream in(csv);
  return EncodeCsv(schema, in, "units.csv").unit_ids();
}

TEST_CASE("Encoder: unit ids are trimmed, and integer ids compared by value (issue 10 item 8)") {
  const std::string csv = "patient,age\n123,1\n\"123 \",2\n\" 123\",3\n0123,4\n+123,5\n124,6\n";
  // Text ids (the default): surrounding whitespace is not part of the id; "0123" and "+123"
  // are other ids.
  CHECK(UnitsOf(WithUnit(""), csv) == std::vector<std::uint32_t>{0, 0, 0, 1, 2, 3});
  CHECK(UnitsOf(WithUnit("text"), csv) == std::vector<std::uint32_t>{0, 0, 0, 1, 2, 3});
  // Integer ids: the five spellings of 123 are one patient.
  CHECK(UnitsOf(WithUnit("integer"), csv) == std::vector<std::uint32_t>{0, 0, 0, 0, 0, 1});
  CHECK(UnitsOf(WithUnit("integer"), "patient,age\n0,1\n-0,2\n000,3\n-7,4\n-007,5\n") ==
        std::vector<std::uint32_t>{0, 0, 0, 1, 1});
  // A non-integer id under id_type "integer" is refused; the message does not quote it.
  std::istringstream bad("patient,age\n12,1\n12.5x,2\n");
  const std::string message = [&] {
    try {
      EncodeCsv(WithUnit("integer"), bad, "units.csv");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  CHECK(message ==
        "units.csv:3: privacy unit column \"patient\" is not an integer (the config declares "
        "id_type \"integer\")");
  // Whitespace-only and missing-token ids (also padded) are missing units under both types.
  for (const std::string type : {"text", "integer"}) {
    for (const std::string cell : {"\"  \"", "NA", "\" NA \""}) {
      std::istringstream in("patient,age\n1,1\n" + cell + ",2\n");
      CHECK_THROWS_WITH_AS(EncodeCsv(WithUnit(type), in, "units.csv"),
                           "units.csv:3: privacy unit column \"patient\" is empty or missing; "
                           "every row must name its unit",
                           InputError);
    }
  }
  // The config refuses other id types and round-trips the declared one.
  CHECK_THROWS_AS(WithUnit("number"), InputError);
  CHECK(WithUnit("integer").ToJson()["privacy_unit"]["id_type"] == "integer");
  CHECK_FALSE(WithUnit("").ToJson()["privacy_unit"].contains("id_type"));
}

TEST_CASE("NormalizeUnitId: canonical forms") {
  CHECK(NormalizeUnitId(" \tab c\r\n", UnitIdType::kText) == "ab c");
  CHECK(NormalizeUnitId("0123", UnitIdType::kText) == "0123");
  CHECK(NormalizeUnitId("0123", UnitIdType::kInteger) == "123");
  CHECK(NormalizeUnitId("+0", UnitIdType::kInteger) == "0");
  CHECK(NormalizeUnitId("-00", UnitIdType::kInteger) == "0");
  CHECK(NormalizeUnitId("-0042", UnitIdType::kInteger) == "-42");
  // Longer than any machine integer: still compared exactly, as digits.
  CHECK(NormalizeUnitId("000123456789012345678901234567890", UnitIdType::kInteger) ==
        "123456789012345678901234567890");
  for (const char* bad : {"", "  ", "+", "-", "1e3", "12a", "1 2", "0x10", "--1"}) {
    CAPTURE(bad);
    CHECK_FALSE(NormalizeUnitId(bad, UnitIdType::kInteger).has_value());
  }
  CHECK_FALSE(NormalizeUnitId("   ", UnitIdType::kText).has_value());
}

TEST_CASE("Encoder: numbers with spaces, sign and exponent parse; missing on non-nullable fails") {
  const Schema schema = Small(R"({"name": "w", "type": "continuous", "min": 0, "max": 10,
                                  "bins": 10, "nullable": false})");
  std::istringstream in("sex,age,w\nF, 63.0 ,+1.5e0\nM,7,10\n");
  const EncodedTable table = EncodeCsv(schema, in, "s.csv");
  CHECK(Column(table, "age") == std::vector<std::uint32_t>{6, 0});
  CHECK(Column(table, "w") == std::vector<std::uint32_t>{1, 9});
  CHECK(ErrorOf(schema, "sex,age,w\nF,1,NA\n") ==
        "small.csv:2: column \"w\" (field 3): missing value \"NA\" but the attribute is not "
        "nullable (set \"nullable\": true or fix the data)");
}

TEST_CASE("Encoder: out-of-domain categories follow the config's policy") {
  const Schema catch_all = Small(
      R"({"name": "c", "type": "categorical", "values": ["x", "other"], "catch_all": "other"})");
  EncodingReport report;
  std::istringstream in("sex,age,c\nF,1,x\nF,1,y\nF,1,NA\n");
  const EncodedTable table = EncodeCsv(catch_all, in, "s.csv", &report);
  CHECK(Column(table, "c") == std::vector<std::uint32_t>{0, 1, 2});
  CHECK(report.columns[2].mapped_to_catch_all == 1);
  CHECK(report.columns[2].missing == 1);

  const Schema to_missing =
      Small(R"({"name": "c", "type": "categorical", "values": ["x"], "out_of_domain": "missing"})");
  std::istringstream in2("sex,age,c\nF,1,y\n");
  CHECK(Column(EncodeCsv(to_missing, in2, "s.csv"), "c") == std::vector<std::uint32_t>{1});
  // Matching is exact: case and surrounding spaces matter for categories.
  CHECK(EncodeCell(*to_missing.FindAttribute("c"), " x", "here") == 1);
  CHECK_THROWS_WITH_AS(EncodeCell(*Small().FindAttribute("sex"), "f", "t.csv:9: column \"sex\""),
                       doctest::Contains("t.csv:9: column \"sex\": value \"f\" is not in"),
                       InputError);
}

TEST_CASE("Encoder: dates parse in the schema's format only") {
  const Schema schema = Small(R"({"name": "d", "type": "date", "min": "2020-01-01",
                                  "max": "2020-12-31", "granularity": "week", "format": "%m/%d/%Y"})");
  std::istringstream in("sex,age,d\nF,1,1/8/2020\nF,1,01/07/2020\nF,1,12/31/2020\n");
  // Weeks from 2020-01-01: Jan 8 starts week 1, Jan 7 is the last day of week 0.
  CHECK(Column(EncodeCsv(schema, in, "s.csv"), "d") == std::vector<std::uint32_t>{1, 0, 52});
  CHECK(ErrorOf(schema, "sex,age,d\nF,1,2020-01-08\n") ==
        "small.csv:2: column \"d\" (field 3): value (not shown: private data) is not a date in "
        "the format \"%m/%d/%Y\"");
  CHECK(ErrorOf(schema, "sex,age,d\nF,1,02/30/2020\n").find("is not a date") != std::string::npos);
}

TEST_CASE("Encoder: the shipped covid data encodes with its config") {
  const Schema schema = Schema::Load(kSource / "configs/covid_testing.json");
  EncodingReport report;
  const EncodedTable table = EncodeDataset(schema, &report);
  CHECK(table.num_rows() == 15524);  // SOURCE.txt: 15,524 tests x 17
  CHECK(table.num_columns() == 14);
  // SOURCE.txt: 12,344 distinct subject ids.
  const std::set<std::uint32_t> units(table.unit_ids().begin(), table.unit_ids().end());
  CHECK(units.size() == 12344);
  CHECK(*units.rbegin() == 12343);  // dense
  CHECK(table.memory_bytes() < 15524 * (14 + 4) * 2);
}

TEST_CASE("Encoder: adult_coded (48,842 x 14) stays under 2 MB encoded") {
  const fs::path config = kSource / "configs/adult_coded.json";
  if (!fs::exists(kShared / "adult_coded/adult.csv")) {
    MESSAGE("skipped: ../shared/data/adult_coded is absent (optional literature benchmark)");
    return;
  }
  const EncodedTable table = EncodeDataset(Schema::Load(config));
  CHECK(table.num_rows() == 48842);
  CHECK(table.num_columns() == 14);
  MESSAGE("adult_coded encoded: " << table.memory_bytes() << " bytes");
  CHECK(table.memory_bytes() < 2'000'000);
}

}  // namespace
}  // namespace privet::engine
