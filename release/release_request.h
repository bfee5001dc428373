// What a requester may ask for, and what a release returns: the types every entry point of
// release/ takes and gives, whether the request came from the command line (cli/) or over
// the service (server/).
//
// Trust: every field of a request is requester-controlled input (BRIEF, "Who is trusted").
// The dataset's config, data source and privacy unit are not in it: they come from the
// dataset's registration in the ledger, which only the privacy officer writes.
#ifndef PRIVET_RELEASE_RELEASE_REQUEST_H_
#define PRIVET_RELEASE_RELEASE_REQUEST_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "privacy/ledger.h"

namespace privet::release {

// Where the custodian keeps what releases need. The incident log and the deployment secret
// live beside the ledger (IncidentLogPath, privacy::DeploymentSecretPath).
struct Deployment {
  std::filesystem::path ledger;
  // The signing key; nullopt = $PRIVET_KEY, else privet-keys/privet-signing.key
  // (audit/release_attestation.h).
  std::optional<std::filesystem::path> signing_key;
};

// The fields every spending request has.
struct ReleaseRequest {
  // The registered dataset to release from. When empty, `config`'s dataset id.
  std::string dataset_id;
  // A config the requester holds: when given, its canonical digest must equal the registered
  // one (so the requester knows exactly what they are paying for). Never used to read data.
  std::optional<std::filesystem::path> config;
  // A data path the requester names: when given, it must be the registered data source (the
  // data a release reads is always the registered one).
  std::optional<std::filesystem::path> data;
  double epsilon = 0;
  // When not given: the dataset's budget delta, the delta at which the ledger measures every
  // spend, so the charged epsilon equals `epsilon` exactly.
  std::optional<double> delta;
  std::string purpose;
  std::string requester;
  // Who approved the request (the service's officer, or "policy"); recorded in the ledger's
  // charge entry. Empty for the command line, where the officer runs the release.
  std::string approved_by;
  std::filesystem::path out;          // the release folder (must not exist, or be empty)
  std::optional<std::uint64_t> seed;  // seeded noise: test ledgers only
};

// Options of a synthetic-table request (engine/generator/synthesis_plan.h SynthesisOptions).
struct SynthesizeOptions {
  std::optional<std::uint64_t> rows;  // default: the model's noisy row count
  // "auto" (default), "gaussian" or "pure". Auto: the mode whose planned noise is smaller
  // (AutoNoiseModeRule below): Gaussian for a synthetic table at any usual epsilon.
  std::string mode = "auto";
  std::optional<std::uint32_t> degree;
  std::optional<std::uint64_t> max_parent_cells;
  std::optional<double> pair_share;
};

// Options of a noisy marginal or correlation request.
struct QueryOptions {
  std::vector<std::string> attributes;
  // Marginals: "auto" (default), "pure" (discrete Laplace) or "gaussian". Auto: the mode whose
  // planned noise is smaller: pure (Laplace) for one marginal at any usual epsilon.
  std::string mode = "auto";
};

// The default noise mode of every spending command, "auto", is one rule: plan the request in
// both modes from public inputs only (config, epsilon, the budget's delta, options) and use
// the plan whose noise is smaller: the summed per-cell noise variance of the 1-way and family
// marginals for a synthetic table (the measurements the model is fitted from), the per-cell
// noise for a marginal; Gaussian on a tie,
// pure when delta is 0. The choice reads no data, so it costs nothing. Measured in
// bench/results/2026-12-02-noise-mode.md; docs/privacy.md "Choosing the noise mode".
inline constexpr const char* kAutoNoiseMode = "auto";

// What a release returns once its files and attestation are in place.
struct ReleaseResult {
  std::string dataset_id;
  privacy::ChargeReceipt receipt;
  std::filesystem::path out_dir;
  std::vector<std::filesystem::path> files;  // released files, attestation last
  bool seeded = false;
  nlohmann::json extra = nlohmann::json::object();  // kind-specific public facts (e.g. rows)

  // {"release": {id, epsilon, delta, randomness}, "dataset": {id, spent, budget,
  //  remaining_epsilon}, "files": [...], "ledger": {entry_hash, head_hash, mode}, ...extra}.
  nlohmann::json ToJson() const;
};

// Called at the start of each stage of a release with the stage's name. Stage names are
// fixed strings: they carry no statistic of the data, and no timing (the time a stage takes
// grows with the number of rows, which is private).
using StageCallback = std::function<void(std::string_view stage)>;

}  // namespace privet::release

#endif  // PRIVET_RELEASE_RELEASE_REQUEST_H_
