// Arithmetic derived columns (engine/table/rules.h Formula, issue 12): BMI = 10^4 weight /
// height^2 and the mean of blood-pressure readings, computed after sampling from the decoded
// inputs (engine/table/decoder.h), with a bucket of the computed BMI.
#include <doctest/doctest.h>

#include <boost/random/mersenne_twister.hpp>
#include <charconv>
#include <cmath>
#include <sstream>
#include <string>

#include "engine/table/csv_reader.h"
#include "engine/table/decoder.h"
#include "engine/table/encoder.h"
#include "engine/table/rules.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

using nlohmann::json;

// weight kg [0, 250] in 10 kg bins, height cm [50, 210] in 10 cm bins, BMI [10, 80] with the
// WHO edges, its WHO class, three systolic readings and their average (NHANES's rule).
json FormulaConfig() {
  return json::parse(R"({
    "schema_version": 1,
    "dataset": {"id": "formula", "csv": "unused.csv", "missing_tokens": ["NA"]},
    "attributes": [
      {"name": "Weight", "type": "continuous", "min": 0, "max": 250, "bins": 25},
      {"name": "Height", "type": "continuous", "min": 50, "max": 210, "bins": 16},
      {"name": "BMI", "type": "continuous", "edges": [10, 15, 18.5, 21, 25, 27.5, 30, 35, 40, 50, 80]},
      {"name": "BMI_WHO", "type": "categorical", "values": ["under", "normal", "over", "obese"]},
      {"name": "Sys1", "type": "integer", "min": 60, "max": 259, "bins": 20},
      {"name": "Sys2", "type": "integer", "min": 60, "max": 259, "bins": 20},
      {"name": "Sys3", "type": "integer", "min": 60, "max": 259, "bins": 20},
      {"name": "SysAve", "type": "integer", "min": 60, "max": 259, "bins": 20}
    ],
    "derived": [
      {"column": "BMI", "formula": {"product": {"Weight": 1, "Height": -2}, "scale": 10000,
                                    "decimals": 2}},
      {"column": "BMI_WHO", "from": "BMI", "bucket": [18.5, 25, 30]},
      {"column": "SysAve", "formula": {"mean": ["Sys2", "Sys3"], "otherwise": ["Sys1"]}}
    ]})");
}

