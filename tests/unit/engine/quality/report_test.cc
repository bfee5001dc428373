// The report model end to end on a small schema: what it computes, its JSON, the coded CSVs
// for fidelity.py, the numeric columns read for correlations, and the page it renders (warning
// first, self-contained, escaped).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "engine/quality/html_report.h"
#include "engine/quality/quality_report.h"
#include "engine/quality/svg_charts.h"
#include "engine/table/encoder.h"
#include "privacy/errors.h"

namespace privet::engine::quality {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::random_device device;
    path_ = fs::temp_directory_path() / ("privet_quality_test_" + std::to_string(device()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// sex: 2 values + missing; age: integer 0..99 in 4 bins + missing; weight: continuous 0..200;
// outcome: 2 values + missing. A label with markup tests escaping.
Schema TestSchema(const fs::path& dir) {
  const nlohmann::json config = {
      {"schema_version", 1},
      {"dataset", {{"id", "quality_test"}, {"csv", "real.csv"}, {"missing_tokens", {"NA", ""}}}},
      {"attributes",
       {{{"name", "id"}, {"type", "ignore"}},
        {{"name", "sex"}, {"type", "categorical"}, {"values", {"F", "M<script>"}}},
        {{"name", "age"}, {"type", "integer"}, {"min", 0}, {"max", 99}, {"bins", 4}},
        {{"name", "weight"}, {"type", "continuous"}, {"min", 0}, {"max", 200}, {"bins", 4}},
        {{"name", "outcome"}, {"type", "categorical"}, {"values", {"no", "yes"}}}}}};
  return Schema::FromJson(config, dir, "test config");
}

constexpr const char* kRealCsv =
    "id,sex,age,weight,outcome\n"
    "1,F,20,60,no\n"
    "2,M<script>,40,80,yes\n"
    "3,F,30,NA,no\n"
    "4,M<script>,60,90,yes\n"
    "5,F,25,65,no\n"
    "6,M<script>,70,250,yes\n"
    "7,F,35,70,no\n"
    "8,M<script>,80,85,yes\n"
    "9,F,22,62,no\n"
    "10,M<script>,50,88,yes\n";

constexpr const char* kSyntheticCsv =
    "sex,age,weight,outcome\n"
    "F,20,60,no\n"
    "M<script>,40,80,yes\n"
    "F,30,66,yes\n"
    "M<script>,60,90,no\n"
    "F,25,65,no\n";

struct Fixture {
  TempDir dir;
  Schema schema = TestSchema(dir.path());
  EncodedTable real;
  EncodedTable synthetic;
  NumericColumns real_numeric;
  NumericColumns synthetic_numeric;

  Fixture() {
    WriteText(dir.path() / "real.csv", kRealCsv);
    WriteText(dir.path() / "synthetic.csv", kSyntheticCsv);
    real = EncodeCsv(schema, dir.path() / "real.csv");
    synthetic = EncodeCsv(schema, dir.path() / "synthetic.csv");
    real_numeric = ReadNumericColumns(schema, dir.path() / "real.csv");
    synthetic_numeric = ReadNumericColumns(schema, dir.path() / "synthetic.csv");
  }
};

TEST_CASE("numeric columns: values clamped to the public bounds, missing as NaN") {
  Fixture f;
  REQUIRE(f.real_numeric.names == std::vector<std::string>{"age", "weight"});
  REQUIRE(f.real_numeric.values[1].size() == 10);
  CHECK(f.real_numeric.values[0][0] == 20.0);
  CHECK(std::isnan(f.real_numeric.values[1][2]));  // "NA"
  CHECK(f.real_numeric.values[1][5] == 200.0);     // 250 clamped to max 200

  WriteText(f.dir.path() / "bad.csv", "sex,age,weight,outcome\nF,20,heavy,no\n");
  try {
    ReadNumericColumns(f.schema, f.dir.path() / "bad.csv");
    FAIL("a non-number was accepted");
  } catch (const InputError& error) {
    const std::string message = error.what();
    CHECK(message.find("bad.csv:2") != std::string::npos);
    CHECK(message.find("weight") != std::string::npos);
  }
  WriteText(f.dir.path() / "no_weight.csv", "sex,age,outcome\nF,20,no\n");
  CHECK_THROWS_AS(ReadNumericColumns(f.schema, f.dir.path() / "no_weight.csv"), InputError);
}

TEST_CASE("the report computes every section from the schema's codes") {
  Fixture f;
  ReportOptions options;
  options.target = "outcome";
  const QualityReport report = ComputeQualityReport(f.schema, f.real, f.synthetic, f.real_numeric,
                                                    f.synthetic_numeric, options);
  CHECK(report.dataset_id == "quality_test");
  CHECK(report.real_rows == 10);
  CHECK(report.synthetic_rows == 5);
  REQUIRE(report.attributes.size() == 4);
  const AttributeComparison& sex = report.attributes[0];
  CHECK(sex.labels == std::vector<std::string>{"F", "M<script>", "missing"});
  // sex: real (5/10, 5/10, 0), synthetic (3/5, 2/5, 0): TVD = 1/2 (0.1 + 0.1) = 0.1.
  CHECK(sex.real_shares[0] == doctest::Approx(0.5));
  CHECK(sex.synthetic_shares[0] == doctest::Approx(0.6));
  CHECK(sex.tvd == doctest::Approx(0.1));
  // outcome: real (1/2, 1/2), synthetic (3/5, 2/5): 0.1 as well; (sex, outcome) jointly:
  // real (F,no)=.5 (M,yes)=.5; synthetic (F,no)=.4 (F,yes)=.2 (M,yes)=.2 (M,no)=.2:
  // TVD = 1/2 (0.1 + 0.2 + 0.3 + 0.2) = 0.4.
  CHECK(report.pairwise_tvd(0, 3) == doctest::Approx(0.4));
  REQUIRE(report.marginal_tvd.size() == 3);
  CHECK(report.marginal_tvd[0].total_sets == 4);
  CHECK(report.marginal_tvd[2].total_sets == 4);
  REQUIRE(report.correlation.has_value());
  CHECK(report.correlation->names == std::vector<std::string>{"age", "weight"});
  REQUIRE(report.classifier.has_value());
  // int(0.8 * 10) = 8 training rows, 2 test rows (numpy RandomState(0): rows 0 and 5).
  CHECK(report.classifier->train_rows == 8);
  CHECK(report.classifier->test_rows == 2);
  // sex determines outcome in the real data: trained on real, naive Bayes is perfect.
  CHECK(report.classifier->accuracy_train_real == 1.0);
}

TEST_CASE("the report counts the rows of each table that break a declared rule") {
  Fixture f;
  nlohmann::json config = f.schema.ToJson();
  config["constraints"] = nlohmann::json::parse(
      R"([{"name": "women have no outcome", "if": {"sex": ["F"]}, "then": {"outcome": ["no"]}}])");
  const Schema schema = Schema::FromJson(config, f.dir.path(), "rules config");
  const QualityReport report = ComputeQualityReport(schema, f.real, f.synthetic, f.real_numeric,
                                                    f.synthetic_numeric, ReportOptions{});
  REQUIRE(report.rules.size() == 1);
  CHECK(report.rules[0].name == "women have no outcome");
  CHECK(report.rules[0].real_violations == 0);
  CHECK(report.rules[0].synthetic_violations == 1);  // "F,30,66,yes"
  CHECK(ToJson(report)["rules"][0]["synthetic_violations"] == 1);
  CHECK(RenderHtmlReport(report).find("women have no outcome") != std::string::npos);
}

// Ten patients with two identical rows each (a repeated visit), no two patients alike: split
// by row, held-out rows find their own twin in the reference rows and the "expected" copy share
// is far from what chance gives; split by the declared unit it is 0, as it should be.
TEST_CASE("with a privacy unit the split keeps each unit's rows on one side") {
  TempDir dir;
  std::string csv = "id,sex,age,weight,outcome\n";
  const char* const sexes[] = {"F", "M<script>"};
  const int ages[] = {10, 30, 60, 80};
  const char* const outcomes[] = {"no", "yes"};
  for (int visit = 0; visit < 2; ++visit) {
    for (int unit = 0; unit < 10; ++unit) {
      csv += std::to_string(100 + unit) + "," + sexes[unit % 2] + "," +
             std::to_string(ages[(unit / 2) % 4]) + ",60," + outcomes[unit / 8] + "\n";
    }
  }
  WriteText(dir.path() / "real.csv", csv);
  WriteText(dir.path() / "synthetic.csv", kSyntheticCsv);
  nlohmann::json config = TestSchema(dir.path()).ToJson();
  const Schema by_row_schema = Schema::FromJson(config, dir.path(), "by row");
  config["privacy_unit"] = {{"column", "id"}, {"max_rows_per_unit", 2}};
  const Schema by_unit_schema = Schema::FromJson(config, dir.path(), "by unit");
  const auto report_with = [&](const Schema& schema) {
    ReportOptions options;
    options.target = "outcome";
    return ComputeQualityReport(
        schema, EncodeCsv(schema, dir.path() / "real.csv"),
        EncodeCsv(schema, dir.path() / "synthetic.csv", nullptr, CsvKind::kSynthetic),
        ReadNumericColumns(schema, dir.path() / "real.csv"),
        ReadNumericColumns(schema, dir.path() / "synthetic.csv"), options);
  };

  const QualityReport by_row = report_with(by_row_schema);
  CHECK(by_row.split.unit_column.empty());
  REQUIRE(by_row.disclosure.has_value());
  CHECK(by_row.disclosure->expected_exact_copy_share >= 0.5);  // twins across the split

  const QualityReport by_unit = report_with(by_unit_schema);
  CHECK(by_unit.split.unit_column == "id");
  CHECK(by_unit.split.train_units == 8);
  CHECK(by_unit.split.test_units == 2);
  REQUIRE(by_unit.disclosure.has_value());
  CHECK(by_unit.disclosure->reference_rows == 16);
  CHECK(by_unit.disclosure->holdout_rows == 4);
  CHECK(by_unit.disclosure->expected_exact_copy_share == 0.0);
  CHECK(by_unit.disclosure->holdout_dcr.share_zero == 0.0);
  REQUIRE(by_unit.classifier.has_value());
  CHECK(by_unit.classifier->test_rows == 4);
  const nlohmann::json json = ToJson(by_unit);
  CHECK(json["disclosure"]["split_by"] == "unit");
  CHECK(json["disclosure"]["split_unit_column"] == "id");
  CHECK(ToJson(by_row)["disclosure"]["split_by"] == "row");
  // The page says how the holdout was drawn, in each case, and no longer that nobody copied it.
  const std::string unit_page = RenderHtmlReport(by_unit);
  CHECK(unit_page.find("keeps every row of one id on the same side") != std::string::npos);
  CHECK(unit_page.find("(2 units, 4 rows)") != std::string::npos);
  CHECK(unit_page.find("no id is both trained and tested on") != std::string::npos);
  CHECK(unit_page.find("nobody copied") == std::string::npos);
  const std::string row_page = RenderHtmlReport(by_row);
  CHECK(row_page.find("the config names no privacy unit") != std::string::npos);
  CHECK(row_page.find("nobody copied") == std::string::npos);
}

TEST_CASE("the report refuses what it cannot compute") {
  Fixture f;
  ReportOptions options;
  options.target = "no_such_column";
  CHECK_THROWS_AS(ComputeQualityReport(f.schema, f.real, f.synthetic, f.real_numeric,
                                       f.synthetic_numeric, options),
                  InputError);
  EncodedTable empty = f.synthetic.SelectRows(std::vector<std::size_t>{});
  CHECK_THROWS_AS(ComputeQualityReport(f.schema, f.real, empty, f.real_numeric, f.synthetic_numeric,
                                       ReportOptions{}),
                  InputError);
  options.target = "outcome";
  const EncodedTable tiny = f.real.SelectRows(std::vector<std::size_t>{0});
  CHECK_THROWS_AS(ComputeQualityReport(f.schema, tiny, f.synthetic, f.real_numeric,
                                       f.synthetic_numeric, options),
                  InputError);
}

TEST_CASE("the JSON carries the numbers under fidelity.py's names and says it is not private") {
  Fixture f;
  ReportOptions options;
  options.target = "outcome";
  const QualityReport report = ComputeQualityReport(f.schema, f.real, f.synthetic, f.real_numeric,
                                                    f.synthetic_numeric, options);
  const nlohmann::json json = ToJson(report);
  CHECK(json.at("not_private") == true);
  CHECK(json.at("warning").get<std::string>().find("NOT differentially private") !=
        std::string::npos);
  CHECK(json.at("tvd_1way_mean").get<double>() == report.marginal_tvd[0].mean);
  CHECK(json.at("tvd_2way_sets") == 6);
  CHECK(json.at("tvd_3way_sampled") == false);
  CHECK(json.contains("corr_mad"));
  CHECK(json.contains("acc_train_synth"));
  CHECK(json.contains("majority_acc"));
  CHECK(json.at("attributes").size() == 4);
  CHECK(json.at("pairwise_tvd").at("matrix").size() == 4);
}

TEST_CASE("the coded CSV holds each cell's schema code") {
  Fixture f;
  WriteCodedCsv(f.synthetic, f.dir.path() / "coded.csv");
  // Row 3 of the synthetic file: F (0), age 30 in bin [25, 49] (1), weight 66 in [50, 100) (1),
  // yes (1).
  const std::string coded = ReadText(f.dir.path() / "coded.csv");
  CHECK(coded.rfind("sex,age,weight,outcome\n0,0,1,0\n", 0) == 0);
  CHECK(coded.find("\n0,1,1,1\n") != std::string::npos);
  CHECK_THROWS_AS(WriteCodedCsv(f.synthetic, f.dir.path() / "missing_dir" / "x.csv"), StorageError);
}

TEST_CASE("the page opens with the warning, is self-contained and escapes labels") {
  Fixture f;
  ReportOptions options;
  options.target = "outcome";
  QualityReport report = ComputeQualityReport(f.schema, f.real, f.synthetic, f.real_numeric,
                                              f.synthetic_numeric, options);
  report.real_source = "real.csv";
  report.synthetic_source = "synthetic.csv";
  const std::string page = RenderHtmlReport(report);
  const auto warning = page.find("not differentially private");
  REQUIRE(warning != std::string::npos);
  CHECK(warning < page.find("<svg"));
  CHECK(page.find("DO NOT RELEASE") < page.find("<h1>"));
  // Self-contained: no script, no external resource; the only URL is the SVG namespace.
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("src=") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("@import") == std::string::npos);
  std::size_t urls = 0;
  for (auto at = page.find("http"); at != std::string::npos; at = page.find("http", at + 1)) {
    CHECK((page.compare(at, 26, "http://www.w3.org/2000/svg") == 0 ||
           page.compare(at, 10, "http-equiv") == 0));
    ++urls;
  }
  CHECK(urls > 0);
  CHECK(page.find("M&lt;script&gt;") != std::string::npos);
  // One chart per attribute, the TVD heat map, the correlation difference matrix, the
  // classifier.
  std::size_t charts = 0;
  for (auto at = page.find("class=\"chart\""); at != std::string::npos;
       at = page.find("class=\"chart\"", at + 1)) {
    ++charts;
  }
  CHECK(charts == 4 + 1 + 1 + 1);
  CHECK(page.find("data-chart=\"correlation-difference\"") != std::string::npos);
  // The disclosure section, with its not-DP sentence, and no attack without a withheld holdout.
  CHECK(page.find("id=\"disclosure\"") != std::string::npos);
  CHECK(page.find("These figures are not differentially private") != std::string::npos);
  CHECK(page.find("Membership attack: not measured") != std::string::npos);
}

TEST_CASE("chart helpers: escaping, colour scales and axis ends") {
  CHECK(EscapeHtml("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(ScaleColour(ColourScale::kSequential, 0, 0, 1) == "#ffffcc");
  CHECK(ScaleColour(ColourScale::kSequential, 5, 0, 1) == "#800026");  // clamped
  CHECK(ScaleColour(ColourScale::kDiverging, 0, -1, 1) == "#f7f7f7");
  CHECK(ScaleColour(ColourScale::kDiverging, -1, -1, 1) == "#2166ac");
  CHECK(NiceCeiling(0.07) == doctest::Approx(0.1));
  CHECK(NiceCeiling(0.3) == doctest::Approx(0.5));
  CHECK(NiceCeiling(0.2) == doctest::Approx(0.2));
  CHECK(NiceCeiling(0.93) == doctest::Approx(1.0));
  CHECK(NiceCeiling(0) == 1.0);
  GroupedBarChart bad;
  bad.labels = {"a"};
  bad.series = {{"real", "#000", {0.5, 0.5}}};
  CHECK_THROWS_AS(RenderGroupedBarChart(bad), std::invalid_argument);
}

}  // namespace
}  // namespace privet::engine::quality
