#include "engine/quality/leakage.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace privet::engine::quality {
namespace {

double EntropyBits(const std::vector<double>& counts, double total) {
  double h = 0;
  for (double c : counts) {
    if (c > 0) h -= c / total * std::log2(c / total);
  }
  return h;
}

}  // namespace

LeakageCheck CheckLeakage(const EncodedTable& table, std::size_t target) {
  if (target >= table.num_columns() || table.num_rows() == 0) {
    throw std::invalid_argument("leakage check: no such target column, or no rows");
  }
  const EncodedColumn& y = table.column(target);
  const std::size_t classes = y.domain_size();
  const auto n = static_cast<double>(table.num_rows());
  std::vector<double> class_counts(classes, 0);
  for (std::size_t r = 0; r < table.num_rows(); ++r) class_counts[y.at(r)] += 1;

  LeakageCheck check;
  check.majority_accuracy = *std::max_element(class_counts.begin(), class_counts.end()) / n;
  check.target_entropy_bits = EntropyBits(class_counts, n);
  for (std::size_t j = 0; j < table.num_columns(); ++j) {
    if (j == target) continue;
    const EncodedColumn& x = table.column(j);
    // Joint counts, code of x by class of y.
    std::vector<double> joint(static_cast<std::size_t>(x.domain_size()) * classes, 0);
    for (std::size_t r = 0; r < table.num_rows(); ++r) joint[x.at(r) * classes + y.at(r)] += 1;
    double correct = 0;
    double conditional_entropy = 0;  // H(Y | X) in bits
    for (std::size_t v = 0; v < x.domain_size(); ++v) {
      const auto begin = joint.begin() + static_cast<long>(v * classes);
      const std::vector<double> row(begin, begin + static_cast<long>(classes));
      double row_total = 0;
      for (double c : row) row_total += c;
      if (row_total == 0) continue;
      correct += *std::max_element(row.begin(), row.end());
      conditional_entropy += row_total / n * EntropyBits(row, row_total);
    }
    AttributeLeakage leak;
    leak.column = j;
    leak.single_attribute_accuracy = correct / n;
    leak.error_reduction = check.majority_accuracy < 1
                               ? (leak.single_attribute_accuracy - check.majority_accuracy) /
                                     (1 - check.majority_accuracy)
                               : 0;
    leak.mutual_information_share =
        check.target_entropy_bits > 0
            ? std::max(0.0, check.target_entropy_bits - conditional_entropy) /
                  check.target_entropy_bits
            : 0;
    check.all.push_back(leak);
    if (leak.error_reduction >= kLeakageThreshold ||
        leak.mutual_information_share >= kLeakageThreshold) {
      check.flagged.push_back(leak);
    }
  }
  return check;
}

}  // namespace privet::engine::quality
