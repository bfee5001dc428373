// Declared rules of a table: derived columns and constraints (config keys "derived" and
// "constraints", docs/config.md).
//
// Both are PUBLIC knowledge declared by the officer (a code book, medical facts), never read
// off the data, so the generator may use them freely:
//  - a derived column is a function of one other column's code (a bucket of an ordered
//    attribute, or a map of any attribute's values). It is never modelled: the plan makes no
//    privacy event for it, and the sampler computes it from its source after sampling, so it
//    is always consistent and costs no budget;
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

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
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

// column's code = code_of_source[source's code].
struct DerivedColumn {
  std::size_t column = 0;
  std::size_t source = 0;
  std::string kind;  // "bucket" or "map", for messages and the plan
  std::vector<std::uint32_t> code_of_source;

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

  // The forbidden combinations with every condition on a derived column replaced by the
  // equivalent condition on its source (intersected with one already there), so they only
  // mention modelled columns. A combination that can then never hold is dropped.
  std::vector<ForbiddenCombination> OnModelledColumns() const;

  // Per modelled column, the code sets its rules test (from OnModelledColumns): the domain
  // compression keeps every group inside or outside each set (engine/generator/
  // domain_compression.h RefineByCodeSets), so the sampler can condition on groups exactly.
  std::vector<std::vector<std::vector<bool>>> CodeSetsPerColumn() const;

  // `table` (columns = the schema's modeled attributes) with every derived column replaced by
  // its function of the source column.
  EncodedTable ApplyDerived(const EncodedTable& table) const;

  // For each rule (rule_names order), the number of rows of `table` that violate it; then,
  // for each derived column (derived() order), the rows where it disagrees with its source.
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

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_RULES_H_
