// `privet dataset unit-bound`: the privacy officer's DP quantile of rows per unit, to choose
// the config's max_rows_per_unit (release/unit_bound_release.h does the work; it is charged
// and attested like every release).
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/release_common.h"
#include "privacy/errors.h"
#include "release/unit_bound_release.h"

namespace privet::cli {
namespace {

struct UnitBoundCommandOptions {
  ReleaseOptions release;
  double quantile = 0.95;
  std::uint32_t max_rows = 100;
};

void RunUnitBound(const UnitBoundCommandOptions& options) {
  if (IsRemote(options.release)) {
    throw UsageError(
        "dataset unit-bound is the privacy officer's: run it on the custodian's "
        "host, without --server");
  }
  release::UnitBoundOptions unit_bound{options.quantile, options.max_rows};
  const release::ReleaseResult result = [&] {
    Progress progress(4, options.release.quiet);
    return release::QueryUnitBound(ToDeployment(options.release), ToRequest(options.release),
                                   unit_bound, progress.Callback());
  }();
  PrintReleaseSummary(result, options.release.json);
  if (!options.release.json) {
    std::cout << "max_rows_per_unit: " << result.extra.at("max_rows_per_unit").get<std::uint32_t>()
              << " (DP " << options.quantile << "-quantile of rows per unit, candidates 1.."
              << options.max_rows << "); set it in the config's privacy_unit and register "
              << "the config again\n";
  }
}

}  // namespace

void AddDatasetUnitBoundCommand(CLI::App& dataset) {
  auto options = std::make_shared<UnitBoundCommandOptions>();
  CLI::App* command = dataset.add_subcommand(
      "unit-bound",
      "DP quantile of rows per privacy unit, to choose max_rows_per_unit (charges the ledger)");
  AddReleaseOptions(*command, &options->release);
  command->add_option("--quantile", options->quantile,
                      "Share of units that should keep all their rows, in (0, 1) (default 0.95)");
  command->add_option("--max-rows", options->max_rows,
                      "Largest bound considered, M: candidates 1..M (default 100)");
  command->callback([options] { RunUnitBound(*options); });
}

}  // namespace privet::cli
