// What an attacker who holds the ledger file (and privet's source) can do: rewrite the history
// and recompute every hash of the chain, so `privet ledger verify` passes again. The issue 13
// rewrites are made with this, and the tests show which party still detects each one
// (docs/auditor.md, "Which party detects which rewrite").
//
// RewriteLedger reads every entry straight from SQLite, lets `edit` change each body (or drop
// the entry by returning false), renumbers the surviving entries 1, 2, 3, ... (body
// "entry_id" included), recomputes every previous_hash and entry_hash with privet's own recipe
// (privacy::LeafBytes, sha256) and the head in `meta`, and writes it all back in one
// transaction. Nothing is left for the hash chain to notice.
#ifndef PRIVET_TESTS_LEDGER_REWRITE_H_
#define PRIVET_TESTS_LEDGER_REWRITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "privacy/canonical_json.h"
#include "privacy/ledger.h"
#include "privacy/sha256.h"

namespace privet::testing {

// Returns false to delete the entry; may change the body in place.
using EntryEdit = std::function<bool(nlohmann::json& body)>;

inline void RewriteLedger(const std::filesystem::path& path, const EntryEdit& edit) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path.string());
  }
  const auto exec = [db](const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "sqlite error";
      sqlite3_free(error);
      throw std::runtime_error(message);
    }
  };
  struct Entry {
    std::string type, dataset_id, release_id;
    nlohmann::json body;
  };
  std::vector<Entry> entries;
  try {
    exec("BEGIN IMMEDIATE");
    sqlite3_stmt* select = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT type, dataset_id, release_id, body FROM entries ORDER BY entry_id",
                       -1, &select, nullptr);
    while (sqlite3_step(select) == SQLITE_ROW) {
      const auto text = [select](int column) {
        return std::string(reinterpret_cast<const char*>(sqlite3_column_text(select, column)));
      };
      Entry entry{text(0), text(1), text(2), nlohmann::json::parse(text(3))};
      if (edit(entry.body)) entries.push_back(std::move(entry));
    }
    sqlite3_finalize(select);
    exec("DELETE FROM entries");
    std::string previous(64, '0');
    std::int64_t id = 0;
    for (Entry& entry : entries) {
      entry.body["entry_id"] = ++id;
      const std::string entry_hash = privet::Sha256Hex(privacy::LeafBytes(entry.body, previous));
      sqlite3_stmt* insert = nullptr;
      sqlite3_prepare_v2(db,
                         "INSERT INTO entries (entry_id, type, dataset_id, release_id, body, "
                         "previous_hash, entry_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         -1, &insert, nullptr);
      const std::string body = privet::CanonicalJson(entry.body);
      sqlite3_bind_int64(insert, 1, id);
      sqlite3_bind_text(insert, 2, entry.type.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 3, entry.dataset_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 4, entry.release_id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 5, body.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 6, previous.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(insert, 7, entry_hash.c_str(), -1, SQLITE_TRANSIENT);
      const int rc = sqlite3_step(insert);
      sqlite3_finalize(insert);
      if (rc != SQLITE_DONE) throw std::runtime_error("insert failed");
      previous = entry_hash;
    }
    exec("UPDATE meta SET value = '" + std::to_string(id) + "' WHERE key = 'head_entry_id'");
    exec("UPDATE meta SET value = '" + previous + "' WHERE key = 'head_hash'");
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    throw;
  }
  sqlite3_close(db);
}

}  // namespace privet::testing

#endif  // PRIVET_TESTS_LEDGER_REWRITE_H_
