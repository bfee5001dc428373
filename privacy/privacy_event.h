// One invocation of a privacy mechanism, with exactly the parameters that determine its
// privacy loss. The accountant composes lists of these; the ledger stores them (as JSON)
// with every charge; attestations list them.
//
// Kinds and what each guarantees (all under the same neighbouring relation: add or remove
// one privacy unit, see docs/privacy.md):
//   laplace(epsilon)        discrete Laplace noise of scale Delta_1/epsilon on an integer
//                           query of L1 sensitivity Delta_1: epsilon-DP (geometric
//                           mechanism, Ghosh-Roughgarden-Sundararajan 2009). Accounted with
//                           the exact RDP curve of the DISCRETE Laplace (see accountant.h).
//   gaussian(sigma, l2)     Gaussian (discrete or continuous) noise of parameter sigma on a
//                           query of L2 sensitivity l2: (l2^2 / (2 sigma^2))-zCDP
//                           (Bun-Steinke 2016 Prop. 1.6; CKS 2020 Thm 4 for the discrete one).
//   exponential(epsilon)    exponential mechanism with weights exp(epsilon*u/(2*Delta_u)):
//                           epsilon-DP and epsilon-bounded-range (McSherry-Talwar 2007;
//                           Durfee-Rogers 2019), so (epsilon^2/8)-zCDP (Cesar-Rogers 2021).
//   pure(epsilon)           any epsilon-DP mechanism: (epsilon^2/2)-zCDP (Bun-Steinke 2016
//                           Prop. 1.4) and epsilon-DP.
//   approx(epsilon, delta)  any (epsilon, delta)-DP mechanism; composed by basic composition.
#ifndef PRIVET_PRIVACY_PRIVACY_EVENT_H_
#define PRIVET_PRIVACY_PRIVACY_EVENT_H_

#include <nlohmann/json.hpp>
#include <string>

namespace privet::privacy {

enum class MechanismKind { kLaplace, kGaussian, kExponential, kPure, kApprox };

// "laplace", "gaussian", "exponential", "pure", "approx" (the JSON spelling).
std::string MechanismKindName(MechanismKind kind);

struct PrivacyEvent {
  MechanismKind kind = MechanismKind::kPure;
  // laplace, exponential, pure, approx: the epsilon of the invocation. 0 for gaussian.
  double epsilon = 0.0;
  // approx only: its delta. 0 otherwise.
  double delta = 0.0;
  // gaussian only: noise parameter sigma (absolute, same units as the query) and the L2
  // sensitivity of the query it was added to. 0 otherwise.
  double sigma = 0.0;
  double l2_sensitivity = 0.0;
  // Free text naming the query (e.g. "marginal(age,sex)"); no private values. Optional.
  std::string query;

  // Factories: each checks its parameters where they enter and throws InputError naming
  // the field unless epsilon > 0 finite, sigma > 0 finite, l2_sensitivity > 0 finite,
  // delta in [0, 1).
  static PrivacyEvent Laplace(double epsilon, std::string query = "");
  static PrivacyEvent Gaussian(double sigma, double l2_sensitivity, std::string query = "");
  static PrivacyEvent Exponential(double epsilon, std::string query = "");
  static PrivacyEvent Pure(double epsilon, std::string query = "");
  static PrivacyEvent Approx(double epsilon, double delta, std::string query = "");

  // zCDP rho of a gaussian event, l2^2 / (2 sigma^2). 0 for other kinds.
  double Rho() const;

  // {"mechanism":"gaussian","sigma":..,"l2_sensitivity":..[,"query":..]}; only the fields
  // of the kind are written. FromJson validates like the factories (InputError).
  nlohmann::json ToJson() const;
  static PrivacyEvent FromJson(const nlohmann::json& json);

  // One line for humans, e.g. "gaussian(sigma=4.5, l2=1) marginal(age,sex)".
  std::string Describe() const;

  bool operator==(const PrivacyEvent&) const = default;
};

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_PRIVACY_EVENT_H_
