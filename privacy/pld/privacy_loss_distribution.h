// Discretised privacy loss distributions (PLDs): construction with pessimistic ("connect the
// dots") discretisation, composition by FFT, and conversion to (epsilon, delta).
//
// Background (Sommer, Meiser, Mohammadi 2019; Koskela, Jalko, Honkela 2020): for a pair of
// output distributions (P, Q) of a mechanism on neighbouring inputs, the privacy loss
// L = log(P(o)/Q(o)), o ~ P, has distribution omega (with an atom at +infinity for outputs Q
// cannot produce), and the hockey-stick divergence is
//   delta(epsilon) = E_omega[(1 - exp(epsilon - L))_+]      (+infinity contributes 1).
// Composition of mechanisms convolves their PLDs (adaptively too, for dominating pairs:
// Zhu, Dong, Wang 2022, "Optimal Accounting of Differential Privacy via Characteristic
// Function", composition of dominating pairs).
//
// Soundness in one order. For finite non-negative measures mu, nu on R u {+inf} write
// mu >= nu when H_mu(epsilon) >= H_nu(epsilon) for every real epsilon, with
// H_mu(epsilon) = integral of f_epsilon d mu, f_epsilon(l) = (1 - exp(epsilon - l))_+.
//  (a) Convolution preserves it: H_{mu*nu}(epsilon) = integral H_mu(epsilon - y) d nu(y), so
//      mu >= mu' implies mu*nu >= mu'*nu, and symmetrically in nu.
//  (b) Every step below replaces a measure by one that is >= it: "connect the dots"
//      (Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022, "Connect the Dots: Tighter Discrete
//      Approximations of Privacy Loss Distributions": the hockey-stick curve, as a function of x =
//      exp(epsilon), is convex, and the measure built from its chords between grid points has that
//      piecewise-linear curve, which lies above it); moving mass to a larger loss, or to +infinity
//      (f_epsilon is non-decreasing and at most 1); and adding a mass E at +infinity that bounds
//      the L1 error of a floating-point FFT (H changes by at most the L1 norm of the change).
// So the delta computed from the final measure bounds the true composition's delta at every
// epsilon. Each PLD here is a measure of that kind: not necessarily of total mass exactly 1.
#ifndef PRIVET_PRIVACY_PLD_PRIVACY_LOSS_DISTRIBUTION_H_
#define PRIVET_PRIVACY_PLD_PRIVACY_LOSS_DISTRIBUTION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace privet::privacy::pld {

// A finite non-negative measure on the grid {interval * i : i in [offset, offset + n)}
// plus an atom at +infinity. Losses are in nats.
struct DiscretePld {
  double interval = 0;  // grid spacing h > 0
  std::int64_t offset = 0;
  std::vector<double> masses;
  double infinity_mass = 0;

  double LossAt(std::size_t i) const {
    return interval * static_cast<double>(offset + static_cast<std::int64_t>(i));
  }
  // H(epsilon) = sum_i masses[i] (1 - exp(epsilon - loss_i))_+ + infinity_mass.
  double Delta(double epsilon) const;
  // The smallest epsilon >= 0 with Delta(epsilon) <= delta (to 1e-12 relative, rounded up);
  // +infinity when infinity_mass >= delta. delta in (0, 1).
  double EpsilonForDelta(double delta) const;
};

// One atom of an exact discrete PLD: a loss value (finite) and its probability under P.
struct LossAtom {
  double loss = 0;
  double probability = 0;
};

// The connect-the-dots discretisation of an exact discrete PLD (Doroshenko et al. 2022): an atom of
// mass p at loss l with l_j <= l < l_j + h splits into p_hi = p (1 - exp(-(l - l_j))) / (1 -
// exp(-h)) at l_j + h and p - p_hi at l_j, which keeps both E_P[1] and E_P[exp(-L)] = Q-mass and
// gives the chord of the atom's curve between the grid points. `infinity_mass` is added to the atom
// at +infinity as is.
DiscretePld DiscretiseAtoms(std::span<const LossAtom> atoms, double infinity_mass, double interval);

// The connect-the-dots PLD of a family of pairs that is closed under swapping P and Q, given
// an upper bound delta_up(epsilon) >= sup over the family of H_{e^epsilon}(P||Q) for
// 0 <= epsilon <= epsilon_max; beyond epsilon_max the value there becomes the atom at
// +infinity (H is non-increasing, so that bounds the rest). For epsilon < 0 the swap identity
// H_{e^e}(P||Q) = 1 - e^e + e^e H_{e^-e}(Q||P) gives the bound. The points
// (exp(j h), bound) on the grid |j h| <= epsilon_max (plus (0, 1), as H_0 = 1) are made
// non-increasing and replaced by their greatest convex minorant, which is still >= the true
// (convex) curve; the PLD is read off the slopes (Doroshenko et al. 2022).
DiscretePld DiscretiseSymmetricCurve(const std::function<double(double)>& delta_up,
                                     double epsilon_max, double interval);

struct PldGroup {
  const DiscretePld* pld = nullptr;
  std::uint64_t count = 0;
};

struct CompositionLimits {
  // Upper bound on the measure's mass that may lie outside the FFT window on each side
  // (Chernoff bounds); it is added to +infinity. Default: negligible against delta >= 1e-12.
  double tail_mass = 1e-16;
  // Largest FFT size; beyond it the composition is refused (nullopt).
  std::size_t max_size = std::size_t{1} << 21;
  // Largest groups * size * log2(size) (the work, ~10 ns a unit on the loaded bench VM);
  // beyond it the composition is refused (nullopt), so a charge never waits seconds for a
  // bound the RDP accountant already gives. 2^26 is under 1 s; bench/pld_bench's
  // 10,000-event history (229 groups, 2^14 points) is 5.6e7.
  double max_work = 0x1p26;
};

// The composition of `count` copies of every group's PLD (all on the same grid interval),
// computed in the Fourier domain with one FFT per group: each transform is raised to its
// count (repeated squaring collapsed into exp(count * log z)), the transforms are multiplied
// and transformed back. The window [L, U] is chosen by Chernoff bounds
// P(sum > U) <= exp(-tU) prod M_g(t)^count, so the mass the cyclic convolution folds into it
// from outside is bounded; that bound and a bound on the FFT's roundoff (Higham Thm 24.2,
// carried through the powers and products coefficient by coefficient) are added to the
// atom at +infinity. nullopt when the window needs more than `max_size` points or the work
// exceeds `max_work`.
std::optional<DiscretePld> Compose(std::span<const PldGroup> groups,
                                   const CompositionLimits& limits = {});

}  // namespace privet::privacy::pld

#endif  // PRIVET_PRIVACY_PLD_PRIVACY_LOSS_DISTRIBUTION_H_
