#include "audit/tree_head.h"

#include "audit/base64.h"
#include "audit/dsse.h"
#include "audit/release_record.h"
#include "privacy/errors.h"

namespace privet::audit {
namespace {

const nlohmann::json& Field(const nlohmann::json& json, const char* key, const std::string& what) {
  if (!json.is_object()) throw IntegrityError(what + " is not a JSON object");
  const auto it = json.find(key);
  if (it == json.end()) throw IntegrityError(what + "." + key + " is missing");
  return *it;
}

std::string StringField(const nlohmann::json& json, const char* key, const std::string& what) {
  const nlohmann::json& value = Field(json, key, what);
  if (!value.is_string()) throw IntegrityError(what + "." + key + " is not a string");
  return value.get<std::string>();
}

std::uint64_t SizeField(const nlohmann::json& json, const char* key, const std::string& what) {
  const nlohmann::json& value = Field(json, key, what);
  // nlohmann keeps a non-negative integer literal as unsigned; a negative one as signed.
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  throw IntegrityError(what + "." + key + " is not a non-negative integer");
}

std::string HexField(const nlohmann::json& json, const char* key, const std::string& what) {
  std::string hex = StringField(json, key, what);
  if (!IsSha256Hex(hex)) throw IntegrityError(what + "." + key + " is not 64 lowercase hex digits");
  return hex;
}

nlohmann::json HashesJson(const std::vector<privacy::MerkleHash>& hashes) {
  nlohmann::json array = nlohmann::json::array();
  for (const privacy::MerkleHash& hash : hashes) array.push_back(privacy::HashToHex(hash));
  return array;
}

std::vector<privacy::MerkleHash> HashesField(const nlohmann::json& json, const std::string& what) {
  const nlohmann::json& value = Field(json, "hashes", what);
  if (!value.is_array()) throw IntegrityError(what + ".hashes is not an array");
  // A proof in a tree of at most 2^64 leaves has at most 64 hashes (RFC 9162 2.1.3/2.1.4:
  // one per level, and a consistency proof at most one more).
  if (value.size() > 65) throw IntegrityError(what + ".hashes has more hashes than any proof");
  std::vector<privacy::MerkleHash> hashes;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string where = what + ".hashes[" + std::to_string(i) + "]";
    if (!value[i].is_string() || !IsSha256Hex(value[i].get<std::string>())) {
      throw IntegrityError(where + " is not 64 lowercase hex digits");
    }
    hashes.push_back(privacy::HashFromHex(value[i].get<std::string>()));
  }
  return hashes;
}

}  // namespace

std::string TreeHeadSignedBytes(std::uint64_t tree_size, std::string_view root_hash,
                                std::string_view time) {
  if (!IsSha256Hex(root_hash)) {
    throw InputError("tree head: root_hash is not 64 lowercase hex digits");
  }
  if (!IsIso8601Utc(time)) throw InputError("tree head: time is not YYYY-MM-DDTHH:MM:SSZ");
  std::string bytes = kTreeHeadSignedBytesHeader;
  bytes += "\ntree_size: ";
  bytes += std::to_string(tree_size);
  bytes += "\nroot_hash: ";
  bytes += root_hash;
  bytes += "\ntime: ";
  bytes += time;
  bytes += "\n";
  return bytes;
}

SignedTreeHead SignTreeHead(std::uint64_t tree_size, const privacy::MerkleHash& root,
                            const std::string& time, const SigningKey& key) {
  SignedTreeHead head;
  head.tree_size = tree_size;
  head.root_hash = privacy::HashToHex(root);
  head.time = time;
  head.key_id = key.key_id();
  head.signature = SignMessage(key, TreeHeadSignedBytes(tree_size, head.root_hash, time));
  return head;
}

TreeHeadCheck VerifyTreeHead(const SignedTreeHead& head, const VerifyingKey& key) {
  if (head.key_id != key.key_id()) return TreeHeadCheck::kWrongKey;
  if (!IsSha256Hex(head.root_hash) || !IsIso8601Utc(head.time)) {
    return TreeHeadCheck::kBadSignature;
  }
  const std::string bytes = TreeHeadSignedBytes(head.tree_size, head.root_hash, head.time);
  return VerifyMessage(key, bytes, head.signature) ? TreeHeadCheck::kValid
                                                   : TreeHeadCheck::kBadSignature;
}

bool ProvesInclusion(const SignedTreeHead& head, const privacy::MerkleHash& leaf_hash,
                     const InclusionProofRecord& proof) {
  if (proof.tree_size != head.tree_size || !IsSha256Hex(head.root_hash)) return false;
  return privacy::VerifyInclusion(proof.leaf_index, proof.tree_size, leaf_hash, proof.hashes,
                                  privacy::HashFromHex(head.root_hash));
}

bool ProvesConsistency(const SignedTreeHead& older, const SignedTreeHead& newer,
                       const ConsistencyProofRecord& proof) {
  if (proof.old_size != older.tree_size || proof.new_size != newer.tree_size) return false;
  if (!IsSha256Hex(older.root_hash) || !IsSha256Hex(newer.root_hash)) return false;
  return privacy::VerifyConsistency(older.tree_size, newer.tree_size,
                                    privacy::HashFromHex(older.root_hash),
                                    privacy::HashFromHex(newer.root_hash), proof.hashes);
}

nlohmann::json ToJson(const SignedTreeHead& head) {
  return {{"tree_size", head.tree_size},
          {"root_hash", head.root_hash},
          {"time", head.time},
          {"key_id", head.key_id},
          {"signature", Base64Encode(head.signature)}};
}

SignedTreeHead TreeHeadFromJson(const nlohmann::json& json) {
  const std::string what = "tree head";
  SignedTreeHead head;
  head.tree_size = SizeField(json, "tree_size", what);
  head.root_hash = HexField(json, "root_hash", what);
  head.time = StringField(json, "time", what);
  if (!IsIso8601Utc(head.time)) throw IntegrityError(what + ".time is not YYYY-MM-DDTHH:MM:SSZ");
  head.key_id = HexField(json, "key_id", what);
  try {
    head.signature = Base64Decode(StringField(json, "signature", what));
  } catch (const IntegrityError& e) {
    throw IntegrityError(what + ".signature is not valid base64 (" + e.what() + ")");
  }
  if (head.signature.size() != kEd25519SignatureBytes) {
    throw IntegrityError(what + ".signature is not a 64-byte Ed25519 signature");
  }
  return head;
}

nlohmann::json ToJson(const InclusionProofRecord& proof) {
  return {{"leaf_index", proof.leaf_index},
          {"tree_size", proof.tree_size},
          {"hashes", HashesJson(proof.hashes)}};
}

InclusionProofRecord InclusionProofFromJson(const nlohmann::json& json) {
  const std::string what = "inclusion proof";
  InclusionProofRecord proof;
  proof.leaf_index = SizeField(json, "leaf_index", what);
  proof.tree_size = SizeField(json, "tree_size", what);
  proof.hashes = HashesField(json, what);
  return proof;
}

nlohmann::json ToJson(const ConsistencyProofRecord& proof) {
  return {{"old_size", proof.old_size},
          {"new_size", proof.new_size},
          {"hashes", HashesJson(proof.hashes)}};
}

ConsistencyProofRecord ConsistencyProofFromJson(const nlohmann::json& json) {
  const std::string what = "consistency proof";
  ConsistencyProofRecord proof;
  proof.old_size = SizeField(json, "old_size", what);
  proof.new_size = SizeField(json, "new_size", what);
  proof.hashes = HashesField(json, what);
  return proof;
}

}  // namespace privet::audit
