#include "release/output_dir.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

#include "privacy/errors.h"

namespace privet::release {
namespace {

constexpr char kClaimFile[] = ".privet-claim";

std::filesystem::path ParentOf(const std::filesystem::path& target) {
  return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

// ".<name>.partial-" : the prefix of every staging folder of this target.
std::string StagingPrefix(const std::filesystem::path& target) {
  // Built with append(): GCC 12 reports a false -Wrestrict on chained operator+ here.
  std::string prefix = ".";
  prefix.append(target.filename().string()).append(".partial-");
  return prefix;
}

// Staging folders left by a release whose process was killed: their pid no longer runs. They
// hold unattested files, so they go (issue: nothing partial is ever left behind).
void RemoveStaleStaging(const std::filesystem::path& target) {
  const std::string prefix = StagingPrefix(target);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(ParentOf(target), error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string pid_text = name.substr(prefix.size());
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(pid_text);
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    std::filesystem::remove_all(entry.path(), ignored);
  }
}

// True while a running release holds the claim file's lock. The claim is an flock on the
// file, so the claim of a release that was killed is released by the kernel and the folder
// can be taken over (its staging folder is removed as stale).
bool ClaimHeld(const std::filesystem::path& claim) {
  const int fd = ::open(claim.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return errno != ENOENT;  // unreadable: count it as held (fail closed)
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

// Opens and locks the claim file (created if absent); -1 if another release holds it, or
// removed it meanwhile (its release just finished: the folder is no longer fresh).
int TakeClaim(const std::filesystem::path& claim) {
  const int fd = ::open(claim.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return -1;
  struct stat held {};
  struct stat named {};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fstat(fd, &held) != 0 ||
      ::lstat(claim.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
      held.st_dev != named.st_dev) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

void RequireFreshOutputDir(const std::filesystem::path& path) {
  RequireFreshOutputDir(path, false);
}

void RequireFreshOutputDir(const std::filesystem::path& path, bool claimed) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return;
    throw InputError("output folder " + path.string() + " cannot be used: " + std::strerror(errno) +
                     "; choose another --out");
  }
  if (S_ISLNK(info.st_mode)) {
    throw InputError("output folder " + path.string() +
                     " is a symbolic link: privet writes releases into real folders only; "
                     "choose another --out");
  }
  std::error_code error;
  if (!claimed && S_ISDIR(info.st_mode) && std::filesystem::exists(path / kClaimFile, error) &&
      ClaimHeld(path / kClaimFile)) {
    throw InputError("output folder " + path.string() +
                     " is being written by another release; choose a new --out");
  }
  // A claim file is allowed: this release's own, or that of a release that was killed.
  bool empty = S_ISDIR(info.st_mode);
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    empty = empty && entry.path().filename() == kClaimFile;
  }
  if (!S_ISDIR(info.st_mode) || !empty || error) {
    throw InputError("output folder " + path.string() +
                     " already exists and is not empty: privet never overwrites a release; "
                     "choose a new --out");
  }
}

StagedOutputDir::StagedOutputDir(std::filesystem::path target) : target_(std::move(target)) {
  RequireFreshOutputDir(target_);
  std::error_code error;
  std::filesystem::create_directories(ParentOf(target_), error);
  if (error) {
    throw InputError("cannot create the folder of --out " + target_.string() + ": " +
                     error.message());
  }
  // The claim: an flock on a file inside the target, held until the release ends, so of two
  // releases into the same --out one wins and the other is refused here, before it is charged.
  if (::mkdir(target_.c_str(), 0755) == 0) {
    created_target_ = true;
  } else if (errno != EEXIST) {
    throw InputError("cannot create --out " + target_.string() + ": " + std::strerror(errno));
  }
  const std::filesystem::path claim = target_ / kClaimFile;
  claim_fd_ = TakeClaim(claim);
  if (claim_fd_ < 0) {
    if (created_target_) std::filesystem::remove(target_, error);
    throw InputError("output folder " + target_.string() +
                     " is being written by another release; choose a new --out");
  }
  try {
    RequireFreshOutputDir(target_, /*claimed=*/true);
  } catch (...) {
    std::filesystem::remove(claim, error);  // ours, locked; the folder holds something else
    ::close(claim_fd_);
    throw;
  }
  RemoveStaleStaging(target_);
  staging_ = ParentOf(target_) / (StagingPrefix(target_) + std::to_string(getpid()));
  std::filesystem::remove_all(staging_, error);
  if (!std::filesystem::create_directory(staging_, error)) {
    ReleaseClaim();
    throw StorageError("cannot create " + staging_.string() + ": " + error.message());
  }
}

StagedOutputDir::~StagedOutputDir() {
  if (committed_) {
    ::close(claim_fd_);
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(staging_, ignored);
  ReleaseClaim();
}

void StagedOutputDir::ReleaseClaim() noexcept {
  std::error_code ignored;
  std::filesystem::remove(target_ / kClaimFile, ignored);  // removed while still locked
  ::close(claim_fd_);
  claim_fd_ = -1;
  if (created_target_) std::filesystem::remove(target_, ignored);  // only if still empty
}

void StagedOutputDir::Commit() {
  std::error_code error;
  // rename(2) atomically replaces an empty folder, which the target is once its claim goes.
  std::filesystem::remove(target_ / kClaimFile, error);
  std::filesystem::rename(staging_, target_, error);
  if (error) {
    throw StorageError("cannot move the release into " + target_.string() + ": " + error.message());
  }
  committed_ = true;
}

void WriteReleaseFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw StorageError("cannot write " + path.string());
}

}  // namespace privet::release
