// The release pipeline's privacy contract (release/release_pipeline.h): refusals before the
// data is read, and a failure once it is open seen by the requester only as its class and an
// incident id, with the details in the officer's incident log.
#include "release/release_pipeline.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>

#include "audit/keys.h"
#include "privacy/errors.h"
#include "release/incident_log.h"
#include "release/registration.h"
#include "tests/scratch_dir.h"

namespace privet::release {
namespace {

namespace fs = std::filesystem;

using privet::testing::ScratchDir;

// A registered two-column dataset "clinic" with a signing key, as an officer sets it up.
struct Clinic {
  ScratchDir dir;
  Deployment deployment{dir / "ledger.db", dir / "keys" / "privet-signing.key"};

  Clinic() {
    std::ofstream(dir / "clinic.csv") << "sex,smoker\nF,yes\nM,no\nF,no\nM,no\n";
    std::ofstream(dir / "clinic.json") << R"({"schema_version": 1,
      "dataset": {"id": "clinic", "csv": "clinic.csv"},
      "attributes": [
        {"name": "sex", "type": "categorical", "values": ["F", "M"], "nullable": false},
        {"name": "smoker", "type": "categorical", "values": ["yes", "no"], "nullable": false}]})";
    audit::GenerateKeyPair(dir / "keys");
    RegistrationRequest registration;
    registration.config = dir / "clinic.json";
    registration.budget = privacy::Budget{5.0, 1e-6, std::nullopt};
    registration.officer = "officer";
    RegisterDataset(deployment.ledger, registration);
  }

  ReleaseRequest Request(const std::string& out) const {
    ReleaseRequest request;
    request.dataset_id = "clinic";
    request.epsilon = 0.5;
    request.purpose = "test";
    request.requester = "rita";
    request.out = dir / out;
    return request;
  }
};

std::string MessageOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

