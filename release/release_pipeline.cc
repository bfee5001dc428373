#include "release/release_pipeline.h"

#include <cmath>

#include "audit/release_attestation.h"
#include "engine/source/postgres_commitment.h"
#include "engine/source/postgres_marginal_source.h"
#include "engine/table/encoder.h"
#include "engine/table/unit_bounding.h"
#include "privacy/accountant.h"
#include "privacy/deployment_secret.h"
#include "privacy/errors.h"
#include "privacy/format_number.h"
#include "release/output_dir.h"
#include "release/registration.h"

namespace privet::release {
namespace {

// Free text the requester sends is recorded in the ledger and shown to officers: one line of
// printable characters, so it can neither forge lines in a listing nor hide in control codes.
void RequirePrintableLine(const std::string& text, const char* option) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      throw InputError(std::string(option) + " must be one line of printable text");
    }
  }
}

void CheckRequestFields(const ReleaseRequest& request) {
  if (request.purpose.find_first_not_of(" \t") == std::string::npos) {
    throw UsageError("--purpose is required: say why the release is made (it is recorded)");
  }
  RequirePrintableLine(request.purpose, "--purpose");
  RequirePrintableLine(request.requester, "--requester");
  RequirePrintableLine(request.approved_by, "approved_by");
  if (request.out.empty()) {
    throw UsageError("--out is required: the folder to write the release to");
  }
  if (!(request.epsilon > 0) || !std::isfinite(request.epsilon)) {
    throw InputError("--epsilon must be a finite number above 0");
  }
  if (request.delta && !(*request.delta >= 0 && *request.delta < 1)) {
    throw InputError("--delta must be in [0, 1)");
  }
}

privacy::Registration RequireRegistration(const privacy::BudgetLedger& ledger,
                                          const std::string& dataset_id) {
  std::optional<privacy::Registration> registration = ledger.CurrentRegistration(dataset_id);
  if (!registration) {
    throw InputError("dataset " + dataset_id + " is not registered in ledger " +
                     ledger.path().string() +
                     ": the privacy officer registers its config and data with `privet dataset "
                     "register --config ...` before anything is released");
  }
  return *registration;
}

// The request's own config and data path, if it names them, must be the registered ones.
void RequireRegisteredInputs(const ReleaseRequest& request,
                             const privacy::Registration& registration) {
  if (request.config) {
    const std::string digest = ConfigDigest(*request.config);
    if (digest != registration.config_sha256) {
      throw InputError("config " + request.config->string() + " (sha256 " + digest +
                       ") is not the config registered for dataset " + registration.dataset_id +
                       " (entry " + std::to_string(registration.entry_id) + ", sha256 " +
                       registration.config_sha256 +
                       "); nothing was charged: use the registered config, or ask the privacy "
                       "officer to register this one");
    }
  }
  if (request.data && ResolvedPath(*request.data).string() != registration.data_source) {
    throw InputError("--data " + request.data->string() +
                     " is not the data source registered for "
                     "dataset " +
                     registration.dataset_id +
                     "; a release always reads the "
                     "registered data (nothing was charged)");
  }
}

// The custodian's files must still be what the officer registered.
void RequireUnchangedSources(const Deployment& deployment,
                             const privacy::Registration& registration) {
  if (ConfigDigest(registration.config_path) != registration.config_sha256) {
    throw IntegrityError("the registered config file " + registration.config_path + " of dataset " +
                         registration.dataset_id + " changed since it was registered (entry " +
                         std::to_string(registration.entry_id) +
                         "); the privacy officer must register it again");
  }
  const std::string secret =
      privacy::LoadDeploymentSecret(privacy::DeploymentSecretPath(deployment.ledger));
  if (IsDatabaseSource(registration.data_source)) {
    // The keyed multiset commitment of the table, computed again in SQL (postgres_commitment.h).
    const engine::Schema schema = engine::Schema::Load(registration.config_path);
    if (engine::PostgresDataCommitment(schema, secret) != registration.data_commitment) {
      throw IntegrityError("the table " + registration.data_source + " of dataset " +
                           registration.dataset_id + " changed since it was registered (entry " +
                           std::to_string(registration.entry_id) +
                           "); the privacy officer must register it again");
    }
    return;
  }
  if (privacy::HmacSha256FileHex(secret, registration.data_source) !=
      registration.data_commitment) {
    throw IntegrityError("the data file of dataset " + registration.dataset_id +
                         " changed since it was registered (entry " +
                         std::to_string(registration.entry_id) +
                         "); the privacy officer must register the new extract");
  }
}

