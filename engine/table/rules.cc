#include "engine/table/rules.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

using nlohmann::json;

[[noreturn]] void Fail(const std::string& where, const std::string& message) {
  throw InputError(where + ": " + message);
}

void RejectUnknownKeys(const json& object, const std::set<std::string>& known,
                       const std::string& where) {
  for (const auto& item : object.items()) {
    if (!known.count(item.key())) {
      Fail(where, "unknown key \"" + item.key() + "\" (docs/config.md lists every field)");
    }
  }
}

struct ColumnRef {
  std::size_t index = 0;
  const Attribute* attribute = nullptr;
};

ColumnRef FindColumn(const Schema& schema, const json& name, const std::string& where) {
  if (!name.is_string()) Fail(where, "a column name must be a string");
  const std::string text = name.get<std::string>();
  const auto& modeled = schema.modeled_attributes();
  for (std::size_t i = 0; i < modeled.size(); ++i) {
    if (modeled[i].name == text) return {i, &modeled[i]};
  }
  Fail(where, "\"" + text + "\" is not a modeled attribute");
}

bool IsBinned(const Attribute& a) {
  return a.type == AttributeType::kInteger || a.type == AttributeType::kContinuous;
}

// Inclusive upper end of bin b for the overlap tests: the largest integer of an integer bin,
// the (exclusive) upper edge of a continuous bin.
double UpperOf(const Attribute& a, std::uint32_t bin) {
  return a.type == AttributeType::kInteger ? a.bin_upper_inclusive(bin) : a.bin_upper(bin);
}

std::string BinText(const Attribute& a, std::uint32_t bin) { return a.Label(bin); }

