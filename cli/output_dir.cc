#include "cli/output_dir.h"

#include <unistd.h>

#include <string>
#include <system_error>

#include "privacy/errors.h"

namespace privet::cli {

void RequireFreshOutputDir(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return;
  if (!std::filesystem::is_directory(path, error) || !std::filesystem::is_empty(path, error)) {
    throw InputError("output folder " + path.string() +
                     " already exists and is not empty: privet never overwrites a release; "
                     "choose a new --out");
  }
}

StagedOutputDir::StagedOutputDir(std::filesystem::path target) : target_(std::move(target)) {
  RequireFreshOutputDir(target_);
  const auto parent = target_.has_parent_path() ? target_.parent_path()
                                                : std::filesystem::path(".");
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  // Built with append(): GCC 12 reports a false -Wrestrict on chained operator+ here.
  std::string staging_name = ".";
  staging_name.append(target_.filename().string()).append(".partial-");
  staging_name.append(std::to_string(getpid()));
  staging_ = parent / staging_name;
  std::filesystem::remove_all(staging_, error);
  if (!std::filesystem::create_directory(staging_, error)) {
    throw StorageError("cannot create " + staging_.string() + ": " + error.message());
  }
}

StagedOutputDir::~StagedOutputDir() {
  if (committed_) return;
  std::error_code ignored;
  std::filesystem::remove_all(staging_, ignored);
}

void StagedOutputDir::Commit() {
  std::error_code error;
  // An empty target folder (allowed above) is replaced; rename cannot replace a folder.
  if (std::filesystem::exists(target_, error)) std::filesystem::remove(target_, error);
  std::filesystem::rename(staging_, target_, error);
  if (error) {
    throw StorageError("cannot move the release into " + target_.string() + ": " +
                       error.message());
  }
  committed_ = true;
}

}  // namespace privet::cli
