// The access log: one JSON object per line in <deployment>/access.log, append-only and hash
// chained with the ledger's recipe (privacy/ledger.h), so an edited, removed or reordered line
// breaks every hash after it:
//   hash = sha256_hex(CanonicalJson({"body": body, "previous_hash": previous_hash}))
// where body is the line without its "hash" and "previous_hash" fields, and previous_hash is
// the previous line's hash (64 "0"s for line 1). Body fields: seq (1, 2, ...), time (UTC),
// client (address), user and role (null when unauthenticated), method, path (never the query
// string), status (HTTP), code (the error code, or null).
// `privet serve` verifies the whole log at start and refuses to serve when it is broken.
#ifndef PRIVET_SERVER_ACCESS_LOG_H_
#define PRIVET_SERVER_ACCESS_LOG_H_

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace privet::server {

struct AccessRecord {
  std::string client;
  std::optional<std::string> user;
  std::optional<std::string> role;
  std::string method;
  std::string path;
  int status = 0;
  std::optional<std::string> code;
};

struct AccessLogCheck {
  bool ok = false;
  std::int64_t lines = 0;
  std::string head_hash;
  std::string message;  // "N lines, chain intact" or what is wrong at which line
};

class AccessLog {
 public:
  // Reads the head of an existing log (or starts an empty one, mode 0600). IntegrityError if
  // the log does not verify.
  explicit AccessLog(std::filesystem::path path);

  // Appends one line (flushed and fdatasync'ed before returning). StorageError on failure.
  void Append(const AccessRecord& record);

  // Recomputes the chain of the log at `path`; never throws for a broken chain.
  static AccessLogCheck Verify(const std::filesystem::path& path);
  // Lines after sequence number `after`, at most `limit` of them, parsed (GET /v1/access-log).
  // Reads from a checkpoint at most kCheckpointEvery lines before the first one returned, so a
  // page costs O(limit + kCheckpointEvery) whatever the log's length.
  nlohmann::json Page(std::int64_t after, std::int64_t limit) const;
  // Lines written so far (the last sequence number).
  std::int64_t size() const;

  static constexpr std::int64_t kCheckpointEvery = 1024;

 private:
  std::filesystem::path path_;
  mutable std::mutex mutex_;
  std::int64_t seq_ = 0;
  std::string head_hash_;
  std::uint64_t bytes_ = 0;  // the log's length
  // checkpoints_[k]: the byte offset where line k * kCheckpointEvery + 1 starts.
  std::vector<std::uint64_t> checkpoints_;
};

}  // namespace privet::server

#endif  // PRIVET_SERVER_ACCESS_LOG_H_
