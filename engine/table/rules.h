// Declared rules of a table: derived columns and constraints (config keys "derived" and
// "constraints", docs/config.md).
//
// Both are PUBLIC knowledge declared by the officer (a code book, medical facts), never read
// off the data, so the generator may use them freely:
//  - a derived column is a function of other columns. A "bucket" (of an ordered attribute) or
//    a "map" (of any attribute's values) is a function of one column's code; a "formula" is
//    arithmetic on numeric values (a product of powers such as BMI = 10^4 weight / height^2,
//    or the mean of readings), evaluated on the decoded values of its inputs
//    (engine/table/decoder.h), and a bucket or map may take a formula column as its source
//    (BMI_WHO buckets BMI). A derived column is never modelled: the plan makes no privacy
//    event for it, and it is computed after sampling, so it is always consistent and costs no
//    budget;
//  - a constraint forbids combinations of values ("PregnantNow = Yes implies Gender = female";
//    "never Age <= 9 and Height >= 170"). Each is compiled to forbidden combinations: a
//    conjunction of per-column code sets that no synthetic row may satisfy all at once. The
//    sampler conditions on them (engine/generator/sampler.h), which is post-processing of the
//    released model (docs/privacy.md).
//
// Everything works in code space. A condition on an ordered (binned) attribute is a value
// range that must not split a bin, and a bucket edge must not split one of its source's bins,
// so "a row satisfies the rule" is a property of its codes and decoding (which draws values
// inside their bin) cannot break it.
#ifndef PRIVET_ENGINE_TABLE_RULES_H_
#define PRIVET_ENGINE_TABLE_RULES_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/table/encoded_table.h"
#include "engine/table/schema.h"

namespace privet::engine {

// A set of codes of one column: codes[c] is true when code c is in the set.
struct CodeCondition {
  std::size_t column = 0;   // index among the schema's modeled attributes (table column)
  std::vector<bool> codes;  // size = the column's domain size

  bool Holds(std::uint32_t code) const { return code < codes.size() && codes[code]; }
  bool operator==(const CodeCondition&) const = default;
};

// A combination no row may have: a row violates it when every condition holds. Conditions
// are on distinct columns, sorted by column.
struct ForbiddenCombination {
  std::size_t rule = 0;  // index into TableRules::rule_names
  std::vector<CodeCondition> conditions;

  bool operator==(const ForbiddenCombination&) const = default;
};

// The public bins of a numeric column that a formula reads or writes, kept with the rules so
// that a model file (which has no schema) can evaluate formulas in code space too.
struct NumericBins {
  bool integer = false;       // an integer attribute (bins of integers), else continuous
  double min = 0, max = 0;    // the domain; results are clamped into it
  std::vector<double> lower;  // per value code: the bin's lowest value
  std::vector<double> upper;  // per value code: largest integer / supremum of the bin
  std::optional<std::uint32_t> missing_code;

  static NumericBins Of(const Attribute& attribute);
  // The value code of `value` (clamped into [min, max]), as the encoder bins it.
  std::uint32_t CodeOf(double value) const;
  bool operator==(const NumericBins&) const = default;
};

// A derived column's arithmetic (derived kind "formula"). The expression set is closed: a
// product of integer powers, or a mean; nothing else is evaluated.
//  - kProduct: scale * prod_i inputs[i]^powers[i]. Missing if any input is missing, or if an
//    input with a negative power is 0 (division by zero); an overflow clamps to [min, max].
//  - kMean: the mean of the inputs that are present; when none is, the mean of the present
//    `otherwise` inputs; missing when none of those is present either. (NHANES's BPSysAve is
//    the mean of readings 2 and 3, or reading 1 when neither was taken.)
// The result is rounded to `decimals` decimals (an integer column: to the nearest integer,
// halves away from zero) and clamped into the column's [min, max], as the encoder clamps
// every cell.
struct Formula {
  enum class Operation { kProduct, kMean };
  Operation operation = Operation::kProduct;
  std::vector<std::size_t> inputs;
  std::vector<int> powers;             // kProduct: one per input, nonzero, |p| <= 3
  double scale = 1;                    // kProduct
  std::vector<std::size_t> otherwise;  // kMean
  int decimals = 0;
  std::vector<NumericBins> input_bins;      // parallel to inputs
  std::vector<NumericBins> otherwise_bins;  // parallel to otherwise
  NumericBins target;

  // The unrounded result for one row's input values (`value_of(column)`, NaN = missing), or
  // nullopt when the result is missing.
  template <typename ValueOf>
  std::optional<double> Evaluate(const ValueOf& value_of) const;
  // A result rounded and clamped as the column stores it: its value, code and CSV text (the
  // text reads back as exactly `value`). `raw` may be +-infinity (clamped).
  // The code for an undefined result (Evaluate gave nullopt): the missing code; InputError
  // if the column has none (only 0 x infinity, with extreme domains, gets here).
  std::uint32_t MissingCode() const;
  struct Result {
    double value = 0;
    std::uint32_t code = 0;
    std::string text;
  };
  Result Finish(double raw) const;
  // The value codes the column can have for a row whose inputs have these codes (a box of
  // bins): [first, last], or nullopt when the result must be missing. `any` is set when the
  // box allows any code or missing (a divisor's bin contains 0).
  struct CodeRange {
    std::uint32_t first = 0, last = 0;
    bool missing = false, any = false;
  };
  CodeRange RangeOf(const std::function<std::uint32_t(std::size_t)>& code_of) const;
  // "Weight^1 * Height^-2 * 10000", "mean(BPSys2, BPSys3) else mean(BPSys1)".
  std::string Describe(const std::vector<std::string>& column_names) const;

