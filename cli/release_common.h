// What every budget-spending command (synthesize, query marginal, query correlation) shares
// on the command line: its options, turned into a release/ request, and the summary printed
// after the release. The release itself (checks, charge, noise, attestation) is release/'s.
#ifndef PRIVET_CLI_RELEASE_COMMON_H_
#define PRIVET_CLI_RELEASE_COMMON_H_

#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "release/budget_preview.h"
#include "release/release_request.h"

namespace privet::cli {

struct ReleaseOptions {
  std::string dataset;
  std::string config;
  std::string data;
  double epsilon = 0;
  std::optional<double> delta;
  std::string purpose;
  std::string requester;
  std::string out;
  std::string key;
  std::string ledger;
  std::optional<std::uint64_t> seed;  // test ledgers only
  bool json = false;
  bool quiet = false;
  // Remote mode (server/remote_client.h): the request goes to `privet serve`.
  std::string server;
  std::string token_file;
  std::string cacert;
};

// Adds --dataset, --config, --data, --epsilon, --delta, --purpose, --requester, --out, --key,
// --ledger, --seed, --json, --quiet to a spending command.
void AddReleaseOptions(CLI::App& command, ReleaseOptions* options);

// True when --server was given: the command runs on the service, not here.
bool IsRemote(const ReleaseOptions& options);
// Runs the request on the service as the --token-file's user and downloads it into --out.
// UsageError for options that only make sense on the custodian's host (--config, --data,
// --key, --ledger, --seed, --requester) or a missing --dataset / --out.
release::ReleaseResult RunRemote(const ReleaseOptions& options, const std::string& kind,
                                 const nlohmann::json& request_options);

// The request and deployment the options describe (requester defaulted, paths resolved).
release::ReleaseRequest ToRequest(const ReleaseOptions& options);
release::Deployment ToDeployment(const ReleaseOptions& options);

// An option's value as a path, or nullopt when the option was not given (empty).
std::optional<std::filesystem::path> PathIfGiven(const std::string& option_value);

// The summary printed after a release: human lines on stdout, or result.ToJson().
void PrintReleaseSummary(const release::ReleaseResult& result, bool json);

// What every `--plan` prints: "plan for dataset ID (nothing is charged)", the plan's
// description and the budget preview (release/budget_preview.h) on stdout, or `plan_json` with
// "budget" when json is set; then throws release::PlanRefused (exit 8) when the preview says
// the release would be refused. Nothing is charged either way.
void PrintPlan(const std::string& dataset_id, const std::string& description,
               const nlohmann::json& plan_json, const std::optional<release::BudgetPreview>& budget,
               bool json);

// Who is asking, when --requester is not given: $PRIVET_REQUESTER, else $USER, else "unknown".
std::string DefaultRequester();

}  // namespace privet::cli

#endif  // PRIVET_CLI_RELEASE_COMMON_H_
