#include "privacy/merkle_tree.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "privacy/errors.h"
#include "tests/unit/privacy/merkle_test_vectors.h"

namespace privet::privacy {
namespace {

using testing::kRoots;
using testing::LeafEntries;


std::vector<MerkleHash> LeafHashes(std::size_t n) {
  std::vector<MerkleHash> hashes;
  for (std::size_t i = 0; i < n; ++i) hashes.push_back(HashLeaf(LeafEntries()[i]));
  return hashes;
}

std::vector<MerkleHash> Hashes(const std::vector<std::string>& hex) {
  std::vector<MerkleHash> hashes;
  for (const std::string& h : hex) hashes.push_back(HashFromHex(h));
  return hashes;
}

struct InclusionVector {
  std::uint64_t leaf_index;
  std::uint64_t tree_size;
  std::vector<std::string> proof;
};

// transparency-dev/merkle inclusionProofs {1,8}, {6,8}, {3,3}, {2,5} (1-based leaf there).
const std::vector<InclusionVector> kInclusion = {
    {0, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {0, 1, {}},
};

struct ConsistencyVector {
  std::uint64_t old_size;
  std::uint64_t new_size;
  std::vector<std::string> proof;
};

// transparency-dev/merkle consistencyProofs.
const std::vector<ConsistencyVector> kConsistency = {
    {1, 1, {}},
    {1, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

const MerkleHash kSomeHash =
    HashFromHex("abacaba000000000000000000000000000000000000000000060061e00123456");

std::vector<MerkleHash> With(std::vector<MerkleHash> proof, std::size_t at, const MerkleHash& h) {
  proof.insert(proof.begin() + static_cast<std::ptrdiff_t>(at), h);
  return proof;
}

// Every way a correct inclusion proof can be spoiled (after transparency-dev/merkle's
// corruptInclusionProof): none of them may verify.
void CheckInclusionCorruptions(std::uint64_t index, std::uint64_t size,
                               const std::vector<MerkleHash>& proof, const MerkleHash& root,
                               const MerkleHash& leaf) {
  CAPTURE(index);
  CAPTURE(size);
  CHECK_FALSE(VerifyInclusion(index - 1, size, leaf, proof, root));
  CHECK_FALSE(VerifyInclusion(index + 1, size, leaf, proof, root));
  CHECK_FALSE(VerifyInclusion(index ^ 2, size, leaf, proof, root));
  CHECK_FALSE(VerifyInclusion(index, size * 2, leaf, proof, root));
  CHECK_FALSE(VerifyInclusion(index, size / 2, leaf, proof, root));
  CHECK_FALSE(VerifyInclusion(index, size, HashLeaf("WrongLeaf"), proof, root));
  CHECK_FALSE(VerifyInclusion(index, size, leaf, proof, EmptyTreeHash()));
  CHECK_FALSE(VerifyInclusion(index, size, leaf, proof, kSomeHash));
  CHECK_FALSE(VerifyInclusion(index, size, leaf, With(proof, proof.size(), MerkleHash{}), root));
  CHECK_FALSE(VerifyInclusion(index, size, leaf, With(proof, proof.size(), root), root));
  CHECK_FALSE(VerifyInclusion(index, size, leaf, With(proof, 0, MerkleHash{}), root));
  CHECK_FALSE(VerifyInclusion(index, size, leaf, With(proof, 0, root), root));
  for (std::size_t i = 0; i < proof.size(); ++i) {
    for (std::size_t byte : {std::size_t{0}, std::size_t{17}, std::size_t{31}}) {
      std::vector<MerkleHash> flipped = proof;
      flipped[i][byte] ^= 8;
      CHECK_FALSE(VerifyInclusion(index, size, leaf, flipped, root));
    }
  }
  if (!proof.empty()) {
    std::vector<MerkleHash> truncated(proof.begin(), proof.end() - 1);
    CHECK_FALSE(VerifyInclusion(index, size, leaf, truncated, root));
  }
  if (proof.size() > 1) {
    CHECK_FALSE(VerifyInclusion(index, size, leaf, With(proof, 1, kSomeHash), root));
  }
}

// After transparency-dev/merkle's corruptConsistencyProof.
void CheckConsistencyCorruptions(std::uint64_t old_size, std::uint64_t new_size,
                                 const MerkleHash& old_root, const MerkleHash& new_root,
                                 const std::vector<MerkleHash>& proof) {
  CAPTURE(old_size);
  CAPTURE(new_size);
  CHECK_FALSE(VerifyConsistency(old_size - 1, new_size, old_root, new_root, proof));
  CHECK_FALSE(VerifyConsistency(old_size + 1, new_size, old_root, new_root, proof));
  CHECK_FALSE(VerifyConsistency(old_size ^ 2, new_size, old_root, new_root, proof));
  CHECK_FALSE(VerifyConsistency(old_size, new_size * 2, old_root, new_root, proof));
  CHECK_FALSE(VerifyConsistency(old_size, new_size / 2, old_root, new_root, proof));
  CHECK_FALSE(VerifyConsistency(old_size, new_size, kSomeHash, new_root, proof));
  CHECK_FALSE(VerifyConsistency(old_size, new_size, old_root, kSomeHash, proof));
  CHECK_FALSE(VerifyConsistency(old_size, new_size, new_root, old_root, proof));
  CHECK_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, {}));
  for (const MerkleHash& extra : {MerkleHash{}, old_root, new_root}) {
    CHECK_FALSE(
        VerifyConsistency(old_size, new_size, old_root, new_root, With(proof, proof.size(), extra)));
    CHECK_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, With(proof, 0, extra)));
  }
  CHECK_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, With(proof, 0, proof[0])));
  std::vector<MerkleHash> truncated(proof.begin(), proof.end() - 1);
  CHECK_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, truncated));
  for (std::size_t i = 0; i < proof.size(); ++i) {
    for (std::size_t byte : {std::size_t{0}, std::size_t{17}, std::size_t{31}}) {
      std::vector<MerkleHash> flipped = proof;
      flipped[i][byte] ^= 16;
      CHECK_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, flipped));
    }
  }
}

