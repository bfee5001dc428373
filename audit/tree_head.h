// Signed tree heads of the ledger's Merkle tree (privacy/merkle_tree.h), and the JSON form of
// the proofs that travel with them: what a release's attestation carries so that anyone who
// keeps it can later prove that the ledger still contains the release's entry and that no
// history it covers was edited or deleted (Certificate Transparency, RFC 9162 sections 2.1
// and 4.10; the checkpoint of transparency-dev and Sigstore's Rekor play the same part).
//
// A tree head says "the ledger's first tree_size entries have Merkle tree hash root_hash",
// at `time`, signed with the deployment's Ed25519 key (audit/keys.h). The signature is over
// these exact bytes (the "signed bytes"), UTF-8/ASCII, each line ended by one 0x0A:
//
//   privet-signed-tree-head:v1
//   tree_size: <tree_size in ASCII decimal, no sign, no leading zeros ("0" for empty)>
//   root_hash: <64 lowercase hex digits>
//   time: <YYYY-MM-DDTHH:MM:SSZ, UTC>
//
// No field can contain a newline or vary in spelling, so one head has one byte string. The
// first line separates these signatures from the attestations' (which sign DSSE PAE bytes,
// beginning "DSSEv1 "), so a signature made for one can never be presented as the other.
// The pure Ed25519 signature (RFC 8032 section 5.1.6) is verifiable with
// `openssl pkeyutl -verify -rawin` on a file holding the signed bytes (docs/attestation.md,
// "Signed tree heads and proofs").
//
// JSON form (canonical JSON, privacy/canonical_json.h):
//   {"key_id":HEX,"root_hash":HEX,"signature":BASE64,"time":T,"tree_size":N}
// Inclusion proof: {"hashes":[HEX...],"leaf_index":I,"tree_size":N}
// Consistency proof: {"hashes":[HEX...],"new_size":N,"old_size":M}
#ifndef PRIVET_AUDIT_TREE_HEAD_H_
#define PRIVET_AUDIT_TREE_HEAD_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/keys.h"
#include "privacy/merkle_tree.h"

namespace privet::audit {

inline constexpr char kTreeHeadSignedBytesHeader[] = "privet-signed-tree-head:v1";

struct SignedTreeHead {
  std::uint64_t tree_size = 0;
  std::string root_hash;  // 64 lowercase hex digits: MTH of the first tree_size leaves
  std::string time;       // UTC, "YYYY-MM-DDTHH:MM:SSZ"
  std::string key_id;     // the signer's key id (audit/keys.h)
  std::string signature;  // raw 64-byte Ed25519 signature (base64 only in the JSON form)
};

// RFC 9162 PATH(leaf_index, D[tree_size]) as it travels in an attestation.
struct InclusionProofRecord {
  std::uint64_t leaf_index = 0;
  std::uint64_t tree_size = 0;
  std::vector<privacy::MerkleHash> hashes;
};

// RFC 9162 PROOF(old_size, D[new_size]).
struct ConsistencyProofRecord {
  std::uint64_t old_size = 0;
  std::uint64_t new_size = 0;
  std::vector<privacy::MerkleHash> hashes;
};

// The signed bytes above. Throws InputError if root_hash is not 64 lowercase hex digits or
// time is not YYYY-MM-DDTHH:MM:SSZ (IsIso8601Utc, audit/release_record.h).
std::string TreeHeadSignedBytes(std::uint64_t tree_size, std::string_view root_hash,
                                std::string_view time);

// Signs the head of a tree of `tree_size` leaves with hash `root` at `time` (InputError for a
// malformed time; CryptoError if OpenSSL fails). Deterministic: Ed25519 is.
SignedTreeHead SignTreeHead(std::uint64_t tree_size, const privacy::MerkleHash& root,
                            const std::string& time, const SigningKey& key);

enum class TreeHeadCheck {
  kValid,         // key_id is the key's id and the signature verifies over the signed bytes
  kWrongKey,      // key_id names another key
  kBadSignature,  // the signature does not verify (or a field is malformed)
};

// Checks a head against the deployment's public key. Never throws.
TreeHeadCheck VerifyTreeHead(const SignedTreeHead& head, const VerifyingKey& key);

// True iff `proof` is for the head's tree size and proves that `leaf_hash` is its leaf
// proof.leaf_index (privacy::VerifyInclusion against head.root_hash). Does not check the
// head's signature (VerifyTreeHead does). Never throws.
bool ProvesInclusion(const SignedTreeHead& head, const privacy::MerkleHash& leaf_hash,
                     const InclusionProofRecord& proof);

// True iff `proof` runs from `older`'s size to `newer`'s and proves that newer's tree extends
// older's (privacy::VerifyConsistency): every entry older covers is unchanged in newer. Does
// not check either signature. Never throws.
bool ProvesConsistency(const SignedTreeHead& older, const SignedTreeHead& newer,
                       const ConsistencyProofRecord& proof);

// JSON forms (above). The parsers throw IntegrityError naming the field that is missing, of
// the wrong type or malformed (a hash that is not 64 lowercase hex digits, a signature that is
// not base64 of 64 bytes, a size that is not a non-negative integer, a time not in the format).
nlohmann::json ToJson(const SignedTreeHead& head);
SignedTreeHead TreeHeadFromJson(const nlohmann::json& json);
nlohmann::json ToJson(const InclusionProofRecord& proof);
InclusionProofRecord InclusionProofFromJson(const nlohmann::json& json);
nlohmann::json ToJson(const ConsistencyProofRecord& proof);
ConsistencyProofRecord ConsistencyProofFromJson(const nlohmann::json& json);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_TREE_HEAD_H_
