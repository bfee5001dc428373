// The Merkle tree of Certificate Transparency 2.0 (RFC 9162, section 2.1), over a list of leaf
// hashes: the tree hash, inclusion proofs and consistency proofs, exactly as the RFC writes
// them, so any RFC 9162 / RFC 6962 verifier (transparency-dev/merkle, sigstore/rekor, the
// Python script in docs/attestation.md) checks what privet produces.
//
// Hashing (RFC 9162 section 2.1.1), with SHA-256:
//   leaf hash  = SHA-256(0x00 || entry)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256() (the empty string)
//   MTH(D[n])  = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) for n > 1, where k is the
//                largest power of two smaller than n.
// The distinct 0x00 / 0x01 prefixes make a leaf never collide with an inner node (second
// preimage resistance, RFC 9162 section 2.1.1).
//
// The functions below work on the leaf hashes, not on the entries: the ledger stores one leaf
// hash per entry (leaf i = HashLeaf(entry i's bytes)), and the tree of its first n entries is
// the tree of the first n leaf hashes. Indices and sizes are 0-based counts as in the RFC.
// Cost: TreeHash, InclusionProof and ConsistencyProof are O(n) hashes of a tree of n leaves;
// the verifiers are O(log n).
#ifndef PRIVET_PRIVACY_MERKLE_TREE_H_
#define PRIVET_PRIVACY_MERKLE_TREE_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace privet::privacy {

// A SHA-256 digest: 32 raw bytes.
using MerkleHash = std::array<unsigned char, 32>;

// SHA-256() : the tree hash of an empty tree.
MerkleHash EmptyTreeHash();
// SHA-256(0x00 || entry).
MerkleHash HashLeaf(std::string_view entry);
// SHA-256(0x01 || left || right).
MerkleHash HashChildren(const MerkleHash& left, const MerkleHash& right);

// MTH of the tree whose leaves have these hashes (RFC 9162 section 2.1.1).
MerkleHash TreeHash(std::span<const MerkleHash> leaf_hashes);

// PATH(leaf_index, D[n]) (RFC 9162 section 2.1.3.1): the sibling hashes from the leaf up to
// the root, leaf side first. Throws InputError unless leaf_index < leaf_hashes.size().
std::vector<MerkleHash> InclusionProof(std::span<const MerkleHash> leaf_hashes,
                                       std::uint64_t leaf_index);

// The RFC 9162 section 2.1.3.2 verifier: true iff `proof` proves that `leaf_hash` is leaf
// `leaf_index` of the tree of size `tree_size` whose hash is `root`. False (never throws) for
// leaf_index >= tree_size, a proof too short or too long for the position, or any hash that
// does not recompute the root.
bool VerifyInclusion(std::uint64_t leaf_index, std::uint64_t tree_size,
                     const MerkleHash& leaf_hash, std::span<const MerkleHash> proof,
                     const MerkleHash& root);

// The root that `proof` implies for `leaf_hash` at `leaf_index` in a tree of `tree_size`, or
// false when the proof does not fit the position (wrong length, leaf_index >= tree_size). The
// first half of VerifyInclusion, for error messages that show the recomputed root.
bool RootFromInclusionProof(std::uint64_t leaf_index, std::uint64_t tree_size,
                            const MerkleHash& leaf_hash, std::span<const MerkleHash> proof,
                            MerkleHash& root);

// PROOF(old_size, D[n]) (RFC 9162 section 2.1.4.1) between the tree of the first old_size
// leaves and the tree of all n = leaf_hashes.size() leaves. The RFC defines it for
// 0 < old_size < n; for old_size == n and for old_size == 0 the proof is empty (every tree is
// consistent with itself and extends the empty tree). Throws InputError for old_size > n.
std::vector<MerkleHash> ConsistencyProof(std::span<const MerkleHash> leaf_hashes,
                                         std::uint64_t old_size);

// The RFC 9162 section 2.1.4.2 verifier: true iff `proof` proves that the tree of size
// new_size with hash new_root extends (appends to) the tree of size old_size with hash
// old_root. The RFC's algorithm covers 0 < old_size < new_size; at the edges, as
// transparency-dev/merkle does: old_size == new_size holds iff the proof is empty and the
// roots are equal; old_size == 0 holds iff the proof is empty (the empty tree is a prefix of
// every tree); old_size > new_size never holds. Never throws.
bool VerifyConsistency(std::uint64_t old_size, std::uint64_t new_size, const MerkleHash& old_root,
                       const MerkleHash& new_root, std::span<const MerkleHash> proof);

// Lowercase hex of a hash (64 characters), and back. HashFromHex throws InputError unless
// the text is exactly 64 hex digits (either case).
std::string HashToHex(const MerkleHash& hash);
MerkleHash HashFromHex(std::string_view hex);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_MERKLE_TREE_H_
