// Calibration of sampled rows to noisy pair marginals (engine/generator/pair_calibration.h).
#include "engine/generator/pair_calibration.h"

#include <doctest/doctest.h>

#include <cmath>

#include "engine/generator/domain_compression.h"
#include "engine/generator/sampler.h"
#include "engine/table/marginals.h"

namespace privet::engine {
namespace {

// x0 and x1 independent and uniform on {0, 1} in the network, with one pair marginal that
// says they are strongly dependent (0.4 on the diagonal). noise_l1 is the measurement's
// expected noise, which decides how far the rows follow it.
BayesNetModel IndependentModelWithPair(double noise_l1) {
  std::vector<AttributeDomain> attributes{{"x0", 2, false, std::nullopt},
                                          {"x1", 2, false, std::nullopt}};
  std::vector<AttributeCompression> compression{IdentityCompression(2), IdentityCompression(2)};
  for (AttributeCompression& c : compression) {
    c.pair_level_of_group = {0, 1};
    c.num_pair_levels = 2;
  }
  return BayesNetModel(attributes, nullptr, compression, {{0, {}, {0.5, 0.5}}, {1, {}, {0.5, 0.5}}},
                       1000, nullptr, {{0, 1, {0.4, 0.1, 0.1, 0.4}, noise_l1}});
}

std::vector<double> JointOf(const EncodedTable& table) {
  const std::vector<std::size_t> attrs{0, 1};
  const Marginal joint = ComputeMarginal(table, attrs);
  std::vector<double> p;
  for (auto c : joint.counts) p.push_back(static_cast<double>(c) / table.num_rows());
  return p;
}

TEST_CASE("Rows follow a measurement far beyond its noise") {
  // |t - q|_1 = 0.6 at the start and the noise 0.006, so lambda starts at 0.99 and IPF on one
  // pair converges to it: the joint lands within rounding of (0.4, 0.1, 0.1, 0.4), while the
  // 1-way marginals stay 0.5 (the target keeps them).
  boost::random::mt19937_64 rng(3);
  const EncodedTable sample = SampleRows(IndependentModelWithPair(0.006), 20000, rng);
  REQUIRE(sample.num_rows() == 20000);
  const std::vector<double> p = JointOf(sample);
  CHECK(p[0] == doctest::Approx(0.4).epsilon(0.02));
  CHECK(p[1] == doctest::Approx(0.1).epsilon(0.05));
  CHECK(p[3] == doctest::Approx(0.4).epsilon(0.02));
  CHECK(p[0] + p[1] == doctest::Approx(0.5).epsilon(0.01));
}

TEST_CASE("A measurement within its noise of the rows leaves them as they are") {
  // Noise 0.7 >= the 0.6 distance: lambda = 0, every weight stays 1, and the stratified
  // systematic draw of n rows from the pool of 4n keeps the pool's proportions: the joint is
  // the network's (independent, rounded sampling: each cell within a few rows of n / 4).
  boost::random::mt19937_64 rng(3);
  const std::size_t n = 20000;
  const EncodedTable sample = SampleRows(IndependentModelWithPair(0.7), n, rng);
  const std::vector<double> p = JointOf(sample);
  for (double cell : p) CHECK(std::abs(cell - 0.25) < 0.02);
}

TEST_CASE("Calibration keeps the row count, invents no value, and reproduces for a seed") {
  boost::random::mt19937_64 a(11), b(11);
  const EncodedTable x = SampleRows(IndependentModelWithPair(0.0), 777, a);
  const EncodedTable y = SampleRows(IndependentModelWithPair(0.0), 777, b);
  REQUIRE(x.num_rows() == 777);
  for (std::size_t r = 0; r < x.num_rows(); ++r) {
    CHECK(x.column(0).at(r) < 2);
    CHECK(x.column(0).at(r) == y.column(0).at(r));
    CHECK(x.column(1).at(r) == y.column(1).at(r));
  }
  boost::random::mt19937_64 c(1);
  CHECK(SampleRows(IndependentModelWithPair(0.0), 0, c).num_rows() == 0);
}

// x0 uniform, x1 <- x0 with P(x1 = x0) = 0.9, x2 uniform and independent. Two pair
// measurements far beyond their noise: x1 and x2 agree 90% of the time, yet x0 and x2 are
// independent. With x0 -> x1 that strong the two cannot both hold; raking to the pairs alone
// would loosen the family x0 -> x1 to meet them.
BayesNetModel FamilyAgainstPairs() {
  std::vector<AttributeDomain> attributes{{"x0", 2, false, std::nullopt},
                                          {"x1", 2, false, std::nullopt},
                                          {"x2", 2, false, std::nullopt}};
  std::vector<AttributeCompression> compression(3, IdentityCompression(2));
  for (AttributeCompression& c : compression) {
    c.pair_level_of_group = {0, 1};
    c.num_pair_levels = 2;
  }
  return BayesNetModel(attributes, nullptr, compression,
                       {{0, {}, {0.5, 0.5}}, {1, {0}, {0.9, 0.1, 0.1, 0.9}}, {2, {}, {0.5, 0.5}}},
                       1000, nullptr,
                       {{1, 2, {0.45, 0.05, 0.05, 0.45}, 0.001},
                        {0, 2, {0.25, 0.25, 0.25, 0.25}, 0.001}});
}

double ShareEqual(const EncodedTable& table, std::size_t a, std::size_t b) {
  std::size_t equal = 0;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    equal += table.column(a).at(r) == table.column(b).at(r) ? 1 : 0;
  }
  return static_cast<double>(equal) / static_cast<double>(table.num_rows());
}

TEST_CASE("Calibration holds the network's families and moves the rest towards the pairs") {
  // The families are held at the network's distribution (the pool's, before calibration), so
  // P(x1 = x0) stays 0.9 (within rounding of 20,000 rows), while x1 and x2, independent in
  // the network, become dependent as the first measurement says.
  boost::random::mt19937_64 rng(5);
  const EncodedTable sample = SampleRows(FamilyAgainstPairs(), 20000, rng);
  REQUIRE(sample.num_rows() == 20000);
  CHECK(ShareEqual(sample, 0, 1) == doctest::Approx(0.9).epsilon(0.01));
  CHECK(ShareEqual(sample, 1, 2) > 0.6);
}

TEST_CASE("The pool is four times the rows wanted, capped, and only with pair marginals") {
  CHECK(CalibrationPoolRows(FamilyAgainstPairs(), 1000) == 4000);
  CHECK(CalibrationPoolRows(FamilyAgainstPairs(), 400000) == kMaxCalibrationPoolRows);
  CHECK(CalibrationPoolRows(FamilyAgainstPairs(), 2000000) == 2000000);
  std::vector<AttributeDomain> attributes{{"x0", 2, false, std::nullopt}};
  const BayesNetModel no_pairs(attributes, nullptr, {IdentityCompression(2)},
                               {{0, {}, {0.5, 0.5}}}, 1000, nullptr);
  CHECK(CalibrationPoolRows(no_pairs, 1000) == 1000);
}

TEST_CASE("The rows are drawn from the pool stratified in network order") {
  // Equal weights (no pair marginal): drawing 1,000 of 4,000 rows along the rows sorted by the
  // root's code gives each root value its pool share within one row, which independent draws
  // would miss by about 14 rows (binomial standard deviation).
  std::vector<AttributeDomain> attributes{{"x0", 7, false, std::nullopt},
                                          {"x1", 3, false, std::nullopt}};
  const BayesNetModel model(attributes, nullptr, {IdentityCompression(7), IdentityCompression(3)},
                            {{0, {}, {0.3, 0.2, 0.15, 0.15, 0.1, 0.05, 0.05}},
                             {1, {}, {0.5, 0.3, 0.2}}},
                            4000, nullptr);
  boost::random::mt19937_64 rng(9);
  const EncodedTable pool = SampleRows(model, 4000, rng);
  const EncodedTable drawn = CalibrateToPairs(model, pool, 1000, rng);
  REQUIRE(drawn.num_rows() == 1000);
  std::vector<double> in_pool(7, 0), in_drawn(7, 0);
  for (std::size_t r = 0; r < pool.num_rows(); ++r) in_pool[pool.column(0).at(r)] += 1;
  for (std::size_t r = 0; r < drawn.num_rows(); ++r) in_drawn[drawn.column(0).at(r)] += 1;
  for (std::size_t v = 0; v < 7; ++v) CHECK(std::abs(in_drawn[v] - in_pool[v] / 4) < 1.0);
}

}  // namespace
}  // namespace privet::engine
