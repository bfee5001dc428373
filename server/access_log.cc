#include "server/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"
#include "server/time_format.h"

namespace privet::server {
namespace {

const std::string kZeroHash(64, '0');

std::string LineHash(const nlohmann::json& body, const std::string& previous_hash) {
  return Sha256Hex(CanonicalJson({{"body", body}, {"previous_hash", previous_hash}}));
}

nlohmann::json OptionalString(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

AccessLogCheck AccessLog::Verify(const std::filesystem::path& path) {
  AccessLogCheck check;
  check.head_hash = kZeroHash;
  std::ifstream in(path);
  if (!in) {
    check.ok = !std::filesystem::exists(path);
    check.message = check.ok ? "0 lines, chain intact" : path.string() + ": cannot read";
    return check;
  }
  std::string line;
  while (std::getline(in, line)) {
    const std::int64_t number = check.lines + 1;
    const std::string where = path.string() + " line " + std::to_string(number) + ": ";
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      check.message = where + "not JSON";
      return check;
    }
    if (!record.is_object() || !record.contains("hash") || !record["hash"].is_string() ||
        !record.contains("previous_hash") || !record["previous_hash"].is_string() ||
        !record.contains("seq") || !record["seq"].is_number_integer()) {
      check.message = where + "not an access record";
      return check;
    }
    const std::string hash = record["hash"];
    const std::string previous = record["previous_hash"];
    nlohmann::json body = record;
    body.erase("hash");
    body.erase("previous_hash");
    if (previous != check.head_hash) {
      check.message = where + "previous_hash does not link to the line before";
      return check;
    }
    if (record["seq"].get<std::int64_t>() != number) {
      check.message = where + "sequence number " + record["seq"].dump() + " out of order";
      return check;
    }
    if (LineHash(body, previous) != hash) {
      check.message = where + "hash does not match its content";
      return check;
    }
    check.head_hash = hash;
    check.lines = number;
  }
  check.ok = true;
  check.message = std::to_string(check.lines) + " lines, chain intact";
  return check;
}

AccessLog::AccessLog(std::filesystem::path path) : path_(std::move(path)) {
  const AccessLogCheck check = Verify(path_);
  if (!check.ok) throw IntegrityError("access log " + check.message);
  seq_ = check.lines;
  head_hash_ = check.head_hash;
  std::ifstream in(path_, std::ios::binary);
  std::int64_t line = 0;
  for (std::string text; std::getline(in, text); ++line) {
    if (line % kCheckpointEvery == 0) checkpoints_.push_back(bytes_);
    bytes_ += text.size() + 1;
  }
}

void AccessLog::Append(const AccessRecord& record) {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json body = {{"seq", seq_ + 1},
                         {"time", UtcNow()},
                         {"client", record.client},
                         {"user", OptionalString(record.user)},
                         {"role", OptionalString(record.role)},
                         {"method", record.method},
                         {"path", record.path},
                         {"status", record.status},
                         {"code", OptionalString(record.code)}};
  const std::string hash = LineHash(body, head_hash_);
  nlohmann::json line = body;
  line["previous_hash"] = head_hash_;
  line["hash"] = hash;
  const std::string text = line.dump() + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StorageError(path_.string() + ": cannot open the access log");
  const ssize_t written = ::write(fd, text.data(), text.size());
  const bool synced = ::fdatasync(fd) == 0;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()) || !synced) {
    throw StorageError(path_.string() + ": cannot append to the access log");
  }
  if (seq_ % kCheckpointEvery == 0) checkpoints_.push_back(bytes_);
  bytes_ += text.size();
  ++seq_;
  head_hash_ = hash;
}

std::int64_t AccessLog::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seq_;
}

nlohmann::json AccessLog::Page(std::int64_t after, std::int64_t limit) const {
  std::lock_guard<std::mutex> lock(mutex_);
  nlohmann::json lines = nlohmann::json::array();
  if (after < 0 || after >= seq_ || limit <= 0) return lines;
  // Line n (1-based) is the n-th line of the file: start at the checkpoint before line after+1.
  const std::size_t checkpoint = static_cast<std::size_t>(after / kCheckpointEvery);
  std::int64_t number = static_cast<std::int64_t>(checkpoint) * kCheckpointEvery;
  std::ifstream in(path_, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(checkpoints_.at(checkpoint)));
  for (std::string text; number < seq_ && std::getline(in, text);) {
    if (++number <= after) continue;
    try {
      lines.push_back(nlohmann::json::parse(text));
    } catch (const nlohmann::json::exception&) {
      throw IntegrityError(path_.string() + ": line " + std::to_string(number) + " is not JSON");
    }
    if (static_cast<std::int64_t>(lines.size()) >= limit) break;
  }
  return lines;
}

}  // namespace privet::server