std::string ErrorOf(const json& config) {
  try {
    Schema::FromJson(config, ".", "f.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

double Parse(std::string_view text) {
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  REQUIRE(result.ec == std::errc());
  return value;
}

TEST_CASE("Formulas compile, evaluate, round and clamp as declared") {
  const Schema schema = Schema::FromJson(FormulaConfig(), ".", "f.json");
  const TableRules rules = TableRules::Compile(schema);
  REQUIRE(rules.derived().size() == 3);
  const Formula& bmi = *rules.derived()[0].formula;
  CHECK(rules.IsFormula(2));
  CHECK(rules.ComputedFromValues(2));
  CHECK(rules.ComputedFromValues(3));  // the bucket of BMI
  CHECK_FALSE(rules.IsFormula(3));
  CHECK(rules.ComputedFromValues(7));
  CHECK_FALSE(rules.ComputedFromValues(0));
  CHECK(rules.derived()[0].Describe({"Weight", "Height", "BMI"}) ==
        "formula Height^-2 * Weight^1 * 10000");
  // 87.4 kg, 164.7 cm (the first NHANES row): 32.22.
  const auto at = [](double w, double h) {
    return [=](std::size_t c) { return c == 0 ? w : c == 1 ? h : NAN; };
  };
  const std::optional<double> raw = bmi.Evaluate(at(87.4, 164.7));
  REQUIRE(raw);
  CHECK(*raw == doctest::Approx(87.4 / (1.647 * 1.647)));
  const Formula::Result r = bmi.Finish(*raw);
  CHECK(r.text == "32.22");
  CHECK(r.value == 32.22);
  CHECK(r.code == 6);  // [30, 35)
  // Missing inputs give a missing result; a result outside [10, 80] is clamped.
  CHECK_FALSE(bmi.Evaluate(at(NAN, 164.7)).has_value());
  CHECK(bmi.Finish(3.2).text == "10.00");
  CHECK(bmi.Finish(3.2).code == 0);
  CHECK(bmi.Finish(95).text == "80.00");
  CHECK(bmi.Finish(INFINITY).text == "80.00");  // an overflow clamps like any large value
  CHECK(bmi.Finish(-INFINITY).code == 0);
  // The mean of readings 2 and 3 (half rounds away from zero), else reading 1.
  const Formula& ave = *rules.derived()[2].formula;
  const auto readings = [](double a, double b, double c) {
    return [=](std::size_t col) { return col == 4 ? a : col == 5 ? b : col == 6 ? c : NAN; };
  };
  CHECK(ave.Finish(*ave.Evaluate(readings(118, 108, 115))).text == "112");  // 111.5
  CHECK(ave.Finish(*ave.Evaluate(readings(118, NAN, 115))).text == "115");
  CHECK(ave.Finish(*ave.Evaluate(readings(118, NAN, NAN))).text == "118");
  CHECK_FALSE(ave.Evaluate(readings(NAN, NAN, NAN)).has_value());
}

TEST_CASE("A division by zero is missing, and a column that may be missing must be nullable") {
  json config = FormulaConfig();
  // A divisor whose domain contains 0.
  config["attributes"][1]["min"] = 0;
  const Schema schema = Schema::FromJson(config, ".", "f.json");
  const TableRules rules = TableRules::Compile(schema);
  const Formula& bmi = *rules.derived()[0].formula;
  const std::optional<double> zero =
      bmi.Evaluate([](std::size_t c) { return c == 0 ? 70.0 : 0.0; });
  CHECK_FALSE(zero.has_value());
  config["attributes"][2]["nullable"] = false;
  CHECK(ErrorOf(config).find("must be nullable") != std::string::npos);
}

TEST_CASE("Formula configs are checked") {
  const auto with = [](const char* key, json value) {
    json config = FormulaConfig();
    config["derived"][0]["formula"][key] = std::move(value);
    return ErrorOf(config);
  };
  CHECK(with("product", {{"Weight", 0}}).find("nonzero integer in [-3, 3]") != std::string::npos);
  CHECK(with("product", {{"Weight", 4}}).find("nonzero integer in [-3, 3]") != std::string::npos);
  CHECK(with("product", {{"BMI_WHO", 1}}).find("not an integer or continuous") !=
        std::string::npos);
  CHECK(with("product", {{"BMI", 1}}).find("computed from itself") != std::string::npos);
  CHECK(with("product", {{"SysAve", 1}}).find("derived itself") != std::string::npos);
  CHECK(with("scale", 0).find("finite nonzero") != std::string::npos);
  CHECK(with("decimals", 9).find("[0, 6]") != std::string::npos);
  CHECK(with("mean", json::array({"Weight"})).find("exactly one of") != std::string::npos);
  CHECK(with("power", 2).find("unknown key") != std::string::npos);
  json config = FormulaConfig();
  config["derived"][2]["formula"]["decimals"] = 1;
  CHECK(ErrorOf(config).find("integer attribute") != std::string::npos);
  config = FormulaConfig();
  config["derived"][0]["from"] = "Weight";
  CHECK(ErrorOf(config).find("names its inputs itself") != std::string::npos);
  // A constraint cannot name a value computed after decoding (nor a bucket of one).
  config = FormulaConfig();
  config["constraints"] = json::parse(R"([{"name": "x", "never": {"BMI_WHO": ["obese"]}}])");
  CHECK(ErrorOf(config).find("computed by a formula") != std::string::npos);
}

TEST_CASE("In code space a formula gets a stand-in inside its inputs' range, which is checked") {
  const Schema schema = Schema::FromJson(FormulaConfig(), ".", "f.json");
  const TableRules rules = TableRules::Compile(schema);
  const auto& attrs = schema.modeled_attributes();
  // Every weight and height bin, readings in bins 3 / 4 / 5 or missing.
  EncodedTable table;
  std::vector<EncodedColumn> columns;
  for (const Attribute& a : attrs) columns.emplace_back(a.name, a.domain_size());
  for (std::uint32_t w = 0; w < attrs[0].domain_size(); ++w) {
    for (std::uint32_t h = 0; h < attrs[1].domain_size(); ++h) {
      const std::uint32_t row[] = {w, h, 0, 0, 3, h % 3 == 0 ? 20u : 4u, h % 2 ? 20u : 5u, 0};
      for (std::size_t c = 0; c < columns.size(); ++c) columns[c].push_back(row[c]);
    }
  }
  for (EncodedColumn& c : columns) table.AddColumn(std::move(c));
  // The zeros in BMI / BMI_WHO / SysAve disagree somewhere: otherwise the check could not fail.
  CHECK(rules.CountViolations(table).total() > 100);
  const EncodedTable derived = rules.ApplyDerived(table);
  CHECK(rules.CountViolations(derived).per_derived == std::vector<std::uint64_t>{0, 0, 0});
  // Weight missing (code 25) gives a missing BMI.
  CHECK(derived.column(2).at(attrs[1].domain_size() * 25) == *attrs[2].missing_code());
  // The model file's rules keep formulas and their bins.
  std::vector<std::uint32_t> sizes;
  for (const Attribute& a : attrs) sizes.push_back(a.domain_size());
  const TableRules loaded = TableRules::FromJson(rules.ToJson(), sizes, "model.json");
  CHECK(loaded == rules);
  CHECK(loaded.ApplyDerived(table).column(2).at(40) == derived.column(2).at(40));
  json broken = rules.ToJson();
  broken["derived"][0]["formula"]["input_bins"][0]["lower"] = json::array({1, 2});
  CHECK_THROWS_AS(TableRules::FromJson(broken, sizes, "model.json"), InputError);
  broken = rules.ToJson();
  broken["derived"][0]["formula"]["powers"] = json::array({7, 1});
  CHECK_THROWS_AS(TableRules::FromJson(broken, sizes, "model.json"), InputError);
}

TEST_CASE("Written synthetic rows satisfy every formula exactly (10^5 rows)") {
  // Random codes for every modelled column (missing included), as a sampler could give; the
  // CSV must agree with a formula computed here independently of rules.cc: BMI =
  // round(10^4 w / h^2, 2) clamped into [10, 80], its WHO class, and SysAve = the mean of
  // readings 2 and 3 rounded half up (all readings are positive), else reading 1.
  const Schema schema = Schema::FromJson(FormulaConfig(), ".", "f.json");
  const auto& attrs = schema.modeled_attributes();
  boost::random::mt19937_64 rng(12);
  EncodedTable table;
  const std::size_t rows = 100000;
  for (const Attribute& a : attrs) {
    EncodedColumn column(a.name, a.domain_size());
    for (std::size_t r = 0; r < rows; ++r) {
      column.push_back(static_cast<std::uint32_t>(rng() % a.domain_size()));
    }
    table.AddColumn(std::move(column));
  }
  std::stringstream csv;
  WriteCsv(schema, table, csv, rng);
  const std::string text = csv.str();
  std::istringstream in(text);
  CsvReader reader(in, "synthetic.csv", CsvOptions{});
  REQUIRE(reader.ReadRecord());
  std::size_t checked_bmi = 0, checked_ave = 0, missing_bmi = 0;
  while (reader.ReadRecord()) {
    const auto field = [&](std::size_t i) { return std::string(reader.field(i)); };
    if (field(0) == "NA" || field(1) == "NA") {
      CHECK(field(2) == "NA");
      CHECK(field(3) == "NA");
      ++missing_bmi;
    } else {
      const double bmi =
          std::clamp(10000 * Parse(field(0)) / std::pow(Parse(field(1)), 2), 10.0, 80.0);
      const double written = Parse(field(2));
      if (std::abs(written - bmi) > 0.005 + 1e-9)
        FAIL(field(0) << " " << field(1) << " " << field(2));
      const char* who = written < 18.5 ? "under"
                        : written < 25 ? "normal"
                        : written < 30 ? "over"
                                       : "obese";
      CHECK(field(3) == who);
      ++checked_bmi;
    }
    std::vector<double> present;
    for (std::size_t i : {5, 6}) {
      if (field(i) != "NA") present.push_back(Parse(field(i)));
    }
    if (present.empty() && field(4) != "NA") present.push_back(Parse(field(4)));
    if (present.empty()) {
      CHECK(field(7) == "NA");
    } else {
      double mean = 0;
      for (double v : present) mean += v / static_cast<double>(present.size());
      if (Parse(field(7)) != std::floor(mean + 0.5)) FAIL("SysAve " << field(7) << " " << mean);
      ++checked_ave;
    }
  }
  CHECK(checked_bmi > 80000);
  CHECK(missing_bmi > 5000);
  CHECK(checked_ave > 99000);
  // Re-encoded, the file breaks no rule in code space either.
  std::istringstream again(text);
  const EncodedTable encoded =
      EncodeCsv(schema, again, "synthetic.csv", nullptr, CsvKind::kSynthetic);
  CHECK(TableRules::Compile(schema).CountViolations(encoded).total() == 0);
}

}  // namespace
}  // namespace privet::engine
