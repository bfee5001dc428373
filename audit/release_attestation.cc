#include "audit/release_attestation.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "audit/dsse.h"
#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"

namespace privet::audit {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// `path` made absolute and normalised without touching the file system, so "out/./a.csv"
// and "out/a.csv" name the same subject.
std::filesystem::path Normalised(const std::filesystem::path& path) {
  return std::filesystem::absolute(path).lexically_normal();
}

}  // namespace

std::filesystem::path ResolveSigningKeyPath(
    const std::optional<std::filesystem::path>& key_option) {
  std::filesystem::path path;
  std::string source;
  if (key_option && !key_option->empty()) {
    path = *key_option;
    source = "--key";
  } else if (const char* environment = std::getenv(kSigningKeyEnvironment);
             environment != nullptr && *environment != '\0') {
    path = environment;
    source = std::string("$") + kSigningKeyEnvironment;
  } else {
    path = kDefaultSigningKeyPath;
    source = "the default location";
  }
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw InputError("release refused: no signing key at " + path.string() + " (" + source +
                     "); create one with `privet keygen --out privet-keys`, or pass --key "
                     "PRIVATE.key or set $" +
                     kSigningKeyEnvironment);
  }
  return path;
}

SigningKey LoadReleaseSigningKey(const std::optional<std::filesystem::path>& key_option) {
  return LoadPrivateKey(ResolveSigningKeyPath(key_option));
}

ReleaseRecord RecordFromCharge(const privacy::ChargeRequest& request,
                               const privacy::ChargeReceipt& receipt) {
  ReleaseRecord record;
  record.dataset_id = request.dataset_id;
  record.mechanisms = nlohmann::json::array();
  for (const privacy::PrivacyEvent& event : request.events) {
    record.mechanisms.push_back(event.ToJson());
  }
  record.config_sha256 = request.config_sha256;
  record.requester = request.requester;
  record.purpose = request.purpose;
  record.cost = {receipt.cost.epsilon, receipt.cost.delta};
  record.cumulative = {receipt.cumulative.epsilon, receipt.cumulative.delta};
  record.budget = {receipt.budget.epsilon, receipt.budget.delta};
  record.ledger.emplace();
  record.ledger->release_id = receipt.release_id;
  record.ledger->entry_hash = receipt.entry_hash;
  record.ledger->head_hash = receipt.head_hash;
  record.ledger_mode = privacy::LedgerModeName(receipt.ledger_mode);
  record.registration_entry_id = receipt.registration_entry_id;
  record.randomness =
      request.seeded ? RandomnessMode::kSeededNotForRelease : RandomnessMode::kSecure;
  record.time_utc = UtcNowIso8601();
  return record;
}

ReleaseRecord RecordFromCharge(const privacy::ChargeRequest& request,
                               const privacy::ChargeReceipt& receipt, const SigningKey& key) {
  if (receipt.entry_leaf.empty() || receipt.entry_id <= 0) {
    throw InputError("charge receipt of " + receipt.release_id + " carries no ledger tree");
  }
  ReleaseRecord record = RecordFromCharge(request, receipt);
  const auto size = static_cast<std::uint64_t>(receipt.entry_id);
  record.ledger->entry = receipt.entry_leaf;
  record.ledger->tree_head = SignTreeHead(size, receipt.tree_root, record.time_utc, key);
  record.ledger->inclusion_proof = InclusionProofRecord{size - 1, size, receipt.inclusion_proof};
  return record;
}

std::vector<Subject> SubjectsFor(const std::filesystem::path& out_dir,
                                 const std::vector<std::filesystem::path>& released_files) {
  const std::filesystem::path base = Normalised(out_dir);
  std::vector<Subject> subjects;
  std::set<std::string> names;
  for (const std::filesystem::path& file : released_files) {
    // Paths are ordinary paths (relative ones to the working directory, like out_dir
    // itself), so a caller passes out_dir / name.
    const std::filesystem::path full = Normalised(file);
    const std::filesystem::path relative = full.lexically_relative(base);
    const std::string name = relative.generic_string();
    if (relative.empty() || !IsSafeSubjectName(name)) {
      throw InputError("released file " + file.string() + " is not inside the output directory " +
                       out_dir.string() + "; an attestation covers only files beside it");
    }
    std::error_code error;
    if (!std::filesystem::is_regular_file(full, error)) {
      throw InputError("released file " + full.string() + " does not exist or is not a file");
    }
    if (name == kAttestationFileName) {
      throw InputError(std::string("the attestation cannot attest itself: ") + full.string());
    }
    if (!names.insert(name).second) {
      throw InputError("released file " + full.string() + " is listed twice");
    }
    subjects.push_back({name, Sha256FileHex(full)});
  }
  return subjects;
}

std::string BuildAttestation(const std::vector<Subject>& subjects, const ReleaseRecord& record,
                             const SigningKey& key) {
  Statement statement{subjects, kReleasePredicateType, ToPredicate(record)};
  const std::string payload = CanonicalJson(StatementToJson(statement));
  return SerializeEnvelope(SignEnvelope(kInTotoPayloadType, payload, key));
}

std::filesystem::path WriteAttestation(const std::filesystem::path& out_dir,
                                       const std::vector<std::filesystem::path>& released_files,
                                       const ReleaseRecord& record, const SigningKey& key) {
  const std::string bytes = BuildAttestation(SubjectsFor(out_dir, released_files), record, key);
  const std::filesystem::path path = out_dir / kAttestationFileName;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) {
      throw InputError(path.string() +
                       " already exists; an attestation is never overwritten: release into a "
                       "new output directory");
    }
    throw StorageError("cannot create " + path.string() + ": " + ErrnoText());
  }
  std::size_t written = 0;
  bool failed = false;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failed = true;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  const std::string write_error = failed ? ErrnoText() : "";
  failed = failed || ::fsync(fd) != 0;
  failed = (::close(fd) != 0) || failed;
  if (failed) {
    // A partial attestation would fail verification forever and block a retry; remove it.
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw StorageError("cannot write " + path.string() + ": " +
                       (write_error.empty() ? ErrnoText() : write_error));
  }
  return path;
}

}  // namespace privet::audit
