#include "engine/table/schema_draft.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>
#include <vector>

#include "engine/table/csv_reader.h"
#include "engine/table/encoder.h"
#include "engine/table/schema.h"
#include "engine/table/schema_time.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

using nlohmann::json;

const std::vector<std::string>& CandidateMissingTokens() {
  static const std::vector<std::string> tokens{"NA", "", "?", "N/A", "NaN", "NULL", "null", "."};
  return tokens;
}

// Distinct values are counted up to this many per column; beyond it the column is certainly
// not categorical and only the identifier test needs the (approximate) count.
constexpr std::size_t kDistinctCap = 200000;

struct ColumnStats {
  std::uint64_t non_missing = 0;
  bool all_integer = true;
  bool all_number = true;
  bool all_date = true;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::int64_t date_min = std::numeric_limits<std::int64_t>::max();
  std::int64_t date_max = std::numeric_limits<std::int64_t>::min();
  std::unordered_map<std::string, std::uint64_t> counts;
  bool distinct_overflow = false;
};

std::optional<double> ParseDraftNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string SanitisedId(const std::filesystem::path& csv) {
  std::string id = csv.stem().string();
  for (char& c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) c = '_';
  }
  if (id.empty()) id = "dataset";
  return id.substr(0, 128);
}

// "id", "ID", "subject_id", "PatientId": names that by convention hold identifiers.
bool NameLooksLikeIdentifier(const std::string& name) {
  const auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name == "id" || name == "ID" || name == "Id" || ends_with("_id") || ends_with("_ID") ||
         (name.size() > 2 && (ends_with("Id") || ends_with("ID")) &&
          !(name[name.size() - 3] >= 'A' && name[name.size() - 3] <= 'Z'));
}

json NumberJson(double value, bool integer) {
  if (integer) return static_cast<std::int64_t>(value);
  return value;
}

// Minimum rows behind a proposed rule: fewer would propose coincidences.
constexpr std::uint64_t kMinRuleSupport = 50;
constexpr std::size_t kMaxProposedConstraints = 30;

// counts[a][b] of two columns' codes.
std::vector<std::vector<std::uint64_t>> CrossCounts(const EncodedColumn& a,
                                                    const EncodedColumn& b) {
  std::vector<std::vector<std::uint64_t>> counts(a.domain_size(),
                                                 std::vector<std::uint64_t>(b.domain_size(), 0));
  for (std::size_t r = 0; r < a.size(); ++r) ++counts[a.at(r)][b.at(r)];
  return counts;
}

json Label(const Attribute& a, std::uint32_t code) {
  if (a.missing_code() && code == *a.missing_code()) return nullptr;
  return a.values.at(code);
}

}  // namespace