// The class of an error as the requester may see it, and the error they get.
struct PublicFailure {
  std::string error_class;
  std::string summary;
};

PublicFailure Classify(const std::exception_ptr& error, std::string& detail) {
  try {
    std::rethrow_exception(error);
  } catch (const InputError& e) {
    detail = e.what();
    return {"input", "the data does not match the registered config"};
  } catch (const StorageError& e) {
    detail = e.what();
    return {"storage", "the release could not be stored"};
  } catch (const std::exception& e) {
    detail = e.what();
    return {"internal", "the release failed"};
  }
}

// Records the failure of `stage` as an incident and throws what the requester may see: the
// class and the incident id, never the message (it may name a row, column or value).
[[noreturn]] void RaiseIncident(PreparedRelease& prepared, const std::string& stage,
                                const std::string& release_id) {
  std::string detail;
  const PublicFailure failure = Classify(std::current_exception(), detail);
  prepared.output.reset();  // nothing partial stays behind: the staging folder and the claim go
  std::string reference;
  try {
    Incident incident;
    incident.dataset_id = prepared.registration.dataset_id;
    incident.kind = prepared.kind;
    incident.requester = prepared.requester;
    incident.stage = stage;
    incident.error_class = failure.error_class;
    incident.detail = detail;
    incident.release_id = release_id;
    reference = "incident " + prepared.incidents.Record(std::move(incident));
  } catch (const std::exception&) {
    reference = "the incident could not be recorded";
  }
  if (!release_id.empty()) {
    try {
      prepared.ledger.RecordOutcome(release_id, "failed", "incident: " + reference);
    } catch (...) {
      // The charge is durable; a missing outcome reads as "charged".
    }
  }
  std::string message =
      failure.summary + " (" + reference + "); the privacy officer has the details";
  if (!release_id.empty()) message += "; " + release_id + " stays charged";
  if (failure.error_class == "input") throw InputError(message);
  if (failure.error_class == "storage") throw StorageError(message);
  throw Error(message);
}

// Once the files and the attestation are in place the release has happened: a failure to
// write its outcome entry must not report it as failed (the user would pay again). Retried;
// if it still fails, the ledger shows the release as "charged", which is true, and its marker
// stays so that the next open of the ledger records the outcome (release/pending_outcome.h).
// Returns whether the outcome was recorded.
bool RecordReleased(privacy::BudgetLedger& ledger, const std::string& release_id,
                    const std::string& where) noexcept {
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      ledger.RecordOutcome(release_id, "released", "written to " + where);
      return true;
    } catch (...) {
    }
  }
  return false;
}

// A database source answers only releases made of counts (ComputeFromCounts): refused before
// anything is read or charged.
void RequireReadableSource(const PreparedRelease& prepared, bool needs_rows_of_database) {
  if (needs_rows_of_database) {
    throw InputError("dataset " + prepared.registration.dataset_id +
                     " is held in PostgreSQL, and this release needs its rows, which privet "
                     "never reads from a database; nothing was charged");
  }
}

}  // namespace

std::string RequestedDatasetId(const ReleaseRequest& request) {
  if (!request.dataset_id.empty()) return request.dataset_id;
  if (!request.config) throw UsageError("name the dataset: --dataset ID or --config FILE");
  return engine::Schema::Load(*request.config).dataset_id();
}

