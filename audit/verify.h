// Verification of a release's attestation: what `privet verify` runs and what an auditor
// relies on. Needs only the attestation, the released files and the public key; the ledger
// is optional and adds the checks that tie the release to the budget's history.
#ifndef PRIVET_AUDIT_VERIFY_H_
#define PRIVET_AUDIT_VERIFY_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/keys.h"
#include "audit/release_record.h"
#include "audit/statement.h"

namespace privet::audit {

// One named check. Names are stable (scripts may match them): "envelope", "key-id",
// "signature", "statement", "predicate", "consistency", "subject:<name>", "extra-file:<name>",
// "ledger-open", "ledger-entry", "ledger-events", "ledger-cost", "ledger-entry-hash",
// "ledger-registration", "ledger-chain", "ledger-head", "ledger-consistency", "tree-head",
// "tree-entry", "tree-inclusion", "release-mode".
struct VerificationCheck {
  std::string name;
  bool passed = false;
  std::string detail;  // what was compared, or why it failed
};

struct VerificationReport {
  std::filesystem::path attestation;
  std::string key_id;                     // id of the key verified against
  std::vector<Subject> subjects;          // from the statement, once the signature verified
  std::optional<ReleaseRecord> record;    // the parsed predicate, if it parsed
  nlohmann::json predicate;               // the predicate exactly as signed (null if none)
  std::vector<VerificationCheck> checks;  // in the order they ran

  // True iff at least one check ran and every check passed.
  bool ok() const;
  // The first failed check, or nullptr.
  const VerificationCheck* FirstFailure() const;
  // {"attestation", "key_id", "ok", "checks": [{"name","passed","detail"}], "subjects",
  //  "predicate"}: for `privet verify --json`.
  nlohmann::json ToJson() const;
  // Human report: what was released, when, by whom, at what cost, what is left, then each
  // check as "OK"/"FAILED" with its detail.
  std::string ToText() const;
};

// Verifies `attestation` (a DSSE envelope file) against `key`:
//  - envelope: parses, payloadType is application/vnd.in-toto+json;
//  - key-id: a signature carries key.key_id();
//  - signature: Ed25519 over PAE verifies (EVP_DigestVerify); nothing past this point is
//    trusted unless it passes, so later checks are skipped when it fails;
//  - statement / predicate: Statement v1 and urn:privet:release:v1, well formed;
//  - consistency: ConsistencyProblems is empty and "remaining" = budget - cumulative;
//  - subject:<name>: each subject's file has the signed SHA-256. A file in `files` whose
//    name equals the subject's base name is used; otherwise the file at
//    attestation's directory / name, which must be a regular file reached without following
//    a symbolic link (the file or any folder on its way): a link, a device or a FIFO fails,
//    as does a missing file;
//  - tree-head / tree-entry / tree-inclusion (a release that spent budget, whose attestation
//    has the ledger's tree): the tree head is signed by `key`; sha256 of the attested charge
//    entry is the attested entry hash and its body states the attested release id, dataset,
//    events, cost, cumulative spend and budget, and its entry id is the head's size; its leaf
//    hash SHA-256(0x00 || entry) is, by the inclusion proof, the last leaf of the signed tree.
//    An attestation older than the tree gets a passing "tree-head" that says so;
//  - extra-file:<name>: a file in `files` that is no subject fails (e.g. another release's
//    file presented with this attestation);
//  - with `ledger`: the release id is in it with the same events and cost, the entry hash
//    matches, and the hash chain from the start up to the recorded head is intact; and
//    "ledger-consistency": an RFC 9162 consistency proof from the attested tree head to the
//    ledger's current tree verifies (so no entry the head covers was edited or deleted, even
//    with every hash recomputed).
// Never throws for a verification failure; each is a failed check in the report.
VerificationReport VerifyAttestation(const std::filesystem::path& attestation,
                                     const VerifyingKey& key,
                                     const std::optional<std::filesystem::path>& ledger,
                                     const std::vector<std::filesystem::path>& files = {});

// Appends the "release-mode" check: it passes for a secure release on a production ledger;
// a test release (IsTestRelease: seeded noise or a test ledger) passes only with allow_test,
// and ToText's verdict then says TEST RELEASE. `privet verify` always runs it.
void CheckReleaseMode(VerificationReport& report, bool allow_test);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_VERIFY_H_
