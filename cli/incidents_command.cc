// `privet incidents list|show|ack`: the privacy officer reads the requests that failed once
// the data was opened (with their full messages, which may quote the data: officer only),
// and acknowledges them, which lifts a dataset's failure lock (release/incident_log.h).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/ledger_path.h"
#include "cli/number_options.h"
#include "privacy/errors.h"
#include "release/incident_log.h"

namespace privet::cli {
namespace {

struct IncidentOptions {
  std::string dataset;
  std::string id;
  std::string officer;
  std::string note;
  bool json = false;
  std::string ledger;
};

release::IncidentLog Log(const IncidentOptions& options) {
  return release::IncidentLog(release::IncidentLogPath(ResolveLedgerPath(options.ledger)));
}

void RunList(const IncidentOptions& options) {
  nlohmann::json listed = nlohmann::json::array();
  for (const release::Incident& incident : Log(options).Incidents()) {
    if (!options.dataset.empty() && incident.dataset_id != options.dataset) continue;
    if (options.json) {
      listed.push_back(release::ToJson(incident));
      continue;
    }
    std::cout << incident.id << "  " << incident.time << "  "
              << (incident.acknowledged ? "acknowledged" : "OPEN        ") << "  "
              << incident.dataset_id << "  " << incident.kind << " by " << incident.requester
              << "  " << incident.error_class << " error while " << incident.stage
              << (incident.release_id.empty() ? "" : " (" + incident.release_id + " charged)")
              << "\n";
  }
  if (options.json) std::cout << listed.dump(2) << "\n";
}

void RunShow(const IncidentOptions& options) {
  for (const release::Incident& incident : Log(options).Incidents()) {
    if (incident.id != options.id) continue;
    std::cout << release::ToJson(incident).dump(2) << "\n";
    return;
  }
  throw InputError("no incident " + options.id + " in " + Log(options).path().string());
}

void RunAck(const IncidentOptions& options) {
  const std::string officer = options.officer.empty() ? DefaultOwner() : options.officer;
  if (options.dataset.empty() == options.id.empty()) {
    throw UsageError("incidents ack: give --incident ID (one incident) or --dataset ID (all)");
  }
  if (!options.id.empty()) {
    // The one incident the officer read (release/incident_log.h AcknowledgeIncident, which the
    // service's POST /v1/incidents/{id}/ack shares).
    const release::IncidentAck ack =
        Log(options).AcknowledgeIncident(options.id, officer, options.note);
    if (ack.outcome == release::AckOutcome::kUnknown) {
      throw InputError("no incident " + options.id + " in " + Log(options).path().string());
    }
    if (ack.outcome == release::AckOutcome::kAlreadyAcknowledged) {
      throw InputError("incident " + options.id + " is already acknowledged");
    }
    std::cout << "acknowledged incident " << options.id << " of dataset "
              << ack.incident.dataset_id << " (by " << officer << "); " << ack.open_after
              << " open incident(s) of the dataset remain\n";
    return;
  }
  const std::int64_t open = Log(options).Acknowledge(options.dataset, officer, options.note);
  std::cout << "acknowledged " << open << " open incident(s) of dataset " << options.dataset
            << " (by " << officer << "); its releases are accepted again\n";
}

}  // namespace

void AddIncidentsCommand(CLI::App& app) {
  CLI::App* incidents = app.add_subcommand(
      "incidents", "Failed requests: their details, and lifting a dataset's lock (officer)");
  incidents->require_subcommand(1);

  auto list_options = std::make_shared<IncidentOptions>();
  CLI::App* list = incidents->add_subcommand("list", "List incidents (newest last)");
  list->add_option("--dataset", list_options->dataset, "Only this dataset");
  list->add_flag("--json", list_options->json, "Machine-readable output (with details)");
  AddLedgerOption(*list, &list_options->ledger);
  list->callback([list_options] { RunList(*list_options); });

  auto show_options = std::make_shared<IncidentOptions>();
  CLI::App* show = incidents->add_subcommand("show", "One incident with its full details");
  show->add_option("id", show_options->id, "Incident id (8 hex digits)")->required();
  AddLedgerOption(*show, &show_options->ledger);
  show->callback([show_options] { RunShow(*show_options); });

  auto ack_options = std::make_shared<IncidentOptions>();
  CLI::App* ack = incidents->add_subcommand(
      "ack", "Acknowledge one incident, or every incident of a dataset so far (lifts its lock)");
  CLI::Option* one =
      ack->add_option("--incident", ack_options->id, "Only this incident (8 hex digits)");
  ack->add_option("--dataset", ack_options->dataset, "Every incident of this dataset so far")
      ->excludes(one);
  ack->add_option("--officer", ack_options->officer, "Who acknowledges (default: $USER)");
  ack->add_option("--note", ack_options->note, "What was found (recorded)");
  AddLedgerOption(*ack, &ack_options->ledger);
  ack->callback([ack_options] { RunAck(*ack_options); });
}

}  // namespace privet::cli
