// libFuzzer target: the attestation verifier. The input is written as an attestation file and
// checked by audit::VerifyAttestation against a fixed key (RFC 8032 section 7.1 TEST 1, the
// key that signed the seed corpus), without a ledger; the parsers behind the signature check
// (statement, predicate, consistency rules) and the tree-head and proof parsers are also run
// on the input directly, since a mutated payload rarely keeps a valid signature.
// VerifyAttestation must never throw; the parsers throw only privet::Error.
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "audit/dsse.h"
#include "audit/release_record.h"
#include "audit/statement.h"
#include "audit/tree_head.h"
#include "audit/verify.h"
#include "privacy/bounded_json.h"
#include "privacy/errors.h"

namespace {

const privet::audit::VerifyingKey& Key() {
  static const privet::audit::VerifyingKey key = privet::audit::VerifyingKey::FromRaw(
      std::string("\xd7\x5a\x98\x01\x82\xb1\x0a\xb7\xd5\x4b\xfe\xd3\xc9\x64\x07\x3a"
                  "\x0e\xe1\x72\xf3\xda\xa6\x23\x25\xaf\x02\x1a\x68\xf7\x07\x51\x1a",
                  32));
  return key;
}

// Never destroyed: the exit handler below removes it after static destructors ran.
const std::filesystem::path& Folder() {
  static const std::filesystem::path* const folder = new std::filesystem::path([] {
    const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                       ("privet-fuzz-attestation-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }());
  static const bool cleanup_registered = [] {
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(Folder(), ignored);
    });
    return true;
  }();
  (void)cleanup_registered;
  return *folder;
}

void ParseDirectly(std::string_view text) {
  try {
    const privet::audit::Envelope envelope = privet::audit::ParseEnvelope(text);
    (void)privet::audit::VerifyEnvelope(envelope, Key());
    const privet::audit::Statement statement = privet::audit::ParseStatement(envelope.payload);
    const privet::audit::ReleaseRecord record =
        privet::audit::ParsePredicate(statement.predicate);
    (void)privet::audit::ConsistencyProblems(record);
  } catch (const privet::Error&) {
  }
  try {
    const nlohmann::json json = privet::ParseBoundedJson<privet::IntegrityError>(text, "fuzz");
    try {
      (void)privet::audit::VerifyTreeHead(privet::audit::TreeHeadFromJson(json), Key());
    } catch (const privet::Error&) {
    }
    try {
      const auto proof = privet::audit::InclusionProofFromJson(json);
      privet::audit::SignedTreeHead head;
      head.tree_size = proof.tree_size;
      head.root_hash = std::string(64, '0');
      (void)privet::audit::ProvesInclusion(head, privet::privacy::EmptyTreeHash(), proof);
    } catch (const privet::Error&) {
    }
    try {
      const auto proof = privet::audit::ConsistencyProofFromJson(json);
      privet::audit::SignedTreeHead older, newer;
      older.tree_size = proof.old_size;
      newer.tree_size = proof.new_size;
      older.root_hash = newer.root_hash = std::string(64, '0');
      (void)privet::audit::ProvesConsistency(older, newer, proof);
    } catch (const privet::Error&) {
    }
  } catch (const privet::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::filesystem::path attestation = Folder() / "attestation.dsse.json";
  {
    std::ofstream out(attestation, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  const privet::audit::VerificationReport report =
      privet::audit::VerifyAttestation(attestation, Key(), std::nullopt);
  (void)report.ToText();
  (void)report.ToJson();
  ParseDirectly(text);
  return 0;
}
