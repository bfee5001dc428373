// The budget ledger: one SQLite file (WAL mode) per deployment that records, per dataset,
// the budget the officer set and every charge made against it, as a sha256 hash chain.
//
// Guarantees (what the privacy officer relies on):
//   - Spend before release. Charge() is ONE `BEGIN IMMEDIATE` transaction: it takes the
//     database write lock, verifies the whole hash chain (fail closed: a ledger that does
//     not verify accepts no new entries), re-reads every event recorded for the dataset,
//     composes them with the new events (accountant.h), refuses with BudgetExceeded if the
//     total or the per-release cap would be exceeded, otherwise appends the charge entry
//     and COMMITs (synchronous=FULL) before returning. Callers draw noise only after
//     Charge returns.
//     A release that fails later stays charged (RecordOutcome appends, never deletes).
//   - Concurrency: the write lock serialises chargers across processes (busy timeout 60 s),
//     so concurrent requests never overspend.
//   - Crash safety: SQLite's atomic commit; a process killed at any point leaves either
//     the whole entry or nothing.
//   - Tamper evidence: entries form a hash chain (below); VerifyChain reports the first
//     entry whose stored hash, link or content does not match.
//
// Entry hash recipe (what an auditor recomputes from Export()):
//   entry_hash = sha256_hex(CanonicalJson({"body": body, "previous_hash": previous_hash}))
// where body is the entry's JSON object (it contains "entry_id", "type", "dataset_id",
// "time" and the type's fields) and previous_hash is the previous entry's entry_hash, or
// 64 "0"s for entry 1. Entry ids are 1, 2, 3, ... without gaps. The meta table records the
// head (last entry id and hash), so deleting the last entry is also detected.
// Entry types: "ledger_init" (entry 1 of a ledger: its mode, production or test),
// "dataset_init" (budget), "registration" (the config, data source and unit a dataset's
// releases must use), "charge" (a release's events and cost), "outcome" (the release was
// "released" or "failed"). Ledgers made before "ledger_init" existed are production ledgers.
//
// Transparency log (RFC 9162, as Certificate Transparency and Sigstore's Rekor use it): every
// entry is also a leaf of a Merkle tree (privacy/merkle_tree.h). Leaf i (0-based) is entry
// i + 1, and its leaf bytes are exactly the bytes whose sha256 is the entry hash:
//   leaf_bytes(entry) = CanonicalJson({"body": body, "previous_hash": previous_hash})
//   entry_hash        = sha256_hex(leaf_bytes)
//   leaf_hash         = SHA-256(0x00 || leaf_bytes)
// The tree of size n is the RFC 9162 tree of the first n leaf hashes. Nothing extra is
// stored: leaves are recomputed from the stored entries, so ledgers written before the tree
// existed need no migration (their tree is the tree of the entries they already hold). A
// release's attestation carries a signed head of the tree right after its charge and the
// charge's inclusion proof (docs/attestation.md); a later consistency proof from that head
// to the ledger's current tree detects any edit or deletion of the history it covers, even
// one that recomputed every hash of the chain.
//
// Registration (docs/officer.md): every charge names the dataset's current registration
// entry and that entry's config digest, and is refused unless both are still current, so a
// release can only be paid for with the config the officer registered.
#ifndef PRIVET_PRIVACY_LEDGER_H_
#define PRIVET_PRIVACY_LEDGER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "privacy/accountant.h"
#include "privacy/merkle_tree.h"
#include "privacy/privacy_event.h"

