#include "privacy/privacy_event.h"

#include <cmath>
#include <utility>

#include "privacy/errors.h"
#include "privacy/format_number.h"

namespace privet::privacy {
namespace {

void RequirePositiveFinite(double value, const char* mechanism, const char* field) {
  if (!std::isfinite(value) || value <= 0) {
    throw InputError(std::string(mechanism) + " event: " + field +
                     " must be a finite number > 0 (got " + FormatNumber(value) + ")");
  }
}

void RequireDelta(double value, const char* mechanism) {
  if (!std::isfinite(value) || value < 0 || value >= 1) {
    throw InputError(std::string(mechanism) + " event: delta must be in [0, 1) (got " +
                     FormatNumber(value) + ")");
  }
}

double NumberField(const nlohmann::json& json, const char* field, const std::string& kind) {
  const auto it = json.find(field);
  if (it == json.end() || !it->is_number()) {
    throw InputError("privacy event \"" + kind + "\": missing numeric field \"" + field + "\"");
  }
  return it->get<double>();
}

}  // namespace

std::string MechanismKindName(MechanismKind kind) {
  switch (kind) {
    case MechanismKind::kLaplace:
      return "laplace";
    case MechanismKind::kGaussian:
      return "gaussian";
    case MechanismKind::kExponential:
      return "exponential";
    case MechanismKind::kPure:
      return "pure";
    case MechanismKind::kApprox:
      return "approx";
  }
  return "unknown";
}

PrivacyEvent PrivacyEvent::Laplace(double epsilon, std::string query) {
  RequirePositiveFinite(epsilon, "laplace", "epsilon");
  PrivacyEvent event;
  event.kind = MechanismKind::kLaplace;
  event.epsilon = epsilon;
  event.query = std::move(query);
  return event;
}

PrivacyEvent PrivacyEvent::Gaussian(double sigma, double l2_sensitivity, std::string query) {
  RequirePositiveFinite(sigma, "gaussian", "sigma");
  RequirePositiveFinite(l2_sensitivity, "gaussian", "l2_sensitivity");
  PrivacyEvent event;
  event.kind = MechanismKind::kGaussian;
  event.sigma = sigma;
  event.l2_sensitivity = l2_sensitivity;
  event.query = std::move(query);
  return event;
}

PrivacyEvent PrivacyEvent::Exponential(double epsilon, std::string query) {
  RequirePositiveFinite(epsilon, "exponential", "epsilon");
  PrivacyEvent event;
  event.kind = MechanismKind::kExponential;
  event.epsilon = epsilon;
  event.query = std::move(query);
  return event;
}

PrivacyEvent PrivacyEvent::Pure(double epsilon, std::string query) {
  RequirePositiveFinite(epsilon, "pure", "epsilon");
  PrivacyEvent event;
  event.kind = MechanismKind::kPure;
  event.epsilon = epsilon;
  event.query = std::move(query);
  return event;
}

PrivacyEvent PrivacyEvent::Approx(double epsilon, double delta, std::string query) {
  RequirePositiveFinite(epsilon, "approx", "epsilon");
  RequireDelta(delta, "approx");
  PrivacyEvent event;
  event.kind = MechanismKind::kApprox;
  event.epsilon = epsilon;
  event.delta = delta;
  event.query = std::move(query);
  return event;
}

double PrivacyEvent::Rho() const {
  if (kind != MechanismKind::kGaussian) return 0.0;
  return l2_sensitivity * l2_sensitivity / (2.0 * sigma * sigma);
}

nlohmann::json PrivacyEvent::ToJson() const {
  nlohmann::json json = {{"mechanism", MechanismKindName(kind)}};
  switch (kind) {
    case MechanismKind::kGaussian:
      json["sigma"] = sigma;
      json["l2_sensitivity"] = l2_sensitivity;
      break;
    case MechanismKind::kApprox:
      json["epsilon"] = epsilon;
      json["delta"] = delta;
      break;
    default:
      json["epsilon"] = epsilon;
  }
  if (!query.empty()) json["query"] = query;
  return json;
}

PrivacyEvent PrivacyEvent::FromJson(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("mechanism") || !json["mechanism"].is_string()) {
    throw InputError("privacy event: expected an object with a \"mechanism\" string");
  }
  const std::string kind = json["mechanism"].get<std::string>();
  std::string query;
  if (const auto it = json.find("query"); it != json.end()) {
    if (!it->is_string()) throw InputError("privacy event: \"query\" must be a string");
    query = it->get<std::string>();
  }
  if (kind == "laplace") return Laplace(NumberField(json, "epsilon", kind), query);
  if (kind == "exponential") return Exponential(NumberField(json, "epsilon", kind), query);
  if (kind == "pure") return Pure(NumberField(json, "epsilon", kind), query);
  if (kind == "gaussian") {
    return Gaussian(NumberField(json, "sigma", kind), NumberField(json, "l2_sensitivity", kind),
                    query);
  }
  if (kind == "approx") {
    return Approx(NumberField(json, "epsilon", kind), NumberField(json, "delta", kind), query);
  }
  throw InputError("privacy event: unknown mechanism \"" + kind +
                   "\" (expected laplace, gaussian, exponential, pure or approx)");
}

std::string PrivacyEvent::Describe() const {
  std::string text = MechanismKindName(kind) + "(";
  switch (kind) {
    case MechanismKind::kGaussian:
      text += "sigma=" + FormatNumber(sigma) + ", l2=" + FormatNumber(l2_sensitivity);
      break;
    case MechanismKind::kApprox:
      text += "epsilon=" + FormatNumber(epsilon) + ", delta=" + FormatNumber(delta);
      break;
    default:
      text += "epsilon=" + FormatNumber(epsilon);
  }
  text += ")";
  if (!query.empty()) text += " " + query;
  return text;
}

}  // namespace privet::privacy