  bool operator==(const Formula&) const = default;
};

// column's code = code_of_source[source's code] (bucket, map); or column = formula of its
// inputs (then source is the formula's first input and code_of_source is empty).
struct DerivedColumn {
  std::size_t column = 0;
  std::size_t source = 0;
  std::string kind;  // "bucket", "map" or "formula", for messages and the plan
  std::vector<std::uint32_t> code_of_source;
  std::optional<Formula> formula;

  // "bucket of Age", "formula Weight^1 * Height^-2 * 10000".
  std::string Describe(const std::vector<std::string>& column_names) const;
  bool operator==(const DerivedColumn&) const = default;
};

class TableRules {
 public:
  TableRules() = default;

  // Compiles and validates the schema's "derived" and "constraints" (InputError naming the
  // config, the entry and the field on any problem: an unknown column, a value outside the
  // domain, a range or bucket edge that splits a bin, a derived column used as a source, an
  // incomplete map, a rule that forbids every row).
  static TableRules Compile(const Schema& schema);

  bool empty() const { return derived_.empty() && forbidden_.empty(); }
  std::size_t num_columns() const { return domain_sizes_.size(); }
  const std::vector<std::string>& rule_names() const { return rule_names_; }
  const std::vector<ForbiddenCombination>& forbidden() const { return forbidden_; }
  const std::vector<DerivedColumn>& derived() const { return derived_; }
  bool IsDerived(std::size_t column) const;
  bool IsFormula(std::size_t column) const;

  // The forbidden combinations with every condition on a derived column replaced by the
  // equivalent condition on its source (intersected with one already there), so they only
  // mention modelled columns. A combination that can then never hold is dropped.
  std::vector<ForbiddenCombination> OnModelledColumns() const;

  // Per modelled column, the code sets its rules test (from OnModelledColumns): the domain
  // compression keeps every group inside or outside each set (engine/generator/
  // domain_compression.h RefineByCodeSets), so the sampler can condition on groups exactly.
  std::vector<std::vector<std::vector<bool>>> CodeSetsPerColumn() const;

  // `table` (columns = the schema's modeled attributes) with every derived column replaced by
  // its function of the source column. Formulas are computed first (a bucket or map may read
  // one). In code space a formula has no input values, so it is evaluated at the centre of
  // its inputs' bins: a stand-in inside the range RangeOf allows, which WriteCsv replaces by
  // the value computed from the decoded inputs (with the buckets and maps of it).
  EncodedTable ApplyDerived(const EncodedTable& table) const;
  // Whether `column` is a formula, or a bucket or map of one: computed from decoded values.
  bool ComputedFromValues(std::size_t column) const;

  // For each rule (rule_names order), the number of rows of `table` that violate it; then,
  // for each derived column (derived() order), the rows where it disagrees with its source
  // (a formula: where its code is outside the range its inputs' bins allow, Formula::RangeOf;
  // exact agreement of values is checked on the CSV, see decoder.h).
  struct Violations {
    std::vector<std::uint64_t> per_rule;
    std::vector<std::uint64_t> per_derived;
    std::uint64_t total() const;
  };
  Violations CountViolations(const EncodedTable& table) const;
  // True when row r of `table` violates no forbidden combination (derived columns ignored).
  bool RowAllowed(const EncodedTable& table, std::size_t row) const;

  // The model file's "rules" object: names, forbidden combinations and derived maps in code
  // space (public: compiled from the config). FromJson validates sizes and ranges against
  // domain_sizes (InputError naming `source`).
  nlohmann::json ToJson() const;
  static TableRules FromJson(const nlohmann::json& json,
                             const std::vector<std::uint32_t>& domain_sizes,
                             const std::string& source);

  bool operator==(const TableRules&) const = default;

 private:
  std::vector<std::uint32_t> domain_sizes_;
  std::vector<std::string> rule_names_;
  std::vector<ForbiddenCombination> forbidden_;
  std::vector<DerivedColumn> derived_;
};

template <typename ValueOf>
std::optional<double> Formula::Evaluate(const ValueOf& value_of) const {
  if (operation == Operation::kMean) {
    for (const auto* group : {&inputs, &otherwise}) {
      double sum = 0;
      int present = 0;
      for (std::size_t column : *group) {
        const double v = value_of(column);
        if (std::isnan(v)) continue;
        sum += v;
        ++present;
      }
      if (present > 0) return sum / present;
    }
    return std::nullopt;
  }
  double result = scale;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const double v = value_of(inputs[i]);
    if (std::isnan(v) || (powers[i] < 0 && v == 0)) return std::nullopt;
    result *= std::pow(v, powers[i]);
  }
  // Overflow (+-inf) is clamped by Finish like any large value; 0 x inf (only with extreme
  // domains) has no value.
  if (std::isnan(result)) return std::nullopt;
  return result;
}

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_RULES_H_
