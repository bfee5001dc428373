// `privet query marginal|correlation`: direct noisy statistics of a registered dataset, each a
// release of its own (release/query_release.h does the work).
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/release_common.h"
#include "privacy/errors.h"
#include "release/query_release.h"

namespace privet::cli {
namespace {

struct QueryCommandOptions {
  ReleaseOptions release;
  std::string attributes;  // comma separated
  std::string mode = release::kAutoNoiseMode;
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

void RunQuery(const QueryCommandOptions& options, QueryFunction query) {
  release::QueryOptions query_options;
  query_options.attributes = SplitAttributes(options.attributes);
  query_options.mode = options.mode;
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
  marginal_command->callback([marginal] { RunQuery(*marginal, &release::QueryMarginal); });

  auto correlation = std::make_shared<QueryCommandOptions>();
  CLI::App* correlation_command = query->add_subcommand(
      "correlation",
      "Noisy correlation matrix of numeric attributes (correlation.csv, correlation.json)");
  AddReleaseOptions(*correlation_command, &correlation->release);
  correlation_command
      ->add_option("--attrs", correlation->attributes, "Numeric attributes, comma separated")
      ->required();
  correlation_command->callback(
      [correlation] { RunQuery(*correlation, &release::QueryCorrelation); });
}

}  // namespace privet::cli
