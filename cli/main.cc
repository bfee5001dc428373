// The `privet` executable: wires the subcommands and maps errors to exit codes. Every error
// is one line on stderr, prefixed "privet: ", with the exit code of its class
// (privacy/errors.h); nothing else ever reaches the user as a stack trace.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "privacy/errors.h"
#include "privet/version.h"

int main(int argc, char** argv) {
  CLI::App app{
      "privet: differentially private synthetic tables with a budget ledger and "
      "signed attestations"};
  app.set_version_flag("--version", std::string("privet ") + privet::kVersion + " (commit " +
                                        privet::kBuildCommit + ")");
  app.require_subcommand(1);
  privet::cli::AddReportCommand(app);
  privet::cli::AddSynthesizeCommand(app);
  privet::cli::AddSampleCommand(app);
  privet::cli::AddQueryCommand(app);
  privet::cli::AddSchemaCommand(app);
  privet::cli::AddKeygenCommand(app);
  privet::cli::AddVerifyCommand(app);
  privet::cli::AddBudgetCommand(app);
  privet::cli::AddLedgerCommand(app);
  privet::cli::AddDatasetCommand(app);
  privet::cli::AddIncidentsCommand(app);
  privet::cli::AddServeCommand(app);
  privet::cli::AddUserCommand(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    std::cerr << "privet: " << e.what() << " (run with --help for usage)\n";
    return static_cast<int>(privet::ExitCode::kUsage);
  } catch (const privet::Error& e) {
    std::cerr << "privet: " << e.what() << "\n";
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::cerr << "privet: internal error: " << e.what() << "\n";
    return static_cast<int>(privet::ExitCode::kInternal);
  }
  return static_cast<int>(privet::ExitCode::kOk);
}
