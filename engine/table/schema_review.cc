#include "engine/table/schema_review.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <unordered_map>

#include "engine/table/csv_reader.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

// Distinct values kept per categorical column; a column with more cannot equal its list.
constexpr std::size_t kMaxDistinct = 100000;

struct Observed {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::set<std::string> values;
  bool overflow = false;
};

std::optional<double> Number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string Shown(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

bool StartsWithDraft(const std::string& text) { return text.rfind("draft:", 0) == 0; }

bool IsMissing(const Attribute& a, std::string_view cell) {
  return std::find(a.missing_tokens.begin(), a.missing_tokens.end(), cell) !=
         a.missing_tokens.end();
}

}  // namespace

std::map<std::string, std::string> ReviewedNotes(const std::filesystem::path& config) {
  std::ifstream in(config);
  if (!in) throw InputError(config.string() + ": cannot be read");
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw InputError(config.string() + ": not valid JSON");
  std::map<std::string, std::string> notes;
  if (!json.is_object() || !json.contains("attributes") || !json["attributes"].is_array()) {
    return notes;
  }
  for (const auto& attribute : json["attributes"]) {
    if (attribute.is_object() && attribute.contains("name") && attribute["name"].is_string() &&
        attribute.contains("reviewed") && attribute["reviewed"].is_string()) {
      notes[attribute["name"].get<std::string>()] = attribute["reviewed"].get<std::string>();
    }
  }
  return notes;
}

