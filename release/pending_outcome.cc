#include "release/pending_outcome.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>

#include "audit/release_attestation.h"
#include "audit/release_record.h"
#include "audit/verify.h"
#include "privacy/errors.h"
#include "privacy/random_source.h"
#include "privacy/sha256.h"

namespace privet::release {
namespace {

// The marker's lock: held (flock, LOCK_EX) by the release while it runs, so a marker whose lock
// can be taken belongs to a release that ended (the kernel drops the lock of a killed
// process). flock locks belong to an open file, so this also holds between the threads of
// `privet serve`.
int OpenLocked(const std::filesystem::path& path, int flags, int lock) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return -1;
  if (::flock(fd, lock) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string RandomName() {
  privacy::RandomSource random = privacy::RandomSource::Secure();
  const std::uint64_t word = random();
  return HexEncode(std::string_view(reinterpret_cast<const char*>(&word), sizeof(word)));
}

// Records "released" for the release in `out` if its attestation verifies and its charge
// still reads "charged"; returns its release id then, "" otherwise.
std::string Complete(privacy::BudgetLedger& ledger, const audit::VerifyingKey& key,
                     const std::filesystem::path& out) {
  const std::filesystem::path attestation = out / audit::kAttestationFileName;
  std::error_code error;
  if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(attestation, error))) {
    return "";  // never moved into place: nothing was released
  }
  const audit::VerificationReport report =
      audit::VerifyAttestation(attestation, key, ledger.path());
  if (!report.ok() || !report.record || !report.record->ledger) return "";
  const std::string& release_id = report.record->ledger->release_id;
  const privacy::DatasetStatus status = ledger.Show(report.record->dataset_id);
  for (const auto& release : status.releases) {
    if (release.release_id != release_id) continue;
    if (release.status != "charged") return "";
    ledger.RecordOutcome(release_id, "released",
                         "written to " + out.string() +
                             "; recorded at the next open of the ledger, from the verified "
                             "release files");
    return release_id;
  }
  return "";
}

}  // namespace

std::filesystem::path PendingOutcomesPath(const std::filesystem::path& ledger) {
  std::filesystem::path path = ledger;
  path += ".pending";
  return path;
}

PendingOutcome::PendingOutcome(const std::filesystem::path& ledger,
                               const std::filesystem::path& target) {
  const std::filesystem::path folder = PendingOutcomesPath(ledger);
  if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
    throw StorageError("cannot create " + folder.string() + ": " + std::strerror(errno) +
                       "; nothing was charged");
  }
  marker_ = folder / (RandomName() + ".json");
  fd_ = OpenLocked(marker_, O_WRONLY | O_CREAT | O_EXCL, LOCK_EX);
  const std::string text =
      nlohmann::json{{"out", std::filesystem::absolute(target).string()}}.dump() + "\n";
  const bool written =
      fd_ >= 0 && ::write(fd_, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
      ::fsync(fd_) == 0;
  if (!written) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    if (fd_ >= 0) std::filesystem::remove(marker_, ignored);
    if (fd_ >= 0) ::close(fd_);
    throw StorageError("cannot write " + marker_.string() + ": " + reason +
                       "; nothing was charged");
  }
}

PendingOutcome::~PendingOutcome() {
  if (!keep_) {
    std::error_code ignored;
    std::filesystem::remove(marker_, ignored);
  }
  ::close(fd_);  // drops the lock: a kept marker is now the next open's to complete
}

std::vector<std::string> CompletePendingOutcomes(privacy::BudgetLedger& ledger,
                                                 const audit::VerifyingKey& key) noexcept {
  std::vector<std::string> completed;
  try {
    std::error_code error;
    const std::filesystem::path folder = PendingOutcomesPath(ledger.path());
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      const int fd = OpenLocked(entry.path(), O_RDONLY, LOCK_EX | LOCK_NB);
      if (fd < 0) continue;  // a release still running (or not a marker)
      struct stat info {};
      std::string text;
      if (::fstat(fd, &info) == 0 && info.st_nlink > 0 && S_ISREG(info.st_mode) &&
          info.st_size < 65536) {
        text.resize(static_cast<std::size_t>(info.st_size));
        if (::read(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) text.clear();
      }
      try {
        const nlohmann::json marker = nlohmann::json::parse(text);
        const std::string release_id =
            Complete(ledger, key, std::filesystem::path(marker.at("out").get<std::string>()));
        if (!release_id.empty()) completed.push_back(release_id);
        std::filesystem::remove(entry.path(), error);
      } catch (const nlohmann::json::exception&) {
        std::filesystem::remove(entry.path(), error);  // not a marker this code wrote
      } catch (const std::exception&) {
        // The ledger could not be written now either: the marker stays for a later open.
      }
      ::close(fd);
    }
  } catch (...) {
  }
  return completed;
}

}  // namespace privet::release