PreparedRelease PrepareRelease(const Deployment& deployment, const ReleaseRequest& request,
                               const std::string& kind) {
  CheckRequestFields(request);
  const std::string dataset_id = RequestedDatasetId(request);
  privacy::BudgetLedger ledger =
      privacy::BudgetLedger::Open(deployment.ledger, privacy::LedgerOpenMode::kMustExist);
  privacy::Registration registration = RequireRegistration(ledger, dataset_id);
  RequireRegisteredInputs(request, registration);
  if (request.seed && ledger.Mode() == privacy::LedgerMode::kProduction) {
    throw InputError("--seed is refused on the production ledger " + deployment.ledger.string() +
                     ": seeded noise can be regenerated by anyone who knows the seed; seeds are "
                     "for test ledgers (`privet ledger init --test-only`)");
  }
  IncidentLog incidents(IncidentLogPath(deployment.ledger));
  const std::int64_t open_incidents = incidents.OpenCount(dataset_id);
  if (open_incidents >= registration.max_failures) {
    throw InputError("dataset " + dataset_id + " is locked after " +
                     std::to_string(open_incidents) +
                     " failed requests or restarts (a restart counts once); nothing was "
                     "charged: the privacy officer must review and acknowledge them (`privet "
                     "incidents ack --dataset " +
                     dataset_id + "`)");
  }
  const privacy::Budget budget = ledger.Show(dataset_id).budget;
  const double delta = request.delta.value_or(budget.delta);
  if (delta > budget.delta) {
    throw InputError("--delta " + FormatNumber(delta, 6) + " exceeds the delta budget " +
                     FormatNumber(budget.delta, 6) + " of dataset " + dataset_id +
                     " (nothing was charged)");
  }
  RequireFreshOutputDir(request.out);
  audit::SigningKey key = audit::LoadReleaseSigningKey(deployment.signing_key);
  // Outcomes earlier releases could not write, from their verified files (never throws).
  CompletePendingOutcomes(ledger, key.Public());
  RequireUnchangedSources(deployment, registration);
  engine::Schema schema =
      engine::Schema::Load(registration.config_path,
                           IsDatabaseSource(registration.data_source)
                               ? std::nullopt
                               : std::optional<std::filesystem::path>(registration.data_source));
  schema.RequireReviewed();
  auto output = std::make_unique<StagedOutputDir>(request.out);
  auto pending = std::make_unique<PendingOutcome>(deployment.ledger, output->target());
  std::string data_secret;
  if (IsDatabaseSource(registration.data_source)) {
    data_secret = privacy::LoadDeploymentSecret(privacy::DeploymentSecretPath(deployment.ledger));
  }
  return PreparedRelease{std::move(registration),
                         std::move(schema),
                         std::move(key),
                         std::move(ledger),
                         budget,
                         delta,
                         request.requester,
                         kind,
                         std::move(incidents),
                         std::move(output),
                         std::move(pending),
                         /*bound_rows_per_unit=*/true,
                         std::move(data_secret)};
}

