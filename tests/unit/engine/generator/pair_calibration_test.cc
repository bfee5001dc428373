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
  // Noise 0.7 >= the 0.6 distance: lambda = 0, every weight stays 1, and the systematic
  // resampling of equal weights keeps each row exactly once: the joint is the network's
  // (independent, rounded sampling: each cell within a row or two of n / 4).
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

}  // namespace
}  // namespace privet::engine
