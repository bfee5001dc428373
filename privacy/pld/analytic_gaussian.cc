#include "privacy/pld/analytic_gaussian.h"

#include <cmath>
#include <numbers>

#include "privacy/errors.h"

namespace privet::privacy::pld {
namespace {

// Phi(x) = erfc(-x / sqrt 2) / 2, accurate in both tails.
double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

void RequireMu(double mu) {
  if (!std::isfinite(mu) || mu <= 0) throw InputError("gaussian: mu must be a finite number > 0");
}

void RequireDelta(double delta) {
  if (!(delta > 0 && delta < 1)) throw InputError("gaussian: delta must be in (0, 1)");
}

}  // namespace

double GaussianDelta(double epsilon, double mu) {
  RequireMu(mu);
  const double a = -epsilon / mu + mu / 2;
  // e^epsilon Phi(a - mu), in logs so that a large epsilon does not overflow.
  const double second = NormalCdf(a - mu);
  const double scaled = second == 0 ? 0.0 : std::exp(epsilon + std::log(second));
  return std::max(0.0, NormalCdf(a) - scaled);
}

double GaussianEpsilon(double delta, double mu) {
  RequireMu(mu);
  RequireDelta(delta);
  if (GaussianDelta(0, mu) <= delta) return 0.0;
  double low = 0;
  double high = 1;
  while (GaussianDelta(high, mu) > delta) high *= 2;
  while (high - low > 1e-12 * high) {
    const double middle = (low + high) / 2;
    (GaussianDelta(middle, mu) > delta ? low : high) = middle;
  }
  return high;
}

double AnalyticGaussianSigma(double epsilon, double delta, double sensitivity) {
  if (!std::isfinite(epsilon) || epsilon <= 0) {
    throw InputError("gaussian: epsilon must be a finite number > 0");
  }
  RequireDelta(delta);
  if (!std::isfinite(sensitivity) || sensitivity <= 0) {
    throw InputError("gaussian: sensitivity must be a finite number > 0");
  }
  // delta(epsilon) grows with mu = sensitivity / sigma: bisect on sigma.
  double low = sensitivity;
  double high = sensitivity;
  while (GaussianDelta(epsilon, sensitivity / high) > delta) high *= 2;
  while (GaussianDelta(epsilon, sensitivity / low) <= delta) low /= 2;
  while (high - low > 1e-12 * high) {
    const double middle = (low + high) / 2;
    (GaussianDelta(epsilon, sensitivity / middle) > delta ? low : high) = middle;
  }
  return high;
}

double ComposeGaussianMu(std::span<const double> mus) {
  double sum = 0;
  for (double mu : mus) {
    RequireMu(mu);
    sum += mu * mu;
  }
  return std::sqrt(sum);
}

}  // namespace privet::privacy::pld