ReleaseResult RunRelease(PreparedRelease& prepared, const ReleaseRequest& request,
                         std::vector<privacy::PrivacyEvent> events, audit::ReleaseKind kind,
                         const StageCallback& stage, const ComputeRelease& compute,
                         const ComputeFromCounts& from_counts) {
  const auto announce = [&stage](const char* name) {
    if (stage) stage(name);
  };
  const bool database = prepared.schema.source_config().kind == engine::SourceKind::kPostgresql;
  RequireReadableSource(prepared, database && !from_counts);
  std::optional<engine::EncodedTable> table;
  std::unique_ptr<engine::PostgresMarginalSource> source;
  StagedOutputDir& staged = *prepared.output;
  announce("reading the data");
  try {
    // Read before charging: a file that does not fit is refused for free (as an incident).
    if (database) {
      source = engine::PostgresMarginalSource::Open(prepared.schema);
      // The commitment again, in the snapshot every count reads: no change between
      // PrepareRelease's check and the counts goes unnoticed (a mismatch is an incident).
      source->RequireCommitment(prepared.data_secret, prepared.registration.data_commitment);
    } else {
      table.emplace(engine::EncodeDataset(prepared.schema));
    }
  } catch (const std::exception&) {
    RaiseIncident(prepared, "reading the data", "");
  }

  announce("charging the ledger");
  privacy::ChargeRequest charge{prepared.registration.dataset_id,
                                std::move(events),
                                prepared.requester,
                                request.purpose,
                                prepared.kind,
                                prepared.registration.config_sha256,
                                prepared.registration.entry_id,
                                request.seed.has_value(),
                                request.approved_by};
  const privacy::ChargeReceipt receipt = prepared.ledger.Charge(charge);

  ReleaseResult result;
  const char* current = "drawing noise";
  try {
    privacy::RandomSource noise = request.seed ? privacy::RandomSource::Seeded(*request.seed)
                                               : privacy::RandomSource::Secure();
    ComputedRelease computed;
    if (database) {
      // The source bounds units inside SQL (PostgresSql::Counts).
      current = "computing the release";
      computed = from_counts(*source, noise, staged.staging(), stage);
    } else {
      current = "bounding rows per unit";
      announce(current);
      const engine::EncodedTable bounded =
          prepared.bound_rows_per_unit
              ? engine::BoundRowsPerUnit(*table, prepared.schema.max_rows_per_unit(), noise)
              : std::move(*table);
      table.reset();
      current = "computing the release";
      computed = compute(bounded, noise, staged.staging(), stage);
    }
    current = "signing the attestation";
    announce(current);
    audit::ReleaseRecord record = audit::RecordFromCharge(charge, receipt, prepared.key);
    record.kind = kind;
    record.unit_column = prepared.registration.unit_column;
    record.max_rows_per_unit = prepared.registration.max_rows_per_unit;
    // How `cost` and `cumulative` were composed (privacy/accountant.h, docs/privacy.md).
    record.accountant = std::string(privacy::kAccountantVersion) +
                        ": min(Renyi DP over all orders, privacy loss distributions), at the "
                        "budget's delta";
    audit::WriteAttestation(staged.staging(), computed.files, record, prepared.key);
    current = "moving the release into place";
    staged.Commit();
    result.files = std::move(computed.files);
    result.extra = std::move(computed.extra);
  } catch (const std::exception&) {
    RaiseIncident(prepared, current, receipt.release_id);
  }
  if (!RecordReleased(prepared.ledger, receipt.release_id, staged.target().string())) {
    prepared.pending->Keep();
  }

  result.dataset_id = prepared.registration.dataset_id;
  result.receipt = receipt;
  result.out_dir = staged.target();
  for (auto& file : result.files) file = result.out_dir / file.filename();
  result.files.push_back(result.out_dir / audit::kAttestationFileName);
  result.seeded = request.seed.has_value();
  return result;
}

nlohmann::json ReleaseResult::ToJson() const {
  nlohmann::json file_names = nlohmann::json::array();
  for (const auto& file : files) file_names.push_back(file.string());
  nlohmann::json summary = {
      {"release",
       {{"id", receipt.release_id},
        {"epsilon", receipt.cost.epsilon},
        {"delta", receipt.cost.delta},
        {"randomness", seeded ? "seeded: not for release" : "secure"}}},
      {"dataset",
       {{"id", dataset_id},
        {"spent", {{"epsilon", receipt.cumulative.epsilon}, {"delta", receipt.cumulative.delta}}},
        {"budget", {{"epsilon", receipt.budget.epsilon}, {"delta", receipt.budget.delta}}},
        {"remaining_epsilon", receipt.remaining_epsilon}}},
      {"files", file_names},
      {"ledger",
       {{"entry_hash", receipt.entry_hash},
        {"head_hash", receipt.head_hash},
        {"mode", privacy::LedgerModeName(receipt.ledger_mode)},
        {"registration_entry_id", receipt.registration_entry_id}}}};
  for (const auto& [key, value] : extra.items()) summary[key] = value;
  return summary;
}

}  // namespace privet::release
