// Registration: the privacy officer binds a dataset id to a reviewed config (by canonical
// digest), its data file (by keyed commitment) and its privacy unit, in the ledger
// (privacy/ledger.h Registration). Every spending request is then checked against it before
// any data is read (release/release_pipeline.h).
#ifndef PRIVET_RELEASE_REGISTRATION_H_
#define PRIVET_RELEASE_REGISTRATION_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "privacy/ledger.h"

namespace privet::release {

// The config's canonical digest: SHA-256 of the canonical JSON (privacy/canonical_json.h) of
// the file's parsed content, so whitespace and key order do not change it, any value does.
// InputError if the file is not JSON.
std::string ConfigDigest(const std::filesystem::path& config);

// An absolute, normalised form of a path (symlinks resolved where the path exists), the form
// registrations record and requests are compared in.
std::filesystem::path ResolvedPath(const std::filesystem::path& path);

// A registration's data_source for a database table: this prefix then schema.table (a CSV's is
// its absolute path, which never starts so). Its data_commitment is PostgresDataCommitment
// (engine/source/postgres_commitment.h), checked again before every release.
inline constexpr std::string_view kDatabaseSourcePrefix = "postgresql:";
// True when `data_source` names a database table (kDatabaseSourcePrefix).
inline bool IsDatabaseSource(std::string_view data_source) {
  return data_source.starts_with(kDatabaseSourcePrefix);
}

struct RegistrationRequest {
  std::filesystem::path config;
  // The CSV to bind; default: the config's dataset.csv.
  std::optional<std::filesystem::path> data;
  // Sets the dataset's budget in the same ledger transaction (only for a new dataset).
  std::optional<privacy::Budget> budget;
  std::int64_t max_failures = 3;
  std::string officer;
};

// Registers (or re-registers) the config's dataset in the ledger at `ledger_path`, creating a
// production ledger there if none exists. The config must be reviewed (not a draft) and the
// data must encode under it: this is the officer's command, so a data problem is reported
// in full (file, line, column) here rather than later as an incident. Returns the recorded
// registration.
privacy::Registration RegisterDataset(const std::filesystem::path& ledger_path,
                                      const RegistrationRequest& request);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_REGISTRATION_H_