json ProposeRules(const Schema& schema, const EncodedTable& table) {
  const auto& attributes = schema.modeled_attributes();
  const std::size_t k = attributes.size();
  json derived = json::array();
  std::vector<bool> is_derived(k, false), is_source(k, false);
  struct Candidate {
    std::uint64_t support;
    json rule;
  };
  std::vector<Candidate> constraints;
  for (std::size_t x = 0; x < k; ++x) {
    for (std::size_t y = 0; y < k; ++y) {
      if (x == y) continue;
      const Attribute& a = attributes[x];
      const Attribute& b = attributes[y];
      const auto counts = CrossCounts(table.column(x), table.column(y));
      // Derived: y is a function of x (every seen value of x, each in >= kMinRuleSupport
      // rows, goes with one value of y; x missing goes with y missing).
      if (a.type == AttributeType::kCategorical && b.type == AttributeType::kCategorical && x < y &&
          !is_derived[x] && !is_source[y] && !is_derived[y] && a.values.size() >= 2) {
        bool function = true;
        json map = json::object();
        for (std::uint32_t code = 0; code < a.domain_size() && function; ++code) {
          std::uint64_t total = 0;
          std::uint32_t nonzero = 0, image = 0;
          for (std::uint32_t v = 0; v < b.domain_size(); ++v) {
            total += counts[code][v];
            if (counts[code][v] > 0) ++nonzero, image = v;
          }
          const bool missing = a.missing_code() && code == *a.missing_code();
          if (missing) {
            function =
                total == 0 || (nonzero == 1 && b.missing_code() && image == *b.missing_code());
          } else {
            function = nonzero == 1 && total >= kMinRuleSupport;
            if (function) map[a.values[code]] = Label(b, image);
          }
        }
        if (function && a.missing_code() && !b.missing_code()) function = false;
        if (function) {
          derived.push_back({{"column", b.name},
                             {"from", a.name},
                             {"map", map},
                             {"description",
                              "draft: holds in every row of the data; keep it only if it holds "
                              "by definition (a code book), else delete it"}});
          is_derived[y] = true;
          is_source[x] = true;
          continue;
        }
      }
      // Constraint: the rows with x = value (categorical) or x in its lowest bins (ordered)
      // all have y missing, while y is present elsewhere (questionnaire skip logic).
      if (!b.missing_code()) continue;
      const std::uint32_t missing = *b.missing_code();
      auto present = [&](std::uint32_t code) {
        std::uint64_t n = 0;
        for (std::uint32_t v = 0; v < b.domain_size(); ++v) n += v == missing ? 0 : counts[code][v];
        return n;
      };
      std::uint64_t present_total = 0;
      for (std::uint32_t code = 0; code < a.domain_size(); ++code) present_total += present(code);
      // A column missing in most rows is missing after almost any condition: no proposal.
      if (present_total < kMinRuleSupport || 5 * present_total < table.num_rows()) continue;
      const json then = {{b.name, json::array({nullptr})}};
      if (a.type == AttributeType::kCategorical) {
        for (std::uint32_t code = 0; code < a.values.size(); ++code) {
          const std::uint64_t rows = counts[code][missing];
          if (present(code) == 0 && rows >= kMinRuleSupport) {
            constraints.push_back({rows,
                                   {{"name", "draft: " + a.name + " = " + a.values[code] +
                                                 " implies " + b.name + " missing"},
                                    {"if", {{a.name, json::array({a.values[code]})}}},
                                    {"then", then}}});
          }
        }
      } else if (a.type == AttributeType::kInteger || a.type == AttributeType::kContinuous) {
        std::uint64_t rows = 0;
        std::optional<std::uint32_t> last;
        for (std::uint32_t bin = 0; bin < a.num_value_codes() && present(bin) == 0; ++bin) {
          rows += counts[bin][missing];
          last = bin;
        }
        if (last && rows >= kMinRuleSupport && *last + 1 < a.num_value_codes()) {
          const double max =
              a.type == AttributeType::kInteger ? a.bin_upper_inclusive(*last) : a.bin_upper(*last);
          const json bound =
              a.type == AttributeType::kInteger ? json(static_cast<std::int64_t>(max)) : json(max);
          constraints.push_back({rows,
                                 {{"name", "draft: " + a.name + " <= " + bound.dump() +
                                               " implies " + b.name + " missing"},
                                  {"if", {{a.name, {{"max", bound}}}}},
                                  {"then", then}}});
        }
      }
    }
  }
  std::stable_sort(constraints.begin(), constraints.end(),
                   [](const Candidate& l, const Candidate& r) { return l.support > r.support; });
  json proposed = json::array();
  for (std::size_t i = 0; i < constraints.size() && i < kMaxProposedConstraints; ++i) {
    json rule = constraints[i].rule;
    // A rule on a column proposed as derived would fail to compile only if its map made it
    // contradictory; keep the proposals simple and independent of each other.
    rule["description"] = "draft: holds in all " + std::to_string(constraints[i].support) +
                          " matching rows of the data; keep it only if it holds by definition";
    proposed.push_back(std::move(rule));
  }
  return {{"derived", derived}, {"constraints", proposed}};
}