std::string NumberText(double value) {
  if (value == std::floor(value) && std::abs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  std::ostringstream out;
  out << value;
  return out.str();
}

// The code of one value written in a rule: a category label, null (missing), or a number of an
// integer attribute whose bin holds that single integer.
std::uint32_t CodeOfValue(const Attribute& a, const json& value, const std::string& where) {
  if (value.is_null()) {
    if (!a.missing_code()) Fail(where, "\"" + a.name + "\" is not nullable: null is not a value");
    return *a.missing_code();
  }
  if (a.type == AttributeType::kCategorical) {
    if (!value.is_string()) Fail(where, "values of \"" + a.name + "\" are strings");
    const std::string text = value.get<std::string>();
    const auto it = std::find(a.values.begin(), a.values.end(), text);
    if (it == a.values.end()) {
      Fail(where, "\"" + text + "\" is not one of the values of \"" + a.name + "\"");
    }
    return static_cast<std::uint32_t>(it - a.values.begin());
  }
  if (a.type == AttributeType::kInteger) {
    double number = 0;
    if (value.is_number()) {
      number = value.get<double>();
    } else if (value.is_string()) {
      try {
        std::size_t used = 0;
        number = std::stod(value.get<std::string>(), &used);
        if (used != value.get<std::string>().size()) throw std::invalid_argument("");
      } catch (const std::exception&) {
        Fail(where, "\"" + value.get<std::string>() + "\" is not a number");
      }
    } else {
      Fail(where, "values of \"" + a.name + "\" are numbers");
    }
    if (!(number >= a.min && number <= a.max) || number != std::floor(number)) {
      Fail(where, "value outside the domain of \"" + a.name + "\"");
    }
    const std::uint32_t bin = a.BinOf(number);
    if (a.bin_lower[bin] != a.bin_upper_inclusive(bin)) {
      Fail(where, "a single value of \"" + a.name + "\" would split its bin " + BinText(a, bin) +
                      "; use a range {\"min\": ..., \"max\": ...} on bin edges");
    }
    return bin;
  }
  Fail(where, "rules on \"" + a.name + "\" (type " + std::string(AttributeTypeName(a.type)) +
                  ") are not supported; use a categorical or numeric attribute");
}

// The codes a rule's condition on attribute `a` selects: a list of values, or a numeric range
// {"min": x, "max": y} (either may be left out) that must not split a bin.
std::vector<bool> ConditionCodes(const Attribute& a, const json& condition,
                                 const std::string& where) {
  std::vector<bool> codes(a.domain_size(), false);
  if (condition.is_array()) {
    if (condition.empty()) Fail(where, "an empty list of values selects nothing");
    for (const json& value : condition) codes[CodeOfValue(a, value, where)] = true;
    return codes;
  }
  if (!condition.is_object()) {
    Fail(where, "a condition is a list of values or a range {\"min\": ..., \"max\": ...}");
  }
  if (!IsBinned(a)) Fail(where, "a range needs an integer or continuous attribute");
  RejectUnknownKeys(condition, {"min", "max"}, where);
  double lo = -INFINITY, hi = INFINITY;
  for (const auto& [key, bound] : {std::pair<std::string, double*>{"min", &lo}, {"max", &hi}}) {
    if (!condition.contains(key)) continue;
    if (!condition[key].is_number()) Fail(where, "\"" + key + "\" must be a number");
    *bound = condition[key].get<double>();
  }
  if (!(lo <= hi)) Fail(where, "\"min\" must not exceed \"max\"");
  bool any = false;
  for (std::uint32_t bin = 0; bin < a.num_value_codes(); ++bin) {
    const double lower = a.bin_lower[bin], upper = UpperOf(a, bin);
    const bool inside = lower >= lo && upper <= hi;
    // Continuous bins are [lower, upper): touching hi from below is inside, at lo outside.
    const bool overlaps = a.type == AttributeType::kInteger ? (upper >= lo && lower <= hi)
                                                            : (upper > lo && lower < hi);
    if (overlaps && !inside) {
      Fail(where, "the range splits bin " + BinText(a, bin) + " of \"" + a.name +
                      "\"; put its ends on bin edges");
    }
    codes[bin] = inside;
    any = any || inside;
  }
  if (!any) Fail(where, "the range selects no bin of \"" + a.name + "\"");
  return codes;
}

std::vector<CodeCondition> ParseConjunction(const Schema& schema, const json& object,
                                            const std::string& where) {
  if (!object.is_object() || object.empty()) {
    Fail(where, "must be an object {\"column\": condition, ...} with at least one column");
  }
  std::vector<CodeCondition> out;
  for (const auto& item : object.items()) {
    const ColumnRef ref = FindColumn(schema, item.key(), where);
    out.push_back({ref.index, ConditionCodes(*ref.attribute, item.value(),
                                             where + " \"" + item.key() + "\"")});
  }
  std::sort(out.begin(), out.end(),
            [](const CodeCondition& x, const CodeCondition& y) { return x.column < y.column; });
  return out;
}

// Adds `extra` to `conditions` (intersecting with a condition on the same column), keeping
// the order by column. Returns false when the conjunction can never hold.
bool AddCondition(std::vector<CodeCondition>& conditions, CodeCondition extra) {
  for (CodeCondition& c : conditions) {
    if (c.column != extra.column) continue;
    bool any = false;
    for (std::size_t i = 0; i < c.codes.size(); ++i) {
      c.codes[i] = c.codes[i] && extra.codes[i];
      any = any || c.codes[i];
    }
    return any;
  }
  bool any = std::find(extra.codes.begin(), extra.codes.end(), true) != extra.codes.end();
  conditions.push_back(std::move(extra));
  std::sort(conditions.begin(), conditions.end(),
            [](const CodeCondition& x, const CodeCondition& y) { return x.column < y.column; });
  return any;
}

bool AllTrue(const std::vector<bool>& codes) {
  return std::find(codes.begin(), codes.end(), false) == codes.end();
}

// A numeric attribute a formula reads or writes.
ColumnRef NumericColumn(const Schema& schema, const json& name, const std::string& where) {
  const ColumnRef ref = FindColumn(schema, name, where);
  if (!IsBinned(*ref.attribute)) {
    Fail(where, "\"" + ref.attribute->name + "\" is not an integer or continuous attribute");
  }
  return ref;
}

// {"column": C, "formula": {"product": {"Weight": 1, "Height": -2}, "scale": 10000,
// "decimals": 2}} or {"column": C, "formula": {"mean": [...], "otherwise": [...]}}.
DerivedColumn ParseFormula(const Schema& schema, const json& entry, const std::string& where) {
  if (!entry.contains("column")) Fail(where, "needs \"column\" (the derived attribute)");
  if (entry.contains("from") || entry.contains("bucket") || entry.contains("map")) {
    Fail(where, "a \"formula\" names its inputs itself: no \"from\", \"bucket\" or \"map\"");
  }
  const ColumnRef target = NumericColumn(schema, entry["column"], where + " column");
  const Attribute& t = *target.attribute;
  const json& spec = entry["formula"];
  const std::string at = where + " formula";
  if (!spec.is_object()) Fail(at, "must be an object with \"product\" or \"mean\"");
  RejectUnknownKeys(spec, {"product", "scale", "mean", "otherwise", "decimals"}, at);
  if (spec.contains("product") == spec.contains("mean")) {
    Fail(at, "needs exactly one of \"product\" ({column: power}) and \"mean\" ([columns])");
  }
  Formula f;
  f.target = NumericBins::Of(t);
  bool may_be_missing = false;
  std::set<std::size_t> seen;
  const auto add_input = [&](const json& name, std::vector<std::size_t>& columns,
                             std::vector<NumericBins>& bins) {
    const ColumnRef ref = NumericColumn(schema, name, at);
    if (ref.index == target.index) Fail(at, "a column cannot be computed from itself");
    if (!seen.insert(ref.index).second) Fail(at, "\"" + ref.attribute->name + "\" is used twice");
    columns.push_back(ref.index);
    bins.push_back(NumericBins::Of(*ref.attribute));
    return ref;
  };
  if (spec.contains("product")) {
    f.operation = Formula::Operation::kProduct;
    const json& factors = spec["product"];
    if (!factors.is_object() || factors.empty() || factors.size() > 4) {
      Fail(at, "\"product\" must be an object {column: power} of 1 to 4 columns");
    }
    for (const auto& item : factors.items()) {
      const json& power = item.value();
      if (!power.is_number_integer() || power.get<int>() == 0 || std::abs(power.get<int>()) > 3) {
        Fail(at, "the power of \"" + item.key() + "\" must be a nonzero integer in [-3, 3]");
      }
      const ColumnRef ref = add_input(item.key(), f.inputs, f.input_bins);
      f.powers.push_back(power.get<int>());
      const Attribute& a = *ref.attribute;
      may_be_missing = may_be_missing || a.missing_code().has_value() ||
                       (f.powers.back() < 0 && a.min <= 0 && a.max >= 0);
    }
    if (spec.contains("scale")) {
      const json& scale = spec["scale"];
      if (!scale.is_number() || !std::isfinite(scale.get<double>()) || scale.get<double>() == 0) {
        Fail(at, "\"scale\" must be a finite nonzero number");
      }
      f.scale = scale.get<double>();
    }
  } else {
    f.operation = Formula::Operation::kMean;
    if (spec.contains("scale")) Fail(at, "\"scale\" belongs to a \"product\"");
    bool all_nullable = true;
    for (const char* key : {"mean", "otherwise"}) {
      if (!spec.contains(key)) continue;
      const json& list = spec[key];
      if (!list.is_array() || list.empty() || list.size() > 8) {
        Fail(at, "\"" + std::string(key) + "\" must be a list of 1 to 8 columns");
      }
      for (const json& name : list) {
        const bool primary = std::string(key) == "mean";
        const ColumnRef ref = add_input(name, primary ? f.inputs : f.otherwise,
                                        primary ? f.input_bins : f.otherwise_bins);
        all_nullable = all_nullable && ref.attribute->missing_code().has_value();
      }
    }
    may_be_missing = all_nullable;
  }
  if (spec.contains("otherwise") && f.operation != Formula::Operation::kMean) {
    Fail(at, "\"otherwise\" belongs to a \"mean\"");
  }
  if (spec.contains("decimals")) {
    const json& decimals = spec["decimals"];
    if (!decimals.is_number_integer() || decimals.get<int>() < 0 || decimals.get<int>() > 6) {
      Fail(at, "\"decimals\" must be an integer in [0, 6]");
    }
    if (t.type == AttributeType::kInteger && decimals.get<int>() != 0) {
      Fail(at, "\"" + t.name + "\" is an integer attribute: its results are whole numbers");
    }
    f.decimals = decimals.get<int>();
  } else {
    f.decimals = t.type == AttributeType::kInteger ? 0 : 2;
  }
  if (may_be_missing && !t.missing_code()) {
    Fail(where,
         "the formula can be missing (a missing input, or a division by a value that may "
         "be 0), so \"" +
             t.name + "\" must be nullable");
  }
  DerivedColumn derived;
  derived.column = target.index;
  derived.source = f.inputs.front();
  derived.kind = "formula";
  derived.formula = std::move(f);
  return derived;
}

DerivedColumn ParseDerived(const Schema& schema, const json& entry, const std::string& where) {
  if (!entry.is_object()) Fail(where, "must be an object");
  RejectUnknownKeys(entry, {"column", "from", "bucket", "map", "formula", "description"}, where);
  if (entry.contains("formula")) return ParseFormula(schema, entry, where);
  if (!entry.contains("column") || !entry.contains("from")) {
    Fail(where, "needs \"column\" (the derived attribute) and \"from\" (its source)");
  }
  const ColumnRef target = FindColumn(schema, entry["column"], where + " column");
  const ColumnRef source = FindColumn(schema, entry["from"], where + " from");
  if (target.index == source.index) Fail(where, "a column cannot be derived from itself");
  const Attribute& t = *target.attribute;
  const Attribute& s = *source.attribute;
  DerivedColumn derived;
  derived.column = target.index;
  derived.source = source.index;
  derived.code_of_source.assign(s.domain_size(), 0);
  if (s.missing_code()) {
    if (!t.missing_code()) {
      Fail(where, "\"" + s.name + "\" may be missing, so \"" + t.name + "\" must be nullable");
    }
    derived.code_of_source[*s.missing_code()] = *t.missing_code();
  }
  if (entry.contains("bucket") == entry.contains("map")) {
    Fail(where, "needs exactly one of \"bucket\" (edges) and \"map\" (value -> value)");
  }
  if (entry.contains("bucket")) {
    derived.kind = "bucket";
    if (!IsBinned(s)) Fail(where, "\"bucket\" needs an integer or continuous source");
    if (t.type != AttributeType::kCategorical) Fail(where, "a bucket's column is categorical");
    const json& edges = entry["bucket"];
    if (!edges.is_array()) Fail(where, "\"bucket\" must be an array of increasing numbers");
    std::vector<double> cuts;
    for (const json& e : edges) {
      if (!e.is_number() || (!cuts.empty() && !(e.get<double>() > cuts.back()))) {
        Fail(where, "\"bucket\" must be an array of increasing numbers");
      }
      cuts.push_back(e.get<double>());
    }
    if (cuts.size() + 1 != t.values.size()) {
      Fail(where, std::to_string(cuts.size()) + " bucket edges make " +
                      std::to_string(cuts.size() + 1) + " buckets, but \"" + t.name + "\" has " +
                      std::to_string(t.values.size()) + " values");
    }
    for (std::uint32_t bin = 0; bin < s.num_value_codes(); ++bin) {
      const double lower = s.bin_lower[bin], upper = UpperOf(s, bin);
      std::uint32_t bucket = 0;
      for (double cut : cuts) {
        const bool splits = s.type == AttributeType::kInteger ? (cut > lower && cut <= upper)
                                                              : (cut > lower && cut < upper);
        if (splits) {
          Fail(where, "bucket edge " + NumberText(cut) + " splits bin " + BinText(s, bin) +
                          " of \"" + s.name + "\"");
        }
        if (cut <= lower) ++bucket;
      }
      derived.code_of_source[bin] = bucket;
    }
  } else {
    derived.kind = "map";
    const json& map = entry["map"];
    if (!map.is_object()) Fail(where, "\"map\" must be an object {source value: value}");
    if (s.type != AttributeType::kCategorical && s.type != AttributeType::kInteger) {
      Fail(where, "\"map\" needs a categorical or integer source");
    }
    std::vector<bool> mapped(s.domain_size(), false);
    if (s.missing_code()) mapped[*s.missing_code()] = true;
    for (const auto& item : map.items()) {
      const std::uint32_t from = CodeOfValue(s, json(item.key()), where + " map key");
      derived.code_of_source[from] = CodeOfValue(t, item.value(), where + " map value");
      mapped[from] = true;
    }
    for (std::uint32_t code = 0; code < s.domain_size(); ++code) {
      if (!mapped[code]) {
        Fail(where, "\"map\" gives no value for \"" + s.Label(code) + "\" of \"" + s.name + "\"");
      }
    }
  }
  return derived;
}

std::vector<std::uint32_t> DomainSizes(const Schema& schema) {
  std::vector<std::uint32_t> sizes;
  for (const Attribute& a : schema.modeled_attributes()) sizes.push_back(a.domain_size());
  return sizes;
}

json BinsToJson(const NumericBins& bins) {
  return {{"integer", bins.integer},
          {"min", bins.min},
          {"max", bins.max},
          {"lower", bins.lower},
          {"upper", bins.upper},
          {"missing_code", bins.missing_code ? json(*bins.missing_code) : json(nullptr)}};
}

json FormulaToJson(const Formula& f) {
  json out = {{"operation", f.operation == Formula::Operation::kProduct ? "product" : "mean"},
              {"inputs", f.inputs},
              {"decimals", f.decimals},
              {"input_bins", json::array()},
              {"target", BinsToJson(f.target)}};
  for (const NumericBins& b : f.input_bins) out["input_bins"].push_back(BinsToJson(b));
  if (f.operation == Formula::Operation::kProduct) {
    out["powers"] = f.powers;
    out["scale"] = f.scale;
  } else {
    out["otherwise"] = f.otherwise;
    out["otherwise_bins"] = json::array();
    for (const NumericBins& b : f.otherwise_bins) out["otherwise_bins"].push_back(BinsToJson(b));
  }
  return out;
}

// The bins of `column` from a model file, checked against its domain size: sorted finite
// edges inside [min, max], one per value code, the missing code last.
NumericBins BinsFromJson(const json& in, std::size_t column,
                         const std::vector<std::uint32_t>& domain_sizes, const std::string& where) {
  NumericBins bins;
  bins.integer = in.at("integer").get<bool>();
  bins.min = in.at("min").get<double>();
  bins.max = in.at("max").get<double>();
  bins.lower = in.at("lower").get<std::vector<double>>();
  bins.upper = in.at("upper").get<std::vector<double>>();
  if (!in.at("missing_code").is_null())
    bins.missing_code = in.at("missing_code").get<std::uint32_t>();
  const std::size_t value_codes = domain_sizes.at(column) - (bins.missing_code ? 1 : 0);
  bool ok = std::isfinite(bins.min) && std::isfinite(bins.max) && bins.min <= bins.max &&
            bins.lower.size() == value_codes && bins.upper.size() == value_codes &&
            value_codes > 0 && (!bins.missing_code || *bins.missing_code == value_codes);
  for (std::size_t b = 0; ok && b < bins.lower.size(); ++b) {
    ok = std::isfinite(bins.lower[b]) && std::isfinite(bins.upper[b]) &&
         bins.lower[b] >= bins.min && bins.upper[b] <= bins.max && bins.lower[b] <= bins.upper[b] &&
         (b == 0 || bins.lower[b] > bins.lower[b - 1]);
  }
  if (!ok)
    Fail(where, "a formula's bins do not match the domain of column " + std::to_string(column));
  return bins;
}

Formula FormulaFromJson(const json& in, std::size_t column,
                        const std::vector<std::uint32_t>& domain_sizes, const std::string& where) {
  Formula f;
  const std::string operation = in.at("operation").get<std::string>();
  if (operation != "product" && operation != "mean") Fail(where, "unknown formula operation");
  f.operation = operation == "product" ? Formula::Operation::kProduct : Formula::Operation::kMean;
  f.inputs = in.at("inputs").get<std::vector<std::size_t>>();
  f.decimals = in.at("decimals").get<int>();
  f.target = BinsFromJson(in.at("target"), column, domain_sizes, where);
  const std::size_t max_inputs = f.operation == Formula::Operation::kProduct ? 4 : 8;
  std::set<std::size_t> seen{column};
  const auto read_group = [&](const std::vector<std::size_t>& columns, const json& bins,
                              std::vector<NumericBins>& out) {
    if (columns.size() > max_inputs || bins.size() != columns.size()) {
      Fail(where, "a formula's inputs and their bins do not match");
    }
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] >= domain_sizes.size() || !seen.insert(columns[i]).second) {
        Fail(where, "a formula's input is out of range, repeated or its own column");
      }
      out.push_back(BinsFromJson(bins.at(i), columns[i], domain_sizes, where));
    }
  };
  if (f.inputs.empty()) Fail(where, "a formula needs an input");
  read_group(f.inputs, in.at("input_bins"), f.input_bins);
  if (f.decimals < 0 || f.decimals > 6 || (f.target.integer && f.decimals != 0)) {
    Fail(where, "a formula's decimals are out of range");
  }
  if (f.operation == Formula::Operation::kProduct) {
    f.powers = in.at("powers").get<std::vector<int>>();
    f.scale = in.at("scale").get<double>();
    if (f.powers.size() != f.inputs.size() || !std::isfinite(f.scale) || f.scale == 0) {
      Fail(where, "a product needs one power per input and a finite nonzero scale");
    }
    for (int p : f.powers) {
      if (p == 0 || std::abs(p) > 3) Fail(where, "a product's powers are in [-3, 3], nonzero");
    }
  } else {
    f.otherwise = in.at("otherwise").get<std::vector<std::size_t>>();
    read_group(f.otherwise, in.at("otherwise_bins"), f.otherwise_bins);
  }
  // As Compile requires: a result that may be missing needs a missing code.
  bool may_be_missing = f.operation == Formula::Operation::kMean;
  for (std::size_t i = 0; i < f.inputs.size(); ++i) {
    const NumericBins& b = f.input_bins[i];
    if (f.operation == Formula::Operation::kMean) {
      may_be_missing = may_be_missing && b.missing_code.has_value();
    } else {
      may_be_missing = may_be_missing || b.missing_code.has_value() ||
                       (f.powers[i] < 0 && b.min <= 0 && b.max >= 0);
    }
  }
  for (const NumericBins& b : f.otherwise_bins) {
    may_be_missing = may_be_missing && b.missing_code.has_value();
  }
  if (may_be_missing && !f.target.missing_code) {
    Fail(where, "a formula that may be missing needs a nullable column");
  }
  return f;
}

}  // namespace

