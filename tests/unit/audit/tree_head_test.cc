#include "audit/tree_head.h"

#include <doctest/doctest.h>

#include "audit/base64.h"
#include "audit/dsse.h"
#include "privacy/errors.h"
#include "tests/unit/audit/audit_test_util.h"
#include "tests/unit/privacy/merkle_test_vectors.h"

namespace privet::audit {
namespace {

using privacy::MerkleHash;

std::vector<MerkleHash> ReferenceLeafHashes(std::size_t n) {
  std::vector<MerkleHash> hashes;
  for (std::size_t i = 0; i < n; ++i) {
    hashes.push_back(privacy::HashLeaf(privacy::testing::LeafEntries()[i]));
  }
  return hashes;
}

TEST_CASE("Tree head signed bytes are exactly the documented lines") {
  const std::string root = privacy::testing::kRoots[6];
  CHECK(TreeHeadSignedBytes(7, root, "2026-12-02T03:04:05Z") ==
        "privet-signed-tree-head:v1\ntree_size: 7\nroot_hash: " + root +
            "\ntime: 2026-12-02T03:04:05Z\n");
  CHECK(TreeHeadSignedBytes(0, privacy::HashToHex(privacy::EmptyTreeHash()),
                            "2026-12-02T03:04:05Z")
            .find("\ntree_size: 0\n") != std::string::npos);
  CHECK(TreeHeadSignedBytes(18446744073709551615u, root, "2026-12-02T03:04:05Z")
            .find("\ntree_size: 18446744073709551615\n") != std::string::npos);
  // Fields that could smuggle a line or a second spelling are refused.
  CHECK_THROWS_AS(TreeHeadSignedBytes(1, root + "\n", "2026-12-02T03:04:05Z"), InputError);
  std::string upper = root;
  upper[0] = 'D';
  CHECK_THROWS_AS(TreeHeadSignedBytes(1, upper, "2026-12-02T03:04:05Z"), InputError);
  CHECK_THROWS_AS(TreeHeadSignedBytes(1, root, "2026-12-02 03:04:05Z"), InputError);
  CHECK_THROWS_AS(TreeHeadSignedBytes(1, root, "2026-12-02T03:04:05Z\ntime: x"), InputError);
  // The signed bytes can never be DSSE PAE bytes (which begin "DSSEv1 ").
  CHECK(TreeHeadSignedBytes(1, root, "2026-12-02T03:04:05Z").rfind("DSSEv1 ", 0) ==
        std::string::npos);
}

TEST_CASE("A signed tree head verifies with its key and with nothing altered") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const VerifyingKey public_key = key.Public();
  const MerkleHash root = privacy::TreeHash(ReferenceLeafHashes(7));
  const SignedTreeHead head = SignTreeHead(7, root, "2026-12-02T03:04:05Z", key);
  CHECK(head.key_id == key.key_id());
  CHECK(head.root_hash == privacy::testing::kRoots[6]);
  // The signature is plain Ed25519 over the documented bytes.
  CHECK(VerifyMessage(public_key, TreeHeadSignedBytes(7, head.root_hash, head.time),
                      head.signature));
  CHECK(VerifyTreeHead(head, public_key) == TreeHeadCheck::kValid);

