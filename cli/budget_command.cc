// `privet budget init|show`: the privacy officer sets a dataset's total budget (and an
// optional per-release cap) once, and reads what has been spent. The ledger does the work
// (privacy/ledger.h); this file parses options and prints.
#include <CLI/CLI.hpp>
#include <charconv>
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

// Strict decimal parse; the message names the option. Range checks follow in the caller.
// Only plain decimal text is a budget ("3", "0.5", "1e-6"): strtod would also read hex floats
// ("0x10" is 16), "inf", "nan" and leading blanks, so a budget could be set to something
// other than what the officer saw typed. from_chars (general format) reads no hex, and the
// character check refuses "inf"/"nan" spellings before it runs.
double ParseNumber(const std::string& option, const std::string& text) {
  const bool decimal_characters =
      !text.empty() && text.find_first_not_of("0123456789.eE+-") == std::string::npos &&
      text.find_first_of("0123456789") != std::string::npos;
  double value = 0;
  const char* const last = text.data() + text.size();
  const auto [end, error] =
      decimal_characters ? std::from_chars(text.data(), last, value, std::chars_format::general)
                         : std::from_chars_result{text.data(), std::errc::invalid_argument};
  if (error != std::errc() || end != last) {
    throw InputError(option + ": \"" + text + "\" is not a number (write it in decimal: 3, 0.5, 1e-6)");
  }
  return value;
}

double ParseEpsilon(const std::string& option, const std::string& text) {
  const double value = ParseNumber(option, text);
  if (!std::isfinite(value) || value <= 0) {
    throw InputError(option + " must be a finite number > 0 (got " + text + ")");
  }
  return value;
}

double ParseDelta(const std::string& option, const std::string& text) {
  const double value = ParseNumber(option, text);
  if (!std::isfinite(value) || value < 0 || value >= 1) {
    throw InputError(option + " must be in [0, 1) (got " + text +
                     "); use 0 for pure differential privacy");
  }
  return value;
}

std::string DefaultOwner() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

void RunInit(const BudgetInitOptions& options) {
  privacy::Budget budget;
  budget.epsilon = ParseEpsilon("--epsilon", options.epsilon);
  budget.delta = ParseDelta("--delta", options.delta);
  if (!options.per_release_epsilon.empty()) {
    budget.per_release_epsilon = ParseEpsilon("--per-release-epsilon", options.per_release_epsilon);
    if (*budget.per_release_epsilon > budget.epsilon) {
      throw InputError("--per-release-epsilon " + options.per_release_epsilon +
                       " exceeds the total --epsilon " + options.epsilon);
    }
  }
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
            << " (all releases composed at delta " << Number(status.spent.delta) << ")\n"
            << "  remaining  epsilon " << Number(status.remaining_epsilon) << "\n"
            << "  releases   " << status.releases.size() << "\n";
  for (const auto& release : status.releases) {
    std::cout << "    " << release.release_id << "  " << release.time << "  " << std::left
              << std::setw(8) << release.status << std::right << "  epsilon "
              << Number(release.cost.epsilon) << "  cumulative "
              << Number(release.cumulative.epsilon) << "  " << release.kind << " by "
              << release.requester;
    if (!release.purpose.empty()) std::cout << " (" << release.purpose << ")";
    std::cout << "\n";
    // Identical mechanisms are listed once with their count; --json lists every event
    // with its query.
    std::vector<std::pair<std::string, int>> mechanisms;
    for (auto event : release.events) {
      event.query.clear();
      const std::string text = event.Describe();
      if (!mechanisms.empty() && mechanisms.back().first == text) {
        ++mechanisms.back().second;
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
  std::cout << "ledger " << path.string() << " (head " << ledger.HeadHash() << ")\n";
  if (statuses.empty()) {
    std::cout << "no datasets yet: register one with privet budget init\n";
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
