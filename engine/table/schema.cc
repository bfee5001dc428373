#include "engine/table/schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "engine/table/rules.h"
#include "engine/table/schema_time.h"
#include "privacy/bounded_json.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

using nlohmann::json;

// A domain this large is almost surely a mistake (an identifier declared as integer) and would
// make every marginal table huge.
constexpr std::uint32_t kMaxDomainSize = 100000;

// Shortest decimal text that reads back as the same double.
std::string NumberText(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

// Reads one JSON object, remembering which keys were read so unknown keys (typos) can be
// rejected by name.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) Fail("must be a JSON object");
  }

  [[noreturn]] void Fail(const std::string& what) const { throw InputError(where_ + ": " + what); }
  const std::string& where() const { return where_; }

  bool Has(const std::string& key) {
    seen_.insert(key);
    return object_.contains(key);
  }
  const json& Get(const std::string& key) {
    if (!Has(key)) Fail("missing required key \"" + key + "\"");
    return object_.at(key);
  }

  std::string String(const std::string& key) {
    const json& value = Get(key);
    if (!value.is_string()) Fail("\"" + key + "\" must be a string");
    return value.get<std::string>();
  }
  std::string String(const std::string& key, const std::string& fallback) {
    return Has(key) ? String(key) : fallback;
  }
  bool Bool(const std::string& key, bool fallback) {
    if (!Has(key)) return fallback;
    const json& value = object_.at(key);
    if (!value.is_boolean()) Fail("\"" + key + "\" must be true or false");
    return value.get<bool>();
  }
  double Number(const std::string& key) {
    const json& value = Get(key);
    if (!value.is_number()) Fail("\"" + key + "\" must be a number");
    const double number = value.get<double>();
    if (!std::isfinite(number)) Fail("\"" + key + "\" must be finite");
    return number;
  }
  std::uint64_t Count(const std::string& key) {
    const json& value = Get(key);
    if (!value.is_number_unsigned() &&
        !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
      Fail("\"" + key + "\" must be a non-negative integer");
    }
    return value.get<std::uint64_t>();
  }
  std::vector<std::string> Strings(const std::string& key) {
    const json& value = Get(key);
    if (!value.is_array()) Fail("\"" + key + "\" must be an array of strings");
    std::vector<std::string> out;
    for (const json& item : value) {
      if (!item.is_string()) Fail("\"" + key + "\" must be an array of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  // Rejects any key that was never asked for.
  void RejectUnknownKeys(const std::string& context = "") const {
    for (const auto& item : object_.items()) {
      if (!seen_.count(item.key())) {
        Fail("unknown key \"" + item.key() + "\"" + context +
             " (check the spelling; docs/config.md lists every field)");
      }
    }
  }

 private:
  const json& object_;
  std::string where_;
  std::set<std::string> seen_;
};

std::optional<AttributeType> ParseType(const std::string& name) {
  for (auto type :
       {AttributeType::kCategorical, AttributeType::kInteger, AttributeType::kContinuous,
        AttributeType::kDate, AttributeType::kDatetime, AttributeType::kIgnore}) {
    if (AttributeTypeName(type) == name) return type;
  }
  return std::nullopt;
}

std::string_view PolicyName(OutOfDomainPolicy policy) {
  switch (policy) {
    case OutOfDomainPolicy::kCatchAll:
      return "catch_all";
    case OutOfDomainPolicy::kMissing:
      return "missing";
    case OutOfDomainPolicy::kError:
      return "error";
  }
  return "error";
}

void ParseCategorical(ObjectReader& reader, Attribute& attribute) {
  attribute.values = reader.Strings("values");
  if (attribute.values.empty())
    reader.Fail("\"values\" is empty: a categorical domain needs at least one value");
  std::set<std::string> unique;
  for (const auto& value : attribute.values) {
    if (!unique.insert(value).second)
      reader.Fail("value \"" + value + "\" is listed twice in \"values\"");
    if (std::find(attribute.missing_tokens.begin(), attribute.missing_tokens.end(), value) !=
        attribute.missing_tokens.end()) {
      reader.Fail("value \"" + value +
                  "\" is also a missing token; remove it from \"values\" or from missing_tokens");
    }
  }
  if (reader.Has("catch_all")) {
    attribute.catch_all = reader.String("catch_all");
    if (!unique.count(*attribute.catch_all)) {
      reader.Fail("catch_all \"" + *attribute.catch_all + "\" must be one of \"values\"");
    }
  }
  if (reader.Has("out_of_domain")) {
    const std::string policy = reader.String("out_of_domain");
    if (policy == "catch_all") {
      if (!attribute.catch_all)
        reader.Fail("out_of_domain \"catch_all\" needs a \"catch_all\" value");
      attribute.out_of_domain = OutOfDomainPolicy::kCatchAll;
    } else if (policy == "missing") {
      if (!attribute.nullable) {
        reader.Fail(
            "out_of_domain \"missing\" needs nullable true; with nullable false declare a "
            "\"catch_all\" value (out_of_domain \"catch_all\") or reject such rows (\"error\")");
      }
      attribute.out_of_domain = OutOfDomainPolicy::kMissing;
    } else if (policy == "error") {
      attribute.out_of_domain = OutOfDomainPolicy::kError;
    } else {
      reader.Fail("out_of_domain must be \"catch_all\", \"missing\" or \"error\", not \"" + policy +
                  "\"");
    }
  } else {
    attribute.out_of_domain = attribute.catch_all  ? OutOfDomainPolicy::kCatchAll
                              : attribute.nullable ? OutOfDomainPolicy::kMissing
                                                   : OutOfDomainPolicy::kError;
  }
  if (attribute.values.size() + (attribute.nullable ? 1 : 0) > kMaxDomainSize) {
    reader.Fail("more than " + std::to_string(kMaxDomainSize) + " values");
  }
}

// "cut_points" of a numeric attribute whose bins are already parsed: strictly increasing
// numbers inside (min, max], each a bin edge, so that "a group never straddles the cut" is a
// property of codes (decoding draws a value inside its bin, which then stays on its side).
void ParseCutPoints(ObjectReader& reader, Attribute& attribute) {
  const json& cuts = reader.Get("cut_points");
  if (!cuts.is_array()) reader.Fail("\"cut_points\" must be an array of numbers");
  const bool integer = attribute.type == AttributeType::kInteger;
  for (std::size_t i = 0; i < cuts.size(); ++i) {
    const std::string what = "cut_points[" + std::to_string(i) + "]";
    if (!cuts[i].is_number() || !std::isfinite(cuts[i].get<double>())) {
      reader.Fail(what + " must be a finite number");
    }
    const double cut = cuts[i].get<double>();
    if (integer && cut != std::floor(cut)) {
      reader.Fail(what + " (" + NumberText(cut) + ") must be an integer for type integer");
    }
    if (!attribute.cut_points.empty() && !(cut > attribute.cut_points.back())) {
      reader.Fail("cut_points must be strictly increasing: " + what + " (" + NumberText(cut) +
                  ") is not above cut_points[" + std::to_string(i - 1) + "] (" +
                  NumberText(attribute.cut_points.back()) + ")");
    }
    if (!(cut > attribute.min) || cut > attribute.max) {
      reader.Fail(what + " (" + NumberText(cut) + ") is outside the domain: a cut must be above " +
                  "min (" + NumberText(attribute.min) + ") and at most max (" +
                  NumberText(attribute.max) + ")");
    }
    const auto& lower = attribute.bin_lower;
    const auto above = std::upper_bound(lower.begin(), lower.end(), cut);
    if (above == lower.begin() || *(above - 1) != cut) {
      const auto bin = static_cast<std::uint32_t>(above - lower.begin()) - 1;
      reader.Fail(what + " (" + NumberText(cut) + ") falls inside the bin " + attribute.Label(bin) +
                  ": a cut must be a bin edge, so declare \"edges\" that include it" +
                  (integer ? " (or one bin per integer)" : ""));
    }
    attribute.cut_points.push_back(cut);
  }
}

void ParseNumeric(ObjectReader& reader, Attribute& attribute) {
  const bool integer = attribute.type == AttributeType::kInteger;
  const auto require_integral = [&](double value, const std::string& what) {
    if (integer && (value != std::floor(value) || std::fabs(value) > 9.0e15)) {
      reader.Fail(what + " (" + NumberText(value) + ") must be an integer for type integer");
    }
  };
  const bool has_edges = reader.Has("edges");
  const bool has_bins = reader.Has("bins");
  if (has_edges && has_bins) reader.Fail("give either \"bins\" or \"edges\", not both");
  if (has_edges) {
    if (reader.Has("min") || reader.Has("max")) {
      reader.Fail("with \"edges\", leave out min and max: they are the first and last edge");
    }
    const json& edges = reader.Get("edges");
    if (!edges.is_array() || edges.size() < 2)
      reader.Fail("\"edges\" must be an array of at least 2 numbers");
    std::vector<double> values;
    for (std::size_t i = 0; i < edges.size(); ++i) {
      if (!edges[i].is_number() || !std::isfinite(edges[i].get<double>())) {
        reader.Fail("edges[" + std::to_string(i) + "] must be a finite number");
      }
      values.push_back(edges[i].get<double>());
      require_integral(values.back(), "edges[" + std::to_string(i) + "]");
      if (i > 0 && !(values[i] > values[i - 1])) {
        reader.Fail("edges must be strictly increasing: edges[" + std::to_string(i) + "] (" +
                    NumberText(values[i]) + ") is not above edges[" + std::to_string(i - 1) +
                    "] (" + NumberText(values[i - 1]) + ")");
      }
    }
    attribute.min = values.front();
    attribute.max = values.back();
    attribute.bin_lower.assign(values.begin(), values.end() - 1);
    attribute.config_edges = values;
  } else {
    attribute.min = reader.Number("min");
    attribute.max = reader.Number("max");
    require_integral(attribute.min, "min");
    require_integral(attribute.max, "max");
    if (!(attribute.min < attribute.max)) {
      reader.Fail("min (" + NumberText(attribute.min) + ") must be below max (" +
                  NumberText(attribute.max) + ")");
    }
    std::uint64_t bins = 0;
    const double integers = attribute.max - attribute.min + 1;
    if (has_bins) {
      bins = reader.Count("bins");
      if (bins == 0) reader.Fail("\"bins\" must be at least 1");
      if (integer && static_cast<double>(bins) > integers) {
        reader.Fail("bins (" + std::to_string(bins) + ") exceeds the " + NumberText(integers) +
                    " integers in [min, max]");
      }
    } else if (integer) {
      if (integers > kMaxDomainSize) {
        reader.Fail("[min, max] holds " + NumberText(integers) +
                    " integers; declare \"bins\" or \"edges\"");
      }
      bins = static_cast<std::uint64_t>(integers);
    } else {
      reader.Fail("type continuous needs \"bins\" (uniform) or \"edges\"");
    }
    if (bins > kMaxDomainSize) reader.Fail("more than " + std::to_string(kMaxDomainSize) + " bins");
    attribute.config_bins =
        has_bins ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(bins)) : std::nullopt;
    attribute.bin_lower.resize(bins);
    for (std::uint64_t b = 0; b < bins; ++b) {
      attribute.bin_lower[b] =
          integer ? attribute.min +
                        std::floor(static_cast<double>(b) * integers / static_cast<double>(bins))
                  : attribute.min + (attribute.max - attribute.min) * static_cast<double>(b) /
                                        static_cast<double>(bins);
    }
  }
  if (attribute.bin_lower.size() > kMaxDomainSize) {
    reader.Fail("more than " + std::to_string(kMaxDomainSize) + " bins");
  }
  if (reader.Has("cut_points")) ParseCutPoints(reader, attribute);
}

void ParseTimeAttribute(ObjectReader& reader, Attribute& attribute) {
  const bool datetime = attribute.type == AttributeType::kDatetime;
  attribute.format =
      reader.String("format", std::string(datetime ? kDefaultDatetimeFormat : kDefaultDateFormat));
  if (const std::string problem = CheckTimeFormat(attribute.format, datetime); !problem.empty()) {
    reader.Fail("format \"" + attribute.format + "\": " + problem);
  }
  const std::string granularity = reader.String("granularity", "day");
  const auto parsed = ParseGranularity(granularity);
  if (!parsed)
    reader.Fail("unknown granularity \"" + granularity +
                "\" (minute, hour, day, week, month, year)");
  if (!datetime && (*parsed == TimeGranularity::kMinute || *parsed == TimeGranularity::kHour)) {
    reader.Fail("granularity \"" + granularity + "\" needs type datetime");
  }
  attribute.granularity = *parsed;
  const std::string iso(datetime ? kDefaultDatetimeFormat : kDefaultDateFormat);
  const auto bound = [&](const std::string& key) {
    const std::string text = reader.String(key);
    const auto value = ParseTime(text, iso, datetime);
    if (!value)
      reader.Fail(key + " \"" + text + "\" is not a valid " + (datetime ? "datetime" : "date") +
                  " in the form " + iso);
    return *value;
  };
  const std::int64_t min = bound("min");
  const std::int64_t max = bound("max");
  if (min >= max) {
    reader.Fail("min (" + FormatTime(min, iso, datetime) + ") must be below max (" +
                FormatTime(max, iso, datetime) + ")");
  }
  attribute.min = static_cast<double>(min);
  attribute.max = static_cast<double>(max);
  // Count buckets before building them so a minute granularity over decades fails fast.
  const double unit_seconds[] = {60, 3600, 86400, 7 * 86400.0, 28 * 86400.0, 365 * 86400.0};
  const double span_seconds = static_cast<double>(max - min) * (datetime ? 1.0 : 86400.0);
  if (span_seconds / unit_seconds[static_cast<int>(*parsed)] > kMaxDomainSize) {
    reader.Fail("more than " + std::to_string(kMaxDomainSize) +
                " buckets; choose a coarser granularity");
  }
  attribute.bucket_start = BucketStarts(min, max, *parsed, datetime);
}

Attribute ParseAttribute(const json& value, const std::string& where,
                         const std::vector<std::string>& dataset_missing) {
  ObjectReader reader(value, where);
  Attribute attribute;
  attribute.name = reader.String("name");
  if (attribute.name.empty()) reader.Fail("\"name\" is empty");
  ObjectReader named(value, where + " \"" + attribute.name + "\"");
  named.Has("name");
  const std::string type_name = named.String("type");
  const auto type = ParseType(type_name);
  if (!type) {
    named.Fail("unknown type \"" + type_name +
               "\" (categorical, integer, continuous, date, datetime, ignore)");
  }
  attribute.type = *type;
  attribute.description = named.String("description", "");
  // The officer's note that the domain is public, read only by `schema review`
  // (engine/table/schema_review.h); a release never reads it.
  if (named.Has("reviewed") && named.String("reviewed").empty()) {
    named.Fail("\"reviewed\" is empty (say where the public domain comes from)");
  }
  if (attribute.type != AttributeType::kIgnore) {
    attribute.nullable = named.Bool("nullable", true);
    if (named.Has("missing_tokens")) {
      attribute.missing_tokens = named.Strings("missing_tokens");
      attribute.missing_tokens_overridden = true;
    } else {
      attribute.missing_tokens = dataset_missing;
    }
  }
  switch (attribute.type) {
    case AttributeType::kCategorical:
      ParseCategorical(named, attribute);
      break;
    case AttributeType::kInteger:
    case AttributeType::kContinuous:
      ParseNumeric(named, attribute);
      break;
    case AttributeType::kDate:
    case AttributeType::kDatetime:
      ParseTimeAttribute(named, attribute);
      break;
    case AttributeType::kIgnore:
      break;
  }
  if (attribute.type != AttributeType::kInteger && attribute.type != AttributeType::kContinuous &&
      named.Has("cut_points")) {
    named.Fail("\"cut_points\" is for ordered numbers (type integer or continuous), not type " +
               type_name);
  }
  named.RejectUnknownKeys(" for type " + type_name);
  return attribute;
}

bool ValidDatasetId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

}  // namespace

