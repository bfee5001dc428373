// Shared pieces of the ledger e2e tests: scratch directories, the process helpers of
// tests/e2e/process_support.h, and starting the charge helper as a child process.
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

#include "tests/e2e/process_support.h"
#include "tests/scratch_dir.h"

namespace privet::e2e {

using privet::testing::ScratchDir;

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

}  // namespace privet::e2e

#endif  // PRIVET_TESTS_E2E_LEDGER_E2E_SUPPORT_H_