std::vector<ReviewItem> ReviewSchema(const Schema& schema,
                                     const std::map<std::string, std::string>& reviewed) {
  const auto& attributes = schema.attributes();
  CsvOptions options;
  options.delimiter = schema.delimiter();
  CsvReader reader(schema.csv_path(), options);
  std::vector<std::size_t> field_of(attributes.size(), std::numeric_limits<std::size_t>::max());
  if (schema.has_header()) {
    if (!reader.ReadRecord()) throw InputError(schema.csv_path().string() + ": the file is empty");
    for (std::size_t f = 0; f < reader.num_fields(); ++f) {
      for (std::size_t i = 0; i < attributes.size(); ++i) {
        if (attributes[i].name == reader.field(f)) field_of[i] = f;
      }
    }
  } else {
    for (std::size_t i = 0; i < attributes.size(); ++i) field_of[i] = i;
  }
  std::vector<Observed> observed(attributes.size());
  std::unordered_map<std::string, std::uint32_t> rows_per_unit;
  std::size_t unit_field = std::numeric_limits<std::size_t>::max();
  if (schema.privacy_unit_column()) {
    for (std::size_t i = 0; i < attributes.size(); ++i) {
      if (attributes[i].name == *schema.privacy_unit_column()) unit_field = field_of[i];
    }
  }
  while (reader.ReadRecord()) {
    for (std::size_t i = 0; i < attributes.size(); ++i) {
      const Attribute& a = attributes[i];
      if (!a.modeled() || field_of[i] >= reader.num_fields()) continue;
      const std::string_view cell = reader.field(field_of[i]);
      if (IsMissing(a, cell)) continue;
      Observed& o = observed[i];
      if (a.type == AttributeType::kInteger || a.type == AttributeType::kContinuous) {
        if (const auto value = Number(cell)) {
          o.min = std::min(o.min, *value);
          o.max = std::max(o.max, *value);
        }
      } else if (a.type == AttributeType::kCategorical && !o.overflow) {
        o.values.emplace(cell);
        if (o.values.size() > kMaxDistinct) o.overflow = true;
      }
    }
    if (unit_field < reader.num_fields()) {
      const auto id = NormalizeUnitId(reader.field(unit_field), schema.privacy_unit_id_type());
      if (id) ++rows_per_unit[*id];
    }
  }

  std::vector<ReviewItem> items;
  if (schema.is_draft()) {
    items.push_back({"config", "\"draft\": true is still set (releases refuse a draft)",
                     ReviewKind::kDraftFlag});
  }
  if (schema.privacy_unit_column() && !rows_per_unit.empty()) {
    std::vector<std::uint32_t> counts;
    for (const auto& [id, n] : rows_per_unit) counts.push_back(n);
    std::sort(counts.begin(), counts.end());
    // The largest, and the 99th percentile schema draft proposes (same rounding).
    const std::uint32_t largest = counts.back();
    const std::uint32_t p99 = counts[std::min(
        counts.size() - 1,
        static_cast<std::size_t>(0.99 * static_cast<double>(counts.size() - 1) + 0.5))];
    const std::string bound = "max_rows_per_unit " + std::to_string(schema.max_rows_per_unit());
    if (schema.max_rows_per_unit() == largest) {
      items.push_back(
          {"privacy_unit", bound + " is the data's largest rows per unit", ReviewKind::kUnitBound});
    } else if (schema.max_rows_per_unit() == p99) {
      items.push_back({"privacy_unit", bound + " is the data's 99th percentile of rows per unit",
                       ReviewKind::kUnitBound});
    }
  }
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const Attribute& a = attributes[i];
    const Observed& o = observed[i];
    const auto note = reviewed.find(a.name);
    // A domain finding, or the reviewed note that answers it.
    const auto domain_finding = [&](std::string finding, ReviewKind kind) {
      if (note == reviewed.end()) {
        items.push_back({a.name, std::move(finding), kind});
      } else {
        items.push_back(
            {a.name, "reviewed: " + note->second + " (" + finding + ")", ReviewKind::kReviewed});
      }
    };
    if (StartsWithDraft(a.description)) {
      items.push_back(
          {a.name, "description still starts with \"draft:\"", ReviewKind::kDraftDescription});
    }
    if ((a.type == AttributeType::kInteger || a.type == AttributeType::kContinuous) &&
        o.min <= o.max) {
      const bool low =
          a.min == o.min || (a.type == AttributeType::kContinuous && a.min == std::floor(o.min));
      const bool high =
          a.max == o.max || (a.type == AttributeType::kContinuous && a.max == std::ceil(o.max));
      if (low && high) {
        domain_finding(
            "bounds [" + Shown(a.min) + ", " + Shown(a.max) + "] are the data's own min and max",
            ReviewKind::kBoundsFromData);
      } else if (low || high) {
        domain_finding(std::string(low ? "min " + Shown(a.min) : "max " + Shown(a.max)) +
                           " is the data's own " + (low ? "min" : "max"),
                       low ? ReviewKind::kMinFromData : ReviewKind::kMaxFromData);
      }
    }
    if (a.type == AttributeType::kCategorical && !o.overflow && !o.values.empty()) {
      std::set<std::string> declared(a.values.begin(), a.values.end());
      if (a.catch_all) declared.erase(*a.catch_all);
      std::set<std::string> seen = o.values;
      if (a.catch_all) seen.erase(*a.catch_all);
      if (declared == seen || (a.catch_all && std::includes(seen.begin(), seen.end(),
                                                            declared.begin(), declared.end()))) {
        domain_finding("the " + std::to_string(a.values.size()) +
                           " categories are exactly values seen in the data",
                       ReviewKind::kCategoriesFromData);
      }
    }
  }
  for (const char* key : {"derived", "constraints"}) {
    const nlohmann::json& rules =
        std::string(key) == "derived" ? schema.derived_config() : schema.constraints_config();
    if (!rules.is_array()) continue;
    std::size_t drafts = 0;
    for (const auto& rule : rules) {
      const std::string name = rule.is_object() ? rule.value("name", std::string()) : "";
      const std::string description =
          rule.is_object() ? rule.value("description", std::string()) : "";
      if (StartsWithDraft(name) || StartsWithDraft(description)) ++drafts;
    }
    if (drafts > 0) {
      items.push_back({"rules",
                       std::to_string(drafts) + " " + key +
                           " rule(s) still marked \"draft:\" (keep only those that hold "
                           "by definition)",
                       ReviewKind::kDraftRules});
    }
  }
  return items;
}

}  // namespace privet::engine