std::string_view AttributeTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kCategorical:
      return "categorical";
    case AttributeType::kInteger:
      return "integer";
    case AttributeType::kContinuous:
      return "continuous";
    case AttributeType::kDate:
      return "date";
    case AttributeType::kDatetime:
      return "datetime";
    case AttributeType::kIgnore:
      return "ignore";
  }
  return "ignore";
}

std::uint32_t Attribute::num_value_codes() const {
  switch (type) {
    case AttributeType::kCategorical:
      return static_cast<std::uint32_t>(values.size());
    case AttributeType::kInteger:
    case AttributeType::kContinuous:
      return static_cast<std::uint32_t>(bin_lower.size());
    case AttributeType::kDate:
    case AttributeType::kDatetime:
      return static_cast<std::uint32_t>(bucket_start.size());
    case AttributeType::kIgnore:
      return 0;
  }
  return 0;
}

std::uint32_t Attribute::domain_size() const {
  if (type == AttributeType::kIgnore) return 0;
  return num_value_codes() + (nullable ? 1 : 0);
}

std::optional<std::uint32_t> Attribute::missing_code() const {
  if (type == AttributeType::kIgnore || !nullable) return std::nullopt;
  return num_value_codes();
}

double Attribute::bin_upper(std::uint32_t bin) const {
  return bin + 1 < bin_lower.size() ? bin_lower.at(bin + 1) : max;
}

