// Closed forms for the CONTINUOUS Gaussian mechanism.
//
// Balle & Wang 2018, "Improving the Gaussian Mechanism for Differential Privacy: Analytical
// Calibration and Optimal Denoising", Theorem 8: N(0, sigma^2) noise on a query of L2
// sensitivity Delta is (epsilon, delta)-DP iff
//   delta >= Phi(Delta/(2 sigma) - epsilon sigma/Delta) - e^epsilon Phi(-Delta/(2 sigma) - epsilon
//   sigma/Delta).
// With mu = Delta / sigma this is the mu-GDP curve of Dong, Roth, Su 2019 ("Gaussian
// Differential Privacy", Corollary 2.13), and mu-GDP composes exactly: k mechanisms that are
// mu_i-GDP compose to sqrt(sum mu_i^2)-GDP (their Corollary 3.3).
//
// privet's count noise is the DISCRETE Gaussian, whose curve is not this one (it is close
// for sigma >= 1, but neither dominates the other in general), so the accountant does not
// apply these formulas to gaussian events on their own: it takes the larger of this curve
// and the discrete one (privacy/pld/mechanism_plds.h). They are exposed for the known-answer
// vectors and as the exact answer for continuous Gaussian noise.
#ifndef PRIVET_PRIVACY_PLD_ANALYTIC_GAUSSIAN_H_
#define PRIVET_PRIVACY_PLD_ANALYTIC_GAUSSIAN_H_

#include <span>

namespace privet::privacy::pld {

// The mu-GDP hockey-stick curve delta(epsilon) (any real epsilon), mu = Delta / sigma > 0.
double GaussianDelta(double epsilon, double mu);
// The smallest epsilon >= 0 with GaussianDelta(epsilon, mu) <= delta (bisection to 1e-12
// relative, safe side). delta in (0, 1).
double GaussianEpsilon(double delta, double mu);
// The smallest sigma such that N(0, sigma^2) on sensitivity `sensitivity` is
// (epsilon, delta)-DP (bisection to 1e-12 relative, safe side).
double AnalyticGaussianSigma(double epsilon, double delta, double sensitivity);
// mu of the composition of Gaussian mechanisms with the given mu_i: sqrt(sum mu_i^2).
double ComposeGaussianMu(std::span<const double> mus);

}  // namespace privet::privacy::pld

#endif  // PRIVET_PRIVACY_PLD_ANALYTIC_GAUSSIAN_H_