namespace privet::privacy {

// What the ledger is for. A test ledger accepts seeded (reproducible, not private) noise and
// says so in every attestation; a production ledger refuses it (docs/officer.md).
enum class LedgerMode { kProduction, kTest };
// "production" or "test".
std::string LedgerModeName(LedgerMode mode);

// What the officer registered for a dataset: the releases of the dataset must read this
// config (by canonical digest) and this data file (by keyed commitment).
struct Registration {
  std::string dataset_id;
  std::string config_path;      // absolute path of the registered config file
  std::string config_sha256;    // sha256 of the config's canonical JSON (privacy/canonical_json.h)
  std::string data_source;      // absolute path of the registered CSV, or postgresql:schema.table
  std::string data_commitment;  // HMAC-SHA256(secret, CSV bytes) hex; postgres_commitment.h
  std::string unit_column;      // the privacy unit's column, or "row"
  std::int64_t max_rows_per_unit = 1;
  // Failed requests (incidents) after which releases of the dataset are refused until the
  // officer acknowledges them (>= 1).
  std::int64_t max_failures = 3;
  std::string registered_by;
  // Filled in by the ledger.
  std::int64_t entry_id = 0;
  std::string time;
};

// A dataset's budget, set once by its owner. epsilon finite > 0, delta in [0, 1),
// per_release_epsilon (if set) finite > 0: InputError otherwise.
struct Budget {
  double epsilon = 0;
  double delta = 0;
  std::optional<double> per_release_epsilon;
};

struct ChargeRequest {
  std::string dataset_id;
  std::vector<PrivacyEvent> events;  // non-empty
  std::string requester;             // who asked (free text, e.g. a user name)
  std::string purpose;               // why (free text)
  std::string kind;                  // e.g. "synthesize", "marginal", "correlation"
  std::string config_sha256;         // canonical digest of the release's config
  // The registration the request was prepared against (Registration::entry_id); the charge
  // is refused unless it is still the dataset's current one and config_sha256 is its digest.
  std::int64_t registration_entry_id = 0;
  // True when the noise will come from a seeded stream (not for release): refused on a
  // production ledger.
  bool seeded = false;
  // Who approved the request, when someone did (an officer of `privet serve`, or "policy");
  // recorded in the charge entry only when not empty.
  std::string approved_by;
};

struct ChargeReceipt {
  std::string release_id;  // "release-<entry_id>"
  std::int64_t entry_id = 0;
  std::string entry_hash;  // hash of the charge entry
  std::string head_hash;   // head of the chain after this charge (== entry_hash)
  PrivacyLoss cost;        // this release alone, at the budget's delta
  PrivacyLoss cumulative;  // every charge of the dataset so far, this one included
  Budget budget;
  double remaining_epsilon = 0;  // budget.epsilon - cumulative.epsilon (>= 0)
  LedgerMode ledger_mode = LedgerMode::kProduction;
  std::int64_t registration_entry_id = 0;
  // The Merkle tree right after the charge: its size is entry_id, its leaf entry_id - 1 is
  // the charge entry (whose leaf bytes are entry_leaf), inclusion_proof is RFC 9162
  // PATH(entry_id - 1, D[entry_id]), computed in the charge's own transaction.
  std::string entry_leaf;
  MerkleHash tree_root{};
  std::vector<MerkleHash> inclusion_proof;
};

struct ReleaseRecord {
  std::string release_id;
  std::int64_t entry_id = 0;
  std::string time;  // UTC, ISO 8601
  std::string requester, purpose, kind, config_sha256;
  std::string status;                      // "charged", "released" or "failed" (latest outcome)
  std::int64_t registration_entry_id = 0;  // 0 for charges older than registration
  bool seeded = false;                     // noise from a seeded stream (test ledgers only)
  std::string approved_by;                 // empty when the charge recorded no approver
  std::vector<PrivacyEvent> events;
  PrivacyLoss cost;
  PrivacyLoss cumulative;  // as recorded at charge time
};

struct DatasetStatus {
  std::string dataset_id;
  std::string owner;
  std::string created;  // UTC, ISO 8601
  Budget budget;
  PrivacyLoss spent;  // all charges composed at budget.delta
  double remaining_epsilon = 0;
  std::vector<ReleaseRecord> releases;
  std::optional<Registration> registration;  // the current one, if registered
  std::int64_t registrations = 0;            // how many registration entries it has
};

struct LedgerEntry {
  std::int64_t entry_id = 0;
  std::string type;  // "ledger_init", "dataset_init", "registration", "charge", "outcome"
  std::string dataset_id;
  std::string release_id;  // empty for dataset_init
  nlohmann::json body;
  std::string previous_hash;
  std::string entry_hash;
};

struct VerifyResult {
  bool ok = false;
  std::int64_t entries_checked = 0;
  std::optional<std::int64_t> first_bad_entry;  // set when !ok
  std::string message;    // one line: what is wrong, or "N entries, chain intact"
  std::string head_hash;  // recomputed head (of the verified prefix when !ok)
};

// How the ledger measures a list of events (one release's, or a dataset's whole history):
// epsilon at the budget's delta, by the accountant (accountant.h ComposeEpsilon). When every
// event is pure-type without delta (laplace, exponential, pure) and their pure-DP epsilon
// (ComposeEpsilon at delta 0, basic composition) is at most 1% (relative) above that, the
// loss is the pure guarantee (epsilon, 0), and the budget is checked against it: a pure
// release is recorded, attested and reported with delta 0, not with a delta it does not use
// (docs/privacy.md "Accounting"). An empty list is (0, 0).
PrivacyLoss MeasureLoss(std::span<const PrivacyEvent> events, double budget_delta);

// What charging `request` after `earlier` under `budget` does, by the rule Charge applies
// (one function for both, so a preview can never disagree with the charge):
//   refused (kNoFiniteEpsilon) when the request has no finite epsilon at budget.delta;
//   refused (kPerReleaseCap) when its cost exceeds budget.per_release_epsilon;
//   refused (kBudget) when the composed total of earlier + request exceeds budget.epsilon.
// Releases compose sub-additively (RDP), so total <= spent_before + cost.
struct ChargeQuote {
  enum class Refusal { kNone, kNoFiniteEpsilon, kPerReleaseCap, kBudget };
  PrivacyLoss cost;             // this release alone (MeasureLoss)
  PrivacyLoss spent_before;     // the dataset's composed total now
  PrivacyLoss total;            // the composed total with this release
  double remaining_before = 0;  // budget.epsilon - spent_before.epsilon, >= 0
  double remaining_after = 0;   // budget.epsilon - total.epsilon, >= 0 (0 when refused for it)
  Refusal refusal = Refusal::kNone;
  // One line saying why, without the dataset's name (e.g. "this release needs epsilon 2 but
  // the per-release cap is 1.5 (delta 1e-06)"); empty when accepted.
  std::string reason;
  bool accepted() const { return refusal == Refusal::kNone; }
};
ChargeQuote QuoteCharge(const Budget& budget, std::span<const PrivacyEvent> earlier,
                        std::span<const PrivacyEvent> request);
// "none", "no_finite_epsilon", "per_release_cap", "budget" (the JSON spelling).
std::string RefusalName(ChargeQuote::Refusal refusal);

enum class LedgerOpenMode {
  kCreateIfMissing,  // create the file and schema if absent (budget init)
  kMustExist,        // StorageError if the file does not exist (releases)
  // As kMustExist, but opened read-only (show, verify, export, `privet verify --ledger`):
  // nothing is written to the ledger, so an auditor may check a copy they may not modify.
  // SQLite may still create the -wal/-shm files beside it when the folder is writable.
  kReadOnly,
};

class BudgetLedger {
 public:
  // Opens (or creates) the ledger at path: WAL mode, busy timeout, schema. Throws
  // StorageError if SQLite fails, InputError if the file exists but is not a privet ledger
  // (no or foreign meta table, or an unsupported format version).
  // A ledger created here (kCreateIfMissing) is a production ledger, with its deployment
  // secret (privacy/deployment_secret.h) created beside it.
  static BudgetLedger Open(const std::filesystem::path& path,
                           LedgerOpenMode mode = LedgerOpenMode::kCreateIfMissing);
  // Creates a new ledger of the given mode (entry 1 records it) and its deployment secret.
  // InputError if a file already exists at path.
  static BudgetLedger Create(const std::filesystem::path& path, LedgerMode mode);