double Attribute::bin_upper_inclusive(std::uint32_t bin) const {
  return bin + 1 < bin_lower.size() ? bin_lower.at(bin + 1) - 1 : max;
}

std::uint32_t Attribute::BinOf(double value) const {
  if (type == AttributeType::kInteger && !config_bins && !config_edges) {
    return static_cast<std::uint32_t>(value - min);  // one bin per integer
  }
  if (config_bins && bin_lower.size() > 1) {
    // Uniform bins: interpolate, then correct by a step for rounding, so the answer is exactly
    // the upper_bound rule below without a binary search per cell.
    const auto bins = static_cast<std::int64_t>(bin_lower.size());
    const double span = type == AttributeType::kInteger ? max - min + 1 : max - min;
    auto bin = static_cast<std::int64_t>((value - min) / span * static_cast<double>(bins));
    bin = std::clamp<std::int64_t>(bin, 0, bins - 1);
    while (bin > 0 && value < bin_lower[static_cast<std::size_t>(bin)]) --bin;
    while (bin + 1 < bins && value >= bin_lower[static_cast<std::size_t>(bin + 1)]) ++bin;
    return static_cast<std::uint32_t>(bin);
  }
  const auto it = std::upper_bound(bin_lower.begin(), bin_lower.end(), value);
  return it == bin_lower.begin() ? 0 : static_cast<std::uint32_t>(it - bin_lower.begin() - 1);
}

