#include <chrono>
#include <ctime>

#include "privacy/bounded_json.h"
#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "privacy/ledger/entries_internal.h"
#include "privacy/sha256.h"

namespace privet::privacy::internal {

std::string NowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

Row ReadRow(const Statement& statement) {
  return Row{statement.Int(0),  statement.Text(1), statement.Text(2), statement.Text(3),
             statement.Text(4), statement.Text(5), statement.Text(6)};
}

std::string EntryHash(const nlohmann::json& body, const std::string& previous_hash) {
  return Sha256Hex(LeafBytes(body, previous_hash));
}

std::string LeafBytesOfCanonical(const std::string& canonical_body,
                                 const std::string& previous_hash) {
  std::string leaf;
  leaf.reserve(canonical_body.size() + previous_hash.size() + 32);
  leaf.append("{\"body\":").append(canonical_body).append(",\"previous_hash\":");
  leaf.append(CanonicalJson(previous_hash)).append("}");
  return leaf;
}

nlohmann::json ParseBody(const Row& row, const std::string& path) {
  return ParseBoundedJson<IntegrityError>(row.body, "ledger " + path + ": entry " +
                                                        std::to_string(row.entry_id) +
                                                        " (run `privet ledger verify`)");
}

std::string MetaValue(sqlite3* db, const std::string& where, const char* key) {
  Statement statement(db, where, "SELECT value FROM meta WHERE key = ?1");
  statement.Bind(1, std::string(key));
  return statement.Step() ? statement.Text(0) : std::string();
}

std::pair<std::int64_t, std::string> AppendEntry(
    sqlite3* db_handle, const std::string& where, const std::string& type,
    const std::string& dataset_id, nlohmann::json body,
    const std::function<void(std::int64_t, nlohmann::json&)>& complete, std::string* leaf_bytes) {
  std::int64_t entry_id = 1;
  std::string previous_hash = kGenesisHash;
  {
    Statement head(db_handle, where,
                   "SELECT entry_id, entry_hash FROM entries ORDER BY entry_id DESC LIMIT 1");
    if (head.Step()) {
      entry_id = head.Int(0) + 1;
      previous_hash = head.Text(1);
    }
  }
  body["entry_id"] = entry_id;
  body["type"] = type;
  body["dataset_id"] = dataset_id;
  body["time"] = NowUtc();
  if (complete) complete(entry_id, body);
  const std::string release_id = body.value("release_id", std::string());
  std::string leaf = LeafBytes(body, previous_hash);
  const std::string entry_hash = Sha256Hex(leaf);
  if (leaf_bytes != nullptr) *leaf_bytes = std::move(leaf);
  Statement insert(db_handle, where,
                   "INSERT INTO entries (entry_id, type, dataset_id, release_id, body, "
                   "previous_hash, entry_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert.Bind(1, entry_id).Bind(2, type).Bind(3, dataset_id).Bind(4, release_id);
  insert.Bind(5, CanonicalJson(body)).Bind(6, previous_hash).Bind(7, entry_hash);
  insert.Step();
  Statement meta(db_handle, where,
                 "INSERT OR REPLACE INTO meta (key, value) VALUES ('head_entry_id', ?1), "
                 "('head_hash', ?2)");
  meta.Bind(1, std::to_string(entry_id)).Bind(2, entry_hash);
  meta.Step();
  return {entry_id, entry_hash};
}

}  // namespace privet::privacy::internal

namespace privet::privacy {

std::string LeafBytes(const nlohmann::json& body, const std::string& previous_hash) {
  return CanonicalJson({{"body", body}, {"previous_hash", previous_hash}});
}

}  // namespace privet::privacy
