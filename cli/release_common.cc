#include "cli/release_common.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "audit/release_attestation.h"
#include "cli/ledger_path.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"

namespace privet::cli {

void AddReleaseOptions(CLI::App& command, ReleaseOptions* options) {
  command.add_option("--config", options->config, "Reviewed dataset config (JSON)")->required();
  command.add_option("--data", options->data,
                     "CSV to read instead of the config's dataset.csv");
  command.add_option("--epsilon", options->epsilon, "Privacy cost of this release (epsilon)")
      ->required();
  command.add_option("--delta", options->delta,
                     "Privacy cost of this release (delta; default: the budget's delta)");
  command.add_option("--purpose", options->purpose, "Why the release is made (recorded)");
  command.add_option("--requester", options->requester,
                     "Who asks (recorded; default $PRIVET_REQUESTER, else $USER)");
  command.add_option("--out", options->out, "Output folder (must not exist or be empty)");
  command.add_option("--key", options->key,
                     "Signing key (default $PRIVET_KEY, else privet-keys/privet-signing.key)");
  AddLedgerOption(command, &options->ledger);
  command.add_option("--seed", options->seed,
                     "Seed every random draw (reproducible; marked NOT FOR RELEASE)");
  command.add_flag("--json", options->json, "Print one JSON summary on stdout");
  command.add_flag("--quiet,-q", options->quiet, "No progress on stderr");
}

std::string DefaultRequester() {
  for (const char* variable : {"PRIVET_REQUESTER", "USER", "LOGNAME"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') return value;
  }
  return "unknown";
}

std::optional<std::filesystem::path> PathIfGiven(const std::string& option_value) {
  if (option_value.empty()) return std::nullopt;
  return std::filesystem::path(option_value);
}

engine::Schema LoadReleaseSchema(const ReleaseOptions& options) {
  return engine::Schema::Load(options.config, PathIfGiven(options.data));
}

std::uint64_t RowsToSample(const std::optional<std::uint64_t>& rows_option,
                           const engine::BayesNetModel& model) {
  if (rows_option) {
    if (*rows_option == 0) throw InputError("--rows must be at least 1");
    return *rows_option;
  }
  return static_cast<std::uint64_t>(std::max(1.0, std::round(model.noisy_rows())));
}

PreparedRelease PrepareRelease(const ReleaseOptions& options) {
  if (options.purpose.find_first_not_of(" \t") == std::string::npos) {
    throw UsageError("--purpose is required: say why the release is made (it is recorded)");
  }
  if (options.out.empty()) throw UsageError("--out is required: the folder to write the release to");
  // Validated here, where they enter, before anything else: PrivacyEvent would refuse
  // them later, but only after the data was read.
  if (!(options.epsilon > 0) || !std::isfinite(options.epsilon)) {
    throw InputError("--epsilon must be a finite number above 0");
  }
  if (options.delta && !(*options.delta >= 0 && *options.delta < 1)) {
    throw InputError("--delta must be in [0, 1)");
  }
  engine::Schema schema = LoadReleaseSchema(options);
  schema.RequireReviewed();
  RequireFreshOutputDir(options.out);
  audit::SigningKey key = audit::LoadReleaseSigningKey(PathIfGiven(options.key));
  // The budget must exist: it is set by the officer (`privet budget init`), never implied.
  privacy::BudgetLedger ledger = privacy::BudgetLedger::Open(
      ResolveLedgerPath(options.ledger), privacy::LedgerOpenMode::kMustExist);
  const privacy::Budget budget = ledger.Show(schema.dataset_id()).budget;
  const double delta = options.delta.value_or(budget.delta);
  std::string config_sha256 = Sha256FileHex(options.config);
  return PreparedRelease{std::move(schema),
                         std::move(config_sha256),
                         std::move(key),
                         std::move(ledger),
                         budget,
                         delta,
                         options.requester.empty() ? DefaultRequester() : options.requester};
}

privacy::RandomSource NoiseSource(const ReleaseOptions& options) {
  return options.seed ? privacy::RandomSource::Seeded(*options.seed)
                      : privacy::RandomSource::Secure();
}

Charge ChargeLedger(PreparedRelease& prepared, std::vector<privacy::PrivacyEvent> events,
                    const std::string& kind, const std::string& purpose) {
  privacy::ChargeRequest request{prepared.schema.dataset_id(), std::move(events),
                                 prepared.requester, purpose, kind, prepared.config_sha256};
  privacy::ChargeReceipt receipt = prepared.ledger.Charge(request);
  return Charge{std::move(request), std::move(receipt)};
}

std::filesystem::path FinishRelease(const Charge& charge, PreparedRelease& prepared,
                                    const ReleaseOptions& options, audit::ReleaseKind kind,
                                    StagedOutputDir& staged,
                                    const std::vector<std::filesystem::path>& files) {
  audit::ReleaseRecord record = audit::RecordFromCharge(charge.request, charge.receipt);
  record.kind = kind;
  record.unit_column = prepared.schema.privacy_unit_column().value_or(audit::kRowUnit);
  record.max_rows_per_unit = prepared.schema.max_rows_per_unit();
  record.randomness = options.seed ? audit::RandomnessMode::kSeededNotForRelease
                                   : audit::RandomnessMode::kSecure;
  // How `cost` and `cumulative` were composed (privacy/accountant.h, docs/privacy.md).
  record.accountant = "rdp: Renyi DP over all orders, converted at the budget's delta";
  audit::WriteAttestation(staged.staging(), files, record, prepared.key);
  staged.Commit();
  prepared.ledger.RecordOutcome(charge.receipt.release_id, "released",
                              "written to " + staged.target().string());
  return staged.target() / audit::kAttestationFileName;
}

void RecordFailure(PreparedRelease& prepared, const Charge& charge,
                   const std::string& what) noexcept {
  try {
    prepared.ledger.RecordOutcome(charge.receipt.release_id, "failed", what);
  } catch (...) {
    // The charge itself is durable; a missing outcome entry reads as "charged".
  }
}

void PrintReleaseSummary(const Charge& charge, const ReleaseOptions& options,
                         const std::filesystem::path& out_dir,
                         const std::vector<std::filesystem::path>& files,
                         const nlohmann::json& extra) {
  const auto& receipt = charge.receipt;
  nlohmann::json file_names = nlohmann::json::array();
  for (const auto& file : files) file_names.push_back((out_dir / file.filename()).string());
  file_names.push_back((out_dir / audit::kAttestationFileName).string());
  if (options.json) {
    nlohmann::json summary = {
        {"release",
         {{"id", receipt.release_id},
          {"epsilon", receipt.cost.epsilon},
          {"delta", receipt.cost.delta},
          {"randomness", options.seed ? "seeded: not for release" : "secure"}}},
        {"dataset",
         {{"id", charge.request.dataset_id},
          {"spent", {{"epsilon", receipt.cumulative.epsilon}, {"delta", receipt.cumulative.delta}}},
          {"budget", {{"epsilon", receipt.budget.epsilon}, {"delta", receipt.budget.delta}}},
          {"remaining_epsilon", receipt.remaining_epsilon}}},
        {"files", file_names},
        {"ledger", {{"entry_hash", receipt.entry_hash}, {"head_hash", receipt.head_hash}}}};
    for (const auto& [key, value] : extra.items()) summary[key] = value;
    std::cout << summary.dump(2) << "\n";
    return;
  }
  std::cout << "released " << receipt.release_id << " of dataset " << charge.request.dataset_id
            << " into " << out_dir.string() << "\n";
  for (const auto& name : file_names) std::cout << "  " << name.get<std::string>() << "\n";
  std::cout << "spent: epsilon " << receipt.cost.epsilon << ", delta " << receipt.cost.delta
            << "\n";
  std::cout << "dataset total: epsilon " << receipt.cumulative.epsilon << " of "
            << receipt.budget.epsilon << " (remaining " << receipt.remaining_epsilon
            << "), delta budget " << receipt.budget.delta << "\n";
  if (options.seed) {
    std::cout << "NOTE: seeded run (--seed): reproducible, marked NOT FOR RELEASE\n";
  }
}

}  // namespace privet::cli
