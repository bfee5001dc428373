// Privacy loss distributions of privet's mechanisms (dominating pairs, both directions).
//
//   pure(e), laplace(e)  randomized response RR(e): loss +e with probability e^e/(1+e^e),
//                        -e otherwise. RR(e) dominates every e-DP mechanism (Kairouz, Oh,
//                        Viswanath 2015, "The Composition Theorem for Differential Privacy"). For
//                        the discrete Laplace at sensitivity 1 it is exact: P = DLap(1/e), Q = P +
//                        1, L(x) = e(|x-1| - |x|) is +e for x <= 0 and -e for x >= 1, and P(X <= 0)
//                        = 1/(1 + e^-e). Sensitivity m: DiscreteLaplaceAtoms.
//   approx(e, d)         RR(e) with an atom d at +infinity and the rest scaled by 1 - d
//                        (Kairouz et al. 2015: the dominating pair of (e, d)-DP).
//   gaussian(s, 1)       the larger of the discrete Gaussian's exact curve (DiscreteGaussian
//                        Atoms; the shift of an integer vector of L2 norm <= 1 is one unit
//                        vector, so the vector query reduces to one coordinate) and the
//                        continuous Gaussian's (Balle & Wang 2018), so the event is covered
//                        whichever noise produced it. Other L2 sensitivities have no PLD here
//                        (an integer shift of norm m > 1 can spread over coordinates, and no
//                        single pair is known to dominate them all): RDP only.
//   exponential(e)       e-bounded range (Durfee & Rogers 2019). Dong, Durfee, Rogers 2020
//                        ("Optimal Differential Privacy Composition for Exponential
//                        Mechanisms"): the loss of an e-BR pair lies in [t - e, t] for some
//                        t in [0, e]. With Y = exp(-L) in [e^-t, e^(e-t)] and E_P[Y] <= 1,
//                        H_{e^x}(P||Q) = E_P[(1 - e^x Y)_+] is the mean of a convex function
//                        of Y, largest for Y on the two endpoints; maximising over t
//                        (at t = (e + x)/2) gives, for 0 <= x <= e,
//                            delta(x) = (e^(e/2) - e^(x/2))^2 / (e^e - 1),
//                        and 0 above e. The family is closed under swapping P and Q, so the
//                        connect-the-dots PLD of this curve dominates every e-BR mechanism,
//                        adaptively chosen ones included.
#ifndef PRIVET_PRIVACY_PLD_MECHANISM_PLDS_H_
#define PRIVET_PRIVACY_PLD_MECHANISM_PLDS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "privacy/pld/privacy_loss_distribution.h"
#include "privacy/privacy_event.h"

namespace privet::privacy::pld {

// Exact PLD atoms of RR(epsilon); the +infinity atom (delta) is the caller's.
std::vector<LossAtom> RandomizedResponseAtoms(double epsilon);

// Exact PLD of discrete Laplace noise of scale m/epsilon on an integer query of sensitivity m
// (P = DLap, Q = P + m, r = exp(-epsilon/m)): loss epsilon (1 - 2j/m) for x = j in 0..m,
// with P(x <= 0) = 1/(1+r), P(x = j) = (1-r) r^j / (1+r) for 0 < j < m, P(x >= m) = r^m/(1+r).
// m = 1 gives RR(epsilon). Derivation in docs/privacy.md.
std::vector<LossAtom> DiscreteLaplaceAtoms(double epsilon, std::uint32_t sensitivity);

// Exact PLD of the discrete Gaussian N_Z(0, sigma^2) against its shift by an integer
// sensitivity (as dp_accounting's DiscreteGaussianPrivacyLoss, which truncates the noise):
// loss (Delta^2 - 2 Delta x) / (2 sigma^2) with probability exp(-x^2/(2 sigma^2)) / Z for
// |x| <= T, T = ceil(11.8 sigma). The tail x > T (smaller losses) is added to the atom at T
// (a larger loss), the tail x < -T to `infinity_mass`; both tails are summed term by term.
struct DiscreteGaussianLoss {
  std::vector<LossAtom> atoms;
  double infinity_mass = 0;
};
DiscreteGaussianLoss DiscreteGaussianAtoms(double sigma, std::uint32_t sensitivity);

// delta(x) of one epsilon-BR mechanism (formula above), x >= 0.
double BoundedRangeDelta(double epsilon, double x);

// The discretised dominating PLD of one event on the grid `interval`, or nullopt when the
// event kind/parameters have none here (see above).
std::optional<DiscretePld> EventPld(const PrivacyEvent& event, double interval);

}  // namespace privet::privacy::pld

#endif  // PRIVET_PRIVACY_PLD_MECHANISM_PLDS_H_