json DraftSchema(const std::filesystem::path& csv, const DraftOptions& options) {
  CsvOptions csv_options;
  csv_options.delimiter = options.delimiter;
  CsvReader reader(csv, csv_options);
  if (!reader.ReadRecord())
    throw InputError(csv.string() + ": the file is empty (expected a header)");
  const std::vector<std::string> names(reader.fields().begin(), reader.fields().end());
  std::vector<ColumnStats> stats(names.size());
  std::vector<bool> token_seen(CandidateMissingTokens().size(), false);
  std::uint64_t rows = 0;

  while (reader.ReadRecord()) {
    if (reader.num_fields() != names.size()) {
      throw InputError(csv.string() + ":" + std::to_string(reader.line()) + ": expected " +
                       std::to_string(names.size()) + " fields, found " +
                       std::to_string(reader.num_fields()));
    }
    ++rows;
    for (std::size_t c = 0; c < names.size(); ++c) {
      const std::string_view cell = reader.field(c);
      const auto& candidates = CandidateMissingTokens();
      const auto missing = std::find(candidates.begin(), candidates.end(), cell);
      if (missing != candidates.end()) {
        token_seen[static_cast<std::size_t>(missing - candidates.begin())] = true;
        continue;
      }
      ColumnStats& s = stats[c];
      ++s.non_missing;
      if (!s.distinct_overflow) {
        ++s.counts[std::string(cell)];
        if (s.counts.size() > kDistinctCap) s.distinct_overflow = true;
      }
      if (s.all_number) {
        const auto number = ParseDraftNumber(cell);
        if (!number) {
          s.all_number = false;
          s.all_integer = false;
        } else {
          s.min = std::min(s.min, *number);
          s.max = std::max(s.max, *number);
          if (*number != std::floor(*number) || std::fabs(*number) > 9.0e15) s.all_integer = false;
        }
      }
      if (s.all_date) {
        const auto date = ParseTime(cell, kDefaultDateFormat, false);
        if (!date) {
          s.all_date = false;
        } else {
          s.date_min = std::min(s.date_min, *date);
          s.date_max = std::max(s.date_max, *date);
        }
      }
    }
  }
  if (rows == 0) throw InputError(csv.string() + ": no data rows after the header");

  std::vector<std::string> missing_tokens;
  for (std::size_t i = 0; i < token_seen.size(); ++i) {
    if (token_seen[i]) missing_tokens.push_back(CandidateMissingTokens()[i]);
  }
  if (missing_tokens.empty()) missing_tokens.push_back("");

  json attributes = json::array();
  for (std::size_t c = 0; c < names.size(); ++c) {
    const ColumnStats& s = stats[c];
    json a = {{"name", names[c]}};
    const double distinct = static_cast<double>(s.counts.size());
    const bool many_distinct =
        s.distinct_overflow || s.non_missing == 0 ||
        distinct > options.identifier_ratio * static_cast<double>(s.non_missing);
    const bool looks_like_identifier =
        s.non_missing >= 20 && many_distinct && !(s.all_number && !s.all_integer);
    if (s.non_missing == 0) {
      a["type"] = "ignore";
      a["description"] = "draft: every cell is missing";
    } else if (looks_like_identifier) {
      a["type"] = "ignore";
      a["description"] = "draft: nearly every value is distinct, looks like an identifier";
    } else if (NameLooksLikeIdentifier(names[c]) &&
               distinct > 0.5 * static_cast<double>(s.non_missing)) {
      a["type"] = "ignore";
      a["description"] =
          "draft: named like an identifier with many distinct values; if rows of "
          "one person repeat, declare it the privacy_unit column";
    } else if (s.all_number && s.min < s.max) {
      const bool integer = s.all_integer;
      a["type"] = integer ? "integer" : "continuous";
      const double low = integer ? s.min : std::floor(s.min);
      double high = integer ? s.max : std::ceil(s.max);
      if (high <= low) high = low + 1;
      a["min"] = NumberJson(low, integer);
      a["max"] = NumberJson(high, integer);
      const double integers = high - low + 1;
      if (!integer || integers > static_cast<double>(options.max_categories)) {
        a["bins"] =
            integer ? static_cast<std::uint32_t>(std::min<double>(options.numeric_bins, integers))
                    : options.numeric_bins;
      }
      a["description"] = "draft: bounds are the data's own min and max";
    } else if (s.all_date && s.date_min < s.date_max) {
      a["type"] = "date";
      a["min"] = FormatTime(s.date_min, kDefaultDateFormat, false);
      a["max"] = FormatTime(s.date_max, kDefaultDateFormat, false);
      const std::int64_t span = s.date_max - s.date_min;
      a["granularity"] = span <= 120 ? "day" : span <= 3 * 366 ? "week" : "month";
      a["description"] = "draft: range is the data's own first and last date";
    } else {
      a["type"] = "categorical";
      std::vector<std::pair<std::string, std::uint64_t>> by_count(s.counts.begin(), s.counts.end());
      std::vector<std::string> values;
      if (by_count.size() <= options.max_categories) {
        for (const auto& [value, count] : by_count) values.push_back(value);
        std::sort(values.begin(), values.end());
        a["values"] = values;
        a["out_of_domain"] = "missing";
        a["description"] = "draft: categories are the values found in the data";
      } else {
        std::sort(by_count.begin(), by_count.end(), [](const auto& x, const auto& y) {
          return x.second != y.second ? x.second > y.second : x.first < y.first;
        });
        std::string other = "other";
        while (s.counts.count(other)) other = "_" + other;
        for (std::size_t i = 0; i + 1 < options.max_categories && i < by_count.size(); ++i) {
          values.push_back(by_count[i].first);
        }
        std::sort(values.begin(), values.end());
        values.push_back(other);
        a["values"] = values;
        a["catch_all"] = other;
        a["description"] =
            "draft: the most frequent values in the data; the rest map to \"" + other + "\"";
      }
    }
    attributes.push_back(std::move(a));
  }

  json config = json::object();
  config["schema_version"] = kSchemaVersion;
  config["draft"] = true;
  config["warning"] =
      "DRAFT derived from the private data: categories, bounds and identifier guesses were read "
      "off the data and disclose it. Keep this file private. Before any release a person must "
      "replace every domain with a public one (code book, standards, general knowledge) and "
      "remove \"draft\": true; until then privet refuses to spend budget with it.";
  config["dataset"] = {{"id", options.dataset_id.empty() ? SanitisedId(csv) : options.dataset_id},
                       {"csv", options.csv_as_written.empty()
                                   ? std::filesystem::absolute(csv).lexically_normal().string()
                                   : options.csv_as_written},
                       {"delimiter", std::string(1, options.delimiter)},
                       {"header", true},
                       {"missing_tokens", missing_tokens}};
  config["attributes"] = std::move(attributes);
  // Candidate rules seen in the data (derived from it like everything above). A draft that
  // does not parse as a config (a corner case of the inference) gets none.
  try {
    const Schema schema = Schema::FromJson(config, std::filesystem::current_path(), "draft");
    const json rules = ProposeRules(schema, EncodeCsv(schema, csv));
    if (!rules["derived"].empty()) config["derived"] = rules["derived"];
    if (!rules["constraints"].empty()) config["constraints"] = rules["constraints"];
    Schema::FromJson(config, std::filesystem::current_path(), "draft");
  } catch (const InputError&) {
    config.erase("derived");
    config.erase("constraints");
  }
  return config;
}

}  // namespace privet::engine
