// Leakage check for the report's classifier section: attributes that are almost a copy of the
// target (nhanes' DiabetesAge is given only when Diabetes is "Yes", so it predicts Diabetes
// alone at 97.3%, against 91.0% for the majority class). A model trained with such an
// attribute measures the copy, not the relationships, so the officer is told which ones they
// are. Reads the real table: NOT DIFFERENTIALLY PRIVATE.
#ifndef PRIVET_ENGINE_QUALITY_LEAKAGE_H_
#define PRIVET_ENGINE_QUALITY_LEAKAGE_H_

#include <cstddef>
#include <vector>

#include "engine/table/encoded_table.h"

namespace privet::engine::quality {

struct AttributeLeakage {
  std::size_t column = 0;
  // Accuracy of the best rule "predict the target's most common class for each code of this
  // attribute", on the table itself (an upper bound for a single-attribute predictor).
  double single_attribute_accuracy = 0;
  // That accuracy's share of the possible gain over the majority class,
  // (accuracy - majority) / (1 - majority); 0 when the majority is 1.
  double error_reduction = 0;
  // I(attribute; target) / H(target), the share of the target's entropy the attribute
  // determines (Cover & Thomas, "Elements of Information Theory", 2nd ed., Eq. 2.39); 0 when
  // H(target) is 0.
  double mutual_information_share = 0;
};

// Flag threshold: an attribute is a near-copy when either figure reaches 0.5. Measured on the
// shipped tables' real rows (codes): the near-copies are nhanes' DiabetesAge for Diabetes
// (error reduction 0.70, MI share 0.58) and covid_testing's ct_result for result (0.72, 0.71:
// a cycle threshold of 45 means a negative test); every other attribute of nhanes, adult
// (income) and covid_testing stays at or below 0.17 and 0.24.
inline constexpr double kLeakageThreshold = 0.5;

struct LeakageCheck {
  double majority_accuracy = 0;  // of the target on the table
  double target_entropy_bits = 0;
  std::vector<AttributeLeakage> flagged;  // error_reduction or MI share >= kLeakageThreshold
  std::vector<AttributeLeakage> all;      // every other column, in column order
};

// Every column other than `target` against `target` (an index into the table, which has at
// least one row; std::invalid_argument otherwise).
LeakageCheck CheckLeakage(const EncodedTable& table, std::size_t target);

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_LEAKAGE_H_
