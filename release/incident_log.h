// The incident log: an officer-only record of every request that failed once the private
// data was opened, and of the officer's acknowledgements.
//
// Why it exists (docs/privacy.md, "Failures"): an error raised while reading the data can
// name a row, a column or a value, and even its mere occurrence says something about the
// data. So a requester only ever sees the class of the problem and an incident id; the
// details go here, a JSON Lines file beside the ledger (`<ledger>.incidents`, mode 0600),
// read with `privet incidents list|show`. Each failure still leaks one bit to the requester;
// the failure lock bounds that channel: after a dataset's registered number of
// unacknowledged failures (default 3), its releases are refused before any data is read
// until the officer acknowledges them (`privet incidents ack`, `POST /v1/incidents/{id}/ack`).
//
// What the lock counts is observable failure events, not incidents: a failed release is one
// event (its requester saw it fail), and so is one restart of the service, however many
// requests it interrupted (each of them gets an incident carrying the restart's `event` id,
// set once per Service::Start). A restart still counts: a kill -9, the OOM killer and a crash
// that a request's data triggered all look alike from outside, and each is one bit to the
// requesters who watched their requests fail. An event stays open while any of its incidents
// is unacknowledged.
//
// Records, one JSON object per line:
//   {"type":"incident","id":"7f3a09c1","time":...,"dataset_id":...,"kind":...,
//    "requester":...,"stage":...,"class":...,"detail":...,"release_id":...,
//    "event":null | "start-5e0c1a9d4b7f2e63"}
//   {"type":"ack","time":...,"dataset_id":...,"officer":...,"note":...}
//       every incident of the dataset recorded before it (`incidents ack --dataset`)
//   {"type":"ack","time":...,"dataset_id":...,"incident_id":...,"officer":...,"note":...}
//       that one incident (`incidents ack --incident`, the service's ack route)
// Appends take an exclusive flock and are synced, so concurrent releases never interleave.
// An acknowledgement reads the log and appends under one exclusive flock, so what it counts
// or checks is what it acknowledges: an incident recorded meanwhile waits until it is done.
#ifndef PRIVET_RELEASE_INCIDENT_LOG_H_
#define PRIVET_RELEASE_INCIDENT_LOG_H_

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace privet::release {

struct Incident {
  std::string id;  // 8 hex digits from the CSPRNG
  std::string time;
  std::string dataset_id;
  std::string kind;  // "synthesize", "marginal", "correlation"
  std::string requester;
  std::string stage;        // the release stage that failed
  std::string error_class;  // "input", "storage", "integrity", "crypto", "internal"
  std::string detail;       // the full error message: officer only, it may quote the data
  std::string release_id;   // the charged release, or empty when it failed before the charge
  std::string event;        // the service start that recorded it (NewFailureEvent), or empty:
                            // the incident is an event of its own
  bool acknowledged = false;
};

// What AcknowledgeIncident did.
enum class AckOutcome {
  kAcknowledged,         // the ack record was appended
  kUnknown,              // no incident has that id (nothing appended)
  kAlreadyAcknowledged,  // it was acknowledged before (nothing appended)
};

struct IncidentAck {
  AckOutcome outcome = AckOutcome::kUnknown;
  Incident incident;            // as it stands after the call; empty when kUnknown
  std::int64_t open_after = 0;  // unacknowledged incidents of its dataset after the call
};

// `<ledger>.incidents`.
std::filesystem::path IncidentLogPath(const std::filesystem::path& ledger);

// A new failure event id, "start-" + 16 hex digits from the CSPRNG: Service::Start makes one
// and puts it on every incident it records for the requests the stop interrupted.
std::string NewFailureEvent();

class IncidentLog {
 public:
  explicit IncidentLog(std::filesystem::path path) : path_(std::move(path)) {}

  // Appends an incident (id and time are set here) and returns its id. Creates the file with
  // mode 0600. StorageError if it cannot be written.
  std::string Record(Incident incident) const;
  // Every incident in order, `acknowledged` set for those an ack of their dataset follows.
  // An absent file is an empty log. IntegrityError for a line that is not a record.
  std::vector<Incident> Incidents() const;
  // The failure lock's count: distinct failure events of a dataset with an unacknowledged
  // incident (an incident without an event is an event of its own).
  std::int64_t OpenCount(const std::string& dataset_id) const;
  // Acknowledges every incident of the dataset so far; returns how many were open.
  std::int64_t Acknowledge(const std::string& dataset_id, const std::string& officer,
                           const std::string& note) const;
  // Acknowledges the one incident `incident_id` (the officer saw that one, not incidents
  // recorded after it): appends an ack of it unless it is unknown or already acknowledged.
  // StorageError if the log cannot be written, IntegrityError for a line that is not a record.
  IncidentAck AcknowledgeIncident(const std::string& incident_id, const std::string& officer,
                                  const std::string& note) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

nlohmann::json ToJson(const Incident& incident);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_INCIDENT_LOG_H_
