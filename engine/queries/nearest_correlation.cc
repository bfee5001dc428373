#include "engine/queries/nearest_correlation.h"

#include <algorithm>
#include <cmath>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

Eigen::MatrixXd ProjectPsd(const Eigen::MatrixXd& m, double floor) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(m);
  Eigen::VectorXd values = solver.eigenvalues().cwiseMax(floor);
  Eigen::MatrixXd out =
      solver.eigenvectors() * values.asDiagonal() * solver.eigenvectors().transpose();
  return (out + out.transpose()) / 2;
}

}  // namespace

NearestCorrelationResult NearestCorrelation(const Eigen::MatrixXd& a, double tolerance,
                                            int max_iterations, double min_eigenvalue) {
  if (a.rows() == 0 || a.rows() != a.cols()) {
    throw InputError("nearest correlation: a non-empty square matrix is required");
  }
  Eigen::MatrixXd clean = a.unaryExpr([](double v) { return std::isfinite(v) ? v : 0.0; });
  Eigen::MatrixXd y = (clean + clean.transpose()) / 2;
  y.diagonal().setOnes();
  Eigen::MatrixXd correction = Eigen::MatrixXd::Zero(a.rows(), a.cols());
  NearestCorrelationResult result;
  Eigen::MatrixXd x = y;
  for (result.iterations = 0; result.iterations < max_iterations; ++result.iterations) {
    const Eigen::MatrixXd r = y - correction;  // Dykstra: remove the last S-step correction
    x = ProjectPsd(r, 0.0);
    correction = x - r;
    Eigen::MatrixXd next = x;
    next.diagonal().setOnes();
    const double change = (next - y).norm() / std::max(1.0, next.norm());
    y = std::move(next);
    if (change < tolerance) {
      result.converged = true;
      break;
    }
  }
  // Make it exactly valid: PSD with a floor, then unit diagonal by congruence.
  Eigen::MatrixXd psd = ProjectPsd(y, std::max(0.0, min_eigenvalue));
  Eigen::VectorXd scale = psd.diagonal().cwiseMax(1e-300).cwiseSqrt().cwiseInverse();
  Eigen::MatrixXd out = scale.asDiagonal() * psd * scale.asDiagonal();
  out = (out + out.transpose()) / 2;
  out.diagonal().setOnes();
  out = out.cwiseMax(-1.0).cwiseMin(1.0);
  result.matrix = std::move(out);
  return result;
}

bool IsCorrelationMatrix(const Eigen::MatrixXd& m, double tol) {
  if (m.rows() != m.cols() || m.rows() == 0) return false;
  if (!m.allFinite()) return false;
  if ((m - m.transpose()).cwiseAbs().maxCoeff() > tol) return false;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    if (std::abs(m(i, i) - 1) > tol) return false;
  }
  if (m.cwiseAbs().maxCoeff() > 1 + tol) return false;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver((m + m.transpose()) / 2);
  return solver.eigenvalues().minCoeff() >= -tol;
}

}  // namespace privet::engine