std::uint32_t Attribute::BucketOf(std::int64_t time) const {
  const auto it = std::upper_bound(bucket_start.begin(), bucket_start.end(), time);
  return it == bucket_start.begin() ? 0 : static_cast<std::uint32_t>(it - bucket_start.begin() - 1);
}

std::string Attribute::Label(std::uint32_t code) const {
  if (code >= domain_size()) {
    throw std::out_of_range("code " + std::to_string(code) + " outside the domain of '" + name +
                            "'");
  }
  if (missing_code() && code == *missing_code()) return "missing";
  switch (type) {
    case AttributeType::kCategorical:
      return values[code];
    case AttributeType::kInteger: {
      const double low = bin_lower[code];
      const double high = bin_upper_inclusive(code);
      if (low == high) return NumberText(low);
      return "[" + NumberText(low) + ", " + NumberText(high) + "]";
    }
    case AttributeType::kContinuous: {
      const bool last = code + 1 == bin_lower.size();
      return "[" + NumberText(bin_lower[code]) + ", " + NumberText(bin_upper(code)) +
             (last ? "]" : ")");
    }
    case AttributeType::kDate:
    case AttributeType::kDatetime: {
      const bool datetime = type == AttributeType::kDatetime;
      const std::int64_t first = bucket_start[code];
      const std::int64_t last = code + 1 < bucket_start.size() ? bucket_start[code + 1] - 1
                                                               : static_cast<std::int64_t>(max);
      const std::string iso(datetime ? kDefaultDatetimeFormat : kDefaultDateFormat);
      if (first == last) return FormatTime(first, iso, datetime);
      return FormatTime(first, iso, datetime) + ".." + FormatTime(last, iso, datetime);
    }
    case AttributeType::kIgnore:
      break;
  }
  return "";
}