NumericBins NumericBins::Of(const Attribute& a) {
  NumericBins bins;
  bins.integer = a.type == AttributeType::kInteger;
  bins.min = a.min;
  bins.max = a.max;
  bins.lower = a.bin_lower;
  for (std::uint32_t b = 0; b < a.num_value_codes(); ++b) bins.upper.push_back(UpperOf(a, b));
  bins.missing_code = a.missing_code();
  return bins;
}

std::uint32_t NumericBins::CodeOf(double value) const {
  value = std::clamp(value, min, max);
  const auto it = std::upper_bound(lower.begin(), lower.end(), value);
  return it == lower.begin() ? 0 : static_cast<std::uint32_t>(it - lower.begin() - 1);
}

std::uint32_t Formula::MissingCode() const {
  if (!target.missing_code) {
    throw InputError(
        "a formula has no value for a row (0 x infinity) and its column is not "
        "nullable; narrow its inputs' domains");
  }
  return *target.missing_code;
}

Formula::Result Formula::Finish(double raw) const {
  if (std::isinf(raw)) raw = raw > 0 ? target.max : target.min;
  Result result;
  if (target.integer) {
    result.value = std::clamp(std::round(raw), target.min, target.max);
    result.text = std::to_string(static_cast<long long>(result.value));
  } else {
    // Rounded by printing (correctly rounded decimal), then read back, so that the text and
    // the value (and hence the code) are the same number.
    const auto text_of = [this](double v) {
      char buffer[400];
      const auto end =
          std::to_chars(buffer, buffer + sizeof(buffer), v, std::chars_format::fixed, decimals);
      return std::string(buffer, end.ptr);
    };
    result.text = text_of(raw);
    std::from_chars(result.text.data(), result.text.data() + result.text.size(), result.value);
    if (result.value < target.min || result.value > target.max) {
      result.value = std::clamp(result.value, target.min, target.max);
      // The bound with the column's decimals when that reads back as the bound, else exact.
      result.text = text_of(result.value);
      double parsed = 0;
      std::from_chars(result.text.data(), result.text.data() + result.text.size(), parsed);
      if (parsed != result.value) {
        char buffer[64];
        const auto end = std::to_chars(buffer, buffer + sizeof(buffer), result.value);
        result.text = std::string(buffer, end.ptr);
      }
    }
  }
  result.code = target.CodeOf(result.value);
  return result;
}

