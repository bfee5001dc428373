// What every budget-spending command (synthesize, query marginal, query correlation) shares:
// its options, the checks made before any budget is spent, the ledger charge, and the
// attestation + outcome record made after the files are written.
//
// The order is the privacy contract (BRIEF "Spend before release"):
//   1. PrepareRelease: config reviewed (not a draft), signing key loadable, output folder
//      free. Refusals here cost nothing.
//   2. the command reads and encodes the private data (no noise, nothing released);
//   3. ChargeLedger: one atomic ledger transaction reserves the full cost, or refuses with
//      BudgetExceeded naming what remains. Durable before any noise is drawn;
//   4. the command draws noise and writes its files into the staging folder;
//   5. FinishRelease: attestation signed and written, folder moved into place, the outcome
//      recorded. If anything after 3 fails, the charge stands and the outcome says "failed".
#ifndef PRIVET_CLI_RELEASE_COMMON_H_
#define PRIVET_CLI_RELEASE_COMMON_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "audit/keys.h"
#include "audit/release_record.h"
#include "cli/output_dir.h"
#include "engine/generator/model.h"
#include "engine/table/schema.h"
#include "privacy/ledger.h"
#include "privacy/privacy_event.h"
#include "privacy/random_source.h"

namespace privet::cli {

struct ReleaseOptions {
  std::string config;
  std::string data;  // overrides the config's CSV path when set
  double epsilon = 0;
  // The release's delta. When not given: the dataset's budget delta, the delta at which the
  // ledger measures every spend, so the charged epsilon equals --epsilon exactly.
  std::optional<double> delta;
  std::string purpose;
  std::string requester;
  std::string out;
  std::string key;
  std::string ledger;
  std::optional<std::uint64_t> seed;  // not for release
  bool json = false;
  bool quiet = false;
};

// Adds --config, --data, --epsilon, --delta, --purpose, --requester, --out, --key, --ledger,
// --seed, --json, --quiet to a spending command.
void AddReleaseOptions(CLI::App& command, ReleaseOptions* options);

// Everything checked before budget is spent.
struct PreparedRelease {
  engine::Schema schema;
  std::string config_sha256;
  audit::SigningKey key;
  privacy::BudgetLedger ledger;
  privacy::Budget budget;  // the dataset's, as set by the officer
  double delta = 0;        // --delta, or the budget's delta
  std::string requester;
};

// An option's value as a path, or nullopt when the option was not given (empty).
std::optional<std::filesystem::path> PathIfGiven(const std::string& option_value);

// The config named by --config, with its CSV replaced by --data when given. InputError for an
// invalid config; does not check that it was reviewed.
engine::Schema LoadReleaseSchema(const ReleaseOptions& options);

// How many synthetic rows to draw: --rows if given (InputError if 0), else the model's noisy
// row count (the true count is private), at least 1.
std::uint64_t RowsToSample(const std::optional<std::uint64_t>& rows_option,
                           const engine::BayesNetModel& model);

// Step 1. Throws InputError for a bad epsilon/delta, an empty purpose, a draft config, a used
// output folder, a missing/unsafe key, or a dataset without a budget in the ledger
// (StorageError when the ledger file does not exist).
PreparedRelease PrepareRelease(const ReleaseOptions& options);

// The randomness for noise: the CSPRNG, or a seeded stream when --seed was given (whose
// attestation then says "seeded: not for release").
privacy::RandomSource NoiseSource(const ReleaseOptions& options);

// Step 3: the charge request for these events, and the charge itself.
struct Charge {
  privacy::ChargeRequest request;
  privacy::ChargeReceipt receipt;
};
Charge ChargeLedger(PreparedRelease& prepared, std::vector<privacy::PrivacyEvent> events,
                    const std::string& kind, const std::string& purpose);

// Step 5. files are paths inside staged.staging(). Returns the attestation's final path.
std::filesystem::path FinishRelease(const Charge& charge, PreparedRelease& prepared,
                                    const ReleaseOptions& options, audit::ReleaseKind kind,
                                    StagedOutputDir& staged,
                                    const std::vector<std::filesystem::path>& files);

// Records "failed" for a charged release whose work threw, keeping the charge (best effort:
// the original error is what the user must see).
void RecordFailure(PreparedRelease& prepared, const Charge& charge,
                   const std::string& what) noexcept;

// The summary printed after a release: human lines on stdout, or one JSON object with
// "release" (cost), "dataset" (cumulative, budget, remaining), "files" and `extra`.
void PrintReleaseSummary(const Charge& charge, const ReleaseOptions& options,
                         const std::filesystem::path& out_dir,
                         const std::vector<std::filesystem::path>& files,
                         const nlohmann::json& extra);

// Who is asking, when --requester is not given: $PRIVET_REQUESTER, else $USER, else "unknown".
std::string DefaultRequester();

}  // namespace privet::cli

#endif  // PRIVET_CLI_RELEASE_COMMON_H_