  BudgetLedger(BudgetLedger&&) noexcept;
  BudgetLedger& operator=(BudgetLedger&&) noexcept;
  ~BudgetLedger();

  const std::filesystem::path& path() const;

  // Registers a dataset and its budget (a "dataset_init" entry). IntegrityError if the
  // chain does not verify. InputError for a bad budget, an empty id / id with characters
  // outside [A-Za-z0-9_.-], or a dataset that already has a budget (budgets are set once).
  void InitDataset(const std::string& dataset_id, const Budget& budget, const std::string& owner);

  // The ledger's mode (entry 1), kProduction for ledgers older than modes.
  LedgerMode Mode() const;

  // Appends a "registration" entry for registration.dataset_id (and, when `budget` is given,
  // its "dataset_init" entry first, in the same transaction). Re-registering a dataset
  // appends a new entry that supersedes the old one; the spend carries over (budgets and
  // charges are never reset). InputError for a bad id, a missing field, max_rows_per_unit or
  // max_failures < 1, or a budget for a dataset that already has one; IntegrityError if the
  // chain does not verify. Returns the registration as recorded (entry_id and time set).
  Registration Register(Registration registration, const std::optional<Budget>& budget,
                        const std::string& owner);
  // The dataset's current (latest) registration, or nullopt.
  std::optional<Registration> CurrentRegistration(const std::string& dataset_id) const;

