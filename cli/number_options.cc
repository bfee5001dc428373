#include "cli/number_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "privacy/errors.h"

namespace privet::cli {

double ParseDecimal(const std::string& option, const std::string& text) {
  static const std::regex kDecimal(R"([+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)");
  if (!std::regex_match(text, kDecimal)) {
    throw InputError(option + ": \"" + text +
                     "\" is not a number (write a plain decimal such as 0.5 or 1e-6)");
  }
  errno = 0;
  const double value = std::strtod(text.c_str(), nullptr);
  if (errno == ERANGE) throw InputError(option + ": \"" + text + "\" is out of range");
  return value;
}

double ParseEpsilon(const std::string& option, const std::string& text) {
  const double value = ParseDecimal(option, text);
  if (!std::isfinite(value) || value <= 0) {
    throw InputError(option + " must be a finite number > 0 (got " + text + ")");
  }
  return value;
}

double ParseDelta(const std::string& option, const std::string& text) {
  const double value = ParseDecimal(option, text);
  if (!std::isfinite(value) || value < 0 || value >= 1) {
    throw InputError(option + " must be in [0, 1) (got " + text +
                     "); use 0 for pure differential privacy");
  }
  return value;
}

privacy::Budget ParseBudget(const std::string& epsilon, const std::string& delta,
                            const std::string& per_release_epsilon) {
  privacy::Budget budget;
  budget.epsilon = ParseEpsilon("--epsilon", epsilon);
  budget.delta = ParseDelta("--delta", delta);
  if (!per_release_epsilon.empty()) {
    budget.per_release_epsilon = ParseEpsilon("--per-release-epsilon", per_release_epsilon);
    if (*budget.per_release_epsilon > budget.epsilon) {
      throw InputError("--per-release-epsilon " + per_release_epsilon +
                       " exceeds the total --epsilon " + epsilon);
    }
  }
  return budget;
}

std::string DefaultOwner() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

}  // namespace privet::cli
