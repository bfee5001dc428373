// A categorical naive Bayes classifier on schema codes: the "simple classifier" of the quality
// report's train-on-synthetic / test-on-real comparison (machine-learning efficacy, Jordon et
// al., "Synthetic Data -- what, why and how?", 2022, Sec. 4.2).
//
// P(y | x) is proportional to P(y) * prod_j P(x_j | y) (Hastie, Tibshirani & Friedman, "The
// Elements of Statistical Learning", 2nd ed., Sec. 6.6.3), every probability estimated with
// Laplace (add-alpha) smoothing over the attribute's full public domain (Manning, Raghavan &
// Schutze, "Introduction to Information Retrieval", 2008, Eq. 13.7), so a code never seen with
// a class gets a small non-zero probability rather than vetoing it. Missing is a code like any
// other. Scores are summed in log space; ties go to the smallest class code.
#ifndef PRIVET_ENGINE_QUALITY_NAIVE_BAYES_H_
#define PRIVET_ENGINE_QUALITY_NAIVE_BAYES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/table/encoded_table.h"

namespace privet::engine::quality {

class NaiveBayes {
 public:
  // Fits on every row of `train`, predicting column `target` from all the other columns.
  // alpha > 0 is the smoothing pseudo-count. Throws std::invalid_argument for an empty table,
  // a target index out of range or alpha <= 0 (or not finite).
  static NaiveBayes Fit(const EncodedTable& train, std::size_t target, double alpha = 1.0);

  // The most probable class code for one row of `table`, which must have the training
  // table's columns and domains (throws std::invalid_argument otherwise).
  std::uint32_t Predict(const EncodedTable& table, std::size_t row) const;
  // Share of the rows of `table` whose target code is predicted exactly. Throws
  // std::invalid_argument for an empty table.
  double Accuracy(const EncodedTable& table) const;

 private:
  NaiveBayes() = default;
  void CheckCompatible(const EncodedTable& table) const;

  std::size_t target_ = 0;
  std::vector<std::uint32_t> domain_sizes_;
  std::vector<double> log_prior_;  // per class
  // log_likelihood_[j][x * num_classes + y] = log P(x_j = x | y); empty for the target.
  std::vector<std::vector<double>> log_likelihood_;
};

// Share of `table`'s rows whose `target` code is the most common one in `train` (ties: the
// smallest code): the accuracy any classifier should beat.
double MajorityClassAccuracy(const EncodedTable& train, const EncodedTable& table,
                             std::size_t target);

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_NAIVE_BAYES_H_
