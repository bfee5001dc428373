// `privet ledger verify|export`: check the budget ledger's hash chain, and hand an auditor
// the whole ledger as JSON (privacy/ledger.h documents the hash recipe).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/ledger_path.h"
#include "privacy/deployment_secret.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"

namespace privet::cli {
namespace {

struct LedgerOptions {
  bool json = false;
  bool test_only = false;
  std::string ledger;
};

void RunInit(const LedgerOptions& options) {
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto mode =
      options.test_only ? privacy::LedgerMode::kTest : privacy::LedgerMode::kProduction;
  const auto ledger = privacy::BudgetLedger::Create(path, mode);
  std::cout << "created " << privacy::LedgerModeName(mode) << " ledger " << path.string()
            << " (deployment secret " << privacy::DeploymentSecretPath(path).string()
            << ", mode 0600)\n";
  if (options.test_only) {
    std::cout << "TEST LEDGER: seeded noise is allowed and every release is marked "
                 "TEST RELEASE; never release real data from it\n";
  }
}

void RunVerify(const LedgerOptions& options) {
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kReadOnly);
  const privacy::VerifyResult result = ledger.VerifyChain();
  if (!result.ok) {
    throw IntegrityError("ledger " + path.string() + ": " + result.message +
                         "; the ledger was altered after it was written");
  }
  std::cout << "ledger " << path.string() << " (" << privacy::LedgerModeName(ledger.Mode())
            << "): " << result.message << "\n"
            << "head " << result.head_hash << "\n";
}

void RunExport(const LedgerOptions& options) {
  if (!options.json) {
    throw UsageError("ledger export: choose the output format with --json");
  }
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kReadOnly);
  std::cout << ledger.Export().dump(2) << "\n";
}

}  // namespace

void AddLedgerCommand(CLI::App& app) {
  CLI::App* ledger = app.add_subcommand("ledger", "Create, verify or export the budget ledger");
  ledger->require_subcommand(1);

  auto init_options = std::make_shared<LedgerOptions>();
  CLI::App* init = ledger->add_subcommand(
      "init", "Create a ledger and its deployment secret (production unless --test-only)");
  init->add_flag("--test-only", init_options->test_only,
                 "A test ledger: seeded noise allowed, every release marked TEST RELEASE");
  AddLedgerOption(*init, &init_options->ledger);
  init->callback([init_options] { RunInit(*init_options); });

  auto verify_options = std::make_shared<LedgerOptions>();
  CLI::App* verify = ledger->add_subcommand(
      "verify", "Recompute the hash chain; fail naming the first altered or missing entry");
  AddLedgerOption(*verify, &verify_options->ledger);
  verify->callback([verify_options] { RunVerify(*verify_options); });

  auto export_options = std::make_shared<LedgerOptions>();
  CLI::App* export_command = ledger->add_subcommand(
      "export", "Print every entry with its hashes, and each dataset's status, for auditors");
  export_command->add_flag("--json", export_options->json, "JSON output (the only format)");
  AddLedgerOption(*export_command, &export_options->ledger);
  export_command->callback([export_options] { RunExport(*export_options); });
}

}  // namespace privet::cli
