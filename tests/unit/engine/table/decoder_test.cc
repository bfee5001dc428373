#include "engine/table/decoder.h"

#include <doctest/doctest.h>

#include <charconv>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/table/csv_reader.h"
#include "engine/table/encoder.h"
#include "engine/table/rules.h"
#include "engine/table/schema_time.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = PRIVET_SOURCE_DIR;
const fs::path kShared = PRIVET_SHARED_DATA_DIR;

double ToDouble(std::string_view text) {
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  REQUIRE(result.ec == std::errc());
  REQUIRE(result.ptr == text.data() + text.size());
  return value;
}

// Encodes the dataset, decodes it, and checks against the original file cell by cell:
//  - re-encoding the decoded CSV gives exactly the original codes (so every value decoded
//    inside the bin/bucket/category it came from, and missing stays missing);
//  - an in-domain categorical value comes back unchanged, character for character;
//  - a numeric value comes back inside its bin: [lower, upper) or the closed last bin, and an
//    integer attribute decodes to an integer.
void CheckRoundTrip(const Schema& schema) {
  const EncodedTable table = EncodeDataset(schema);
  boost::random::mt19937_64 rng(20240601);
  std::stringstream decoded;
  WriteCsv(schema, table, decoded, rng);
  const std::string text = decoded.str();

  std::istringstream again_in(text);
  const EncodedTable again =
      EncodeCsv(schema, again_in, "decoded.csv", nullptr, CsvKind::kSynthetic);
  REQUIRE(again.num_rows() == table.num_rows());
  REQUIRE(again.num_columns() == table.num_columns());
  // A formula column (and a bucket of one) is computed from the decoded inputs, not decoded
  // from its code (decoder.h): it must agree with them instead (formula_test.cc checks the
  // values exactly; here the code-space check of every rule on the re-encoded file).
  const TableRules rules = TableRules::Compile(schema);
  const TableRules::Violations violations = rules.CountViolations(again);
  for (std::size_t i = 0; i < rules.derived().size(); ++i) {
    if (rules.ComputedFromValues(rules.derived()[i].column)) {
      CHECK(violations.per_derived[i] == 0);
    }
  }
  for (std::size_t c = 0; c < table.num_columns(); ++c) {
    if (rules.ComputedFromValues(c)) continue;
    for (std::size_t row = 0; row < table.num_rows(); ++row) {
      if (again.column(c).at(row) != table.column(c).at(row)) {
        FAIL("column " << table.column(c).name() << " row " << row << ": code "
                       << table.column(c).at(row) << " decoded to a value of code "
                       << again.column(c).at(row));
      }
    }
  }

  // Cell-level comparison with the original file.
  CsvOptions options;
  options.delimiter = schema.delimiter();
  CsvReader original(schema.csv_path(), options);
  std::istringstream decoded_in(text);
  CsvOptions decoded_options;
  decoded_options.delimiter = schema.delimiter();
  CsvReader synthetic(decoded_in, "decoded.csv", decoded_options);
  std::map<std::string, std::size_t> original_field;
  if (schema.has_header()) {
    REQUIRE(original.ReadRecord());
    for (std::size_t f = 0; f < original.num_fields(); ++f)
      original_field[std::string(original.field(f))] = f;
  } else {
    for (std::size_t f = 0; f < schema.attributes().size(); ++f)
      original_field[schema.attributes()[f].name] = f;
  }
  REQUIRE(synthetic.ReadRecord());  // header
  const auto& modeled = schema.modeled_attributes();
  std::size_t row = 0;
  std::size_t categorical_checked = 0, numeric_checked = 0;
  while (original.ReadRecord()) {
    REQUIRE(synthetic.ReadRecord());
    for (std::size_t i = 0; i < modeled.size(); ++i) {
      const Attribute& a = modeled[i];
      if (rules.ComputedFromValues(i)) continue;
      const std::string_view in = original.field(original_field.at(a.name));
      const std::string_view out = synthetic.field(i);
      const std::uint32_t code = table.column(i).at(row);
      if (a.missing_code() && code == *a.missing_code()) {
        CHECK(out == a.missing_tokens.front());
        continue;
      }
      if (a.type == AttributeType::kCategorical) {
        if (std::find(a.values.begin(), a.values.end(), in) != a.values.end()) {
          if (in != out) FAIL(a.name << " row " << row << ": " << in << " became " << out);
          ++categorical_checked;
        }
      } else if (a.type == AttributeType::kInteger || a.type == AttributeType::kContinuous) {
        const double value = ToDouble(out);
        const bool last = code + 1 == a.bin_lower.size();
        const bool inside =
            value >= a.bin_lower[code] && (value < a.bin_upper(code) || (last && value <= a.max));
        if (!inside) FAIL(a.name << " row " << row << ": " << out << " outside " << a.Label(code));
        if (a.type == AttributeType::kInteger && value != std::floor(value)) {
          FAIL(a.name << " row " << row << ": integer attribute decoded to " << out);
        }
        ++numeric_checked;
      }
    }
    ++row;
  }
  CHECK(row == table.num_rows());
  CHECK_FALSE(synthetic.ReadRecord());
  MESSAGE(schema.dataset_id() << ": " << row << " rows, " << categorical_checked
                              << " categorical and " << numeric_checked
                              << " numeric cells checked after decoding");
}

TEST_CASE("Decoder: round trip of the shipped covid data") {
  CheckRoundTrip(Schema::Load(kSource / "configs/covid_testing.json"));
}

TEST_CASE("Decoder: round trip of the all-types fixture (quoting, dates, datetimes)") {
  CheckRoundTrip(Schema::Load(kSource / "tests/data/schema/all_types.json"));
}

