// Where the budget ledger lives, for every subcommand that touches it.
//
// Order of precedence: the --ledger option, then the PRIVET_LEDGER environment variable,
// then ./privet-ledger.db (the current directory). docs/officer.md documents the same.
#ifndef PRIVET_CLI_LEDGER_PATH_H_
#define PRIVET_CLI_LEDGER_PATH_H_

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

namespace privet::cli {

inline constexpr const char* kDefaultLedgerPath = "privet-ledger.db";
inline constexpr const char* kLedgerEnvVar = "PRIVET_LEDGER";

// Adds "--ledger PATH" to the subcommand, storing into *option_value (left empty when
// the option is absent).
CLI::Option* AddLedgerOption(CLI::App& command, std::string* option_value);

// The ledger path to use given the option's value (empty = not given).
std::filesystem::path ResolveLedgerPath(const std::string& option_value);

}  // namespace privet::cli

#endif  // PRIVET_CLI_LEDGER_PATH_H_
