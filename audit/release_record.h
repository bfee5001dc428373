// privet's release predicate (predicateType "urn:privet:release:v1"): everything an auditor
// needs to know about one release, as a typed record and as the predicate JSON that is
// signed. docs/attestation.md specifies every field.
//
// Privacy of the record itself: every number here is public or already released (the
// mechanisms' parameters, the budget, the noised release's cost). It holds no statistic of
// the private data and no plain hash of the private input (a hash would confirm a guessed
// dataset); the config's hash is fine because the config is public by design (BRIEF:
// "Public domain").
#ifndef PRIVET_AUDIT_RELEASE_RECORD_H_
#define PRIVET_AUDIT_RELEASE_RECORD_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/tree_head.h"

namespace privet::audit {

inline constexpr char kReleasePredicateType[] = "urn:privet:release:v1";

// The neighbouring relation every privet guarantee is stated for (BRIEF, "Unit of
// privacy"): datasets that differ by adding or removing all rows of one privacy unit.
inline constexpr char kNeighbouringRelation[] = "add-or-remove-all-rows-of-one-unit";

// The ledger modes (privacy::LedgerModeName).
inline constexpr char kProductionLedger[] = "production";
inline constexpr char kTestLedger[] = "test";

// The unit column name meaning "each row is its own unit".
inline constexpr char kRowUnit[] = "row";

enum class ReleaseKind {
  kSyntheticTable,    // "synthetic-table": synthetic rows (and the noised model they came from)
  kModelSample,       // "model-sample": rows sampled from an already released model
                      // (post-processing, costs nothing; names its parent)
  kNoisyMarginal,     // "noisy-marginal"
  kNoisyCorrelation,  // "noisy-correlation"
  kUnitBound,         // "unit-bound": a DP quantile of rows per unit (the officer's choice of m)
};
std::string_view ReleaseKindName(ReleaseKind kind);
// Throws InputError for an unknown name.
ReleaseKind ParseReleaseKind(std::string_view name);

// Which randomness drew the noise. Only kSecure (OpenSSL CSPRNG) releases are releases; a
// seeded run is for tests and reproducibility and its attestation says so.
enum class RandomnessMode {
  kSecure,              // "secure"
  kSeededNotForRelease  // "seeded: not for release"
};
std::string_view RandomnessModeName(RandomnessMode mode);
RandomnessMode ParseRandomnessMode(std::string_view name);  // InputError if unknown

// An (epsilon, delta) pair in the sense of approximate DP (Dwork-Roth 2014, Def. 2.4),
// epsilon in nats. Validated where records are built/parsed: epsilon finite >= 0,
// delta in [0, 1).
struct PrivacyAmount {
  double epsilon = 0.0;
  double delta = 0.0;
};

// The ledger entry that paid for this release (privacy/ledger.h) and the ledger's head hash
// right after it was recorded.
// The transparency-log part (privacy/ledger.h, docs/attestation.md "The ledger's tree") is
// written by every release since tree heads exist, and optional when reading older ones; it is
// all three fields or none.
struct LedgerLink {
  std::string release_id;
  std::string entry_hash;  // lowercase hex SHA-256
  std::string head_hash;   // lowercase hex SHA-256
  // The charge entry's leaf bytes (privacy::LeafBytes): sha256 of them is entry_hash.
  std::optional<std::string> entry;
  // The signed head of the ledger's tree right after the charge (tree_size = the charge's
  // entry id) and RFC 9162 PATH(entry id - 1, D[tree_size]).
  std::optional<SignedTreeHead> tree_head;
  std::optional<InclusionProofRecord> inclusion_proof;
};

// For a model-sample release: the released model it was sampled from.
struct ParentRelease {
  std::string release_id;          // ledger release id of the model's release
  std::string model_name;          // subject name of the model in the parent attestation
  std::string model_sha256;        // SHA-256 of the model file
  std::string attestation_sha256;  // SHA-256 of the parent's attestation.dsse.json bytes
};

struct SoftwareInfo {
  std::string name = "privet";
  std::string version;
  std::string commit;
  // privet::kVersion and privet::kBuildCommit of this build.
  static SoftwareInfo Current();
};

struct ReleaseRecord {
  std::string dataset_id;
  std::string unit_column = kRowUnit;  // the privacy unit's column, or "row"
  std::int64_t max_rows_per_unit = 1;  // rows kept per unit; sensitivities scale by it (>= 1)
  std::string config_sha256;           // SHA-256 of the config file's bytes (public)
  ReleaseKind kind = ReleaseKind::kSyntheticTable;
  // One JSON object per mechanism invocation, as privacy::PrivacyEvent::ToJson writes it
  // (mechanism name and parameters). Must be an array; empty only for a model sample.
  nlohmann::json mechanisms = nlohmann::json::array();
  std::string accountant;    // how the events were composed into `cost`; omitted if empty
  PrivacyAmount cost;        // this release's cost
  PrivacyAmount cumulative;  // the dataset's total spend including this release
  PrivacyAmount budget;      // the dataset's total budget
  // Required for every kind except a model sample (which spends nothing).
  std::optional<LedgerLink> ledger;
  std::string requester;
  std::string purpose;
  SoftwareInfo software = SoftwareInfo::Current();
  std::string time_utc;  // ISO 8601 "YYYY-MM-DDTHH:MM:SSZ"; see UtcNowIso8601
  RandomnessMode randomness = RandomnessMode::kSecure;
  // The mode of the ledger that paid ("production" or "test"; privacy/ledger.h). A seeded
  // release can only come from a test ledger. Absent in attestations older than modes, which
  // read as "production".
  std::string ledger_mode = kProductionLedger;
  // The ledger entry registering the config and data this release read (privacy/ledger.h
  // Registration). Required for every kind except a model sample.
  std::optional<std::int64_t> registration_entry_id;
  std::optional<ParentRelease> parent;  // required for, and only for, a model sample
};

// True for a release an auditor must not take as a private release: seeded noise or a
// test ledger (`privet verify` fails it unless --allow-test is given).
bool IsTestRelease(const ReleaseRecord& record);

// budget - cumulative, clamped at 0 (the predicate's "remaining").
PrivacyAmount Remaining(const ReleaseRecord& record);

// Current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string UtcNowIso8601();

// True iff `text` is 64 lowercase hex digits (a SHA-256 digest as privet writes it).
bool IsSha256Hex(std::string_view text);
// True iff `text` has exactly the form "YYYY-MM-DDTHH:MM:SSZ" (digits where the Ys, Ms, Ds,
// Hs and Ss are; field ranges are not checked: times are recorded, never computed with).
bool IsIso8601Utc(std::string_view text);

// Everything wrong with the record's internal consistency, one short sentence each (empty
// when consistent): cost <= budget, cost <= cumulative <= budget (within a relative 1e-9 for
// floating-point composition), epsilon/delta ranges, hex digests, ledger presence per kind,
// parent presence per kind, a model sample costing nothing, mechanisms non-empty for
// spending kinds, time format.
std::vector<std::string> ConsistencyProblems(const ReleaseRecord& record);

// The predicate JSON. Throws InputError (with the first ConsistencyProblems entry) if the
// record is inconsistent: privet never signs a record its own verifier would reject.
nlohmann::json ToPredicate(const ReleaseRecord& record);

// Parses a predicate written by ToPredicate. Throws IntegrityError naming the missing or
// mistyped field ("predicate.cost.epsilon: ..."). Does not check consistency (the verifier
// reports that as its own check); does check that "remaining" is present.
ReleaseRecord ParsePredicate(const nlohmann::json& predicate);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_RELEASE_RECORD_H_
