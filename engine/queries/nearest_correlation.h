// The nearest correlation matrix (Higham, "Computing the nearest correlation matrix - a
// problem from finance", IMA J. Numer. Anal. 22, 2002, Algorithm 3.3): alternating projections
// onto the positive semidefinite cone S and the unit-diagonal matrices U, with Dykstra's
// correction on the S step, in the Frobenius norm.
//
// privet uses it to post-process a noisy correlation estimate (engine/queries/correlation_query.h)
// into a valid correlation matrix: symmetric, unit diagonal, positive semidefinite.
#ifndef PRIVET_ENGINE_QUERIES_NEAREST_CORRELATION_H_
#define PRIVET_ENGINE_QUERIES_NEAREST_CORRELATION_H_

#include <Eigen/Dense>

namespace privet::engine {

struct NearestCorrelationResult {
  Eigen::MatrixXd matrix;
  int iterations = 0;
  bool converged = false;  // relative change below tolerance within max_iterations
};

// The nearest correlation matrix to the symmetric part of `a` (square; non-finite entries are
// treated as 0). Whatever the convergence, the result is made exactly valid at the end: its
// eigenvalues are floored at min_eigenvalue (>= 0) and it is rescaled to unit diagonal by
// D^-1/2 X D^-1/2, which keeps it positive semidefinite. Throws InputError if `a` is not
// square or empty.
NearestCorrelationResult NearestCorrelation(const Eigen::MatrixXd& a, double tolerance = 1e-10,
                                            int max_iterations = 1000,
                                            double min_eigenvalue = 1e-12);

// True when m is symmetric (within tol), has unit diagonal (within tol), entries in [-1, 1]
// and smallest eigenvalue >= -tol.
bool IsCorrelationMatrix(const Eigen::MatrixXd& m, double tol = 1e-9);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_QUERIES_NEAREST_CORRELATION_H_
