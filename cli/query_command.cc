// `privet query marginal|correlation`: direct noisy statistics of a registered dataset, each a
// release of its own (release/query_release.h does the work). `--plan` prints the query's
// noise, its one event and the budget preview (release/budget_preview.h) and charges nothing;
// it exits with kPlanRefused when the per-release cap or the budget would refuse the release.
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/release_common.h"
#include "privacy/errors.h"
#include "release/query_release.h"
#include "release/release_pipeline.h"

namespace privet::cli {
namespace {

struct QueryCommandOptions {
  ReleaseOptions release;
  std::string attributes;  // comma separated
  std::string mode = release::kAutoNoiseMode;
  bool plan_only = false;
};

std::vector<std::string> SplitAttributes(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream stream(list);
  for (std::string name; std::getline(stream, name, ',');) {
    if (name.empty()) throw UsageError("--attrs: empty attribute name in \"" + list + "\"");
    names.push_back(name);
  }
  return names;
}

using QueryFunction = release::ReleaseResult (*)(const release::Deployment&,
                                                 const release::ReleaseRequest&,
                                                 const release::QueryOptions&,
                                                 const release::StageCallback&);
using PreviewFunction = release::QueryPreview (*)(const release::Deployment&,
                                                  const release::ReleaseRequest&,
                                                  const release::QueryOptions&);

void RunQuery(const QueryCommandOptions& options, QueryFunction query, PreviewFunction preview) {
  release::QueryOptions query_options;
  query_options.attributes = SplitAttributes(options.attributes);
  query_options.mode = options.mode;
  if (IsRemote(options.release) && options.plan_only) {
    throw UsageError(
        "--plan runs on the custodian's host (over the service, POST /v1/plan with \"kind\" "
        "plans the same query)");
  }
  if (options.plan_only) {
    const release::ReleaseRequest request = ToRequest(options.release);
    const release::QueryPreview planned =
        preview(ToDeployment(options.release), request, query_options);
    PrintPlan(release::RequestedDatasetId(request), planned.description, planned.ToJson(),
              planned.budget, options.release.json);
    return;
  }
  if (IsRemote(options.release)) {
    const bool marginal = query == &release::QueryMarginal;
    nlohmann::json remote = {{"attributes", query_options.attributes}};
    if (marginal && query_options.mode != release::kAutoNoiseMode) {
      remote["mode"] = query_options.mode;
    }
    PrintReleaseSummary(RunRemote(options.release, marginal ? "marginal" : "correlation", remote),
                        options.release.json);
    return;
  }
  release::ReleaseResult result = [&] {
    Progress progress(5, options.release.quiet);
    return query(ToDeployment(options.release), ToRequest(options.release), query_options,
                 progress.Callback());
  }();
  PrintReleaseSummary(result, options.release.json);
}

void AddPlanFlag(CLI::App& command, bool* plan_only) {
  command.add_flag("--plan", *plan_only,
                   "Print the noise, the privacy event and what the release does to the budget; "
                   "charge nothing, write nothing (exit 8 if it would be refused)");
}

}  // namespace

void AddQueryCommand(CLI::App& app) {
  CLI::App* query = app.add_subcommand("query", "Release one noisy statistic (charges the ledger)");
  query->require_subcommand(1);

  auto marginal = std::make_shared<QueryCommandOptions>();
  CLI::App* marginal_command = query->add_subcommand(
      "marginal", "Noisy contingency table of 1 to 3 attributes (marginal.csv, marginal.json)");
  AddReleaseOptions(*marginal_command, &marginal->release);
  marginal_command->add_option("--attrs", marginal->attributes, "Attributes, comma separated")
      ->required();
  marginal_command
      ->add_option("--mode", marginal->mode,
                   "Noise: auto (default: the mode with less noise, pure for one marginal), pure "
                   "(discrete Laplace, delta 0) or gaussian")
      ->check(CLI::IsMember({"auto", "gaussian", "pure"}));
  AddPlanFlag(*marginal_command, &marginal->plan_only);
  marginal_command->callback(
      [marginal] { RunQuery(*marginal, &release::QueryMarginal, &release::PreviewMarginal); });

  auto correlation = std::make_shared<QueryCommandOptions>();
  CLI::App* correlation_command = query->add_subcommand(
      "correlation",
      "Noisy correlation matrix of numeric attributes (correlation.csv, correlation.json)");
  AddReleaseOptions(*correlation_command, &correlation->release);
  correlation_command
      ->add_option("--attrs", correlation->attributes, "Numeric attributes, comma separated")
      ->required();
  AddPlanFlag(*correlation_command, &correlation->plan_only);
  correlation_command->callback([correlation] {
    RunQuery(*correlation, &release::QueryCorrelation, &release::PreviewCorrelation);
  });
}

}  // namespace privet::cli