Formula::CodeRange Formula::RangeOf(
    const std::function<std::uint32_t(std::size_t)>& code_of) const {
  CodeRange range;
  const auto interval = [&](std::size_t column, const NumericBins& bins, double& lo, double& hi) {
    const std::uint32_t code = code_of(column);
    if (bins.missing_code && code == *bins.missing_code) return false;
    lo = bins.lower.at(code);
    hi = bins.upper.at(code);
    return true;
  };
  double lowest = 0, highest = 0;
  if (operation == Operation::kMean) {
    bool found = false;
    for (const auto& [group, bins] :
         {std::pair{&inputs, &input_bins}, std::pair{&otherwise, &otherwise_bins}}) {
      double lo_sum = 0, hi_sum = 0;
      int present = 0;
      for (std::size_t i = 0; i < group->size(); ++i) {
        double lo = 0, hi = 0;
        if (!interval((*group)[i], (*bins)[i], lo, hi)) continue;
        lo_sum += lo;
        hi_sum += hi;
        ++present;
      }
      if (present > 0) {
        lowest = lo_sum / present;
        highest = hi_sum / present;
        found = true;
        break;
      }
    }
    if (!found) {
      range.missing = true;
      return range;
    }
  } else {
    // A product of powers is multilinear in its factors' values, so its extremes over a box
    // are at the extremes of each factor: x^p over [lo, hi] takes its extremes at lo, hi, or
    // at 0 when the interval straddles 0.
    std::vector<std::vector<double>> factor_values;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      double lo = 0, hi = 0;
      if (!interval(inputs[i], input_bins[i], lo, hi)) {
        range.missing = true;
        return range;
      }
      if (powers[i] < 0 && lo <= 0 && hi >= 0) {
        range.any = true;  // a divisor that may be 0: the result may be anything, or missing
        return range;
      }
      std::vector<double> values{std::pow(lo, powers[i]), std::pow(hi, powers[i])};
      if (lo < 0 && hi > 0) values.push_back(0);
      factor_values.push_back(std::move(values));
    }
    lowest = INFINITY;
    highest = -INFINITY;
    std::vector<std::size_t> pick(inputs.size(), 0);
    while (true) {
      double value = scale;
      for (std::size_t i = 0; i < pick.size(); ++i) value *= factor_values[i][pick[i]];
      lowest = std::min(lowest, value);
      highest = std::max(highest, value);
      std::size_t i = 0;
      while (i < pick.size() && ++pick[i] == factor_values[i].size()) pick[i++] = 0;
      if (i == pick.size()) break;
    }
    if (!std::isfinite(lowest) || !std::isfinite(highest)) {
      range.any = true;
      return range;
    }
  }
  // Rounding and clamping are monotone, so the result's code lies between these two.
  range.first = Finish(lowest).code;
  range.last = Finish(highest).code;
  return range;
}

