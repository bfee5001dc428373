// Shared pieces of the ledger e2e tests: scratch directories, running the privet binary
// through the shell, and starting the charge helper as a child process.
#ifndef PRIVET_TESTS_E2E_LEDGER_E2E_SUPPORT_H_
#define PRIVET_TESTS_E2E_LEDGER_E2E_SUPPORT_H_

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/scratch_dir.h"

namespace privet::e2e {

namespace fs = std::filesystem;

using privet::testing::ScratchDir;

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
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

// Starts the charge helper with stdout redirected to `stdout_path`; returns its pid.
inline pid_t StartHelper(const std::vector<std::string>& args, const fs::path& stdout_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> storage = {PRIVET_LEDGER_HELPER};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int code = posix_spawn(&pid, PRIVET_LEDGER_HELPER, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (code != 0) throw std::runtime_error("posix_spawn of the ledger helper failed");
  return pid;
}

// Waits for the child; returns its exit code, or -signal if a signal ended it.
inline int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
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

#endif  // PRIVET_TESTS_E2E_LEDGER_E2E_SUPPORT_H_
