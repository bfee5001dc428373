// The "released" outcome of a release, made durable before the charge so that it can be
// written later if writing it at the end fails (issue 13, defect 3).
//
// Once a release's files and attestation are moved into place the release has happened, and
// it is reported as released even when its "released" outcome entry cannot be written (a full
// disk, a lock). To complete that entry later, every release first writes a marker naming its
// output folder: `<ledger>.pending/<pid>-<random>.json` = {"out": "<absolute folder>"}, mode
// 0600, before the charge (so a disk too full for the marker is a refusal that costs nothing).
// The marker is removed once the release's outcome ("released" or "failed") is recorded.
//
// A marker that stays behind (the outcome could not be written, or the process was killed)
// is completed by the next release that opens the ledger (CompletePendingOutcomes): only when
// the folder it names holds a release whose attestation verifies against the deployment's key
// and the ledger (signature, every file's digest, the charge entry, the tree), and whose
// charge still reads "charged", is the outcome "released" recorded; otherwise nothing is
// recorded (the charge stands, and reads "charged"). Either way the marker goes.
#ifndef PRIVET_RELEASE_PENDING_OUTCOME_H_
#define PRIVET_RELEASE_PENDING_OUTCOME_H_

#include <filesystem>
#include <string>
#include <vector>

#include "audit/keys.h"
#include "privacy/ledger.h"

namespace privet::release {

// `<ledger>.pending`.
std::filesystem::path PendingOutcomesPath(const std::filesystem::path& ledger);

class PendingOutcome {
 public:
  // Writes the marker for a release into `target` (synced). StorageError if it cannot.
  PendingOutcome(const std::filesystem::path& ledger, const std::filesystem::path& target);
  // Removes the marker unless Keep() was called.
  ~PendingOutcome();
  PendingOutcome(const PendingOutcome&) = delete;
  PendingOutcome& operator=(const PendingOutcome&) = delete;

  // The outcome could not be recorded: leave the marker for the next open of the ledger.
  void Keep() { keep_ = true; }

 private:
  std::filesystem::path marker_;
  int fd_ = -1;  // open, holding the marker's lock while the release runs
  bool keep_ = false;
};

// Completes the markers left by processes that no longer run (see above); returns the release
// ids recorded as "released". Never throws: a marker that cannot be handled now stays for a
// later open. A marker is claimed by renaming it first, so two processes never both complete
// it.
std::vector<std::string> CompletePendingOutcomes(privacy::BudgetLedger& ledger,
                                                 const audit::VerifyingKey& key) noexcept;

}  // namespace privet::release

#endif  // PRIVET_RELEASE_PENDING_OUTCOME_H_
