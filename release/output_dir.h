// A release's output folder, written all-or-nothing.
//
// Files are written into a hidden staging folder beside the target and the folder is renamed
// into place only when every file (attestation included) is complete. A refused or failed
// release therefore leaves no output folder behind, and a reader never sees half a release.
// The target must not exist or be empty: privet never overwrites a release. The constructor
// claims the target exclusively (two releases into one --out: the second is refused before
// it is charged) and removes staging folders left by killed releases of the same target. The
// claim is an flock on a claim file in the target, so a killed release's claim lapses with
// its process and the next release into the target takes it over.
#ifndef PRIVET_RELEASE_OUTPUT_DIR_H_
#define PRIVET_RELEASE_OUTPUT_DIR_H_

#include <filesystem>
#include <string>

namespace privet::release {

class StagedOutputDir {
 public:
  // Throws InputError if target is a symbolic link, exists and is not an empty folder, or is
  // claimed by another release; StorageError if the staging folder cannot be made.
  explicit StagedOutputDir(std::filesystem::path target);
  // Removes the staging folder unless Commit() succeeded.
  ~StagedOutputDir();
  StagedOutputDir(const StagedOutputDir&) = delete;
  StagedOutputDir& operator=(const StagedOutputDir&) = delete;

  // Where to write the files now.
  const std::filesystem::path& staging() const { return staging_; }
  // The final folder (what attestations name files relative to).
  const std::filesystem::path& target() const { return target_; }
  // Moves the staging folder into place. Throws StorageError on failure.
  void Commit();

 private:
  void ReleaseClaim() noexcept;

  std::filesystem::path target_;
  std::filesystem::path staging_;
  int claim_fd_ = -1;            // the claim file, locked (flock) while the release runs
  bool created_target_ = false;  // the target did not exist before the claim
  bool committed_ = false;
};

// Throws InputError if path is a symbolic link, or exists and is not an empty folder; used
// before any budget is spent so a request that could never be written is refused for free.
void RequireFreshOutputDir(const std::filesystem::path& path);
// As above; with claimed, the folder may hold this release's own claim file.
void RequireFreshOutputDir(const std::filesystem::path& path, bool claimed);

// Writes text to path (a file of the staging folder), byte for byte. StorageError when any
// byte could not be written.
void WriteReleaseFile(const std::filesystem::path& path, const std::string& text);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_OUTPUT_DIR_H_
