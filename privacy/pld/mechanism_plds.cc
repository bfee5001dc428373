#include "privacy/pld/mechanism_plds.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "privacy/errors.h"
#include "privacy/pld/analytic_gaussian.h"

namespace privet::privacy::pld {
namespace {

// Largest grid (points per side) an event's curve may use; beyond, no PLD (RDP only).
constexpr double kMaxCurvePoints = 1 << 20;

// H(epsilon) of an exact discrete PLD for epsilon >= 0: infinity + S0 - e^epsilon S1 over
// the atoms with loss > epsilon (suffix sums over the atoms sorted by loss).
class AtomCurve {
 public:
  AtomCurve(std::vector<LossAtom> atoms, double infinity_mass)
      : atoms_(std::move(atoms)), infinity_mass_(infinity_mass) {
    std::sort(atoms_.begin(), atoms_.end(),
              [](const LossAtom& a, const LossAtom& b) { return a.loss < b.loss; });
    suffix0_.assign(atoms_.size() + 1, 0.0);
    suffix1_.assign(atoms_.size() + 1, 0.0);
    for (std::size_t i = atoms_.size(); i-- > 0;) {
      suffix0_[i] = suffix0_[i + 1] + atoms_[i].probability;
      // Only used for positive losses (epsilon >= 0), where exp(-loss) <= 1.
      suffix1_[i] = suffix1_[i + 1] +
                    (atoms_[i].loss > 0 ? atoms_[i].probability * std::exp(-atoms_[i].loss) : 0);
    }
  }
  double operator()(double epsilon) const {
    const auto first = static_cast<std::size_t>(
        std::upper_bound(atoms_.begin(), atoms_.end(), epsilon,
                         [](double e, const LossAtom& a) { return e < a.loss; }) -
        atoms_.begin());
    return infinity_mass_ + std::max(0.0, suffix0_[first] - std::exp(epsilon) * suffix1_[first]);
  }
  // The smallest loss above which the atoms' mass is below `mass`.
  double LossWithTailBelow(double mass) const {
    for (std::size_t i = 0; i < atoms_.size(); ++i) {
      if (suffix0_[i] < mass) return i == 0 ? atoms_[0].loss : atoms_[i - 1].loss;
    }
    return atoms_.empty() ? 0.0 : atoms_.back().loss;
  }

 private:
  std::vector<LossAtom> atoms_;
  double infinity_mass_;
  std::vector<double> suffix0_;
  std::vector<double> suffix1_;
};

void RequireEpsilon(double epsilon) {
  if (!std::isfinite(epsilon) || epsilon <= 0) {
    throw InputError("pld: epsilon must be a finite number > 0");
  }
}

}  // namespace

std::vector<LossAtom> RandomizedResponseAtoms(double epsilon) {
  return DiscreteLaplaceAtoms(epsilon, 1);
}

std::vector<LossAtom> DiscreteLaplaceAtoms(double epsilon, std::uint32_t sensitivity) {
  RequireEpsilon(epsilon);
  if (sensitivity == 0) throw InputError("pld: sensitivity must be >= 1");
  const double m = sensitivity;
  const double r = std::exp(-epsilon / m);
  std::vector<LossAtom> atoms;
  atoms.push_back({epsilon, 1.0 / (1.0 + r)});  // x <= 0
  for (std::uint32_t j = 1; j < sensitivity; ++j) {
    atoms.push_back({epsilon * (1.0 - 2.0 * j / m),
                     -std::expm1(-epsilon / m) / (1.0 + r) * std::exp(-epsilon * j / m)});
  }
  atoms.push_back({-epsilon, std::exp(-epsilon) / (1.0 + r)});  // x >= m: r^m = e^-epsilon
  return atoms;
}

DiscreteGaussianLoss DiscreteGaussianAtoms(double sigma, std::uint32_t sensitivity) {
  if (!std::isfinite(sigma) || sigma <= 0) throw InputError("pld: sigma must be > 0");
  if (sensitivity == 0) throw InputError("pld: sensitivity must be >= 1");
  const double two_sigma2 = 2 * sigma * sigma;
  const double delta = sensitivity;
  const auto truncation = static_cast<std::int64_t>(std::ceil(11.8 * sigma));
  const auto weight = [two_sigma2](std::int64_t x) {
    const double xd = static_cast<double>(x);
    return std::exp(-xd * xd / two_sigma2);
  };
  // One tail, x > T, term by term until the terms vanish (they fall faster than geometric).
  double tail = 0;
  for (std::int64_t x = truncation + 1;; ++x) {
    const double w = weight(x);
    tail += w;
    if (w < 1e-300 || w < tail * 1e-18) break;
  }
  double normaliser = 2 * tail;
  for (std::int64_t x = -truncation; x <= truncation; ++x) normaliser += weight(x);
  DiscreteGaussianLoss loss;
  loss.atoms.reserve(static_cast<std::size_t>(2 * truncation + 1));
  for (std::int64_t x = -truncation; x <= truncation; ++x) {
    const double xd = static_cast<double>(x);
    double p = weight(x) / normaliser;
    if (x == truncation) p += tail / normaliser;  // smaller losses moved up to the atom at T
    loss.atoms.push_back({(delta * delta - 2 * delta * xd) / two_sigma2, p});
  }
  // x < -T has the larger losses: +infinity. A relative margin covers the term-by-term sum.
  loss.infinity_mass = tail / normaliser * (1 + 1e-12) + 1e-300;
  return loss;
}

double BoundedRangeDelta(double epsilon, double x) {
  RequireEpsilon(epsilon);
  if (x >= epsilon) return 0.0;
  if (x < 0) throw InputError("pld: bounded-range delta is defined here for x >= 0");
  const double difference = std::exp(epsilon / 2) - std::exp(x / 2);
  return difference * difference / std::expm1(epsilon);
}

std::optional<DiscretePld> EventPld(const PrivacyEvent& event, double interval) {
  switch (event.kind) {
    case MechanismKind::kLaplace:
    case MechanismKind::kPure:
      return DiscretiseAtoms(RandomizedResponseAtoms(event.epsilon), 0.0, interval);
    case MechanismKind::kApprox: {
      std::vector<LossAtom> atoms = RandomizedResponseAtoms(event.epsilon);
      for (LossAtom& atom : atoms) atom.probability *= 1 - event.delta;
      return DiscretiseAtoms(atoms, event.delta, interval);
    }
    case MechanismKind::kExponential: {
      if (event.epsilon / interval > kMaxCurvePoints) return std::nullopt;
      const double epsilon = event.epsilon;
      return DiscretiseSymmetricCurve([epsilon](double x) { return BoundedRangeDelta(epsilon, x); },
                                      epsilon, interval);
    }
    case MechanismKind::kGaussian: {
      if (event.l2_sensitivity != 1.0) return std::nullopt;
      const DiscreteGaussianLoss discrete = DiscreteGaussianAtoms(event.sigma, 1);
      const AtomCurve curve(discrete.atoms, discrete.infinity_mass);
      const double mu = 1.0 / event.sigma;
      // Range: where both curves are below 1e-30 (the continuous loss is N(mu^2/2, mu^2):
      // 11.8 standard deviations), the rest going to +infinity.
      const double range =
          std::max({curve.LossWithTailBelow(1e-30), mu * mu / 2 + 11.8 * mu, interval});
      if (range / interval > kMaxCurvePoints) return std::nullopt;
      return DiscretiseSymmetricCurve(
          [&curve, mu](double x) { return std::max(curve(x), GaussianDelta(x, mu)); }, range,
          interval);
    }
  }
  return std::nullopt;
}

}  // namespace privet::privacy::pld
