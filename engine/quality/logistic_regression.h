// Multinomial logistic regression on one-hot schema codes: the report's second, stronger
// classifier. Naive Bayes (naive_bayes.h) counts each of several strongly related attributes
// as independent evidence and can fall below the majority baseline on wide tables; a
// discriminative model weighs them jointly.
//
// Model: P(y = k | x) = softmax_k(b_k + sum_j w[j, x_j, k]) over the one-hot encoding of every
// non-target attribute's code (missing is a code), fitted by minimising the L2-regularised
// cross-entropy (Hastie, Tibshirani & Friedman, "The Elements of Statistical Learning", 2nd ed.,
// Sec. 4.4) with AdaGrad stochastic gradient steps (Duchi, Hazan & Singer, JMLR
// 12, 2011, Eq. 1 with diagonal G). Rows are visited in an order shuffled by a Boost mt19937_64
// seeded from Options::seed: evaluation only, so the fit is reproducible.
#ifndef PRIVET_ENGINE_QUALITY_LOGISTIC_REGRESSION_H_
#define PRIVET_ENGINE_QUALITY_LOGISTIC_REGRESSION_H_

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/table/encoded_table.h"

namespace privet::engine::quality {

class LogisticRegression {
 public:
  struct Options {
    int epochs = 15;             // passes over the training rows, >= 1
    double learning_rate = 0.5;  // AdaGrad step size, > 0
    double l2 = 1e-4;            // per-row L2 penalty on the weights, >= 0
    std::uint64_t seed = 0;      // of the visiting order
  };

  // Fits on every row of `train`, predicting column `target` from all other columns. Throws
  // std::invalid_argument for an empty table, a target out of range or invalid options.
  static LogisticRegression Fit(const EncodedTable& train, std::size_t target,
                                const Options& options);
  static LogisticRegression Fit(const EncodedTable& train, std::size_t target) {
    return Fit(train, target, Options{});
  }

  // The most probable class for one row of `table` (same columns and domains as in training,
  // else std::invalid_argument); ties go to the smallest class code.
  std::uint32_t Predict(const EncodedTable& table, std::size_t row) const;
  // Share of rows whose target is predicted exactly; std::invalid_argument for an empty table.
  double Accuracy(const EncodedTable& table) const;

 private:
  LogisticRegression() = default;
  void CheckCompatible(const EncodedTable& table) const;
  void Scores(const EncodedTable& table, std::size_t row, Eigen::VectorXd& scores) const;

  std::size_t target_ = 0;
  std::vector<std::uint32_t> domain_sizes_;
  // Row offset_[j] + code of attribute j in weights_; the last row is the bias.
  std::vector<std::size_t> offset_;
  Eigen::MatrixXd weights_;  // (one-hot features + 1) x classes
};

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_LOGISTIC_REGRESSION_H_
