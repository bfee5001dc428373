// `privet sample`: more synthetic rows from an already released model (release/sample_release.h
// does the work): post-processing, so it costs no budget and reads no private data. The parent
// release is verified with the deployment's key (and its ledger, when present) before
// anything is signed.
#include <boost/random/mersenne_twister.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/ledger_path.h"
#include "cli/progress.h"
#include "cli/release_common.h"
#include "release/sample_release.h"

namespace privet::cli {
namespace {

struct SampleOptions {
  std::string model;
  std::string parent_attestation;  // default: attestation.dsse.json beside the model
  std::optional<std::uint64_t> rows;
  std::optional<std::uint64_t> seed;
  std::string out;
  std::string key;
  std::string purpose;
  std::string requester;
  std::string ledger;
  bool json = false;
  bool quiet = false;
};

void RunSample(const SampleOptions& options) {
  release::SampleRequest request;
  request.model = options.model;
  if (!options.parent_attestation.empty()) request.parent_attestation = options.parent_attestation;
  request.rows = options.rows;
  request.seed = options.seed;
  request.out = options.out;
  request.signing_key = PathIfGiven(options.key);
  const std::filesystem::path ledger = ResolveLedgerPath(options.ledger);
  std::error_code error;
  if (!options.ledger.empty() || std::filesystem::exists(ledger, error)) request.ledger = ledger;
  request.requester = options.requester.empty() ? DefaultRequester() : options.requester;
  request.purpose = options.purpose;
  const release::SampleResult result = [&] {
    Progress progress(5, options.quiet);
    return release::SampleModel(request, progress.Callback());
  }();

  if (options.json) {
    nlohmann::json summary = {
        {"release", {{"kind", "model-sample"}, {"epsilon", 0.0}, {"delta", 0.0}}},
        {"parent",
         {{"release_id", result.parent_release_id}, {"model_sha256", result.model_sha256}}},
        {"rows", result.rows},
        {"files", {result.files[0].string(), result.files[1].string()}}};
    std::cout << summary.dump(2) << "\n";
    return;
  }
  std::cout << "sampled " << result.rows << " rows from the model of " << result.parent_release_id
            << " (dataset " << result.dataset_id << ") into " << result.out_dir.string() << "\n  "
            << result.files[0].string() << "\n  " << result.files[1].string()
            << "\nspent: nothing (post-processing of a released model)\n";
}

}  // namespace

void AddSampleCommand(CLI::App& app) {
  auto options = std::make_shared<SampleOptions>();
  CLI::App* command = app.add_subcommand(
      "sample", "Draw more rows from a released model (post-processing: costs no budget)");
  command->add_option("--model", options->model, "A released model.json")->required();
  command->add_option("--parent-attestation", options->parent_attestation,
                      "The model's attestation (default: attestation.dsse.json beside it)");
  command->add_option("--rows", options->rows, "Rows to draw (default: the model's noisy count)");
  command->add_option("--seed", options->seed, "Seed for reproducible rows (default: CSPRNG)");
  command->add_option("--out", options->out, "Output folder (must not exist or be empty)")
      ->required();
  command->add_option("--key", options->key,
                      "Signing key (default $PRIVET_KEY, else privet-keys/privet-signing.key)");
  command->add_option("--purpose", options->purpose, "Why (recorded; optional)");
  command->add_option("--requester", options->requester, "Who asks (default $USER)");
  AddLedgerOption(*command, &options->ledger);
  command->add_flag("--json", options->json, "Print one JSON summary on stdout");
  command->add_flag("--quiet,-q", options->quiet, "No progress on stderr");
  command->callback([options] { RunSample(*options); });
}

}  // namespace privet::cli
