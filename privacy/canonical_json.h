// Deterministic JSON bytes: object keys sorted by byte order, no insignificant whitespace,
// UTF-8 kept as is, numbers in nlohmann's shortest round-trip form. The ledger hashes these
// bytes to chain its entries and the attestations sign them, so one value always gives the
// same bytes on every machine.
#ifndef PRIVET_PRIVACY_CANONICAL_JSON_H_
#define PRIVET_PRIVACY_CANONICAL_JSON_H_

#include <string>

#include <nlohmann/json.hpp>

namespace privet {

// Throws InputError if the value holds invalid UTF-8 or a non-finite number, or nests deeper
// than kMaxJsonDepth (privacy/bounded_json.h) arrays and objects.
std::string CanonicalJson(const nlohmann::json& value);

}  // namespace privet

#endif  // PRIVET_PRIVACY_CANONICAL_JSON_H_