std::string Formula::Describe(const std::vector<std::string>& names) const {
  std::string text;
  if (operation == Operation::kProduct) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (i > 0) text += " * ";
      text += names.at(inputs[i]) + "^" + std::to_string(powers[i]);
    }
    if (scale != 1) text += " * " + NumberText(scale);
    return text;
  }
  const auto list = [&](const std::vector<std::size_t>& columns) {
    std::string out = "mean(";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      out += (i > 0 ? ", " : "") + names.at(columns[i]);
    }
    return out + ")";
  };
  text = list(inputs);
  if (!otherwise.empty()) text += " else " + list(otherwise);
  return text;
}

std::string DerivedColumn::Describe(const std::vector<std::string>& names) const {
  if (formula) return "formula " + formula->Describe(names);
  return kind + " of " + names.at(source);
}

TableRules TableRules::Compile(const Schema& schema) {
  TableRules rules;
  rules.domain_sizes_ = DomainSizes(schema);
  const std::string source = schema.source();
  const json& derived = schema.derived_config();
  if (!derived.is_null()) {
    if (!derived.is_array()) Fail(source, "\"derived\" must be an array");
    std::set<std::size_t> targets;
    for (std::size_t i = 0; i < derived.size(); ++i) {
      const std::string where = source + ": derived[" + std::to_string(i) + "]";
      DerivedColumn d = ParseDerived(schema, derived[i], where);
      if (!targets.insert(d.column).second) Fail(where, "the column is derived twice");
      rules.derived_.push_back(std::move(d));
    }
    const auto name_of = [&](std::size_t c) { return schema.modeled_attributes()[c].name; };
    for (const DerivedColumn& d : rules.derived_) {
      if (d.formula) {
        for (const auto* group : {&d.formula->inputs, &d.formula->otherwise}) {
          for (std::size_t input : *group) {
            if (targets.count(input)) {
              Fail(source + ": derived",
                   "\"" + name_of(input) + "\" is derived itself and cannot be a formula's input");
            }
          }
        }
      } else if (targets.count(d.source) && !rules.IsFormula(d.source)) {
        Fail(source + ": derived",
             "\"" + name_of(d.source) +
                 "\" is derived itself and cannot be a source (only a formula column can be)");
      }
    }
  }
  const json& constraints = schema.constraints_config();
  if (!constraints.is_null()) {
    if (!constraints.is_array()) Fail(source, "\"constraints\" must be an array");
    std::set<std::string> names;
    for (std::size_t i = 0; i < constraints.size(); ++i) {
      const std::string where = source + ": constraints[" + std::to_string(i) + "]";
      const json& entry = constraints[i];
      if (!entry.is_object()) Fail(where, "must be an object");
      RejectUnknownKeys(entry, {"name", "if", "then", "never", "description"}, where);
      if (!entry.contains("name") || !entry["name"].is_string() ||
          entry["name"].get<std::string>().empty()) {
        Fail(where, "needs a non-empty \"name\"");
      }
      const std::string name = entry["name"].get<std::string>();
      if (!names.insert(name).second) Fail(where, "duplicate name \"" + name + "\"");
      const std::size_t rule = rules.rule_names_.size();
      rules.rule_names_.push_back(name);
      std::vector<std::vector<CodeCondition>> clauses;
      if (entry.contains("never")) {
        if (entry.contains("if") || entry.contains("then")) {
          Fail(where, "use either \"never\" or \"if\" with \"then\"");
        }
        clauses.push_back(ParseConjunction(schema, entry["never"], where + " never"));
      } else {
        if (!entry.contains("if") || !entry.contains("then")) {
          Fail(where, "needs \"never\", or \"if\" with \"then\"");
        }
        const auto premise = ParseConjunction(schema, entry["if"], where + " if");
        // if P then (Q1 and Q2 ...): forbidden are P and not Q1, P and not Q2, ...
        for (CodeCondition consequence : ParseConjunction(schema, entry["then"], where + " then")) {
          consequence.codes.flip();
          std::vector<CodeCondition> clause = premise;
          if (AddCondition(clause, std::move(consequence))) clauses.push_back(std::move(clause));
        }
      }
      for (auto& clause : clauses) {
        bool possible = true, everything = true;
        for (const CodeCondition& c : clause) {
          possible = possible && std::find(c.codes.begin(), c.codes.end(), true) != c.codes.end();
          everything = everything && AllTrue(c.codes);
        }
        if (everything) Fail(where, "the rule forbids every row");
        for (const CodeCondition& c : clause) {
          if (rules.ComputedFromValues(c.column)) {
            Fail(where, "\"" + schema.modeled_attributes()[c.column].name +
                            "\" is computed by a formula after decoding; a constraint cannot "
                            "name it (constrain its inputs instead)");
          }
        }
        if (possible) rules.forbidden_.push_back({rule, std::move(clause)});
      }
    }
  }
  return rules;
}

