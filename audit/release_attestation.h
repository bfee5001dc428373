// What a releasing command calls: find the signing key (refusing to release without one),
// then, after the release's files are written, sign an in-toto statement about them and
// write it beside them as attestation.dsse.json.
//
// Order a releasing command must follow:
//   1. SigningKey key = LoadReleaseSigningKey(key_option);   // before any budget is spent
//   2. receipt = ledger.Charge(request); draw noise; write the released files into out_dir
//   3. ReleaseRecord record = RecordFromCharge(request, receipt); set kind, unit, randomness
//   4. WriteAttestation(out_dir, files, record, key);
// so a missing or unreadable key refuses the release before it costs budget.
#ifndef PRIVET_AUDIT_RELEASE_ATTESTATION_H_
#define PRIVET_AUDIT_RELEASE_ATTESTATION_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "audit/keys.h"
#include "audit/release_record.h"
#include "audit/statement.h"
#include "privacy/ledger.h"

namespace privet::audit {

inline constexpr char kAttestationFileName[] = "attestation.dsse.json";
// Environment variable naming the signing key when --key is not given.
inline constexpr char kSigningKeyEnvironment[] = "PRIVET_KEY";
// Relative to the working directory; where `privet keygen --out privet-keys` writes.
inline constexpr char kDefaultSigningKeyPath[] = "privet-keys/privet-signing.key";

// The signing key path: `key_option` (a command's --key) if given, else $PRIVET_KEY if set
// and non-empty, else ./privet-keys/privet-signing.key. Throws InputError if that file does
// not exist ("release refused: no signing key at ...; create one with `privet keygen --out
// privet-keys` or pass --key"). Does not read the key.
std::filesystem::path ResolveSigningKeyPath(const std::optional<std::filesystem::path>& key_option);

// ResolveSigningKeyPath, then LoadPrivateKey (which refuses a group/world-readable file).
SigningKey LoadReleaseSigningKey(const std::optional<std::filesystem::path>& key_option);

// A record filled from the ledger charge that paid for the release: dataset_id, mechanisms
// (each event's ToJson, in order), config_sha256, requester, purpose, cost, cumulative spend,
// budget, the ledger link (release id, entry hash, head hash), the ledger mode, the
// registration entry, the randomness (seeded or secure) and the time (now). The caller still
// sets kind, unit_column, max_rows_per_unit (and accountant if wanted).
ReleaseRecord RecordFromCharge(const privacy::ChargeRequest& request,
                               const privacy::ChargeReceipt& receipt);
// As above, plus the ledger link's transparency-log part (what every release writes): the
// charge entry's leaf bytes, the head of the ledger's tree right after the charge (size
// receipt.entry_id, root receipt.tree_root) signed with `key` at the record's time, and the
// charge's inclusion proof. InputError if the receipt carries no tree (entry_leaf empty).
ReleaseRecord RecordFromCharge(const privacy::ChargeRequest& request,
                               const privacy::ChargeReceipt& receipt, const SigningKey& key);

// One subject per file: the name relative to `out_dir` and the file's SHA-256 (paths as in
// WriteAttestation). Throws
// InputError if a file is not inside out_dir, is not a regular file, or two files coincide.
std::vector<Subject> SubjectsFor(const std::filesystem::path& out_dir,
                                 const std::vector<std::filesystem::path>& released_files);

// The envelope bytes (canonical JSON) for these subjects and record, signed with `key`.
// Deterministic: same inputs, same bytes. Throws InputError if the record is inconsistent
// (ToPredicate) or the subjects are invalid (StatementToJson).
std::string BuildAttestation(const std::vector<Subject>& subjects, const ReleaseRecord& record,
                             const SigningKey& key);

// Writes out_dir/attestation.dsse.json for `released_files` (each inside out_dir, e.g.
// out_dir / "synthetic.csv"; relative paths are relative to the working directory, as
// out_dir is) and returns its path. The file is created with
// O_EXCL and synced: an existing attestation is never overwritten (InputError), since it
// may be the only evidence of an earlier release. StorageError on I/O failure.
std::filesystem::path WriteAttestation(const std::filesystem::path& out_dir,
                                       const std::vector<std::filesystem::path>& released_files,
                                       const ReleaseRecord& record, const SigningKey& key);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_RELEASE_ATTESTATION_H_
