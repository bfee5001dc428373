// The RFC 6962 / RFC 9162 reference Merkle tree shared by the tree and tree-head tests.
#ifndef PRIVET_TESTS_UNIT_PRIVACY_MERKLE_TEST_VECTORS_H_
#define PRIVET_TESTS_UNIT_PRIVACY_MERKLE_TEST_VECTORS_H_

#include <string>
#include <vector>

namespace privet::privacy::testing {

// Known-answer vectors: the RFC 6962 / RFC 9162 reference tree used by Google's
// certificate-transparency code and by transparency-dev/merkle, file proof/verify_test.go
// (variables `leaves`, `roots`, `inclusionProofs`, `consistencyProofs`). The eight leaf
// entries are the hex byte strings below; roots[i] is the tree hash of the first i+1 leaves.
// Those tests give leaf positions 1-based; here they are converted to the RFC's 0-based index.

inline std::string Unhex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

inline const std::vector<std::string>& LeafEntries() {
  static const std::vector<std::string> entries = {
      Unhex(""),         Unhex("00"),       Unhex("10"),
      Unhex("2021"),     Unhex("3031"),     Unhex("40414243"),
      Unhex("5051525354555657"), Unhex("606162636465666768696a6b6c6d6e6f")};
  return entries;
}

inline const std::vector<std::string> kRoots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

}  // namespace privet::privacy::testing

#endif  // PRIVET_TESTS_UNIT_PRIVACY_MERKLE_TEST_VECTORS_H_