Schema Schema::Load(const std::filesystem::path& config,
                    const std::optional<std::filesystem::path>& csv_override) {
  std::ifstream in(config, std::ios::binary);
  if (!in) throw InputError(config.string() + ": cannot open the config file");
  // Refused before anything is parsed: a config this large would only be one whose domains
  // exceed kMaxDomainSize, and parsing it first costs seconds and gigabytes.
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      throw InputError(config.string() + ": larger than " + std::to_string(kMaxConfigBytes >> 20) +
                       " MiB, the most a config may be (docs/config.md)");
    }
  }
  if (in.bad()) throw InputError(config.string() + ": cannot read the config file");
  const json parsed = ParseBoundedJson(text, config.string());
  std::filesystem::path base = config.parent_path();
  if (base.empty()) base = ".";
  Schema schema = FromJson(parsed, base, config.string());
  if (csv_override) schema.csv_path_ = *csv_override;
  return schema;
}

Schema Schema::FromJson(const json& config, const std::filesystem::path& base_dir,
                        const std::string& source) {
  Schema schema;
  schema.source_ = source;
  ObjectReader top(config, source);
  const json& version = top.Get("schema_version");
  if (!version.is_number_integer() || version.get<std::int64_t>() != kSchemaVersion) {
    top.Fail("schema_version " + version.dump() + " is not supported: this privet reads version " +
             std::to_string(kSchemaVersion));
  }
  schema.draft_ = top.Bool("draft", false);
  schema.warning_ = top.String("warning", "");
  schema.description_ = top.String("description", "");

  ObjectReader dataset(top.Get("dataset"), source + ": dataset");
  schema.dataset_id_ = dataset.String("id");
  if (!ValidDatasetId(schema.dataset_id_)) {
    dataset.Fail("id \"" + schema.dataset_id_ +
                 "\" must be 1-128 characters from A-Z a-z 0-9 _ - .");
  }
  // "csv" is required unless a database source is declared (checked with "source" below).
  if (dataset.Has("csv")) {
    schema.csv_as_written_ = dataset.String("csv");
    if (schema.csv_as_written_.empty()) dataset.Fail("\"csv\" is empty");
    const std::filesystem::path csv(schema.csv_as_written_);
    schema.csv_path_ = csv.is_absolute() ? csv : (base_dir / csv).lexically_normal();
  }
  const std::string delimiter = dataset.String("delimiter", ",");
  if (delimiter.size() != 1 || delimiter[0] == '"' || delimiter[0] == '\n' ||
      delimiter[0] == '\r' || static_cast<unsigned char>(delimiter[0]) >= 0x80) {
    dataset.Fail("delimiter must be one ASCII character other than a quote or line end");
  }
  schema.delimiter_ = delimiter[0];
  schema.has_header_ = dataset.Bool("header", true);
  if (dataset.Has("missing_tokens")) schema.missing_tokens_ = dataset.Strings("missing_tokens");
  dataset.RejectUnknownKeys();

  const json& attributes = top.Get("attributes");
  if (!attributes.is_array() || attributes.empty()) {
    top.Fail("\"attributes\" must be a non-empty array");
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    Attribute attribute = ParseAttribute(
        attributes[i], source + ": attributes[" + std::to_string(i) + "]", schema.missing_tokens_);
    if (!names.insert(attribute.name).second) {
      throw InputError(source + ": attributes[" + std::to_string(i) + "] \"" + attribute.name +
                       "\": duplicate name (each column is declared once)");
    }
    schema.attributes_.push_back(std::move(attribute));
  }
  for (const auto& attribute : schema.attributes_) {
    if (attribute.modeled()) schema.modeled_.push_back(attribute);
  }
  if (schema.modeled_.empty()) top.Fail("every attribute is \"ignore\": nothing to model");

  if (top.Has("privacy_unit")) {
    ObjectReader unit(top.Get("privacy_unit"), source + ": privacy_unit");
    const std::string column = unit.String("column");
    const Attribute* attribute = schema.FindAttribute(column);
    if (!attribute) unit.Fail("column \"" + column + "\" is not one of the attributes");
    if (attribute->type != AttributeType::kIgnore) {
      unit.Fail("column \"" + column +
                "\" must have type \"ignore\" (an identifier is never modeled)");
    }
    if (!unit.Has("max_rows_per_unit")) {
      unit.Fail(
          "missing required key \"max_rows_per_unit\": bound the rows one unit may contribute");
    }
    const std::uint64_t bound = unit.Count("max_rows_per_unit");
    if (bound < 1 || bound > 1000000) unit.Fail("max_rows_per_unit must be between 1 and 1000000");
    const std::string id_type = unit.String("id_type", "text");
    if (id_type == "integer") {
      schema.privacy_unit_id_type_ = UnitIdType::kInteger;
    } else if (id_type != "text") {
      unit.Fail("id_type must be \"text\" or \"integer\"");
    }
    unit.RejectUnknownKeys();
    schema.privacy_unit_column_ = column;
    schema.max_rows_per_unit_ = static_cast<std::uint32_t>(bound);
  }
  if (top.Has("source")) {
    std::vector<std::string> attribute_names;
    std::vector<std::string> read;
    for (const auto& attribute : schema.attributes_) {
      attribute_names.push_back(attribute.name);
      if (attribute.modeled()) read.push_back(attribute.name);
    }
    if (schema.privacy_unit_column_) read.push_back(*schema.privacy_unit_column_);
    schema.source_config_ =
        ParseSourceConfig(top.Get("source"), source + ": source", attribute_names, read);
  }
  if (schema.source_config_.kind == SourceKind::kCsv && schema.csv_as_written_.empty()) {
    dataset.Fail("missing required key \"csv\"");
  }
  if (schema.source_config_.kind != SourceKind::kCsv && !schema.csv_as_written_.empty()) {
    dataset.Fail("\"csv\" and a postgresql \"source\" exclude each other: keep one");
  }
  if (top.Has("expected_rows")) {
    const double rows = top.Number("expected_rows");
    if (!(rows >= 1)) top.Fail("\"expected_rows\" must be at least 1 (a public estimate)");
    schema.expected_rows_ = rows;
  }
  if (top.Has("derived")) schema.derived_config_ = top.Get("derived");
  if (top.Has("constraints")) schema.constraints_config_ = top.Get("constraints");
  top.RejectUnknownKeys();
  TableRules::Compile(schema);  // validates the rules (InputError naming the entry)
  return schema;
}

