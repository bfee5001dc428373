// The report's classifier (naive Bayes on codes, with its majority baseline) and the 80/20
// split it is tested on, which must be numpy's RandomState(0) permutation bit for bit.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/quality/holdout_split.h"
#include "engine/quality/logistic_regression.h"
#include "engine/quality/naive_bayes.h"

namespace privet::engine::quality {
namespace {

EncodedTable TwoColumns(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& rows,
                        std::uint32_t x_domain = 2, std::uint32_t y_domain = 2) {
  EncodedColumn x("x", x_domain);
  EncodedColumn y("y", y_domain);
  for (const auto& [xv, yv] : rows) {
    x.push_back(xv);
    y.push_back(yv);
  }
  EncodedTable table;
  table.AddColumn(std::move(x));
  table.AddColumn(std::move(y));
  return table;
}

TEST_CASE("naive Bayes predicts the hand-computed posterior mode") {
  // Training: (x=0, y=0) x3, (x=1, y=1) x1; alpha = 1.
  //   P(y=0) = 4/6, P(y=1) = 2/6
  //   P(x=1 | y=0) = 1/5, P(x=1 | y=1) = 2/3
  //   x = 1: 4/6 * 1/5 = 0.133 < 2/6 * 2/3 = 0.222 -> y = 1
  //   x = 0: 4/6 * 4/5 = 0.533 > 2/6 * 1/3 = 0.111 -> y = 0
  const EncodedTable train = TwoColumns({{0, 0}, {0, 0}, {0, 0}, {1, 1}});
  const NaiveBayes model = NaiveBayes::Fit(train, 1);
  const EncodedTable probe = TwoColumns({{1, 1}, {0, 0}});
  CHECK(model.Predict(probe, 0) == 1);
  CHECK(model.Predict(probe, 1) == 0);
  CHECK(model.Accuracy(probe) == 1.0);
  CHECK(model.Accuracy(TwoColumns({{1, 0}, {0, 0}})) == 0.5);
}

TEST_CASE("naive Bayes is perfect on a separable dataset and beats the majority baseline") {
  // y = 1 exactly when a = 2; b is noise. 30 rows, 10 of class 1.
  EncodedColumn a("a", 3);
  EncodedColumn b("b", 2);
  EncodedColumn y("y", 2);
  for (std::uint32_t i = 0; i < 30; ++i) {
    a.push_back(i % 3);
    b.push_back((i / 3) % 2);
    y.push_back(i % 3 == 2 ? 1 : 0);
  }
  EncodedTable table;
  table.AddColumn(std::move(a));
  table.AddColumn(std::move(b));
  table.AddColumn(std::move(y));
  const NaiveBayes model = NaiveBayes::Fit(table, 2);
  CHECK(model.Accuracy(table) == 1.0);
  // Majority class 0 holds 20 of 30 rows.
  CHECK(MajorityClassAccuracy(table, table, 2) == doctest::Approx(20.0 / 30));
}

TEST_CASE("a code never seen in training does not veto a class (Laplace smoothing)") {
  // x = 2 never occurs in training: its likelihood is alpha / (n_y + 3 alpha) for both
  // classes, (1/6 for y=0 with n=3, 1/4 for y=1 with n=1): 4/6 * 1/6 = 0.111 vs
  // 2/6 * 1/4 = 0.083, so the prior wins and the prediction is the majority class 0.
  const EncodedTable train = TwoColumns({{0, 0}, {0, 0}, {0, 0}, {1, 1}}, 3);
  const NaiveBayes model = NaiveBayes::Fit(train, 1);
  const EncodedTable probe = TwoColumns({{2, 0}}, 3);
  CHECK(model.Predict(probe, 0) == 0);
}

TEST_CASE("naive Bayes and the baseline reject bad input") {
  EncodedTable empty;
  empty.AddColumn(EncodedColumn("x", 2));
  empty.AddColumn(EncodedColumn("y", 2));
  const EncodedTable train = TwoColumns({{0, 0}, {1, 1}});
  CHECK_THROWS_AS(NaiveBayes::Fit(empty, 1), std::invalid_argument);
  CHECK_THROWS_AS(NaiveBayes::Fit(train, 2), std::invalid_argument);
  CHECK_THROWS_AS(NaiveBayes::Fit(train, 1, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(NaiveBayes::Fit(train, 1, std::numeric_limits<double>::infinity()),
                  std::invalid_argument);
  const NaiveBayes model = NaiveBayes::Fit(train, 1);
  CHECK_THROWS_AS(model.Accuracy(empty), std::invalid_argument);
  CHECK_THROWS_AS(model.Predict(TwoColumns({{0, 0}}, 3), 0), std::invalid_argument);
  CHECK_THROWS_AS(MajorityClassAccuracy(empty, train, 1), std::invalid_argument);
  CHECK_THROWS_AS(MajorityClassAccuracy(train, train, 5), std::invalid_argument);
}

// b decides y exactly; a agrees with y in 80 of 100 rows and is copied ten times. Naive Bayes
// counts the ten copies as ten independent pieces of evidence: per copy the likelihood ratio is
// (41/52) / (11/52) = 3.7 against b's (51/52) / (1/52) = 51, and 3.7^10 > 51, so on the 20 rows
// where a disagrees with y it follows a and errs (accuracy 0.8). Logistic regression weighs the
// copies jointly and follows b (accuracy 1).
EncodedTable DuplicatedEvidence() {
  EncodedTable table;
  std::vector<EncodedColumn> copies;
  // Appending (not "a" + std::to_string) sidesteps GCC 12's false -Wrestrict (PR 105329).
  for (int c = 0; c < 10; ++c) copies.emplace_back(std::string("a").append(std::to_string(c)), 2);
  EncodedColumn b("b", 2);
  EncodedColumn y("y", 2);
  auto add = [&](std::uint32_t a_value, std::uint32_t b_value, std::uint32_t y_value, int n) {
    for (int i = 0; i < n; ++i) {
      for (auto& copy : copies) copy.push_back(a_value);
      b.push_back(b_value);
      y.push_back(y_value);
    }
  };
  add(0, 1, 1, 40);
  add(1, 0, 0, 40);
  add(1, 1, 1, 10);
  add(0, 0, 0, 10);
  for (auto& copy : copies) table.AddColumn(std::move(copy));
  table.AddColumn(std::move(b));
  table.AddColumn(std::move(y));
  return table;
}

TEST_CASE("logistic regression weighs duplicated evidence jointly, naive Bayes does not") {
  const EncodedTable table = DuplicatedEvidence();
  CHECK(NaiveBayes::Fit(table, 11).Accuracy(table) == doctest::Approx(0.8));
  CHECK(LogisticRegression::Fit(table, 11).Accuracy(table) == 1.0);
}

TEST_CASE("logistic regression separates classes and is reproducible for a seed") {
  // Three classes, y = a; b is noise. 60 rows.
  EncodedColumn a("a", 3);
  EncodedColumn b("b", 4);
  EncodedColumn y("y", 3);
  for (std::uint32_t i = 0; i < 60; ++i) {
    a.push_back(i % 3);
    b.push_back((i / 3) % 4);
    y.push_back(i % 3);
  }
  EncodedTable table;
  table.AddColumn(std::move(a));
  table.AddColumn(std::move(b));
  table.AddColumn(std::move(y));
  const LogisticRegression model = LogisticRegression::Fit(table, 2);
  CHECK(model.Accuracy(table) == 1.0);
  LogisticRegression::Options options;
  options.seed = 42;
  options.epochs = 3;
  const LogisticRegression first = LogisticRegression::Fit(table, 2, options);
  const LogisticRegression second = LogisticRegression::Fit(table, 2, options);
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    CHECK(first.Predict(table, r) == second.Predict(table, r));
  }
}

TEST_CASE("logistic regression rejects bad input") {
  EncodedTable empty;
  empty.AddColumn(EncodedColumn("x", 2));
  empty.AddColumn(EncodedColumn("y", 2));
  const EncodedTable train = TwoColumns({{0, 0}, {1, 1}});
  CHECK_THROWS_AS(LogisticRegression::Fit(empty, 1), std::invalid_argument);
  CHECK_THROWS_AS(LogisticRegression::Fit(train, 2), std::invalid_argument);
  LogisticRegression::Options options;
  options.epochs = 0;
  CHECK_THROWS_AS(LogisticRegression::Fit(train, 1, options), std::invalid_argument);
  options = {};
  options.learning_rate = -1;
  CHECK_THROWS_AS(LogisticRegression::Fit(train, 1, options), std::invalid_argument);
  options = {};
  options.l2 = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(LogisticRegression::Fit(train, 1, options), std::invalid_argument);
  const LogisticRegression model = LogisticRegression::Fit(train, 1);
  CHECK_THROWS_AS(model.Accuracy(empty), std::invalid_argument);
  CHECK_THROWS_AS(model.Predict(TwoColumns({{0, 0}}, 3), 0), std::invalid_argument);
}

TEST_CASE("the permutation is numpy's RandomState(seed).permutation(n)") {
  // Vectors printed by numpy 1.24.2 (Debian bookworm python3-numpy):
  //   np.random.RandomState(0).permutation(10)
  CHECK(NumpyLegacyPermutation(10, 0) == std::vector<std::size_t>{2, 8, 4, 9, 1, 6, 7, 3, 0, 5});
  //   np.random.RandomState(0).permutation(303)[:12]  (heart_cleveland's row count)
  const std::vector<std::size_t> heart = NumpyLegacyPermutation(303, 0);
  CHECK(std::vector<std::size_t>(heart.begin(), heart.begin() + 12) ==
        std::vector<std::size_t>{225, 152, 228, 201, 52, 245, 175, 168, 223, 217, 111, 135});
  //   np.random.RandomState(0).permutation(15524): first 8 and last 3 (covid_testing's rows)
  const std::vector<std::size_t> covid = NumpyLegacyPermutation(15524, 0);
  CHECK(std::vector<std::size_t>(covid.begin(), covid.begin() + 8) ==
        std::vector<std::size_t>{15382, 14887, 14649, 3019, 4183, 14942, 3188, 13043});
  CHECK(std::vector<std::size_t>(covid.end() - 3, covid.end()) ==
        std::vector<std::size_t>{9845, 10799, 2732});
  CHECK(std::set<std::size_t>(covid.begin(), covid.end()).size() == 15524);
  CHECK(NumpyLegacyPermutation(0, 0).empty());
  CHECK(NumpyLegacyPermutation(1, 0) == std::vector<std::size_t>{0});
}

TEST_CASE("the 80/20 split cuts at int(0.8 n) like fidelity.py") {
  const HoldoutSplit split = EightyTwentySplit(10, 0);
  CHECK(split.train_rows == std::vector<std::size_t>{2, 8, 4, 9, 1, 6, 7, 3});
  CHECK(split.test_rows == std::vector<std::size_t>{0, 5});
  // int(0.8 * 303) = 242; int(0.8 * 15524) = 12419.
  CHECK(EightyTwentySplit(303, 0).train_rows.size() == 242);
  CHECK(EightyTwentySplit(15524, 0).test_rows.size() == 15524 - 12419);
}

TEST_CASE("the unit split keeps every row of a unit on one side") {
  // Each row its own unit: exactly fidelity.py's row split, order included.
  std::vector<std::uint32_t> identity(10);
  for (std::uint32_t i = 0; i < 10; ++i) identity[i] = i;
  const HoldoutSplit rows = EightyTwentySplit(10, 0);
  const HoldoutSplit singletons = EightyTwentyUnitSplit(identity, 0);
  CHECK(singletons.train_rows == rows.train_rows);
  CHECK(singletons.test_rows == rows.test_rows);
  // 14 rows of 10 units (0 twice, 2 three times, 9 twice). The units are permuted as the rows
  // above, RandomState(0).permutation(10) = {2, 8, 4, 9, 1, 6, 7, 3 | 0, 5}: units 0 and 5 test.
  const std::vector<std::uint32_t> units = {0, 0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9, 9};
  const HoldoutSplit split = EightyTwentyUnitSplit(units, 0);
  CHECK(split.test_rows == std::vector<std::size_t>{0, 1, 8});
  CHECK(split.train_rows == std::vector<std::size_t>{3, 4, 5, 11, 7, 12, 13, 2, 9, 10, 6});
  std::set<std::uint32_t> train_units;
  for (std::size_t row : split.train_rows) train_units.insert(units[row]);
  for (std::size_t row : split.test_rows) CHECK(train_units.count(units[row]) == 0);
  CHECK(EightyTwentyUnitSplit(std::vector<std::uint32_t>{}, 0).train_rows.empty());
  // Ids must be dense (EncodedTable::unit_ids): unit 1 has no row.
  CHECK_THROWS_AS(EightyTwentyUnitSplit(std::vector<std::uint32_t>{0, 2}, 0),
                  std::invalid_argument);
}

}  // namespace
}  // namespace privet::engine::quality
