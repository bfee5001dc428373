#include "engine/queries/nearest_correlation.h"

#include <doctest/doctest.h>

#include <random>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

TEST_CASE("Higham 2002 Section 4 example: nearest correlation to [[1,1,0],[1,1,1],[0,1,1]]") {
  Eigen::MatrixXd a(3, 3);
  a << 1, 1, 0, 1, 1, 1, 0, 1, 1;
  const NearestCorrelationResult result = NearestCorrelation(a);
  CHECK(result.converged);
  // Published answer (Higham 2002, p. 343): off-diagonals 0.7607, 0.1573, 0.7607.
  CHECK(result.matrix(0, 1) == doctest::Approx(0.7607).epsilon(1e-3));
  CHECK(result.matrix(0, 2) == doctest::Approx(0.1573).epsilon(1e-3));
  CHECK(result.matrix(1, 2) == doctest::Approx(0.7607).epsilon(1e-3));
  CHECK(IsCorrelationMatrix(result.matrix));
}

TEST_CASE("Any symmetric noise becomes a valid correlation matrix") {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0, 3);
  for (int rep = 0; rep < 50; ++rep) {
    const int p = 2 + rep % 9;
    Eigen::MatrixXd a(p, p);
    for (int i = 0; i < p; ++i) {
      for (int j = 0; j < p; ++j) a(i, j) = normal(rng);
    }
    CHECK(IsCorrelationMatrix(NearestCorrelation(a).matrix));
  }
  Eigen::MatrixXd with_nan = Eigen::MatrixXd::Constant(3, 3, NAN);
  CHECK(IsCorrelationMatrix(NearestCorrelation(with_nan).matrix));
}

TEST_CASE("A valid correlation matrix is left (nearly) unchanged; bad shapes are rejected") {
  Eigen::MatrixXd c(2, 2);
  c << 1, 0.3, 0.3, 1;
  CHECK((NearestCorrelation(c).matrix - c).cwiseAbs().maxCoeff() < 1e-9);
  CHECK_THROWS_AS(NearestCorrelation(Eigen::MatrixXd(2, 3)), InputError);
  CHECK_THROWS_AS(NearestCorrelation(Eigen::MatrixXd(0, 0)), InputError);
}

}  // namespace
}  // namespace privet::engine
