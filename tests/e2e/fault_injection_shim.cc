// A fault-injection shim for the failure drills (tests/e2e/failure_drills_test.cc), loaded into
// the real `privet` binary with LD_PRELOAD. It lives in tests/ only: the production code has
// no test hooks (they would be attack surface). It wraps libc's write calls and rename(2) and,
// for the calls the environment selects, fails them as a full disk does (ENOSPC), or kills the
// process (SIGKILL) at that point.
//
// Environment (all optional except PRIVET_FAULT_MATCH; without it the shim does nothing):
//   PRIVET_FAULT_MATCH   a substring of the path the call writes to (the file behind the file
//                        descriptor, read from /proc/self/fd, or rename's source path).
//   PRIVET_FAULT_OP      "write" (write, pwrite, pwrite64, writev, pwritev: default) or
//                        "rename".
//   PRIVET_FAULT_AFTER   "rename": the fault is armed only once the process has renamed
//                        something successfully (the release moved into place), so that
//                        "the ledger's writes after the rename" selects the outcome entry.
//   PRIVET_FAULT_ACTION  "enospc" (default) or "sigkill".
//   PRIVET_FAULT_REPORT  a file to which the shim appends one line "<op> <path>" each time it
//                        fires, so a drill can show its fault was actually injected.
// A full disk stays full: once fired, every later matching call fails too.
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

std::atomic<bool> renamed{false};

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

template <typename Function>
Function Next(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

// Appends "<op> <path>\n" to the report file with raw syscalls (no stdio, no recursion into
// the wrapped write: the report goes through the real write).
void Report(const char* op, const char* path) {
  const char* report = Env("PRIVET_FAULT_REPORT");
  if (report == nullptr) return;
  using WriteFunction = ssize_t (*)(int, const void*, size_t);
  static const WriteFunction real_write = Next<WriteFunction>("write");
  const int fd = ::open(report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[4200];
  const int length = std::snprintf(line, sizeof(line), "%s %s\n", op, path);
  if (length > 0) real_write(fd, line, static_cast<size_t>(length));
  ::close(fd);
}

// True when this call must fail (errno is then ENOSPC); never returns when the action is
// SIGKILL.
bool Fire(const char* op, const char* path) {
  const char* match = Env("PRIVET_FAULT_MATCH");
  if (match == nullptr || path == nullptr) return false;
  const char* wanted_op = Env("PRIVET_FAULT_OP");
  if (std::strcmp(wanted_op != nullptr ? wanted_op : "write", op) != 0) return false;
  const char* after = Env("PRIVET_FAULT_AFTER");
  if (after != nullptr && std::strcmp(after, "rename") == 0 && !renamed.load()) return false;
  if (std::strstr(path, match) == nullptr) return false;
  Report(op, path);
  const char* action = Env("PRIVET_FAULT_ACTION");
  if (action != nullptr && std::strcmp(action, "sigkill") == 0) ::raise(SIGKILL);
  errno = ENOSPC;
  return true;
}

bool FireOnDescriptor(int fd) {
  if (Env("PRIVET_FAULT_MATCH") == nullptr) return false;
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  char path[4096];
  const ssize_t length = ::readlink(link, path, sizeof(path) - 1);
  if (length <= 0) return false;
  path[length] = '\0';
  return Fire("write", path);
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buffer, size_t count) {
  using Function = ssize_t (*)(int, const void*, size_t);
  static const Function real = Next<Function>("write");
  if (FireOnDescriptor(fd)) return -1;
  return real(fd, buffer, count);
}

ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset) {
  using Function = ssize_t (*)(int, const void*, size_t, off_t);
  static const Function real = Next<Function>("pwrite");
  if (FireOnDescriptor(fd)) return -1;
  return real(fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, const void* buffer, size_t count, off64_t offset) {
  using Function = ssize_t (*)(int, const void*, size_t, off64_t);
  static const Function real = Next<Function>("pwrite64");
  if (FireOnDescriptor(fd)) return -1;
  return real(fd, buffer, count, offset);
}

ssize_t writev(int fd, const struct iovec* vectors, int count) {
  using Function = ssize_t (*)(int, const struct iovec*, int);
  static const Function real = Next<Function>("writev");
  if (FireOnDescriptor(fd)) return -1;
  return real(fd, vectors, count);
}

ssize_t pwritev(int fd, const struct iovec* vectors, int count, off_t offset) {
  using Function = ssize_t (*)(int, const struct iovec*, int, off_t);
  static const Function real = Next<Function>("pwritev");
  if (FireOnDescriptor(fd)) return -1;
  return real(fd, vectors, count, offset);
}

int rename(const char* from, const char* to) {
  using Function = int (*)(const char*, const char*);
  static const Function real = Next<Function>("rename");
  if (Fire("rename", from)) return -1;
  const int result = real(from, to);
  if (result == 0) renamed.store(true);
  return result;
}

}  // extern "C"