  SignedTreeHead bigger = head;
  bigger.tree_size = 8;
  CHECK(VerifyTreeHead(bigger, public_key) == TreeHeadCheck::kBadSignature);
  SignedTreeHead other_root = head;
  other_root.root_hash = privacy::testing::kRoots[7];
  CHECK(VerifyTreeHead(other_root, public_key) == TreeHeadCheck::kBadSignature);
  SignedTreeHead later = head;
  later.time = "2026-12-02T03:04:06Z";
  CHECK(VerifyTreeHead(later, public_key) == TreeHeadCheck::kBadSignature);
  SignedTreeHead flipped = head;
  flipped.signature[10] = static_cast<char>(flipped.signature[10] ^ 1);
  CHECK(VerifyTreeHead(flipped, public_key) == TreeHeadCheck::kBadSignature);
  SignedTreeHead malformed = head;
  malformed.root_hash = "not hex";
  CHECK(VerifyTreeHead(malformed, public_key) == TreeHeadCheck::kBadSignature);
  const SigningKey other = SigningKey::FromRawSeed(std::string(32, '\x07'));
  CHECK(VerifyTreeHead(head, other.Public()) == TreeHeadCheck::kWrongKey);
  SignedTreeHead relabelled = head;
  relabelled.key_id = other.key_id();
  CHECK(VerifyTreeHead(relabelled, other.Public()) == TreeHeadCheck::kBadSignature);
}

TEST_CASE("Tree heads and proofs round-trip through JSON and bad JSON is refused") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const std::vector<MerkleHash> leaves = ReferenceLeafHashes(8);
  const SignedTreeHead head = SignTreeHead(8, privacy::TreeHash(leaves), "2026-12-02T03:04:05Z",
                                           key);
  const nlohmann::json json = ToJson(head);
  const SignedTreeHead parsed = TreeHeadFromJson(json);
  CHECK(parsed.tree_size == head.tree_size);
  CHECK(parsed.root_hash == head.root_hash);
  CHECK(parsed.time == head.time);
  CHECK(parsed.key_id == head.key_id);
  CHECK(parsed.signature == head.signature);
  CHECK(VerifyTreeHead(parsed, key.Public()) == TreeHeadCheck::kValid);

  auto refused = [&](const char* field, const nlohmann::json& value) {
    nlohmann::json bad = json;
    if (value.is_discarded()) {
      bad.erase(field);
    } else {
      bad[field] = value;
    }
    CAPTURE(field);
    CHECK_THROWS_AS(TreeHeadFromJson(bad), IntegrityError);
  };
  const nlohmann::json missing(nlohmann::json::value_t::discarded);
  for (const char* field : {"tree_size", "root_hash", "time", "key_id", "signature"}) {
    refused(field, missing);
  }
  refused("tree_size", -1);
  refused("tree_size", 1.5);
  refused("tree_size", "8");
  refused("root_hash", std::string(63, 'a'));
  refused("root_hash", std::string(64, 'A'));
  refused("key_id", 5);
  refused("time", "yesterday");
  refused("signature", "!!!");
  refused("signature", Base64Encode(std::string(63, 'x')));
  CHECK_THROWS_AS(TreeHeadFromJson(nlohmann::json::array()), IntegrityError);

  const InclusionProofRecord inclusion{5, 8, privacy::InclusionProof(leaves, 5)};
  const InclusionProofRecord inclusion_back = InclusionProofFromJson(ToJson(inclusion));
  CHECK(inclusion_back.leaf_index == 5);
  CHECK(inclusion_back.tree_size == 8);
  CHECK(inclusion_back.hashes == inclusion.hashes);
  nlohmann::json bad_inclusion = ToJson(inclusion);
  bad_inclusion["hashes"][1] = "zz";
  CHECK_THROWS_AS(InclusionProofFromJson(bad_inclusion), IntegrityError);
  bad_inclusion["hashes"] = nlohmann::json::array();
  for (int i = 0; i < 66; ++i) bad_inclusion["hashes"].push_back(privacy::testing::kRoots[0]);
  CHECK_THROWS_AS(InclusionProofFromJson(bad_inclusion), IntegrityError);

  const ConsistencyProofRecord consistency{6, 8, privacy::ConsistencyProof(leaves, 6)};
  const ConsistencyProofRecord consistency_back = ConsistencyProofFromJson(ToJson(consistency));
  CHECK(consistency_back.old_size == 6);
  CHECK(consistency_back.new_size == 8);
  CHECK(consistency_back.hashes == consistency.hashes);
  CHECK_THROWS_AS(ConsistencyProofFromJson({{"old_size", 6}, {"hashes", {}}}), IntegrityError);
}