bool TableRules::IsDerived(std::size_t column) const {
  return std::any_of(derived_.begin(), derived_.end(),
                     [&](const DerivedColumn& d) { return d.column == column; });
}

bool TableRules::IsFormula(std::size_t column) const {
  return std::any_of(derived_.begin(), derived_.end(), [&](const DerivedColumn& d) {
    return d.column == column && d.formula.has_value();
  });
}

bool TableRules::ComputedFromValues(std::size_t column) const {
  return std::any_of(derived_.begin(), derived_.end(), [&](const DerivedColumn& d) {
    return d.column == column && (d.formula || IsFormula(d.source));
  });
}

std::vector<ForbiddenCombination> TableRules::OnModelledColumns() const {
  std::vector<ForbiddenCombination> out;
  for (const ForbiddenCombination& f : forbidden_) {
    ForbiddenCombination rewritten{f.rule, {}};
    bool possible = true;
    for (const CodeCondition& c : f.conditions) {
      const auto d = std::find_if(derived_.begin(), derived_.end(),
                                  [&](const DerivedColumn& x) { return x.column == c.column; });
      if (d == derived_.end()) {
        possible = AddCondition(rewritten.conditions, c) && possible;
        continue;
      }
      CodeCondition on_source{d->source, std::vector<bool>(d->code_of_source.size(), false)};
      for (std::size_t code = 0; code < d->code_of_source.size(); ++code) {
        on_source.codes[code] = c.Holds(d->code_of_source[code]);
      }
      possible = AddCondition(rewritten.conditions, std::move(on_source)) && possible;
    }
    if (possible) out.push_back(std::move(rewritten));
  }
  return out;
}

