// Checks of what the officer passes in (dataset ids, budgets, registrations), made before any
// transaction starts. Each throws InputError naming the field. Not a public API.
#ifndef PRIVET_PRIVACY_LEDGER_VALIDATION_INTERNAL_H_
#define PRIVET_PRIVACY_LEDGER_VALIDATION_INTERNAL_H_

#include <string>

#include "privacy/ledger.h"

namespace privet::privacy::internal {

// 1-128 characters from [A-Za-z0-9_.-].
void ValidateDatasetId(const std::string& id);
// The contract of Budget (privacy/ledger.h).
void ValidateBudget(const Budget& budget);
// Every field set, max_rows_per_unit and max_failures >= 1.
void ValidateRegistration(const Registration& registration);

}  // namespace privet::privacy::internal

#endif  // PRIVET_PRIVACY_LEDGER_VALIDATION_INTERNAL_H_
