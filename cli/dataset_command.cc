// `privet dataset register`: the privacy officer binds a dataset to its reviewed config, its
// data file and its privacy unit, and may set its budget in the same step
// (release/registration.h does the work). Re-registering records a new entry; the dataset's
// spend carries over.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/ledger_path.h"
#include "cli/number_options.h"
#include "privacy/errors.h"
#include "release/registration.h"

namespace privet::cli {
namespace {

struct RegisterOptions {
  std::string config;
  std::string data;
  std::string epsilon;
  std::string delta;
  std::string per_release_epsilon;
  std::int64_t max_failures = 3;
  std::string owner;
  std::string ledger;
};

void RunRegister(const RegisterOptions& options) {
  release::RegistrationRequest request;
  request.config = options.config;
  if (!options.data.empty()) request.data = std::filesystem::path(options.data);
  if (!options.epsilon.empty() || !options.delta.empty()) {
    if (options.epsilon.empty() || options.delta.empty()) {
      throw UsageError("set the budget with both --epsilon and --delta, or neither");
    }
    request.budget = ParseBudget(options.epsilon, options.delta, options.per_release_epsilon);
  } else if (!options.per_release_epsilon.empty()) {
    throw UsageError("--per-release-epsilon is part of the budget: give --epsilon and --delta");
  }
  if (options.max_failures < 1) throw InputError("--max-failures must be at least 1");
  request.max_failures = options.max_failures;
  request.officer = options.owner.empty() ? DefaultOwner() : options.owner;
  const std::filesystem::path ledger = ResolveLedgerPath(options.ledger);
  const privacy::Registration registration = release::RegisterDataset(ledger, request);
  std::cout << "registered dataset " << registration.dataset_id << " (ledger entry "
            << registration.entry_id << ", by " << registration.registered_by << ")\n"
            << "  config  " << registration.config_path << "\n"
            << "          sha256 " << registration.config_sha256 << "\n"
            << "  data    " << registration.data_source << "\n"
            << "          keyed commitment " << registration.data_commitment << "\n"
            << "  unit    "
            << (registration.unit_column == "row"
                    ? std::string("each row is its own unit")
                    : registration.unit_column + ", at most " +
                          std::to_string(registration.max_rows_per_unit) + " rows per unit")
            << "\n"
            << "  locked after " << registration.max_failures
            << " failed requests until acknowledged\n";
  if (request.budget) {
    std::cout << "  budget  epsilon " << options.epsilon << ", delta " << options.delta;
    if (request.budget->per_release_epsilon) {
      std::cout << ", per-release cap epsilon " << options.per_release_epsilon;
    }
    std::cout << "\n";
  }
  std::cout << "ledger " << ledger.string() << "\n";
}

}  // namespace

void AddDatasetCommand(CLI::App& app) {
  CLI::App* dataset =
      app.add_subcommand("dataset", "Register datasets, choose their unit bound (privacy officer)");
  dataset->require_subcommand(1);
  auto options = std::make_shared<RegisterOptions>();
  CLI::App* reg = dataset->add_subcommand(
      "register", "Bind a dataset to its reviewed config, data file and unit (and set its budget)");
  reg->add_option("--config", options->config, "The reviewed config")->required();
  reg->add_option("--data", options->data, "The CSV to bind (default: the config's dataset.csv)");
  reg->add_option("--epsilon", options->epsilon, "Total epsilon (a new dataset's budget)");
  reg->add_option("--delta", options->delta, "Total delta in [0, 1) (a new dataset's budget)");
  reg->add_option("--per-release-epsilon", options->per_release_epsilon,
                  "Cap on the epsilon of any single release");
  reg->add_option("--max-failures", options->max_failures,
                  "Failed requests after which releases wait for the officer (default 3)");
  reg->add_option("--owner", options->owner, "Who registers (default: $USER)");
  AddLedgerOption(*reg, &options->ledger);
  reg->callback([options] { RunRegister(*options); });
  AddDatasetUnitBoundCommand(*dataset);
}

}  // namespace privet::cli
