#include "release/incident_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <utility>

#include "audit/release_record.h"
#include "privacy/errors.h"
#include "privacy/random_source.h"
#include "privacy/sha256.h"

namespace privet::release {
namespace {

// An open file descriptor holding an flock; both released on destruction.
class LockedFile {
 public:
  LockedFile(const std::filesystem::path& path, int flags, int lock) {
    fd_ = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
    if (fd_ < 0) return;
    if (::flock(fd_, lock) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

[[noreturn]] void ThrowUnwritable(const std::filesystem::path& path) {
  throw StorageError("cannot write the incident log " + path.string() + ": " +
                     std::strerror(errno));
}

// Appends one record to `file` (opened for appending, holding the exclusive flock), synced.
void WriteLine(const LockedFile& file, const std::filesystem::path& path,
               const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  const bool written =
      ::fchmod(file.fd(), 0600) == 0 &&
      ::write(file.fd(), line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
      ::fsync(file.fd()) == 0;
  if (!written) ThrowUnwritable(path);
}

void AppendLine(const std::filesystem::path& path, const nlohmann::json& record) {
  LockedFile file(path, O_WRONLY | O_CREAT | O_APPEND, LOCK_EX);
  if (file.fd() < 0) ThrowUnwritable(path);
  WriteLine(file, path, record);
}

// Every incident of the log at `path`, with acknowledgements applied; the caller holds a
// flock on it (shared to read, exclusive to read and then append).
std::vector<Incident> ParseIncidents(const std::filesystem::path& path) {
  std::vector<Incident> incidents;
  std::ifstream in(path);
  std::int64_t line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    try {
      const nlohmann::json record = nlohmann::json::parse(line);
      const std::string type = record.at("type").get<std::string>();
      const std::string dataset = record.at("dataset_id").get<std::string>();
      if (type == "ack") {
        // One incident's ack names it; a dataset's ack covers every incident before it.
        const std::string one =
            record.contains("incident_id") ? record.at("incident_id").get<std::string>() : "";
        for (Incident& incident : incidents) {
          if (incident.dataset_id == dataset && (one.empty() || incident.id == one)) {
            incident.acknowledged = true;
          }
        }
        continue;
      }
      if (type != "incident") throw std::invalid_argument("unknown record type");
      Incident incident;
      incident.id = record.at("id").get<std::string>();
      incident.time = record.at("time").get<std::string>();
      incident.dataset_id = dataset;
      incident.kind = record.at("kind").get<std::string>();
      incident.requester = record.at("requester").get<std::string>();
      incident.stage = record.at("stage").get<std::string>();
      incident.error_class = record.at("class").get<std::string>();
      incident.detail = record.at("detail").get<std::string>();
      incident.release_id = record.at("release_id").get<std::string>();
      // Absent in logs written before events existed, null for a release's own failure.
      if (record.contains("event") && !record.at("event").is_null()) {
        incident.event = record.at("event").get<std::string>();
      }
      incidents.push_back(std::move(incident));
    } catch (const std::exception&) {
      throw IntegrityError("incident log " + path.string() + ": line " +
                           std::to_string(line_number) + " is not an incident record");
    }
  }
  return incidents;
}

// Unacknowledged incidents of a dataset.
std::int64_t OpenOf(const std::vector<Incident>& incidents, const std::string& dataset_id) {
  std::int64_t open = 0;
  for (const Incident& incident : incidents) {
    open += incident.dataset_id == dataset_id && !incident.acknowledged ? 1 : 0;
  }
  return open;
}

// Distinct failure events of a dataset with an unacknowledged incident.
std::int64_t OpenEventsOf(const std::vector<Incident>& incidents, const std::string& dataset_id) {
  std::set<std::pair<bool, std::string>> events;  // (restart event?, its id or the incident's)
  for (const Incident& incident : incidents) {
    if (incident.dataset_id != dataset_id || incident.acknowledged) continue;
    events.emplace(!incident.event.empty(), incident.event.empty() ? incident.id : incident.event);
  }
  return static_cast<std::int64_t>(events.size());
}

nlohmann::json AckRecord(const std::string& dataset_id, const std::string& officer,
                         const std::string& note) {
  return {{"type", "ack"},
          {"time", audit::UtcNowIso8601()},
          {"dataset_id", dataset_id},
          {"officer", officer},
          {"note", note}};
}

std::string RandomHex(privacy::RandomSource& random, std::size_t bytes) {
  std::string raw;
  while (raw.size() < bytes) raw.push_back(static_cast<char>(random() & 0xff));
  return HexEncode(raw);
}

std::string NewIncidentId() {
  privacy::RandomSource random = privacy::RandomSource::Secure();
  return RandomHex(random, 4);
}

}  // namespace

std::filesystem::path IncidentLogPath(const std::filesystem::path& ledger) {
  std::filesystem::path path = ledger;
  path += ".incidents";
  return path;
}

std::string IncidentLog::Record(Incident incident) const {
  incident.id = NewIncidentId();
  incident.time = audit::UtcNowIso8601();
  nlohmann::json record = ToJson(incident);
  record.erase("acknowledged");
  record["type"] = "incident";
  AppendLine(path_, record);
  return incident.id;
}

std::vector<Incident> IncidentLog::Incidents() const {
  LockedFile lock(path_, O_RDONLY, LOCK_SH);
  if (lock.fd() < 0) {
    if (errno == ENOENT) return {};
    throw StorageError("cannot read the incident log " + path_.string() + ": " +
                       std::strerror(errno));
  }
  return ParseIncidents(path_);
}

std::string NewFailureEvent() {
  privacy::RandomSource random = privacy::RandomSource::Secure();
  return "start-" + RandomHex(random, 8);
}

std::int64_t IncidentLog::OpenCount(const std::string& dataset_id) const {
  return OpenEventsOf(Incidents(), dataset_id);
}

std::int64_t IncidentLog::Acknowledge(const std::string& dataset_id, const std::string& officer,
                                      const std::string& note) const {
  LockedFile file(path_, O_WRONLY | O_CREAT | O_APPEND, LOCK_EX);
  if (file.fd() < 0) ThrowUnwritable(path_);
  const std::int64_t open = OpenOf(ParseIncidents(path_), dataset_id);
  WriteLine(file, path_, AckRecord(dataset_id, officer, note));
  return open;
}

IncidentAck IncidentLog::AcknowledgeIncident(const std::string& incident_id,
                                             const std::string& officer,
                                             const std::string& note) const {
  IncidentAck ack;
  LockedFile file(path_, O_WRONLY | O_APPEND, LOCK_EX);
  if (file.fd() < 0) {
    if (errno == ENOENT) return ack;  // no log: no incident has that id
    ThrowUnwritable(path_);
  }
  std::vector<Incident> incidents = ParseIncidents(path_);
  const auto it = std::find_if(incidents.begin(), incidents.end(), [&](const Incident& incident) {
    return incident.id == incident_id;
  });
  if (it == incidents.end()) return ack;
  if (it->acknowledged) {
    ack.outcome = AckOutcome::kAlreadyAcknowledged;
  } else {
    nlohmann::json record = AckRecord(it->dataset_id, officer, note);
    record["incident_id"] = incident_id;
    WriteLine(file, path_, record);
    it->acknowledged = true;
    ack.outcome = AckOutcome::kAcknowledged;
  }
  ack.incident = *it;
  ack.open_after = OpenOf(incidents, it->dataset_id);
  return ack;
}

nlohmann::json ToJson(const Incident& incident) {
  return {{"id", incident.id},
          {"time", incident.time},
          {"dataset_id", incident.dataset_id},
          {"kind", incident.kind},
          {"requester", incident.requester},
          {"stage", incident.stage},
          {"class", incident.error_class},
          {"detail", incident.detail},
          {"release_id", incident.release_id},
          {"event",
           incident.event.empty() ? nlohmann::json(nullptr) : nlohmann::json(incident.event)},
          {"acknowledged", incident.acknowledged}};
}

}  // namespace privet::release
