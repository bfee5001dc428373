// `privet budget init|show`: the privacy officer sets a dataset's total budget (and an
// optional per-release cap) once, and reads what has been spent. The ledger does the work
// (privacy/ledger.h); this file parses options and prints.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/ledger_path.h"
#include "cli/number_options.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"

namespace privet::cli {
namespace {

struct BudgetInitOptions {
  std::string dataset;
  std::string epsilon;
  std::string delta;
  std::string per_release_epsilon;
  std::string owner;
  std::string ledger;
};

struct BudgetShowOptions {
  std::string dataset;
  bool json = false;
  std::string ledger;
};

std::string Number(double value) {
  std::ostringstream out;
  out << std::setprecision(6) << value;
  return out.str();
}

void RunInit(const BudgetInitOptions& options) {
  const privacy::Budget budget =
      ParseBudget(options.epsilon, options.delta, options.per_release_epsilon);
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kCreateIfMissing);
  const std::string owner = options.owner.empty() ? DefaultOwner() : options.owner;
  ledger.InitDataset(options.dataset, budget, owner);
  std::cout << "dataset " << options.dataset << ": budget epsilon " << Number(budget.epsilon)
            << ", delta " << Number(budget.delta);
  if (budget.per_release_epsilon) {
    std::cout << ", per-release cap epsilon " << Number(*budget.per_release_epsilon);
  }
  std::cout << " (owner " << owner << ")\n"
            << "ledger " << path.string() << ", head " << ledger.HeadHash() << "\n";
}

void PrintStatus(const privacy::DatasetStatus& status) {
  const auto& budget = status.budget;
  std::cout << "dataset " << status.dataset_id << " (owner " << status.owner << ", created "
            << status.created << ")\n"
            << "  budget     epsilon " << Number(budget.epsilon) << ", delta "
            << Number(budget.delta) << ", per-release cap "
            << (budget.per_release_epsilon ? "epsilon " + Number(*budget.per_release_epsilon)
                                           : std::string("none"))
            << "\n"
            << "  spent      epsilon " << Number(status.spent.epsilon)
            << " (all releases composed at delta " << Number(status.spent.delta)
            << " by accountant " << privacy::kAccountantVersion << ")\n"
            << "  remaining  epsilon " << Number(status.remaining_epsilon) << "\n";
  if (status.registration) {
    const privacy::Registration& registration = *status.registration;
    std::cout << "  registered entry " << registration.entry_id << " (" << status.registrations
              << (status.registrations == 1 ? " registration" : " registrations") << ", "
              << registration.time << " by " << registration.registered_by << ")\n"
              << "    config   " << registration.config_path << " (sha256 "
              << registration.config_sha256 << ")\n"
              << "    data     " << registration.data_source << "\n"
              << "    unit     "
              << (registration.unit_column == "row"
                      ? std::string("each row")
                      : registration.unit_column + ", at most " +
                            std::to_string(registration.max_rows_per_unit) + " rows")
              << "; locked after " << registration.max_failures << " failed requests\n";
  } else {
    std::cout << "  NOT REGISTERED: releases are refused until `privet dataset register`\n";
  }
  std::cout << "  releases   " << status.releases.size() << "\n";
  for (const auto& release : status.releases) {
    std::cout << "    " << release.release_id << "  " << release.time << "  " << std::left
              << std::setw(8) << release.status << std::right << "  epsilon "
              << Number(release.cost.epsilon) << "  cumulative "
              << Number(release.cumulative.epsilon) << "  " << release.kind << " by "
              << release.requester;
    if (!release.purpose.empty()) std::cout << " (" << release.purpose << ")";
    std::cout << "\n";
    // Identical mechanisms are listed once with their count, in the order each first occurs
    // (a pair selection alternates exponential and Gaussian events, which would otherwise make
    // one line per event); --json lists every event, in order, with its query.
    std::vector<std::pair<std::string, int>> mechanisms;
    for (auto event : release.events) {
      event.query.clear();
      const std::string text = event.Describe();
      const auto same = std::find_if(mechanisms.begin(), mechanisms.end(),
                                     [&](const auto& entry) { return entry.first == text; });
      if (same != mechanisms.end()) {
        ++same->second;
      } else {
        mechanisms.emplace_back(text, 1);
      }
    }
    for (const auto& [text, count] : mechanisms) {
      std::cout << "        " << count << " x " << text << "\n";
    }
  }
}

void RunShow(const BudgetShowOptions& options) {
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kReadOnly);
  std::vector<privacy::DatasetStatus> statuses;
  if (!options.dataset.empty()) {
    statuses.push_back(ledger.Show(options.dataset));
  } else {
    for (const auto& id : ledger.Datasets()) statuses.push_back(ledger.Show(id));
  }
  if (options.json) {
    nlohmann::json out;
    if (!options.dataset.empty()) {
      out = privacy::ToJson(statuses.front());
    } else {
      out = nlohmann::json::array();
      for (const auto& status : statuses) out.push_back(privacy::ToJson(status));
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "ledger " << path.string() << " (" << privacy::LedgerModeName(ledger.Mode())
            << ", head " << ledger.HeadHash() << ")\n";
  if (ledger.Mode() == privacy::LedgerMode::kTest) {
    std::cout << "TEST LEDGER: seeded releases allowed; none of its releases is private\n";
  }
  if (statuses.empty()) {
    std::cout << "no datasets yet: register one with privet dataset register\n";
  }
  for (const auto& status : statuses) PrintStatus(status);
}

}  // namespace

void AddBudgetCommand(CLI::App& app) {
  CLI::App* budget = app.add_subcommand("budget", "Set and read dataset privacy budgets");
  budget->require_subcommand(1);

  auto init_options = std::make_shared<BudgetInitOptions>();
  CLI::App* init = budget->add_subcommand(
      "init", "Register a dataset with its total (epsilon, delta) budget; set once");
  init->add_option("--dataset", init_options->dataset, "Dataset id (A-Z a-z 0-9 _ . -)")
      ->required();
  init->add_option("--epsilon", init_options->epsilon, "Total epsilon, finite and > 0")->required();
  init->add_option("--delta", init_options->delta, "Total delta in [0, 1); 0 = pure DP")
      ->required();
  init->add_option("--per-release-epsilon", init_options->per_release_epsilon,
                   "Cap on the epsilon of any single release");
  init->add_option("--owner", init_options->owner, "Who set the budget (default: $USER)");
  AddLedgerOption(*init, &init_options->ledger);
  init->callback([init_options] { RunInit(*init_options); });

  auto show_options = std::make_shared<BudgetShowOptions>();
  CLI::App* show = budget->add_subcommand("show", "Show each dataset's budget, spend and releases");
  show->add_option("--dataset", show_options->dataset, "Only this dataset");
  show->add_flag("--json", show_options->json, "Machine-readable output");
  AddLedgerOption(*show, &show_options->ledger);
  show->callback([show_options] { RunShow(*show_options); });
}

}  // namespace privet::cli
