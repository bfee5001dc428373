// Helpers shared by the audit tests: a scratch directory, hex decoding, the RFC 8032 test
// key, and a consistent release record to attest.
#ifndef PRIVET_TESTS_UNIT_AUDIT_AUDIT_TEST_UTIL_H_
#define PRIVET_TESTS_UNIT_AUDIT_AUDIT_TEST_UTIL_H_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "audit/keys.h"
#include "audit/release_record.h"
#include "tests/scratch_dir.h"

namespace privet::audit::testing {

using privet::testing::ScratchDir;

inline std::string HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  std::string bytes;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

// The text between the first code fence after `marker` and the closing fence (how the docs'
// worked examples are read back by the tests that keep them honest).
inline std::string FencedBlockAfter(const std::string& text, const std::string& marker) {
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) throw std::runtime_error("no " + marker + " in the document");
  const std::size_t start = text.find("```\n", at) + 4;
  const std::size_t end = text.find("```", start);
  return text.substr(start, end - start);
}

inline std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 0xf]);
  }
  return hex;
}

inline void WriteFile(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// RFC 8032 section 7.1, TEST 1.
inline constexpr char kRfc8032Test1Secret[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
inline constexpr char kRfc8032Test1Public[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
inline constexpr char kRfc8032Test1Signature[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

inline SigningKey Rfc8032Test1Key() {
  return SigningKey::FromRawSeed(HexDecode(kRfc8032Test1Secret));
}

// A consistent synthetic-table release with every field fixed (software and time too), so
// the attestation built from it is byte-for-byte reproducible.
inline ReleaseRecord FixedRecord() {
  ReleaseRecord record;
  record.dataset_id = "heart_cleveland";
  record.unit_column = "patient_id";
  record.max_rows_per_unit = 2;
  record.config_sha256 = std::string(64, 'c');
  record.kind = ReleaseKind::kSyntheticTable;
  record.mechanisms = nlohmann::json::array(
      {{{"mechanism", "exponential"}, {"epsilon", 0.25}, {"label", "structure"}},
       {{"mechanism", "discrete_laplace"},
        {"epsilon", 0.75},
        {"l1_sensitivity", 2},
        {"label", "marginals"}}});
  record.accountant = "basic-composition";
  record.cost = {1.0, 0.0};
  record.cumulative = {1.5, 0.0};
  record.budget = {4.0, 1e-6};
  record.ledger.emplace();
  record.ledger->release_id = "7";
  record.ledger->entry_hash = std::string(64, 'a');
  record.ledger->head_hash = std::string(64, 'b');
  record.registration_entry_id = 6;
  record.requester = "researcher@example.org";
  record.purpose = "unit test";
  record.software = {"privet", "0.1.0", "0123456789ab"};
  record.time_utc = "2026-11-28T06:00:00Z";
  record.randomness = RandomnessMode::kSecure;
  return record;
}

}  // namespace privet::audit::testing

#endif  // PRIVET_TESTS_UNIT_AUDIT_AUDIT_TEST_UTIL_H_