TEST_CASE("A failure after the charge shows its class and incident id, never its message") {
  Clinic clinic;
  PreparedRelease prepared = PrepareRelease(clinic.deployment, clinic.Request("out"), "marginal");
  // What an engine error could say about the data: a file, a line, a value.
  const std::string secret = "clinic.csv:3: column \"smoker\": value \"no\" (patient 1042)";
  const ComputeRelease failing = [&](const engine::EncodedTable&, privacy::RandomSource&,
                                     const fs::path&, const StageCallback&) -> ComputedRelease {
    throw InputError(secret);
  };
  const std::string message = MessageOf([&] {
    RunRelease(prepared, clinic.Request("out"), {privacy::PrivacyEvent::Pure(0.5)},
               audit::ReleaseKind::kNoisyMarginal, nullptr, failing);
  });
  CAPTURE(message);
  CHECK(std::regex_match(message,
                         std::regex("the data does not match the registered config \\(incident "
                                    "[0-9a-f]{8}\\); the privacy officer has the details; "
                                    "release-[0-9]+ stays charged")));
  CHECK(message.find("patient") == std::string::npos);
  CHECK(message.find("clinic.csv") == std::string::npos);
  CHECK_FALSE(fs::exists(clinic.dir / "out"));

  // The officer's log has the details; the charge stands and is marked failed.
  const IncidentLog log(IncidentLogPath(clinic.deployment.ledger));
  const std::vector<Incident> incidents = log.Incidents();
  REQUIRE(incidents.size() == 1);
  CHECK(incidents[0].detail == secret);
  CHECK(incidents[0].error_class == "input");
  CHECK(incidents[0].stage == "computing the release");
  CHECK(incidents[0].requester == "rita");
  CHECK(message.find(incidents[0].id) != std::string::npos);
  const auto status = privacy::BudgetLedger::Open(clinic.deployment.ledger).Show("clinic");
  REQUIRE(status.releases.size() == 1);
  CHECK(status.releases[0].status == "failed");
  CHECK(status.releases[0].release_id == incidents[0].release_id);
  struct stat info {};
  REQUIRE(::stat(log.path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("Unknown errors after the charge are also hidden") {
  Clinic clinic;
  PreparedRelease prepared = PrepareRelease(clinic.deployment, clinic.Request("out"), "marginal");
  const ComputeRelease failing = [&](const engine::EncodedTable&, privacy::RandomSource&,
                                     const fs::path&, const StageCallback&) -> ComputedRelease {
    throw std::runtime_error("count 17 exceeded 16");
  };
  const std::string message = MessageOf([&] {
    RunRelease(prepared, clinic.Request("out"), {privacy::PrivacyEvent::Pure(0.5)},
               audit::ReleaseKind::kNoisyMarginal, nullptr, failing);
  });
  CHECK(message.rfind("the release failed (incident ", 0) == 0);
  // Not just "17": the incident id in the message is random and may contain those digits.
  CHECK(message.find("exceeded") == std::string::npos);
  CHECK(message.find("count 17") == std::string::npos);
}

TEST_CASE("The failure lock refuses before the data is read, and an ack lifts it") {
  Clinic clinic;
  const IncidentLog log(IncidentLogPath(clinic.deployment.ledger));
  for (int i = 0; i < 3; ++i) {
    Incident incident;
    incident.dataset_id = "clinic";
    incident.kind = "marginal";
    incident.stage = "reading the data";
    incident.error_class = "input";
    log.Record(incident);
  }
  CHECK(log.OpenCount("clinic") == 3);
  CHECK(log.OpenCount("other") == 0);
  const std::string message =
      MessageOf([&] { PrepareRelease(clinic.deployment, clinic.Request("out"), "marginal"); });
  CHECK(message.find("is locked after 3 failed requests") != std::string::npos);
  CHECK_FALSE(fs::exists(clinic.dir / "out"));
  CHECK(log.Acknowledge("clinic", "officer", "checked") == 3);
  CHECK(log.OpenCount("clinic") == 0);
  CHECK_NOTHROW(PrepareRelease(clinic.deployment, clinic.Request("out"), "marginal"));
}

TEST_CASE("Acknowledging one incident leaves the others open, once, and names unknown ids") {
  Clinic clinic;
  const IncidentLog log(IncidentLogPath(clinic.deployment.ledger));
  CHECK(log.AcknowledgeIncident("0badc0de", "officer", "x").outcome == AckOutcome::kUnknown);
  CHECK_FALSE(fs::exists(log.path()));  // an unknown id writes nothing, not even the file
  std::vector<std::string> ids;
  for (const std::string dataset : {"clinic", "clinic", "other"}) {
    Incident incident;
    incident.dataset_id = dataset;
    incident.kind = "marginal";
    incident.stage = "reading the data";
    incident.error_class = "input";
    ids.push_back(log.Record(incident));
  }
  const IncidentAck first = log.AcknowledgeIncident(ids[0], "olivia", "row 7 fixed");
  CHECK(first.outcome == AckOutcome::kAcknowledged);
  CHECK(first.incident.id == ids[0]);
  CHECK(first.incident.acknowledged);
  CHECK(first.open_after == 1);
  const std::vector<Incident> after = log.Incidents();
  CHECK(after[0].acknowledged);
  CHECK_FALSE(after[1].acknowledged);  // recorded, but not the one the officer read
  CHECK_FALSE(after[2].acknowledged);
  CHECK(log.OpenCount("clinic") == 1);
  const std::uintmax_t size = fs::file_size(log.path());
  CHECK(log.AcknowledgeIncident(ids[0], "olivia", "again").outcome ==
        AckOutcome::kAlreadyAcknowledged);
  CHECK(log.AcknowledgeIncident("0badc0de", "olivia", "x").outcome == AckOutcome::kUnknown);
  CHECK(fs::file_size(log.path()) == size);  // neither appended a record
  // The ack line names the incident and the officer.
  std::ifstream in(log.path());
  std::string line, last;
  while (std::getline(in, line)) last = line;
  const nlohmann::json record = nlohmann::json::parse(last);
  CHECK(record["type"] == "ack");
  CHECK(record["incident_id"] == ids[0]);
  CHECK(record["officer"] == "olivia");
  CHECK(record["note"] == "row 7 fixed");
  // A dataset's ack still covers the rest of that dataset, and only it.
  CHECK(log.Acknowledge("clinic", "olivia", "all") == 1);
  CHECK(log.OpenCount("clinic") == 0);
  CHECK(log.OpenCount("other") == 1);
  CHECK(log.AcknowledgeIncident(ids[1], "olivia", "x").outcome ==
        AckOutcome::kAlreadyAcknowledged);
}

TEST_CASE("The failure lock counts one restart once, and each release failure on its own") {
  Clinic clinic;
  const IncidentLog log(IncidentLogPath(clinic.deployment.ledger));
  const auto record = [&](const std::string& event) {
    Incident incident;
    incident.dataset_id = "clinic";
    incident.kind = "marginal";
    incident.stage = "running";
    incident.error_class = "internal";
    incident.event = event;
    return log.Record(incident);
  };
  const std::string restart = NewFailureEvent(), next_restart = NewFailureEvent();
  CHECK(std::regex_match(restart, std::regex("start-[0-9a-f]{16}")));
  CHECK(restart != next_restart);
  const std::string a = record(restart), b = record(restart);  // one stop, two requests
  record("");                                                   // a release's own failure
  CHECK(log.OpenCount("clinic") == 2);
  // Three incidents, two events: below the lock (max_failures 3).
  CHECK_NOTHROW(PrepareRelease(clinic.deployment, clinic.Request("early"), "marginal"));
  CHECK(log.Incidents()[0].event == restart);
  CHECK(log.Incidents()[2].event.empty());
  // The restart stays open while any of its incidents is.
  CHECK(log.AcknowledgeIncident(a, "olivia", "").open_after == 2);  // incidents left
  CHECK(log.OpenCount("clinic") == 2);
  log.AcknowledgeIncident(b, "olivia", "");
  CHECK(log.OpenCount("clinic") == 1);
  // Two more stops make three open events: the lock (max_failures 3) refuses again.
  record(next_restart);
  record(NewFailureEvent());
  CHECK(log.OpenCount("clinic") == 3);
  CHECK(MessageOf([&] {
          PrepareRelease(clinic.deployment, clinic.Request("out"), "marginal");
        }).find("is locked after 3 failed requests or restarts") != std::string::npos);
  // A log line written before events existed (no "event") is an event of its own.
  ScratchDir dir;
  std::ofstream(dir / "old") << R"({"type":"incident","id":"0a0b0c0d","time":"t","dataset_id":"d",)"
                             << R"("kind":"marginal","requester":"r","stage":"s","class":"input",)"
                             << R"("detail":"x","release_id":""})" << "\n";
  CHECK(IncidentLog(dir / "old").OpenCount("d") == 1);
}

TEST_CASE("Refusals decided by the request or the registration come before the data") {
  Clinic clinic;
  ReleaseRequest request = clinic.Request("out");
  request.seed = 7;
  CHECK(MessageOf([&] {
          PrepareRelease(clinic.deployment, request, "marginal");
        }).find("--seed is refused on the production ledger") == 0);
  request = clinic.Request("out");
  request.data = clinic.dir / "other.csv";
  CHECK(MessageOf([&] {
          PrepareRelease(clinic.deployment, request, "marginal");
        }).find("is not the data source registered") != std::string::npos);
  request = clinic.Request("out");
  request.delta = 0.5;
  CHECK(MessageOf([&] {
          PrepareRelease(clinic.deployment, request, "marginal");
        }).find("exceeds the delta budget") != std::string::npos);
  request = clinic.Request("out");
  request.purpose = "line one\rline two";
  CHECK_THROWS_AS(PrepareRelease(clinic.deployment, request, "marginal"), InputError);
  // The registered data edited in place: refused as an integrity problem.
  std::ofstream(clinic.dir / "clinic.csv", std::ios::app) << "F,yes\n";
  CHECK_THROWS_AS(PrepareRelease(clinic.deployment, clinic.Request("out"), "marginal"),
                  IntegrityError);
  CHECK_FALSE(fs::exists(clinic.dir / "out"));
  CHECK(privacy::BudgetLedger::Open(clinic.deployment.ledger).Show("clinic").releases.empty());
}

TEST_CASE("Two releases into one --out: the second is refused before it is charged") {
  Clinic clinic;
  PreparedRelease first = PrepareRelease(clinic.deployment, clinic.Request("same"), "marginal");
  CHECK(MessageOf([&] {
          PrepareRelease(clinic.deployment, clinic.Request("same"), "marginal");
        }).find("being written by another release") != std::string::npos);
}

TEST_CASE("The incident log refuses a line that is not a record") {
  ScratchDir dir;
  std::ofstream(dir / "log") << "{\"type\":\"incident\"}\n";
  CHECK_THROWS_AS(IncidentLog(dir / "log").Incidents(), IntegrityError);
  CHECK(IncidentLog(dir / "absent").Incidents().empty());
}

}  // namespace
}  // namespace privet::release