std::optional<std::string> NormalizeUnitId(std::string_view id, UnitIdType type) {
  constexpr std::string_view kWhitespace = " \t\r\n\v\f";
  const std::size_t first = id.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return std::nullopt;
  id = id.substr(first, id.find_last_not_of(kWhitespace) - first + 1);
  if (type == UnitIdType::kText) return std::string(id);
  bool negative = false;
  if (id.front() == '+' || id.front() == '-') {
    negative = id.front() == '-';
    id.remove_prefix(1);
  }
  if (id.empty() || id.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t significant = id.find_first_not_of('0');
  if (significant == std::string_view::npos) return std::string("0");  // "-0" = "0" = "000"
  return (negative ? "-" : "") + std::string(id.substr(significant));
}

json Schema::ToJson() const {
  json out = json::object();
  out["schema_version"] = kSchemaVersion;
  if (draft_) out["draft"] = true;
  if (!warning_.empty()) out["warning"] = warning_;
  if (!description_.empty()) out["description"] = description_;
  out["dataset"] = {{"id", dataset_id_},
                    {"csv", csv_as_written_},
                    {"delimiter", std::string(1, delimiter_)},
                    {"header", has_header_},
                    {"missing_tokens", missing_tokens_}};
  if (source_config_.kind != SourceKind::kCsv) {
    out["dataset"].erase("csv");
    out["source"] = SourceConfigToJson(source_config_);
  }
  if (privacy_unit_column_) {
    out["privacy_unit"] = {{"column", *privacy_unit_column_},
                           {"max_rows_per_unit", max_rows_per_unit_}};
    if (privacy_unit_id_type_ == UnitIdType::kInteger) out["privacy_unit"]["id_type"] = "integer";
  }
  if (expected_rows_) out["expected_rows"] = *expected_rows_;
  if (!derived_config_.is_null()) out["derived"] = derived_config_;
  if (!constraints_config_.is_null()) out["constraints"] = constraints_config_;
  json attributes = json::array();
  for (const auto& attribute : attributes_) {
    json a = {{"name", attribute.name}, {"type", std::string(AttributeTypeName(attribute.type))}};
    if (!attribute.description.empty()) a["description"] = attribute.description;
    if (attribute.modeled()) {
      a["nullable"] = attribute.nullable;
      if (attribute.missing_tokens_overridden) a["missing_tokens"] = attribute.missing_tokens;
    }
    const auto number = [&](double value) -> json {
      if (attribute.type == AttributeType::kInteger) return static_cast<std::int64_t>(value);
      return value;
    };
    switch (attribute.type) {
      case AttributeType::kCategorical:
        a["values"] = attribute.values;
        if (attribute.catch_all) a["catch_all"] = *attribute.catch_all;
        a["out_of_domain"] = std::string(PolicyName(attribute.out_of_domain));
        break;
      case AttributeType::kInteger:
      case AttributeType::kContinuous:
        if (attribute.config_edges) {
          json edges = json::array();
          for (double edge : *attribute.config_edges) edges.push_back(number(edge));
          a["edges"] = edges;
        } else {
          a["min"] = number(attribute.min);
          a["max"] = number(attribute.max);
          if (attribute.config_bins) a["bins"] = *attribute.config_bins;
        }
        if (!attribute.cut_points.empty()) {
          json cuts = json::array();
          for (double cut : attribute.cut_points) cuts.push_back(number(cut));
          a["cut_points"] = cuts;
        }
        break;
      case AttributeType::kDate:
      case AttributeType::kDatetime: {
        const bool datetime = attribute.type == AttributeType::kDatetime;
        const std::string iso(datetime ? kDefaultDatetimeFormat : kDefaultDateFormat);
        a["min"] = FormatTime(static_cast<std::int64_t>(attribute.min), iso, datetime);
        a["max"] = FormatTime(static_cast<std::int64_t>(attribute.max), iso, datetime);
        a["granularity"] = std::string(GranularityName(attribute.granularity));
        a["format"] = attribute.format;
        break;
      }
      case AttributeType::kIgnore:
        break;
    }
    attributes.push_back(std::move(a));
  }
  out["attributes"] = std::move(attributes);
  return out;
}

void Schema::RequireReviewed() const {
  if (draft_) {
    throw InputError("config " + source_ +
                     " is a draft derived from private data: a person must review every domain "
                     "and remove \"draft\": true before it can spend budget");
  }
}

std::vector<std::size_t> Schema::ModeledColumns(const std::vector<std::string>& names,
                                                const std::string& who) const {
  std::vector<std::size_t> columns;
  for (const std::string& name : names) {
    std::size_t index = 0;
    while (index < modeled_.size() && modeled_[index].name != name) ++index;
    if (index == modeled_.size()) {
      throw InputError(who + ": \"" + name + "\" is not a modeled attribute of " + source_);
    }
    for (std::size_t column : columns) {
      if (column == index) throw InputError(who + ": \"" + name + "\" listed twice");
    }
    columns.push_back(index);
  }
  return columns;
}

const Attribute* Schema::FindAttribute(std::string_view name) const {
  for (const auto& attribute : attributes_) {
    if (attribute.name == name) return &attribute;
  }
  return nullptr;
}

}  // namespace privet::engine
