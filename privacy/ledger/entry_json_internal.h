// JSON of the values the ledger's entries record (the public ToJson overloads are declared in
// privacy/ledger.h). The readers throw nlohmann::json::exception for a missing or mistyped
// field; callers turn that into IntegrityError. Not a public API.
#ifndef PRIVET_PRIVACY_LEDGER_ENTRY_JSON_INTERNAL_H_
#define PRIVET_PRIVACY_LEDGER_ENTRY_JSON_INTERNAL_H_

#include <cstdint>
#include <nlohmann/json.hpp>

#include "privacy/accountant.h"
#include "privacy/ledger.h"

namespace privet::privacy::internal {

Budget BudgetFromJson(const nlohmann::json& json);
PrivacyLoss LossFromJson(const nlohmann::json& json);
nlohmann::json LossToJson(const PrivacyLoss& loss);
// A registration entry's body; entry_id is the entry's id.
Registration RegistrationFromJson(const nlohmann::json& body, std::int64_t entry_id);

}  // namespace privet::privacy::internal

#endif  // PRIVET_PRIVACY_LEDGER_ENTRY_JSON_INTERNAL_H_
