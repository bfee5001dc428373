#include "privacy/merkle_tree.h"

#include <openssl/evp.h>

#include <memory>

#include "privacy/errors.h"

namespace privet::privacy {
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// SHA-256 of the concatenation of `parts`.
MerkleHash Sha256Of(std::initializer_list<std::string_view> parts) {
  DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    throw CryptoError("OpenSSL could not start a SHA-256 digest");
  }
  for (std::string_view part : parts) {
    if (EVP_DigestUpdate(context.get(), part.data(), part.size()) != 1) {
      throw CryptoError("OpenSSL SHA-256 update failed");
    }
  }
  MerkleHash digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest.data(), &length) != 1 || length != digest.size()) {
    throw CryptoError("OpenSSL SHA-256 finalisation failed");
  }
  return digest;
}

std::string_view Bytes(const MerkleHash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

// The k of RFC 9162 section 2.1.1: the largest power of two smaller than n (n > 1).
std::size_t SplitPoint(std::size_t n) {
  std::size_t k = 1;
  while (k < n - k) k <<= 1;  // k < n/2 without overflow: stop at the first k with 2k >= n
  return k;
}

// PATH(m, D[n]), RFC 9162 section 2.1.3.1, appended leaf side first.
void AppendPath(std::span<const MerkleHash> leaves, std::size_t m, std::vector<MerkleHash>& out) {
  const std::size_t n = leaves.size();
  if (n <= 1) return;  // PATH(0, {d(0)}) = {}
  const std::size_t k = SplitPoint(n);
  if (m < k) {
    // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
    AppendPath(leaves.first(k), m, out);
    out.push_back(TreeHash(leaves.subspan(k)));
  } else {
    // PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
    AppendPath(leaves.subspan(k), m - k, out);
    out.push_back(TreeHash(leaves.first(k)));
  }
}

// SUBPROOF(m, D[n], b), RFC 9162 section 2.1.4.1.
void AppendSubproof(std::span<const MerkleHash> leaves, std::size_t m, bool b,
                    std::vector<MerkleHash>& out) {
  const std::size_t n = leaves.size();
  if (m == n) {
    // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
    if (!b) out.push_back(TreeHash(leaves));
    return;
  }
  const std::size_t k = SplitPoint(n);
  if (m <= k) {
    // SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
    AppendSubproof(leaves.first(k), m, b, out);
    out.push_back(TreeHash(leaves.subspan(k)));
  } else {
    // SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
    AppendSubproof(leaves.subspan(k), m - k, false, out);
    out.push_back(TreeHash(leaves.first(k)));
  }
}

bool IsPowerOfTwo(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

MerkleHash EmptyTreeHash() { return Sha256Of({}); }

MerkleHash HashLeaf(std::string_view entry) {
  static constexpr char kLeafPrefix = '\x00';
  return Sha256Of({std::string_view(&kLeafPrefix, 1), entry});
}

MerkleHash HashChildren(const MerkleHash& left, const MerkleHash& right) {
  static constexpr char kNodePrefix = '\x01';
  return Sha256Of({std::string_view(&kNodePrefix, 1), Bytes(left), Bytes(right)});
}

MerkleHash TreeHash(std::span<const MerkleHash> leaf_hashes) {
  const std::size_t n = leaf_hashes.size();
  if (n == 0) return EmptyTreeHash();
  if (n == 1) return leaf_hashes[0];
  const std::size_t k = SplitPoint(n);
  return HashChildren(TreeHash(leaf_hashes.first(k)), TreeHash(leaf_hashes.subspan(k)));
}

std::vector<MerkleHash> InclusionProof(std::span<const MerkleHash> leaf_hashes,
                                       std::uint64_t leaf_index) {
  if (leaf_index >= leaf_hashes.size()) {
    throw InputError("Merkle inclusion proof: leaf " + std::to_string(leaf_index) +
                     " is not in a tree of " + std::to_string(leaf_hashes.size()) + " leaves");
  }
  std::vector<MerkleHash> proof;
  AppendPath(leaf_hashes, static_cast<std::size_t>(leaf_index), proof);
  return proof;
}

bool RootFromInclusionProof(std::uint64_t leaf_index, std::uint64_t tree_size,
                            const MerkleHash& leaf_hash, std::span<const MerkleHash> proof,
                            MerkleHash& root) {
  // RFC 9162 section 2.1.3.2, steps 1-5 (the comparison with the root is the caller's).
  if (leaf_index >= tree_size) return false;  // step 1
  std::uint64_t fn = leaf_index;              // step 2
  std::uint64_t sn = tree_size - 1;
  MerkleHash r = leaf_hash;  // step 3
  for (const MerkleHash& p : proof) {
    if (sn == 0) return false;  // step 4a: the proof is longer than the path
    if ((fn & 1) != 0 || fn == sn) {
      r = HashChildren(p, r);  // step 4b.i
      if ((fn & 1) == 0) {     // step 4b.ii
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;  // step 4c
    sn >>= 1;
  }
  if (sn != 0) return false;  // step 5: the proof is shorter than the path
  root = r;
  return true;
}

bool VerifyInclusion(std::uint64_t leaf_index, std::uint64_t tree_size,
                     const MerkleHash& leaf_hash, std::span<const MerkleHash> proof,
                     const MerkleHash& root) {
  MerkleHash computed{};
  return RootFromInclusionProof(leaf_index, tree_size, leaf_hash, proof, computed) &&
         computed == root;
}

std::vector<MerkleHash> ConsistencyProof(std::span<const MerkleHash> leaf_hashes,
                                         std::uint64_t old_size) {
  if (old_size > leaf_hashes.size()) {
    throw InputError("Merkle consistency proof: a tree of " + std::to_string(old_size) +
                     " leaves is not a prefix of a tree of " +
                     std::to_string(leaf_hashes.size()));
  }
  std::vector<MerkleHash> proof;
  if (old_size == 0 || old_size == leaf_hashes.size()) return proof;
  // PROOF(m, D[n]) = SUBPROOF(m, D[n], true)
  AppendSubproof(leaf_hashes, static_cast<std::size_t>(old_size), true, proof);
  return proof;
}

bool VerifyConsistency(std::uint64_t old_size, std::uint64_t new_size, const MerkleHash& old_root,
                       const MerkleHash& new_root, std::span<const MerkleHash> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();
  // RFC 9162 section 2.1.4.2, for 0 < old_size < new_size.
  if (proof.empty()) return false;  // step 1
  std::vector<MerkleHash> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(old_size)) path.push_back(old_root);  // step 2
  path.insert(path.end(), proof.begin(), proof.end());
  std::uint64_t fn = old_size - 1;  // step 3
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {  // step 4
    fn >>= 1;
    sn >>= 1;
  }
  MerkleHash fr = path[0];  // step 5
  MerkleHash sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {  // step 6
    const MerkleHash& c = path[i];
    if (sn == 0) return false;  // step 6a
    if ((fn & 1) != 0 || fn == sn) {
      fr = HashChildren(c, fr);  // step 6b.i
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) {  // step 6b.ii
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;  // step 6c
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;  // step 7
}

std::string HashToHex(const MerkleHash& hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * hash.size());
  for (unsigned char byte : hash) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return hex;
}

MerkleHash HashFromHex(std::string_view hex) {
  MerkleHash hash{};
  if (hex.size() != 2 * hash.size()) {
    throw InputError("a Merkle hash must be 64 hex digits, got " + std::to_string(hex.size()) +
                     " characters");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < hash.size(); ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) throw InputError("a Merkle hash must be 64 hex digits");
    hash[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return hash;
}

}  // namespace privet::privacy
