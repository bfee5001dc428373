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
  // The first kOrderCap distinct values in the order the file shows them (the order a
  // categorical keeps when its labels name no order of their own).
  std::vector<std::string> first_seen;
  bool distinct_overflow = false;
};

constexpr std::size_t kOrderCap = 1024;

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

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Orderings whose labels say their order, as data sets spell them (compared in lower case,
// surrounding spaces ignored). A column whose labels all belong to one list keeps that order.
const std::vector<std::vector<std::string>>& KnownOrderings() {
  static const std::vector<std::vector<std::string>> orderings{
      {"never", "rarely", "sometimes", "often", "usually", "always"},
      {"none", "few", "several", "some", "most", "all"},
      {"strongly disagree", "disagree", "neutral", "agree", "strongly agree"},
      {"poor", "fair", "good", "vgood", "very good", "excellent"},
      {"very low", "low", "medium", "moderate", "high", "very high"},
      {"mild", "moderate", "severe"},
      {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
      {"january", "february", "march", "april", "may", "june", "july", "august", "september",
       "october", "november", "december"},
      {"mon", "tue", "wed", "thu", "fri", "sat", "sun"},
      {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"},
      // US educational attainment as the Census (and UCI Adult) spells it.
      {"preschool",      "1st-4th",      "5th-6th",   "7th-8th",    "8th grade", "9th",
       "9 - 11th grade", "10th",         "11th",      "12th",       "hs-grad",   "high school",
       "some-college",   "some college", "assoc-voc", "assoc-acdm", "bachelors", "college grad",
       "masters",        "prof-school",  "doctorate"},
  };
  return orderings;
}

// The numbers a label names, left to right: "25000-34999" -> {25000, 34999}, "0_to_1_hr" ->
// {0, 1}, "more 99999" -> {99999}, "1.5" -> {1.5}, "1,000" -> {1000} (a comma before exactly
// three digits groups thousands). Signs are not read: "-" is a range's dash in labels.
std::vector<double> EmbeddedNumbers(std::string_view label) {
  std::vector<double> numbers;
  const auto digit = [&](std::size_t i) {
    return i < label.size() && std::isdigit(static_cast<unsigned char>(label[i])) != 0;
  };
  std::size_t i = 0;
  while (i < label.size()) {
    if (!digit(i)) {
      ++i;
      continue;
    }
    std::string text;
    bool point = false;
    while (i < label.size()) {
      if (digit(i)) {
        text.push_back(label[i++]);
      } else if (label[i] == '.' && !point && digit(i + 1)) {
        point = true;
        text.push_back(label[i++]);
      } else if (label[i] == ',' && !point && digit(i + 1) && digit(i + 2) && digit(i + 3) &&
                 !digit(i + 4)) {
        ++i;  // thousands separator: the three digits follow
      } else {
        break;
      }
    }
    if (const auto number = ParseDraftNumber(text)) numbers.push_back(*number);
  }
  return numbers;
}

// Whether the label starts with a number (after spaces): "10th", " 0-9", "70+", "30-39".
bool StartsWithNumber(std::string_view label) {
  while (!label.empty() && label.front() == ' ') label.remove_prefix(1);
  return !label.empty() && std::isdigit(static_cast<unsigned char>(label.front())) != 0;
}

// Where an open-ended numeric label belongs: "more 99999", "More_4_hr", "over 80" above every
// number, "less than 1", "under 5" below; kNone without exactly one such word (whole words,
// any case: "overweight" is none) or without a number ("more" alone names no range).
enum class OpenEnd { kNone, kLow, kHigh };
OpenEnd OpenEndOf(std::string_view label) {
  if (EmbeddedNumbers(label).empty()) return OpenEnd::kNone;
  static const std::vector<std::string> high{"more", "over", "above", "greater"};
  static const std::vector<std::string> low{"less", "under", "below", "fewer"};
  bool is_high = false;
  bool is_low = false;
  std::string word;
  const auto end_word = [&] {
    is_high |= std::find(high.begin(), high.end(), word) != high.end();
    is_low |= std::find(low.begin(), low.end(), word) != low.end();
    word.clear();
  };
  for (const char c : label) {
    if (std::isalpha(static_cast<unsigned char>(c)) != 0) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      end_word();
    }
  }
  end_word();
  if (is_high == is_low) return OpenEnd::kNone;
  return is_high ? OpenEnd::kHigh : OpenEnd::kLow;
}

// The labels in numeric order when each starts with a number, but for at most one open-ended
// label per end (OpenEndOf), and at least two do: sorted by the numbers each names, compared
// left to right ("0_hrs" {0} before "0_to_1_hr" {0, 1} before "1_hr" {1}; equal keys keep file
// order), the open-ended labels placed at their end ("more 99999" after "75000-99999").
// nullopt otherwise; `how` then is untouched.
std::optional<std::vector<std::string>> InNumericOrder(const std::vector<std::string>& labels,
                                                       std::string& how) {
  std::vector<std::pair<std::vector<double>, std::string>> numbered;
  std::optional<std::string> lowest;
  std::optional<std::string> highest;
  for (const auto& label : labels) {
    if (StartsWithNumber(label)) {
      numbered.emplace_back(EmbeddedNumbers(label), label);
      continue;
    }
    const OpenEnd end = OpenEndOf(label);
    std::optional<std::string>& slot = end == OpenEnd::kHigh ? highest : lowest;
    if (end == OpenEnd::kNone || slot) return std::nullopt;
    slot = label;
  }
  if (numbered.size() < 2 && (lowest || highest)) return std::nullopt;
  if (numbered.empty()) return std::nullopt;
  std::stable_sort(numbered.begin(), numbered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> sorted;
  if (lowest) sorted.push_back(*lowest);
  for (auto& entry : numbered) sorted.push_back(std::move(entry.second));
  if (highest) sorted.push_back(*highest);
  how = "in numeric order";
  if (lowest) how += ", '" + *lowest + "' first";
  if (highest) how += ", '" + *highest + "' last";
  return sorted;
}

// The draft's category order: numeric (InNumericOrder: "1", "10th", "30-39", with an
// open-ended "more 99999" at its end), the known ordering the labels all belong to, else the
// order of first appearance in the file (never alphabetical: "10th" before "1st-4th" helps
// nobody). `how` says which.
std::vector<std::string> OrderCategories(std::vector<std::string> labels, std::string& how) {
  if (auto sorted = InNumericOrder(labels, how)) return *std::move(sorted);
  for (const auto& ordering : KnownOrderings()) {
    std::vector<std::pair<std::size_t, std::string>> ranked;
    for (const auto& label : labels) {
      std::string key = Lower(label);
      while (!key.empty() && key.front() == ' ') key.erase(key.begin());
      while (!key.empty() && key.back() == ' ') key.pop_back();
      const auto at = std::find(ordering.begin(), ordering.end(), key);
      if (at == ordering.end()) break;
      ranked.emplace_back(static_cast<std::size_t>(at - ordering.begin()), label);
    }
    if (ranked.size() == labels.size() && labels.size() >= 2) {
      std::stable_sort(ranked.begin(), ranked.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<std::string> sorted;
      for (auto& [rank, label] : ranked) sorted.push_back(std::move(label));
      how = "in the order their labels name";
      return sorted;
    }
  }
  how = "in the order the file shows them";
  return labels;
}

// A name that says its integers are codes, not quantities ("admission_type_id", "status").
bool NameLooksLikeCode(const std::string& name) {
  const std::string lower = Lower(name);
  for (const char* hint : {"type", "code", "status", "class", "categ", "group", "source",
                           "disposition", "kind", "race", "gender", "sex", "region"}) {
    if (lower.find(hint) != std::string::npos) return true;
  }
  return false;
}

// An integer column with at most this many distinct values and a code-like name is drafted
// as categorical (its values are labels, not quantities).
constexpr std::size_t kMaxCodeValues = 20;
// An integer column with at most this many distinct values and no code-like name stays
// integer, but its description asks the reviewer whether the numbers are codes: the data cannot
// tell a chest-pain type 1..4 from a count of vessels 0..3, and a short name ("cp") says nothing.
constexpr std::size_t kFewIntegerValues = 10;

// Rows-per-unit quantiles of a repeating identifier, for the draft's description.
std::string RowsPerUnitSummary(const ColumnStats& s, std::uint64_t& p99) {
  std::vector<std::uint64_t> rows;
  rows.reserve(s.counts.size());
  for (const auto& [id, n] : s.counts) rows.push_back(n);
  std::sort(rows.begin(), rows.end());
  const auto quantile = [&](double q) {
    return rows[std::min(rows.size() - 1, static_cast<std::size_t>(q * (rows.size() - 1) + 0.5))];
  };
  p99 = quantile(0.99);
  return "median " + std::to_string(quantile(0.5)) + ", 90% " + std::to_string(quantile(0.9)) +
         ", 99% " + std::to_string(p99) + ", max " + std::to_string(rows.back());
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
        auto [it, inserted] = s.counts.try_emplace(std::string(cell), 0);
        ++it->second;
        if (inserted && s.first_seen.size() < kOrderCap) s.first_seen.push_back(it->first);
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
  std::optional<json> privacy_unit;
  std::string unit_note;
  for (std::size_t c = 0; c < names.size(); ++c) {
    const ColumnStats& s = stats[c];
    json a = {{"name", names[c]}};
    const double distinct = static_cast<double>(s.counts.size());
    const bool many_distinct =
        s.distinct_overflow || s.non_missing == 0 ||
        distinct > options.identifier_ratio * static_cast<double>(s.non_missing);
    const bool looks_like_identifier =
        s.non_missing >= 20 && many_distinct && !(s.all_number && !s.all_integer);
    const bool named_identifier =
        NameLooksLikeIdentifier(names[c]) && distinct > 0.5 * static_cast<double>(s.non_missing);
    // Never missing in the data: the draft says so (it is private-derived like every other
    // field; a person confirms that the column can never be missing).
    const bool complete = s.non_missing == rows;
    std::string description;
    if (s.non_missing == 0) {
      a["type"] = "ignore";
      description = "draft: every cell is missing";
    } else if (named_identifier && complete && !s.distinct_overflow &&
               distinct < static_cast<double>(s.non_missing) && !privacy_unit) {
      // An identifier whose values repeat: several rows of one person, so the person (not the
      // row) is the unit of privacy (docs/privacy.md "Unit of privacy").
      a["type"] = "ignore";
      std::uint64_t p99 = 1;
      const std::string quantiles = RowsPerUnitSummary(s, p99);
      description =
          "draft: an identifier whose values repeat, proposed as the privacy unit; rows per "
          "unit in the data (PRIVATE, read off the data): " +
          quantiles + "; set max_rows_per_unit from what the data can hold by design";
      privacy_unit =
          json{{"column", names[c]}, {"max_rows_per_unit", std::max<std::uint64_t>(1, p99)}};
      if (s.all_integer) (*privacy_unit)["id_type"] = "integer";
      unit_note = " The privacy unit (column " + names[c] + ", max_rows_per_unit " +
                  std::to_string(std::max<std::uint64_t>(1, p99)) +
                  ") is the data's 99th percentile of rows per unit: private, replace it.";
    } else if (looks_like_identifier) {
      a["type"] = "ignore";
      description = "draft: nearly every value is distinct, looks like an identifier";
    } else if (named_identifier) {
      a["type"] = "ignore";
      description =
          "draft: named like an identifier with many distinct values; if rows of "
          "one person repeat, declare it the privacy_unit column";
    } else if (s.all_number && s.all_integer && s.min < s.max &&
               s.counts.size() <= kMaxCodeValues && NameLooksLikeCode(names[c])) {
      // Integer codes (admission type 1..8): labels without an order or a distance.
      std::vector<std::string> values = s.first_seen;
      std::string how;
      values = OrderCategories(std::move(values), how);
      a["type"] = "categorical";
      a["values"] = values;
      description =
          "draft: integer codes found in the data, proposed as categories (" + how +
          "); list every code of the code book, or make it integer if the numbers are amounts";
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
      description =
          "draft: bounds are the data's own min and max (private): replace them with public "
          "ones (the measurement's possible range, a code book, a clinical range)";
      if (integer && s.counts.size() <= kFewIntegerValues) {
        description += "; only " + std::to_string(s.counts.size()) +
                       " distinct values: if they are codes (a type or a category, not an "
                       "amount), make it categorical with the code book's codes";
      }
    } else if (s.all_date && s.date_min < s.date_max) {
      a["type"] = "date";
      a["min"] = FormatTime(s.date_min, kDefaultDateFormat, false);
      a["max"] = FormatTime(s.date_max, kDefaultDateFormat, false);
      const std::int64_t span = s.date_max - s.date_min;
      a["granularity"] = span <= 120 ? "day" : span <= 3 * 366 ? "week" : "month";
      description =
          "draft: range is the data's own first and last date (private): replace it with the "
          "period the extract covers by design";
    } else {
      a["type"] = "categorical";
      std::string how;
      if (s.counts.size() <= options.max_categories) {
        std::vector<std::string> values = s.first_seen;
        a["values"] = OrderCategories(std::move(values), how);
        description = "draft: categories are the values found in the data (" + how +
                      "); list every value the code book allows";
      } else {
        std::vector<std::pair<std::string, std::uint64_t>> by_count(s.counts.begin(),
                                                                    s.counts.end());
        std::sort(by_count.begin(), by_count.end(), [](const auto& x, const auto& y) {
          return x.second != y.second ? x.second > y.second : x.first < y.first;
        });
        std::string other = "other";
        while (s.counts.count(other)) other = "_" + other;
        std::vector<std::string> kept;
        for (std::size_t i = 0; i + 1 < options.max_categories && i < by_count.size(); ++i) {
          kept.push_back(by_count[i].first);
        }
        // Keep the file's order among the kept values (first_seen covers them all unless the
        // column has more than kOrderCap distinct values).
        std::vector<std::string> values;
        for (const auto& value : s.first_seen) {
          if (std::find(kept.begin(), kept.end(), value) != kept.end()) values.push_back(value);
        }
        if (values.size() != kept.size()) values = kept;
        values = OrderCategories(std::move(values), how);
        values.push_back(other);
        a["values"] = values;
        a["catch_all"] = other;
        description = "draft: the most frequent values in the data (" + how +
                      "); the rest map to \"" + other + "\"";
      }
    }
    if (a["type"] != "ignore" && complete) {
      a["nullable"] = false;
      description +=
          "; never missing in the data, so nullable is false: keep it only if the "
          "column can never be missing";
    }
    a["description"] = description;
    attributes.push_back(std::move(a));
  }

  json config = json::object();
  config["schema_version"] = kSchemaVersion;
  config["draft"] = true;
  config["warning"] =
      "DRAFT derived from the private data: categories, bounds and identifier guesses were read "
      "off the data and disclose it. Keep this file private. Before any release a person must "
      "replace every domain with a public one (code book, standards, general knowledge) and "
      "remove \"draft\": true; until then privet refuses to spend budget with it. \"nullable\": "
      "false marks columns with no missing value in the data." +
      unit_note;
  config["dataset"] = {{"id", options.dataset_id.empty() ? SanitisedId(csv) : options.dataset_id},
                       {"csv", options.csv_as_written.empty()
                                   ? std::filesystem::absolute(csv).lexically_normal().string()
                                   : options.csv_as_written},
                       {"delimiter", std::string(1, options.delimiter)},
                       {"header", true},
                       {"missing_tokens", missing_tokens}};
  if (privacy_unit) config["privacy_unit"] = *privacy_unit;
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

nlohmann::ordered_json InReadingOrder(const json& config) {
  // Keys a person reads first come first; the rest keep their (alphabetical) order after.
  static const std::vector<std::string> top_order{
      "schema_version", "draft",         "warning",    "description", "dataset",
      "privacy_unit",   "expected_rows", "attributes", "derived",     "constraints"};
  static const std::vector<std::string> attribute_order{
      "name",  "type",        "values", "catch_all", "out_of_domain",  "min",        "max", "bins",
      "edges", "granularity", "format", "nullable",  "missing_tokens", "description"};
  static const std::vector<std::string> dataset_order{"id", "csv", "delimiter", "header",
                                                      "missing_tokens"};
  static const std::vector<std::string> unit_order{"column", "max_rows_per_unit", "id_type"};
  const auto ordered = [](const json& object, const std::vector<std::string>& order,
                          const auto& value_of) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& key : order) {
      if (object.contains(key)) out[key] = value_of(key, object.at(key));
    }
    for (const auto& [key, value] : object.items()) {
      if (!out.contains(key)) out[key] = value_of(key, value);
    }
    return out;
  };
  const auto plain = [](const std::string&, const json& value) {
    return nlohmann::ordered_json::parse(value.dump());
  };
  if (!config.is_object()) return nlohmann::ordered_json::parse(config.dump());
  return ordered(config, top_order, [&](const std::string& key, const json& value) {
    if (key == "dataset" && value.is_object()) return ordered(value, dataset_order, plain);
    if (key == "privacy_unit" && value.is_object()) return ordered(value, unit_order, plain);
    if (key == "attributes" && value.is_array()) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& attribute : value) {
        list.push_back(attribute.is_object() ? ordered(attribute, attribute_order, plain)
                                             : plain(key, attribute));
      }
      return list;
    }
    return plain(key, value);
  });
}

}  // namespace privet::engine
