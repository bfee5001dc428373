// One function per subcommand file: each adds its subcommand(s) to the app and sets the
// callback that runs them. main.cc only wires these together (CLI11's subcom_in_files).
#ifndef PRIVET_CLI_COMMANDS_H_
#define PRIVET_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace privet::cli {

// privet report: the officer's (not private) quality report (cli/report_command.cc).
void AddReportCommand(CLI::App& app);

// privet synthesize: release a synthetic table; --plan for a dry run (cli/synthesize_command.cc).
void AddSynthesizeCommand(CLI::App& app);

// privet query marginal|correlation: one noisy statistic, charged (cli/query_command.cc).
void AddQueryCommand(CLI::App& app);

// privet sample: more rows from a released model, at no cost (cli/sample_command.cc).
void AddSampleCommand(CLI::App& app);

// privet schema draft|check: draft a config from a CSV, validate a config (cli/schema_command.cc).
void AddSchemaCommand(CLI::App& app);

// privet keygen: create the Ed25519 attestation signing key pair (cli/keygen_command.cc).
void AddKeygenCommand(CLI::App& app);

// privet verify: verify a release's attestation, optionally against the ledger
// (cli/verify_command.cc).
void AddVerifyCommand(CLI::App& app);

// privet budget init|show: set a dataset's budget, read its spend (cli/budget_command.cc).
void AddBudgetCommand(CLI::App& app);

// privet ledger init|verify|export: create a (test) ledger, check its hash chain, export it
// for auditors (cli/ledger_command.cc).
void AddLedgerCommand(CLI::App& app);

// privet dataset register: bind a dataset to its config, data and unit (cli/dataset_command.cc).
void AddDatasetCommand(CLI::App& app);
// privet dataset unit-bound: a charged DP quantile of rows per unit, to choose
// max_rows_per_unit (cli/dataset_unit_bound_command.cc); added by AddDatasetCommand.
void AddDatasetUnitBoundCommand(CLI::App& dataset);

// privet incidents list|show|ack: failed requests, for the officer (cli/incidents_command.cc).
void AddIncidentsCommand(CLI::App& app);

// privet serve: the custodian service over HTTPS (cli/serve_command.cc, docs/api.md).
void AddServeCommand(CLI::App& app);

// privet user add|revoke|list: the service's principals (cli/user_command.cc).
void AddUserCommand(CLI::App& app);

}  // namespace privet::cli

#endif  // PRIVET_CLI_COMMANDS_H_
