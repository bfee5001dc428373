// Running the real `privet` binary from the e2e tests: reading and writing small files, quoting
// for /bin/sh, and one command's exit code and output. Shared by the ledger, serve and
// failure-drill tests.
#ifndef PRIVET_TESTS_E2E_PROCESS_SUPPORT_H_
#define PRIVET_TESTS_E2E_PROCESS_SUPPORT_H_

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace privet::e2e {

namespace fs = std::filesystem;

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Single-quotes text for /bin/sh (built with a stream: GCC 12's -Wrestrict misfires on
// chains of string operator+).
inline std::string Quote(const std::string& text) {
  std::ostringstream quoted;
  quoted << '\'';
  for (const char c : text) {
    if (c == '\'') {
      quoted << "'\\''";
    } else {
      quoted << c;
    }
  }
  quoted << '\'';
  return quoted.str();
}

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `program args...` in `directory` with extra environment assignments ("K=V").
inline CommandResult Run(const fs::path& directory, const std::string& program,
                         const std::vector<std::string>& args,
                         const std::vector<std::string>& environment = {}) {
  const fs::path out = directory / ".cmd.out";
  const fs::path err = directory / ".cmd.err";
  std::ostringstream command;
  command << "cd " << Quote(directory.string()) << " && env";
  for (const auto& assignment : environment) command << ' ' << Quote(assignment);
  command << ' ' << Quote(program);
  for (const auto& arg : args) command << ' ' << Quote(arg);
  command << " > " << Quote(out.string()) << " 2> " << Quote(err.string());
  const int status = std::system(command.str().c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

inline CommandResult Privet(const fs::path& directory, const std::vector<std::string>& args,
                            const std::vector<std::string>& environment = {}) {
  return Run(directory, PRIVET_BINARY, args, environment);
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace privet::e2e

#endif  // PRIVET_TESTS_E2E_PROCESS_SUPPORT_H_