TEST_CASE("Merkle hashes: RFC 9162 2.1.1 prefixes and the empty tree") {
  CHECK(HashToHex(EmptyTreeHash()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // The leaf hash of the empty entry is SHA-256(0x00), which is roots[0] above.
  CHECK(HashToHex(HashLeaf("")) == kRoots[0]);
  CHECK(HashToHex(TreeHash({})) == HashToHex(EmptyTreeHash()));
  // A node is SHA-256(0x01 || left || right): tree of 2 leaves is roots[1].
  CHECK(HashToHex(HashChildren(HashLeaf(LeafEntries()[0]), HashLeaf(LeafEntries()[1]))) ==
        kRoots[1]);
}

TEST_CASE("Merkle tree hash matches the reference roots for every size 1..8") {
  for (std::size_t n = 1; n <= 8; ++n) {
    CAPTURE(n);
    CHECK(HashToHex(TreeHash(LeafHashes(n))) == kRoots[n - 1]);
  }
}

TEST_CASE("Inclusion proofs match the reference vectors and verify") {
  for (const InclusionVector& v : kInclusion) {
    CAPTURE(v.leaf_index);
    CAPTURE(v.tree_size);
    const std::vector<MerkleHash> leaves = LeafHashes(v.tree_size);
    const std::vector<MerkleHash> proof = InclusionProof(leaves, v.leaf_index);
    CHECK(proof == Hashes(v.proof));
    const MerkleHash root = HashFromHex(kRoots[v.tree_size - 1]);
    CHECK(VerifyInclusion(v.leaf_index, v.tree_size, leaves[v.leaf_index], proof, root));
    MerkleHash recomputed{};
    REQUIRE(RootFromInclusionProof(v.leaf_index, v.tree_size, leaves[v.leaf_index], proof,
                                   recomputed));
    CHECK(recomputed == root);
    CheckInclusionCorruptions(v.leaf_index, v.tree_size, proof, root, leaves[v.leaf_index]);
  }
}

TEST_CASE("Inclusion verification refuses impossible positions") {
  // transparency-dev/merkle TestVerifyInclusion probes: (index, size) = (0,0), (1,0), (2,1).
  const MerkleHash root = HashFromHex(kRoots[0]);
  CHECK_FALSE(VerifyInclusion(0, 0, kSomeHash, {}, EmptyTreeHash()));
  CHECK_FALSE(VerifyInclusion(1, 0, kSomeHash, {}, EmptyTreeHash()));
  CHECK_FALSE(VerifyInclusion(2, 1, HashFromHex(kRoots[0]), {}, root));
  CHECK_FALSE(VerifyInclusion(0, 1, kSomeHash, {}, root));
  CHECK_THROWS_AS(InclusionProof(LeafHashes(3), 3), InputError);
  CHECK_THROWS_AS(InclusionProof({}, 0), InputError);
}

TEST_CASE("Consistency proofs match the reference vectors and verify") {
  for (const ConsistencyVector& v : kConsistency) {
    CAPTURE(v.old_size);
    CAPTURE(v.new_size);
    const std::vector<MerkleHash> leaves = LeafHashes(v.new_size);
    const std::vector<MerkleHash> proof = ConsistencyProof(leaves, v.old_size);
    CHECK(proof == Hashes(v.proof));
    const MerkleHash old_root = HashFromHex(kRoots[v.old_size - 1]);
    const MerkleHash new_root = HashFromHex(kRoots[v.new_size - 1]);
    CHECK(VerifyConsistency(v.old_size, v.new_size, old_root, new_root, proof));
    if (!proof.empty()) CheckConsistencyCorruptions(v.old_size, v.new_size, old_root, new_root, proof);
  }
}

TEST_CASE("Consistency edge cases, as transparency-dev/merkle TestVerifyConsistency") {
  const MerkleHash a = HashLeaf("don't care 1");
  const MerkleHash b = HashLeaf("don't care 2");
  const std::vector<MerkleHash> one = {EmptyTreeHash()};
  CHECK_FALSE(VerifyConsistency(0, 0, a, b, {}));
  CHECK_FALSE(VerifyConsistency(1, 1, a, b, {}));
  CHECK(VerifyConsistency(0, 0, a, a, {}));
  CHECK(VerifyConsistency(0, 1, a, b, {}));
  CHECK(VerifyConsistency(1, 1, b, b, {}));
  CHECK_FALSE(VerifyConsistency(1, 0, a, b, {}));  // time travel to the past
  CHECK_FALSE(VerifyConsistency(2, 1, a, b, {}));
  CHECK_FALSE(VerifyConsistency(1, 2, a, b, {}));  // an empty proof between different sizes
  CHECK_FALSE(VerifyConsistency(0, 0, EmptyTreeHash(), EmptyTreeHash(), one));
  CHECK_FALSE(VerifyConsistency(0, 1, EmptyTreeHash(), EmptyTreeHash(), one));
  CHECK_FALSE(VerifyConsistency(1, 1, EmptyTreeHash(), EmptyTreeHash(), one));
  CHECK(ConsistencyProof(LeafHashes(5), 0).empty());
  CHECK(ConsistencyProof(LeafHashes(5), 5).empty());
  CHECK_THROWS_AS(ConsistencyProof(LeafHashes(5), 6), InputError);
}

TEST_CASE("Every proof of every tree up to 40 leaves round-trips, and none verifies elsewhere") {
  std::vector<MerkleHash> leaves;
  for (int i = 0; i < 40; ++i) leaves.push_back(HashLeaf("entry " + std::to_string(i)));
  std::vector<MerkleHash> roots;  // roots[n] = tree of the first n leaves
  for (std::size_t n = 0; n <= leaves.size(); ++n) {
    roots.push_back(TreeHash(std::span(leaves).first(n)));
  }
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    const auto tree = std::span(leaves).first(n);
    for (std::size_t m = 0; m < n; ++m) {
      CAPTURE(n);
      CAPTURE(m);
      const std::vector<MerkleHash> inclusion = InclusionProof(tree, m);
      REQUIRE(VerifyInclusion(m, n, leaves[m], inclusion, roots[n]));
      // Another leaf's hash at this position, and this proof in the next tree, fail.
      CHECK_FALSE(VerifyInclusion(m, n, leaves[(m + 1) % 40], inclusion, roots[n]));
      if (n < leaves.size()) CHECK_FALSE(VerifyInclusion(m, n + 1, leaves[m], inclusion, roots[n + 1]));
    }
    for (std::size_t m = 1; m < n; ++m) {
      CAPTURE(n);
      CAPTURE(m);
      const std::vector<MerkleHash> consistency = ConsistencyProof(tree, m);
      REQUIRE(VerifyConsistency(m, n, roots[m], roots[n], consistency));
      // A rewritten history: the old tree with its last leaf changed is not a prefix.
      std::vector<MerkleHash> edited(tree.begin(), tree.end());
      edited[m - 1] = HashLeaf("edited");
      CHECK_FALSE(VerifyConsistency(m, n, roots[m], TreeHash(edited), ConsistencyProof(edited, m)));
    }
  }
}

TEST_CASE("Hash hex round-trips and refuses bad text") {
  const MerkleHash h = HashLeaf("x");
  CHECK(HashFromHex(HashToHex(h)) == h);
  CHECK_THROWS_AS(HashFromHex("abc"), InputError);
  CHECK_THROWS_AS(HashFromHex(std::string(64, 'g')), InputError);
}

}  // namespace
}  // namespace privet::privacy
