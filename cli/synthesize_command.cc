// `privet synthesize`: a synthetic-table release of a registered dataset
// (release/synthesize_release.h does the work): synthetic.csv, model.json and
// attestation.dsse.json in --out, all or nothing. `--plan` prints the budget split, the noise
// scales and the budget preview (release/budget_preview.h) and charges nothing; it exits with
// kPlanRefused when the per-release cap or the budget would refuse the release.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/release_common.h"
#include "privacy/errors.h"
#include "release/release_pipeline.h"
#include "release/synthesize_release.h"

namespace privet::cli {
namespace {

struct SynthesizeCommandOptions {
  ReleaseOptions release;
  release::SynthesizeOptions synthesis;
  bool plan_only = false;
};

nlohmann::json RemoteOptions(const release::SynthesizeOptions& synthesis) {
  nlohmann::json options = nlohmann::json::object();
  // "auto" is the service's default too: sent only when a mode was chosen.
  if (synthesis.mode != release::kAutoNoiseMode) options["mode"] = synthesis.mode;
  if (synthesis.rows) options["rows"] = *synthesis.rows;
  if (synthesis.degree) options["degree"] = *synthesis.degree;
  if (synthesis.max_parent_cells) options["max_parent_cells"] = *synthesis.max_parent_cells;
  if (synthesis.pair_share) options["pair_share"] = *synthesis.pair_share;
  return options;
}

void RunSynthesize(const SynthesizeCommandOptions& options) {
  if (IsRemote(options.release)) {
    if (options.plan_only) {
      throw UsageError("--plan runs on the custodian's host; over the service use POST /v1/plan");
    }
    PrintReleaseSummary(RunRemote(options.release, "synthesize", RemoteOptions(options.synthesis)),
                        options.release.json);
    return;
  }
  const release::ReleaseRequest request = ToRequest(options.release);
  const release::Deployment deployment = ToDeployment(options.release);
  if (options.plan_only) {
    const release::SynthesisPreview preview =
        release::PreviewSynthesis(deployment, request, options.synthesis);
    PrintPlan(release::RequestedDatasetId(request), preview.plan.Describe(), preview.ToJson(),
              preview.budget, options.release.json);
    return;
  }
  release::ReleaseResult result = [&] {
    Progress progress(7, options.release.quiet);
    return release::Synthesize(deployment, request, options.synthesis, progress.Callback());
  }();
  PrintReleaseSummary(result, options.release.json);
}

}  // namespace

void AddSynthesizeCommand(CLI::App& app) {
  auto options = std::make_shared<SynthesizeCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "synthesize", "Release a differentially private synthetic table (charges the ledger)");
  AddReleaseOptions(*command, &options->release);
  command->add_option("--rows", options->synthesis.rows,
                      "Rows to write (default: the model's noisy row count)");
  command
      ->add_option("--mode", options->synthesis.mode,
                   "Noise: auto (default: the mode with less noise, gaussian for a synthetic "
                   "table), gaussian (zCDP) or pure (Laplace, delta 0)")
      ->check(CLI::IsMember({"auto", "gaussian", "pure"}));
  command->add_option("--degree", options->synthesis.degree,
                      "Largest number of parents per attribute (default: automatic)");
  command->add_option("--max-parent-cells", options->synthesis.max_parent_cells,
                      "Largest parent-domain size (default: automatic)");
  command->add_option("--pair-share", options->synthesis.pair_share,
                      "Budget share of the pair marginals, 0 to turn them off (default: 0.25 in "
                      "gaussian mode from epsilon 0.5, else 0)");
  command->add_flag("--plan", options->plan_only,
                    "Print the budget split, noise scales and what the release does to the budget; "
                    "charge nothing, write nothing (exit 8 if it would be refused)");
  command->callback([options] { RunSynthesize(*options); });
}

}  // namespace privet::cli
