#include "cli/release_common.h"

#include <cstdlib>
#include <iostream>

#include "cli/ledger_path.h"
#include "privacy/errors.h"
#include "privacy/format_number.h"
#include "server/remote_client.h"

namespace privet::cli {

void AddReleaseOptions(CLI::App& command, ReleaseOptions* options) {
  command.add_option("--dataset", options->dataset,
                     "Registered dataset id (default: the id in --config)");
  command.add_option("--config", options->config,
                     "Config you hold: must be the dataset's registered config");
  command.add_option("--data", options->data,
                     "Data path you expect: must be the registered source (releases always read "
                     "the registered data)");
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
                     "Seed every random draw (test ledgers only; marked NOT FOR RELEASE)");
  command.add_flag("--json", options->json, "Print one JSON summary on stdout");
  command.add_flag("--quiet,-q", options->quiet, "No progress on stderr");
  command.add_option("--server", options->server,
                     "Run on a privet serve at https://HOST:PORT instead (docs/api.md)");
  command.add_option("--token-file", options->token_file,
                     "With --server: file holding your bearer token");
  command.add_option("--cacert", options->cacert,
                     "With --server: CA certificate to trust (default: the system's)");
}

bool IsRemote(const ReleaseOptions& options) { return !options.server.empty(); }

release::ReleaseResult RunRemote(const ReleaseOptions& options, const std::string& kind,
                                 const nlohmann::json& request_options) {
  const std::vector<std::pair<const char*, bool>> local_only = {
      {"--config", !options.config.empty()}, {"--data", !options.data.empty()},
      {"--key", !options.key.empty()},       {"--ledger", !options.ledger.empty()},
      {"--seed", options.seed.has_value()},  {"--requester", !options.requester.empty()}};
  for (const auto& [option, given] : local_only) {
    if (given) {
      throw UsageError(std::string(option) +
                       " is the custodian's: with --server the service uses its registration, "
                       "and the requester is your token's user");
    }
  }
  if (options.dataset.empty()) throw UsageError("--server needs --dataset");
  if (options.out.empty()) throw UsageError("--server needs --out (the download folder)");
  if (options.token_file.empty()) throw UsageError("--server needs --token-file");
  server::RemoteService service{options.server, options.token_file, PathIfGiven(options.cacert)};
  server::RemoteRequest request{kind,          options.dataset, options.epsilon,
                                options.delta, options.purpose, request_options};
  const bool quiet = options.quiet;
  return server::RunRemoteRelease(service, request, options.out, [quiet](const std::string& state) {
    if (!quiet) std::cerr << "privet: request " << state << "\n";
  });
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

release::ReleaseRequest ToRequest(const ReleaseOptions& options) {
  release::ReleaseRequest request;
  request.dataset_id = options.dataset;
  request.config = PathIfGiven(options.config);
  request.data = PathIfGiven(options.data);
  request.epsilon = options.epsilon;
  request.delta = options.delta;
  request.purpose = options.purpose;
  request.requester = options.requester.empty() ? DefaultRequester() : options.requester;
  request.out = options.out;
  request.seed = options.seed;
  return request;
}

release::Deployment ToDeployment(const ReleaseOptions& options) {
  return release::Deployment{ResolveLedgerPath(options.ledger), PathIfGiven(options.key)};
}

void PrintReleaseSummary(const release::ReleaseResult& result, bool json) {
  if (json) {
    std::cout << result.ToJson().dump(2) << "\n";
    return;
  }
  const auto& receipt = result.receipt;
  std::cout << "released " << receipt.release_id << " of dataset " << result.dataset_id << " into "
            << result.out_dir.string() << "\n";
  for (const auto& file : result.files) std::cout << "  " << file.string() << "\n";
  std::cout << "spent: epsilon " << receipt.cost.epsilon << ", delta " << receipt.cost.delta
            << "\n";
  std::cout << "dataset total: epsilon " << receipt.cumulative.epsilon << " of "
            << receipt.budget.epsilon << " (remaining " << receipt.remaining_epsilon
            << "), delta budget " << receipt.budget.delta << "\n";
  if (result.extra.contains("warnings")) {
    for (const auto& warning : result.extra["warnings"]) {
      std::cout << "WARNING: " << warning.get<std::string>() << "\n";
    }
  }
  if (result.seeded) {
    std::cout << "NOTE: seeded run on a test ledger: reproducible, marked NOT FOR RELEASE\n";
  }
}

void PrintPlan(const std::string& dataset_id, const std::string& description,
               const nlohmann::json& plan_json, const std::optional<release::BudgetPreview>& budget,
               bool json) {
  if (json) {
    std::cout << plan_json.dump(2) << "\n";
  } else {
    const bool ended = !description.empty() && description.back() == '\n';
    std::cout << "plan for dataset " << dataset_id << " (nothing is charged)\n"
              << description << (ended ? "\n" : "\n\n")
              << (budget ? budget->Describe()
                         : std::string("budget: no ledger budget for this dataset (dry run; "
                                       "nothing to check against)"))
              << "\n";
  }
  if (budget && budget->refused()) {
    throw release::PlanRefused("plan: this release would be refused: " + budget->quote.reason +
                               " (nothing was charged)");
  }
}

}  // namespace privet::cli
