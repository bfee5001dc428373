#include <algorithm>
#include <cmath>
#include <utility>

#include "privacy/errors.h"
#include "privacy/format_number.h"
#include "privacy/ledger/validation_internal.h"

namespace privet::privacy::internal {

void ValidateDatasetId(const std::string& id) {
  const bool valid_chars = std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
  if (id.empty() || id.size() > 128 || !valid_chars) {
    throw InputError("dataset id \"" + id +
                     "\" is invalid: use 1-128 characters from A-Z a-z 0-9 _ . -");
  }
}

void ValidateBudget(const Budget& budget) {
  if (!std::isfinite(budget.epsilon) || budget.epsilon <= 0) {
    throw InputError("budget epsilon must be a finite number > 0 (got " +
                     FormatNumber(budget.epsilon, 6) + ")");
  }
  if (!std::isfinite(budget.delta) || budget.delta < 0 || budget.delta >= 1) {
    throw InputError("budget delta must be in [0, 1) (got " + FormatNumber(budget.delta, 6) + ")");
  }
  if (budget.per_release_epsilon) {
    const double cap = *budget.per_release_epsilon;
    if (!std::isfinite(cap) || cap <= 0) {
      throw InputError("per-release epsilon must be a finite number > 0 (got " +
                       FormatNumber(cap, 6) + ")");
    }
  }
}

void ValidateRegistration(const Registration& registration) {
  const std::pair<const char*, const std::string*> required[] = {
      {"config_path", &registration.config_path},
      {"config_sha256", &registration.config_sha256},
      {"data_source", &registration.data_source},
      {"data_commitment", &registration.data_commitment},
      {"unit_column", &registration.unit_column}};
  for (const auto& [name, value] : required) {
    if (value->empty()) throw InputError(std::string("registration: ") + name + " is empty");
  }
  if (registration.max_rows_per_unit < 1) {
    throw InputError("registration: max_rows_per_unit must be at least 1");
  }
  if (registration.max_failures < 1) {
    throw InputError("registration: the failed-request limit must be at least 1");
  }
}

}  // namespace privet::privacy::internal
