// The ledger's entries as stored: the row layout, the entry hash (privacy/ledger.h), parsing a
// stored body, and appending an entry at the head of the chain. Not a public API.
#ifndef PRIVET_PRIVACY_LEDGER_ENTRIES_INTERNAL_H_
#define PRIVET_PRIVACY_LEDGER_ENTRIES_INTERNAL_H_

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "privacy/ledger/sqlite_internal.h"

namespace privet::privacy::internal {

constexpr const char* kFormat = "privet-ledger";
constexpr const char* kFormatVersion = "1";
inline const std::string kGenesisHash(64, '0');

// The current time, UTC, ISO 8601 to the second.
std::string NowUtc();

struct Row {
  std::int64_t entry_id = 0;
  std::string type, dataset_id, release_id, body, previous_hash, entry_hash;
};

constexpr const char* kRowColumns =
    "entry_id, type, dataset_id, release_id, body, previous_hash, entry_hash";

Row ReadRow(const Statement& statement);

std::string EntryHash(const nlohmann::json& body, const std::string& previous_hash);

// The leaf bytes (privacy/ledger.h) of a body already in canonical form, without parsing or
// re-serialising it: canonical JSON sorts keys, and "body" < "previous_hash", so
//   LeafBytes(body, previous_hash) == LeafBytesOfCanonical(CanonicalJson(body), previous_hash).
// Verification uses it once it has checked that the stored text is canonical: for a 38 MB
// entry it saves a deep copy of the parsed body and a second serialisation.
std::string LeafBytesOfCanonical(const std::string& canonical_body,
                                 const std::string& previous_hash);

// Bodies are parsed with a depth bound (privacy/bounded_json.h): an entry edited to nest
// 10^5 deep is a broken entry, not a stack overflow in the code that hashes it.
nlohmann::json ParseBody(const Row& row, const std::string& path);

// The meta table's value for key, or "" if it has none.
std::string MetaValue(sqlite3* db, const std::string& where, const char* key);

// Appends one entry at the head of the chain; the caller holds a write transaction.
// Fills "entry_id" into body (and lets `complete` add fields that depend on it).
std::pair<std::int64_t, std::string> AppendEntry(
    sqlite3* db_handle, const std::string& where, const std::string& type,
    const std::string& dataset_id, nlohmann::json body,
    const std::function<void(std::int64_t, nlohmann::json&)>& complete,
    std::string* leaf_bytes = nullptr);

}  // namespace privet::privacy::internal

#endif  // PRIVET_PRIVACY_LEDGER_ENTRIES_INTERNAL_H_
