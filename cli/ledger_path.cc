#include "cli/ledger_path.h"

#include <cstdlib>

namespace privet::cli {

CLI::Option* AddLedgerOption(CLI::App& command, std::string* option_value) {
  return command.add_option("--ledger", *option_value,
                            std::string("Budget ledger file (default: $") + kLedgerEnvVar +
                                " if set, else ./" + kDefaultLedgerPath + ")");
}

std::filesystem::path ResolveLedgerPath(const std::string& option_value) {
  if (!option_value.empty()) return option_value;
  if (const char* from_environment = std::getenv(kLedgerEnvVar);
      from_environment != nullptr && *from_environment != '\0') {
    return from_environment;
  }
  return std::filesystem::path(".") / kDefaultLedgerPath;
}

}  // namespace privet::cli