std::vector<std::vector<std::vector<bool>>> TableRules::CodeSetsPerColumn() const {
  std::vector<std::vector<std::vector<bool>>> sets(domain_sizes_.size());
  for (const ForbiddenCombination& f : OnModelledColumns()) {
    for (const CodeCondition& c : f.conditions) sets[c.column].push_back(c.codes);
  }
  return sets;
}

EncodedTable TableRules::ApplyDerived(const EncodedTable& table) const {
  if (derived_.empty()) return table;
  // Formulas first (from modelled columns only), then buckets and maps, which may read them.
  std::vector<std::optional<EncodedColumn>> computed(table.num_columns());
  for (const bool formulas : {true, false}) {
    for (const DerivedColumn& d : derived_) {
      if (d.formula.has_value() != formulas) continue;
      const EncodedColumn& target = table.column(d.column);
      EncodedColumn column(target.name(), target.domain_size());
      column.reserve(table.num_rows());
      if (d.formula) {
        const Formula& f = *d.formula;
        std::vector<const NumericBins*> bins_of(table.num_columns(), nullptr);
        for (std::size_t i = 0; i < f.inputs.size(); ++i) bins_of[f.inputs[i]] = &f.input_bins[i];
        for (std::size_t i = 0; i < f.otherwise.size(); ++i) {
          bins_of[f.otherwise[i]] = &f.otherwise_bins[i];
        }
        for (std::size_t r = 0; r < table.num_rows(); ++r) {
          const auto centre = [&](std::size_t c) -> double {
            const std::uint32_t code = table.column(c).at(r);
            const NumericBins& bins = *bins_of[c];
            if (bins.missing_code && code == *bins.missing_code) return NAN;
            return 0.5 * (bins.lower[code] + bins.upper[code]);
          };
          const std::optional<double> raw = f.Evaluate(centre);
          column.push_back(raw ? f.Finish(*raw).code : f.MissingCode());
        }
      } else {
        const EncodedColumn& source =
            computed[d.source] ? *computed[d.source] : table.column(d.source);
        for (std::size_t r = 0; r < table.num_rows(); ++r) {
          column.push_back(d.code_of_source[source.at(r)]);
        }
      }
      computed[d.column] = std::move(column);
    }
  }
  EncodedTable out;
  for (std::size_t c = 0; c < table.num_columns(); ++c) {
    out.AddColumn(computed[c] ? std::move(*computed[c]) : table.column(c));
  }
  return out;
}

std::uint64_t TableRules::Violations::total() const {
  std::uint64_t sum = 0;
  for (std::uint64_t v : per_rule) sum += v;
  for (std::uint64_t v : per_derived) sum += v;
  return sum;
}

bool TableRules::RowAllowed(const EncodedTable& table, std::size_t row) const {
  for (const ForbiddenCombination& f : forbidden_) {
    bool all = true;
    for (const CodeCondition& c : f.conditions) {
      if (!c.Holds(table.column(c.column).at(row))) {
        all = false;
        break;
      }
    }
    if (all) return false;
  }
  return true;
}