TEST_CASE("Decoder: round trip of the literature datasets beside the clone") {
  const std::pair<const char*, const char*> datasets[] = {
      {"adult_coded.json", "adult_coded/adult.csv"},
      {"adult.json", "adult/adult.csv"},
      {"heart_cleveland.json", "heart_cleveland/heart_cleveland.csv"},
      {"nhanes.json", "nhanes/NHANES.csv"},
  };
  for (const auto& [config, csv] : datasets) {
    if (!fs::exists(kShared / csv)) {
      MESSAGE("skipped " << config << ": ../shared/data/" << csv << " is absent (optional data)");
      continue;
    }
    const std::string name = config;
    CAPTURE(name);
    CheckRoundTrip(Schema::Load(kSource / "configs" / config));
  }
}

Schema OneAttribute(const std::string& attribute_json) {
  return Schema::FromJson(json::parse(R"({"schema_version": 1,
      "dataset": {"id": "t", "csv": "t.csv", "missing_tokens": ["NA", ""]},
      "attributes": [)" + attribute_json +
                                      "]}"),
                          "/tmp");
}

TEST_CASE("Decoder: integers are uniform over every integer of their bin") {
  const Schema schema = OneAttribute(R"({"name": "a", "type": "integer", "min": 0, "max": 99,
                                         "bins": 20})");
  const Attribute& a = schema.modeled_attributes()[0];
  boost::random::mt19937_64 rng(7);
  // Bin 3 = {15..19}. With 1000 draws the chance that some integer of the 5 never appears is at
  // most 5 * (4/5)^1000 < 1e-95, so a missing value means the decoder cannot reach it. The
  // chi-square statistic with 4 degrees of freedom exceeds 18.47 with probability 0.001
  // (fixed seed: the test is deterministic, the bound documents how unlikely a false alarm is).
  std::map<std::string, int> counts;
  for (int i = 0; i < 1000; ++i) ++counts[DecodeCell(a, 3, rng)];
  CHECK(counts.size() == 5);
  double chi_square = 0;
  for (const auto& [value, count] : counts) {
    const int v = std::stoi(value);
    CHECK(v >= 15);
    CHECK(v <= 19);
    chi_square += (count - 200.0) * (count - 200.0) / 200.0;
  }
  CHECK(chi_square < 18.47);
  CHECK(DecodeCell(a, 20, rng) == "NA");  // missing -> the first missing token
  CHECK_THROWS_AS(DecodeCell(a, 21, rng), std::out_of_range);
}

TEST_CASE("Decoder: continuous values keep enough digits to stay inside narrow bins") {
  const Schema schema =
      OneAttribute(R"({"name": "x", "type": "continuous", "edges": [0, 1e-9, 2e-9, 1000]})");
  const Attribute& x = schema.modeled_attributes()[0];
  boost::random::mt19937_64 rng(11);
  for (std::uint32_t code = 0; code < 3; ++code) {
    for (int i = 0; i < 200; ++i) {
      const std::string text = DecodeCell(x, code, rng);
      CHECK(x.BinOf(ToDouble(text)) == code);
      CHECK(text.find('e') == std::string::npos);  // plain decimals for spreadsheet users
    }
  }
  // A wide bin prints a short number: width 998 -> 0 decimals at most 2 digits more than needed.
  CHECK(DecodeCell(x, 2, rng).size() <= 4);
}

TEST_CASE("Decoder: dates decode to a day inside their bucket, in the schema's format") {
  const Schema schema = OneAttribute(R"({"name": "d", "type": "date", "min": "2020-01-15",
      "max": "2020-03-10", "granularity": "month", "format": "%d.%m.%Y"})");
  const Attribute& d = schema.modeled_attributes()[0];
  boost::random::mt19937_64 rng(3);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string text = DecodeCell(d, 2, rng);  // 2020-03-01 .. 2020-03-10
    const auto day = ParseTime(text, "%d.%m.%Y", false);
    REQUIRE(day.has_value());
    CHECK(d.BucketOf(*day) == 2);
    CHECK(*day <= static_cast<std::int64_t>(d.max));
    seen.insert(text);
  }
  // 10 days, 2000 draws: all appear except with probability < 10 * 0.9^2000.
  CHECK(seen.size() == 10);
}

TEST_CASE("Decoder: CSV fields are quoted when they need it") {
  std::string line;
  AppendCsvField(line, "plain");
  line += ',';
  AppendCsvField(line, "a, b");
  line += ',';
  AppendCsvField(line, "say \"hi\"");
  line += ',';
  AppendCsvField(line, "two\nlines");
  line += ',';
  AppendCsvField(line, " padded");
  CHECK(line == "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\"");
  std::string tab;
  AppendCsvField(tab, "a,b", '\t');
  CHECK(tab == "a,b");
}

TEST_CASE("Decoder: the same seed gives the same file; the table must match the schema") {
  const Schema schema = Schema::Load(kSource / "tests/data/schema/all_types.json");
  const EncodedTable table = EncodeDataset(schema);
  std::ostringstream first, second, third;
  boost::random::mt19937_64 a(5), b(5), c(6);
  WriteCsv(schema, table, first, a);
  WriteCsv(schema, table, second, b);
  WriteCsv(schema, table, third, c);
  CHECK(first.str() == second.str());
  CHECK(first.str() != third.str());
  CHECK(first.str().rfind("sex,ward,age,weight,visit,seen_at\n", 0) == 0);

  EncodedTable wrong;
  wrong.AddColumn(EncodedColumn("sex", 3));
  std::ostringstream out;
  CHECK_THROWS_WITH_AS(WriteCsv(schema, wrong, out, a),
                       doctest::Contains("table has 1 columns but"), InputError);
}

}  // namespace
}  // namespace privet::engine