  // Atomically checks and records a charge (see the guarantees above). InputError for an
  // unknown or unregistered dataset, a registration that is no longer current, a seeded
  // request on a production ledger, or no events; BudgetExceeded, naming what remains, when the
  // release alone exceeds the per-release cap or the dataset's composed total would exceed
  // budget.epsilon at budget.delta; IntegrityError if the hash chain does not verify (the
  // same check as VerifyChain). Durable on return.
  ChargeReceipt Charge(const ChargeRequest& request);

  // What Charge(request) would do now (QuoteCharge on the dataset's recorded charges),
  // writing nothing. InputError for an unknown dataset.
  ChargeQuote Quote(const std::string& dataset_id, std::span<const PrivacyEvent> events) const;

  // Appends an "outcome" entry: status is "released" or "failed" (InputError otherwise, or
  // for an unknown release). Never changes what was charged. detail: free text.
  void RecordOutcome(const std::string& release_id, const std::string& status,
                     const std::string& detail = "");

  // Queries. Show throws InputError for an unknown dataset.
  std::vector<std::string> Datasets() const;
  DatasetStatus Show(const std::string& dataset_id) const;
  std::vector<LedgerEntry> Entries() const;
  // The charge entry of a release, if any.
  std::optional<LedgerEntry> FindRelease(const std::string& release_id) const;
  // Hash of the last entry (64 "0"s for an empty ledger); goes into every attestation.
  std::string HeadHash() const;
  // Recomputes the whole chain; never throws for a broken chain (see result.ok).
  VerifyResult VerifyChain() const;
  // The transparency log (above). Each first recomputes and verifies the whole hash chain
  // and throws IntegrityError if it does not verify (a tree over a broken chain means
  // nothing). LeafHashes: one per entry, in order. TreeRoot: the RFC 9162 hash of the first
  // `size` leaves. TreeInclusionProof: PATH(leaf_index, D[size]). TreeConsistencyProof:
  // PROOF(old_size, D[new_size]). InputError for a size beyond the ledger's entries or a
  // leaf_index >= size, or old_size > new_size.
  std::vector<MerkleHash> LeafHashes() const;
  // The leaf hashes of the longest prefix of entries that verifies (all of them when the
  // chain is intact), and the chain's verdict in `verdict`. Never throws for a broken chain:
  // a break after an attested head leaves the history that head covers checkable.
  std::vector<MerkleHash> VerifiedLeafHashes(VerifyResult& verdict) const;
  MerkleHash TreeRoot(std::uint64_t size) const;
  std::vector<MerkleHash> TreeInclusionProof(std::uint64_t leaf_index, std::uint64_t size) const;
  std::vector<MerkleHash> TreeConsistencyProof(std::uint64_t old_size,
                                               std::uint64_t new_size) const;
  // What an auditor receives: {"format":"privet-ledger-export","format_version":1,
  // "head_hash":..., "entries":[{"entry_id","previous_hash","entry_hash","body"}...],
  // "datasets":[status of each dataset]}.
  nlohmann::json Export() const;

 private:
  struct Impl;
  explicit BudgetLedger(std::unique_ptr<Impl> impl);
  static BudgetLedger OpenLedger(const std::filesystem::path& path, LedgerOpenMode mode,
                                 LedgerMode creation_mode);
  std::unique_ptr<Impl> impl_;
};

// The leaf bytes of an entry (above): CanonicalJson({"body": body, "previous_hash": ...}).
std::string LeafBytes(const nlohmann::json& body, const std::string& previous_hash);

// JSON of a status / release record (used by Export, `budget show --json`, attestations).
nlohmann::json ToJson(const DatasetStatus& status);
nlohmann::json ToJson(const ReleaseRecord& release);
nlohmann::json ToJson(const Budget& budget);
nlohmann::json ToJson(const Registration& registration);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_LEDGER_H_
