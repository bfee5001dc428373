#include "engine/table/rules.h"

#include <algorithm>
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

DerivedColumn ParseDerived(const Schema& schema, const json& entry, const std::string& where) {
  if (!entry.is_object()) Fail(where, "must be an object");
  RejectUnknownKeys(entry, {"column", "from", "bucket", "map", "description"}, where);
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

}  // namespace

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
    for (const DerivedColumn& d : rules.derived_) {
      if (targets.count(d.source)) {
        Fail(source + ": derived", "\"" + schema.modeled_attributes()[d.source].name +
                                       "\" is derived itself and cannot be a source");
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
  EncodedTable out;
  for (std::size_t column = 0; column < table.num_columns(); ++column) {
    const auto d = std::find_if(derived_.begin(), derived_.end(),
                                [&](const DerivedColumn& x) { return x.column == column; });
    if (d == derived_.end()) {
      out.AddColumn(table.column(column));
      continue;
    }
    const EncodedColumn& source = table.column(d->source);
    EncodedColumn computed(table.column(column).name(), table.column(column).domain_size());
    computed.reserve(table.num_rows());
    for (std::size_t r = 0; r < table.num_rows(); ++r) {
      computed.push_back(d->code_of_source[source.at(r)]);
    }
    out.AddColumn(std::move(computed));
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
      if (table.column(d.column).at(r) != d.code_of_source[table.column(d.source).at(r)]) {
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
    out["derived"].push_back({{"column", d.column},
                              {"source", d.source},
                              {"kind", d.kind},
                              {"code_of_source", d.code_of_source}});
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
      if (derived.code_of_source.size() != domain_sizes[derived.source]) {
        Fail(where, "a derived map must have one entry per source code");
      }
      for (std::uint32_t code : derived.code_of_source) {
        if (code >= domain_sizes[derived.column]) Fail(where, "derived code out of range");
      }
      rules.derived_.push_back(std::move(derived));
    }
    for (const DerivedColumn& d : rules.derived_) {
      if (targets.count(d.source)) Fail(where, "a derived column cannot be a source");
    }
  } catch (const json::exception&) {
    Fail(where, "malformed (expected rule_names, forbidden and derived in code space)");
  }
  return rules;
}

}  // namespace privet::engine