TableRules::Violations TableRules::CountViolations(const EncodedTable& table) const {
  Violations v;
  v.per_rule.assign(rule_names_.size(), 0);
  v.per_derived.assign(derived_.size(), 0);
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    // A rule with several forbidden combinations counts a row once.
    std::vector<bool> hit(rule_names_.size(), false);
    for (const ForbiddenCombination& f : forbidden_) {
      bool all = true;
      for (const CodeCondition& c : f.conditions) {
        if (!c.Holds(table.column(c.column).at(r))) {
          all = false;
          break;
        }
      }
      if (all) hit[f.rule] = true;
    }
    for (std::size_t i = 0; i < hit.size(); ++i) v.per_rule[i] += hit[i] ? 1 : 0;
    for (std::size_t i = 0; i < derived_.size(); ++i) {
      const DerivedColumn& d = derived_[i];
      const std::uint32_t code = table.column(d.column).at(r);
      if (d.formula) {
        const Formula::CodeRange range =
            d.formula->RangeOf([&](std::size_t c) { return table.column(c).at(r); });
        const bool missing =
            d.formula->target.missing_code && code == *d.formula->target.missing_code;
        const bool ok =
            range.any ||
            (range.missing ? missing : !missing && code >= range.first && code <= range.last);
        v.per_derived[i] += ok ? 0 : 1;
      } else if (code != d.code_of_source[table.column(d.source).at(r)]) {
        ++v.per_derived[i];
      }
    }
  }
  return v;
}

json TableRules::ToJson() const {
  json out = {{"rule_names", rule_names_}};
  out["forbidden"] = json::array();
  for (const ForbiddenCombination& f : forbidden_) {
    json conditions = json::array();
    for (const CodeCondition& c : f.conditions) {
      std::vector<std::uint32_t> codes;
      for (std::uint32_t code = 0; code < c.codes.size(); ++code) {
        if (c.codes[code]) codes.push_back(code);
      }
      conditions.push_back({{"column", c.column}, {"codes", codes}});
    }
    out["forbidden"].push_back({{"rule", f.rule}, {"conditions", conditions}});
  }
  out["derived"] = json::array();
  for (const DerivedColumn& d : derived_) {
    json entry = {{"column", d.column},
                  {"source", d.source},
                  {"kind", d.kind},
                  {"code_of_source", d.code_of_source}};
    if (d.formula) entry["formula"] = FormulaToJson(*d.formula);
    out["derived"].push_back(std::move(entry));
  }
  return out;
}

TableRules TableRules::FromJson(const json& in, const std::vector<std::uint32_t>& domain_sizes,
                                const std::string& source) {
  const std::string where = source + ": rules";
  TableRules rules;
  rules.domain_sizes_ = domain_sizes;
  try {
    if (!in.is_object()) Fail(where, "must be an object");
    rules.rule_names_ = in.at("rule_names").get<std::vector<std::string>>();
    const auto column_ok = [&](std::size_t c) {
      if (c >= domain_sizes.size()) Fail(where, "column index out of range");
    };
    for (const json& f : in.at("forbidden")) {
      ForbiddenCombination combination;
      combination.rule = f.at("rule").get<std::size_t>();
      if (combination.rule >= rules.rule_names_.size()) Fail(where, "rule index out of range");
      std::size_t previous = 0;
      for (const json& c : f.at("conditions")) {
        CodeCondition condition;
        condition.column = c.at("column").get<std::size_t>();
        column_ok(condition.column);
        if (!combination.conditions.empty() && condition.column <= previous) {
          Fail(where, "conditions must be on increasing columns");
        }
        previous = condition.column;
        condition.codes.assign(domain_sizes[condition.column], false);
        for (const json& code : c.at("codes")) {
          const auto value = code.get<std::uint32_t>();
          if (value >= condition.codes.size()) Fail(where, "code out of range");
          condition.codes[value] = true;
        }
        combination.conditions.push_back(std::move(condition));
      }
      if (combination.conditions.empty()) Fail(where, "a combination needs a condition");
      rules.forbidden_.push_back(std::move(combination));
    }
    std::set<std::size_t> targets;
    for (const json& d : in.at("derived")) {
      DerivedColumn derived;
      derived.column = d.at("column").get<std::size_t>();
      derived.source = d.at("source").get<std::size_t>();
      derived.kind = d.at("kind").get<std::string>();
      derived.code_of_source = d.at("code_of_source").get<std::vector<std::uint32_t>>();
      column_ok(derived.column);
      column_ok(derived.source);
      if (derived.column == derived.source || !targets.insert(derived.column).second) {
        Fail(where, "a column is derived twice or from itself");
      }
      if (d.contains("formula")) {
        if (derived.kind != "formula" || !derived.code_of_source.empty()) {
          Fail(where, "a formula has kind \"formula\" and no code map");
        }
        derived.formula = FormulaFromJson(d.at("formula"), derived.column, domain_sizes, where);
        if (derived.formula->inputs.front() != derived.source) {
          Fail(where, "a formula's source is its first input");
        }
      } else if (derived.code_of_source.size() != domain_sizes[derived.source]) {
        Fail(where, "a derived map must have one entry per source code");
      }
      for (std::uint32_t code : derived.code_of_source) {
        if (code >= domain_sizes[derived.column]) Fail(where, "derived code out of range");
      }
      rules.derived_.push_back(std::move(derived));
    }
    for (const DerivedColumn& d : rules.derived_) {
      if (d.formula) {
        for (const auto* group : {&d.formula->inputs, &d.formula->otherwise}) {
          for (std::size_t input : *group) {
            if (targets.count(input)) Fail(where, "a formula's input cannot be derived");
          }
        }
      } else if (targets.count(d.source) && !rules.IsFormula(d.source)) {
        Fail(where, "a derived column cannot be a source (only a formula column can be)");
      }
    }
  } catch (const json::exception&) {
    Fail(where, "malformed (expected rule_names, forbidden and derived in code space)");
  }
  return rules;
}

}  // namespace privet::engine
