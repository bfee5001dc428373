// One function per subcommand file: each adds its subcommand(s) to the app and sets the
// callback that runs them. main.cc only wires these together (CLI11's subcom_in_files).
#ifndef PRIVET_CLI_COMMANDS_H_
#define PRIVET_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace privet::cli {



}  // namespace privet::cli

#endif  // PRIVET_CLI_COMMANDS_H_