TEST_CASE("Proofs are checked against the heads they claim") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const std::vector<MerkleHash> leaves = ReferenceLeafHashes(8);
  const auto first6 = std::span(leaves).first(6);
  const SignedTreeHead older = SignTreeHead(6, privacy::TreeHash(first6), "2026-12-01T09:00:00Z",
                                            key);
  const SignedTreeHead newer = SignTreeHead(8, privacy::TreeHash(leaves), "2026-12-02T09:00:00Z",
                                            key);
  const InclusionProofRecord inclusion{5, 8, privacy::InclusionProof(leaves, 5)};
  CHECK(ProvesInclusion(newer, leaves[5], inclusion));
  CHECK_FALSE(ProvesInclusion(newer, leaves[4], inclusion));
  CHECK_FALSE(ProvesInclusion(older, leaves[5], inclusion));  // a proof for another size
  InclusionProofRecord moved = inclusion;
  moved.leaf_index = 4;
  CHECK_FALSE(ProvesInclusion(newer, leaves[5], moved));

  const ConsistencyProofRecord consistency{6, 8, privacy::ConsistencyProof(leaves, 6)};
  CHECK(ProvesConsistency(older, newer, consistency));
  CHECK_FALSE(ProvesConsistency(newer, older, consistency));
  // A rewritten history (entry 3 edited, every later hash recomputed, re-signed) is not an
  // extension of the head an auditor kept.
  std::vector<MerkleHash> rewritten = leaves;
  rewritten[2] = privacy::HashLeaf("edited");
  const SignedTreeHead forged = SignTreeHead(8, privacy::TreeHash(rewritten),
                                             "2026-12-02T09:00:00Z", key);
  CHECK(VerifyTreeHead(forged, key.Public()) == TreeHeadCheck::kValid);
  CHECK_FALSE(ProvesConsistency(older, forged, consistency));
  CHECK_FALSE(ProvesConsistency(older, forged, {6, 8, privacy::ConsistencyProof(rewritten, 6)}));
  // History truncated to 7 entries: no proof links the kept head of 8 to it.
  const SignedTreeHead truncated = SignTreeHead(
      7, privacy::TreeHash(std::span(leaves).first(7)), "2026-12-03T09:00:00Z", key);
  CHECK_FALSE(ProvesConsistency(newer, truncated, {8, 7, {}}));
}

// The worked example of docs/attestation.md ("Signed tree heads and proofs"): rebuilt here
// from the RFC 8032 TEST 1 key and the reference leaves, so the page cannot go stale. The same
// block is checked by tests/e2e/tree_proofs_verify.py (CTest e2e_tree_proofs_doc).
TEST_CASE("The tree head example in docs/attestation.md is what privet produces") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const std::vector<MerkleHash> leaves = ReferenceLeafHashes(8);
  nlohmann::json bundle;
  bundle["leaf_entry_hex"] = "40414243";
  bundle["older_head"] =
      ToJson(SignTreeHead(6, privacy::TreeHash(std::span(leaves).first(6)),
                          "2026-12-01T09:00:00Z", key));
  bundle["newer_head"] =
      ToJson(SignTreeHead(8, privacy::TreeHash(leaves), "2026-12-02T09:00:00Z", key));
  bundle["inclusion_proof"] = ToJson(InclusionProofRecord{5, 8, privacy::InclusionProof(leaves, 5)});
  bundle["consistency_proof"] =
      ToJson(ConsistencyProofRecord{6, 8, privacy::ConsistencyProof(leaves, 6)});
  REQUIRE(privacy::testing::Unhex("40414243") == privacy::testing::LeafEntries()[5]);

  const std::string doc = testing::ReadFile(std::string(PRIVET_SOURCE_DIR) + "/docs/attestation.md");
  CHECK(testing::FencedBlockAfter(doc, "<!-- example-tree-public-key -->") ==
        key.Public().PublicPem());
  const std::string block = testing::FencedBlockAfter(doc, "<!-- example-tree-proofs -->");
  CAPTURE(bundle.dump(2));
  CHECK(nlohmann::json::parse(block) == bundle);
}

}  // namespace
}  // namespace privet::audit
