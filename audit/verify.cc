#include "audit/verify.h"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "audit/dsse.h"
#include "audit/ledger_check_internal.h"
#include "audit/tree_head.h"
#include "privacy/bounded_json.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"

namespace privet::audit {
namespace {

// An attestation is a few kilobytes; anything this large is not one (and is not read whole).
constexpr std::uintmax_t kMaxAttestationBytes = 64u << 20;

void Add(VerificationReport& report, std::string name, bool passed, std::string detail) {
  report.checks.push_back({std::move(name), passed, std::move(detail)});
}

std::string ShortHex(const std::string& hex) { return hex.substr(0, 16); }

std::string FormatAmount(const PrivacyAmount& amount) {
  std::ostringstream out;
  out.precision(12);
  out << "epsilon " << amount.epsilon << ", delta " << amount.delta;
  return out.str();
}

bool Close(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }

// Reads the whole attestation; on failure records the "envelope" check and returns false.
bool ReadAttestation(VerificationReport& report, std::string& bytes) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(report.attestation, error);
  if (error) {
    Add(report, "envelope", false,
        "cannot read " + report.attestation.string() + ": " + error.message());
    return false;
  }
  if (size > kMaxAttestationBytes) {
    Add(report, "envelope", false, report.attestation.string() + " is too large to be one");
    return false;
  }
  std::ifstream in(report.attestation, std::ios::binary);
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    Add(report, "envelope", false, "error while reading " + report.attestation.string());
    return false;
  }
  return true;
}

// Everything in the charge entry `body` that the predicate also states, compared: the first
// difference, or "" when they agree.
std::string EntryDisagreement(const nlohmann::json& body, const ReleaseRecord& record,
                              std::uint64_t tree_size) {
  const LedgerLink& link = *record.ledger;
  if (!body.is_object() || body.value("type", std::string()) != "charge") {
    return "the entry is not a charge";
  }
  if (body.value("entry_id", std::int64_t{-1}) != static_cast<std::int64_t>(tree_size)) {
    return "the entry's id is not the tree head's size";
  }
  if (body.value("release_id", std::string()) != link.release_id) {
    return "the entry is release " + body.value("release_id", std::string()) + ", not " +
           link.release_id;
  }
  if (body.value("dataset_id", std::string()) != record.dataset_id) {
    return "the entry charged another dataset";
  }
  if (!body.contains("events") || body["events"] != record.mechanisms) {
    return "the entry's events differ from the attested mechanisms";
  }
  const auto same = [&body](const char* key, const PrivacyAmount& amount) {
    const nlohmann::json& value = body.contains(key) ? body[key] : nlohmann::json();
    return value.is_object() && value.contains("epsilon") && value.contains("delta") &&
           value["epsilon"].is_number() && value["delta"].is_number() &&
           Close(value["epsilon"].get<double>(), amount.epsilon) &&
           Close(value["delta"].get<double>(), amount.delta);
  };
  if (!same("cost", record.cost)) return "the entry's cost differs from the attested cost";
  if (!same("cumulative", record.cumulative)) {
    return "the entry's cumulative spend differs from the attested one";
  }
  if (!same("budget", record.budget)) return "the entry's budget differs from the attested one";
  return "";
}

// The "tree-head", "tree-entry" and "tree-inclusion" checks (docs/attestation.md, "The
// ledger's tree"): need nothing but the attestation and the public key.
void CheckTree(VerificationReport& report, const VerifyingKey& key) {
  const ReleaseRecord& record = *report.record;
  if (!record.ledger) return;  // a model sample: no entry of its own
  const LedgerLink& link = *record.ledger;
  if (!link.tree_head || !link.inclusion_proof || !link.entry) {
    Add(report, "tree-head", true,
        "none: the attestation predates the ledger's tree (only the hash chain links it)");
    return;
  }
  const SignedTreeHead& head = *link.tree_head;
  switch (VerifyTreeHead(head, key)) {
    case TreeHeadCheck::kValid:
      Add(report, "tree-head", true,
          "signed tree head of size " + std::to_string(head.tree_size) + ", root " +
              ShortHex(head.root_hash) + "..., verifies with key " + key.key_id());
      break;
    case TreeHeadCheck::kWrongKey:
      Add(report, "tree-head", false, "the tree head is signed by key " + head.key_id);
      return;
    case TreeHeadCheck::kBadSignature:
      Add(report, "tree-head", false, "the tree head's signature does not verify");
      return;
  }
  const std::string& entry = *link.entry;
  std::string problem;
  if (Sha256Hex(entry) != link.entry_hash) {
    problem = "sha256 of ledger.entry is not ledger.entry_hash";
  } else {
    try {
      const nlohmann::json leaf = ParseBoundedJson<IntegrityError>(entry, "ledger.entry");
      if (!leaf.is_object() || !leaf.contains("body") || !leaf.contains("previous_hash")) {
        problem = "ledger.entry is not {\"body\",\"previous_hash\"}";
      } else {
        problem = EntryDisagreement(leaf["body"], record, head.tree_size);
      }
    } catch (const Error& e) {
      problem = e.what();
    }
  }
  Add(report, "tree-entry", problem.empty(),
      problem.empty() ? "the attested charge entry hashes to ledger.entry_hash and states the "
                        "attested release, events, cost and budget"
                      : problem);
  if (!problem.empty()) return;
  const privacy::MerkleHash leaf_hash = privacy::HashLeaf(entry);
  const bool included = ProvesInclusion(head, leaf_hash, *link.inclusion_proof) &&
                        link.inclusion_proof->leaf_index + 1 == head.tree_size;
  Add(report, "tree-inclusion", included,
      included ? "the charge entry is leaf " +
                     std::to_string(link.inclusion_proof->leaf_index) + " (leaf hash " +
                     ShortHex(privacy::HashToHex(leaf_hash)) + "...) of the signed tree"
               : "the inclusion proof does not prove the charge entry is the last leaf of the "
                 "signed tree");
}

void CheckConsistency(VerificationReport& report, const nlohmann::json& predicate) {
  const ReleaseRecord& record = *report.record;
  std::vector<std::string> problems = ConsistencyProblems(record);
  const PrivacyAmount expected = Remaining(record);
  const nlohmann::json& remaining = predicate.at("remaining");
  const double remaining_epsilon = remaining.at("epsilon").get<double>();
  const double remaining_delta = remaining.at("delta").get<double>();
  if (!Close(remaining_epsilon, expected.epsilon) || !Close(remaining_delta, expected.delta)) {
    problems.push_back("remaining (" + FormatAmount({remaining_epsilon, remaining_delta}) +
                       ") is not budget - cumulative spend (" + FormatAmount(expected) + ")");
  }
  if (problems.empty()) {
    Add(report, "consistency", true,
        "cost " + FormatAmount(record.cost) + " <= cumulative " + FormatAmount(record.cumulative) +
            " <= budget " + FormatAmount(record.budget));
  } else {
    std::string detail = problems.front();
    for (std::size_t i = 1; i < problems.size(); ++i) detail += "; " + problems[i];
    Add(report, "consistency", false, detail);
  }
}

// Why the file a subject names beside the attestation must not be read, or "" when it may: it
// must be a regular file reached from the release folder without following a symbolic link.
// A link (the file itself or a folder on the way) could point the verifier at any file on the
// machine, and a device or FIFO (/dev/zero) would never end. Subject names are relative,
// without "." or ".." parts (ParseStatement), so each part is looked at with lstat.
std::string UnsafeSubjectPath(const std::filesystem::path& folder, const std::string& name) {
  std::filesystem::path path = folder;
  const std::filesystem::path relative(name);
  for (auto part = relative.begin(); part != relative.end(); ++part) {
    path /= *part;
    std::error_code error;
    const std::filesystem::file_status status = std::filesystem::symlink_status(path, error);
    if (error || !std::filesystem::exists(status)) {
      return path.string() +
             " is missing: the signed release lists this file and it was not found beside the "
             "attestation or among the given files";
    }
    if (std::filesystem::is_symlink(status)) {
      return path.string() +
             " is a symbolic link: verification reads only files inside the release folder "
             "(give the file on the command line to check it where it is)";
    }
    const bool last = std::next(part) == relative.end();
    if (last ? !std::filesystem::is_regular_file(status)
             : !std::filesystem::is_directory(status)) {
      return path.string() + (last ? " is not a regular file" : " is not a folder");
    }
  }
  return "";
}

void CheckSubjects(VerificationReport& report, const std::vector<std::filesystem::path>& files) {
  // Files given on the command line stand in for the subject with the same base name.
  std::map<std::string, std::filesystem::path> given;
  std::map<std::string, bool> used;
  for (const std::filesystem::path& file : files) {
    const std::string base = file.filename().string();
    if (given.count(base) != 0) {
      Add(report, "extra-file:" + file.string(), false,
          "two files named " + base + " were given; a subject has one file");
      continue;
    }
    given[base] = file;
    used[base] = false;
  }
  const std::filesystem::path beside = report.attestation.parent_path();
  for (const Subject& subject : report.subjects) {
    const std::string base = std::filesystem::path(subject.name).filename().string();
    std::filesystem::path path;
    std::string problem;
    if (const auto it = given.find(base); it != given.end() && !used[base]) {
      // A file named on the command line is read where the user says it is.
      path = it->second;
      used[base] = true;
      std::error_code error;
      if (!std::filesystem::is_regular_file(path, error)) {
        problem = path.string() + " is missing or not a regular file";
      }
    } else {
      path = beside / subject.name;
      problem = UnsafeSubjectPath(beside, subject.name);
    }
    const std::string name = "subject:" + subject.name;
    if (!problem.empty()) {
      Add(report, name, false, problem);
      continue;
    }
    std::string actual;
    try {
      actual = Sha256FileHex(path);
    } catch (const Error& e) {
      Add(report, name, false, e.what());
      continue;
    }
    if (actual == subject.sha256) {
      Add(report, name, true, path.string() + " sha256 " + actual);
    } else {
      Add(report, name, false,
          path.string() + " has sha256 " + actual + " but the attestation signed " +
              subject.sha256 + ": the file was changed or is not the one released");
    }
  }
  for (const auto& [base, was_used] : used) {
    if (was_used) continue;
    Add(report, "extra-file:" + base, false,
        given[base].string() +
            " is not a subject of this attestation (is it another "
            "release's file?)");
  }
}

}  // namespace

bool VerificationReport::ok() const {
  if (checks.empty()) return false;
  for (const VerificationCheck& check : checks) {
    if (!check.passed) return false;
  }
  return true;
}

const VerificationCheck* VerificationReport::FirstFailure() const {
  for (const VerificationCheck& check : checks) {
    if (!check.passed) return &check;
  }
  return nullptr;
}

nlohmann::json VerificationReport::ToJson() const {
  nlohmann::json checks_json = nlohmann::json::array();
  for (const VerificationCheck& check : checks) {
    checks_json.push_back(
        {{"name", check.name}, {"passed", check.passed}, {"detail", check.detail}});
  }
  nlohmann::json subjects_json = nlohmann::json::array();
  for (const Subject& subject : subjects) {
    subjects_json.push_back({{"name", subject.name}, {"sha256", subject.sha256}});
  }
  return {{"attestation", attestation.string()},
          {"key_id", key_id},
          {"ok", ok()},
          {"checks", std::move(checks_json)},
          {"subjects", std::move(subjects_json)},
          {"predicate", predicate}};
}

std::string VerificationReport::ToText() const {
  std::ostringstream out;
  out << "attestation: " << attestation.string() << "\n";
  out << "public key:  " << key_id << "\n";
  // Claims from the payload are shown only once the signature over them verified.
  if (record) {
    const ReleaseRecord& r = *record;
    out << "release:     " << ReleaseKindName(r.kind) << " of dataset \"" << r.dataset_id << "\"";
    if (r.ledger) out << ", ledger release id " << r.ledger->release_id;
    out << "\n";
    out << "when:        " << r.time_utc << "\n";
    out << "requester:   " << r.requester << (r.purpose.empty() ? "" : ", purpose: ") << r.purpose
        << "\n";
    if (r.unit_column == kRowUnit) {
      out << "privacy:     each row is its own unit; neighbours differ by one row\n";
    } else {
      out << "privacy:     unit column " << r.unit_column << " (at most " << r.max_rows_per_unit
          << (r.max_rows_per_unit == 1 ? " row" : " rows")
          << " per unit); neighbours differ by all rows of one unit\n";
    }
    out << "mechanisms:  " << r.mechanisms.size() << " event(s)";
    if (!r.accountant.empty()) out << ", composed by " << r.accountant;
    out << "\n";
    out << "cost:        " << FormatAmount(r.cost) << "\n";
    out << "spent:       " << FormatAmount(r.cumulative) << " of budget " << FormatAmount(r.budget)
        << "\n";
    // The ledger measures every spend as epsilon at the budget's delta; then what is left
    // is epsilon at that same delta, and "delta 0" would misread as "no delta left".
    if (r.cumulative.delta == r.budget.delta) {
      std::ostringstream remaining;
      remaining.precision(12);
      remaining << "epsilon " << Remaining(r).epsilon << " (at the budget's delta "
                << r.budget.delta << ")";
      out << "remaining:   " << remaining.str() << "\n";
    } else {
      out << "remaining:   " << FormatAmount(Remaining(r)) << "\n";
    }
    out << "randomness:  " << RandomnessModeName(r.randomness) << "\n";
    out << "ledger:      " << r.ledger_mode << " ledger";
    if (r.registration_entry_id) out << ", registration entry " << *r.registration_entry_id;
    out << "\n";
    out << "software:    " << r.software.name << " " << r.software.version << " (commit "
        << r.software.commit << ")\n";
    if (r.parent) {
      out << "sampled from: " << r.parent->model_name << " (sha256 "
          << ShortHex(r.parent->model_sha256) << "..., release " << r.parent->release_id << ")\n";
    }
  }
  if (!subjects.empty()) {
    out << "files:\n";
    for (const Subject& subject : subjects) {
      out << "  " << subject.name << "  sha256 " << subject.sha256 << "\n";
    }
  }
  out << "checks:\n";
  for (const VerificationCheck& check : checks) {
    out << "  " << (check.passed ? "OK     " : "FAILED ") << check.name << ": " << check.detail
        << "\n";
  }
  if (ok()) {
    out << "result: VERIFIED"
        << (record && IsTestRelease(*record) ? " TEST RELEASE (not private)" : "") << "\n";
  } else {
    const VerificationCheck* failure = FirstFailure();
    out << "result: FAILED" << (failure ? " (" + failure->name + ")" : std::string()) << "\n";
  }
  return out.str();
}

VerificationReport VerifyAttestation(const std::filesystem::path& attestation,
                                     const VerifyingKey& key,
                                     const std::optional<std::filesystem::path>& ledger,
                                     const std::vector<std::filesystem::path>& files) {
  VerificationReport report;
  report.attestation = attestation;
  report.key_id = key.key_id();

  std::string bytes;
  if (!ReadAttestation(report, bytes)) return report;
  Envelope envelope;
  try {
    envelope = ParseEnvelope(bytes);
  } catch (const Error& e) {
    Add(report, "envelope", false, e.what());
    return report;
  }
  if (envelope.payload_type != kInTotoPayloadType) {
    Add(report, "envelope", false,
        "payloadType is \"" + envelope.payload_type + "\", expected " + kInTotoPayloadType);
    return report;
  }
  Add(report, "envelope", true, "DSSE envelope, payloadType " + envelope.payload_type);

  switch (VerifyEnvelope(envelope, key)) {
    case EnvelopeCheck::kNoSignatureForKey: {
      std::string signers;
      for (const EnvelopeSignature& signature : envelope.signatures) {
        signers += (signers.empty() ? "" : ", ") + signature.keyid;
      }
      Add(report, "key-id", false,
          "no signature by key " + key.key_id() + "; signed by " + signers +
              ": wrong public key, or the keyid was edited");
      return report;
    }
    case EnvelopeCheck::kBadSignature:
      Add(report, "key-id", true, "a signature names key " + key.key_id());
      Add(report, "signature", false,
          "the Ed25519 signature does not verify over the payload: the payload or the "
          "signature was altered");
      return report;
    case EnvelopeCheck::kValid:
      Add(report, "key-id", true, "a signature names key " + key.key_id());
      Add(report, "signature", true, "Ed25519 signature over the DSSE PAE verifies");
      break;
  }

  Statement statement;
  try {
    statement = ParseStatement(envelope.payload);
  } catch (const Error& e) {
    Add(report, "statement", false, e.what());
    return report;
  }
  report.subjects = statement.subjects;
  Add(report, "statement", true,
      "in-toto Statement v1 with " + std::to_string(statement.subjects.size()) + " subject(s)");

  if (statement.predicate_type != kReleasePredicateType) {
    Add(report, "predicate", false,
        "predicateType is \"" + statement.predicate_type + "\", expected " + kReleasePredicateType);
  } else {
    try {
      report.record = ParsePredicate(statement.predicate);
      report.predicate = statement.predicate;
      Add(report, "predicate", true, std::string(kReleasePredicateType) + " predicate parsed");
    } catch (const Error& e) {
      Add(report, "predicate", false, e.what());
    }
  }
  if (report.record) CheckConsistency(report, statement.predicate);
  if (report.record) CheckTree(report, key);

  CheckSubjects(report, files);

  if (ledger) {
    if (report.record) {
      CheckLedger(*ledger, *report.record, report.checks);
    } else {
      Add(report, "ledger-entry", false, "no valid predicate to compare with the ledger");
    }
  }
  return report;
}

void CheckReleaseMode(VerificationReport& report, bool allow_test) {
  if (!report.record) return;
  const ReleaseRecord& record = *report.record;
  if (!IsTestRelease(record)) {
    Add(report, "release-mode", true, "secure noise, production ledger");
    return;
  }
  const std::string what = std::string("TEST RELEASE: ") + std::string(RandomnessModeName(record.randomness)) +
                           " noise, " + record.ledger_mode + " ledger";
  Add(report, "release-mode", allow_test,
      allow_test ? what + " (accepted: --allow-test)"
                 : what +
                       "; its noise may be reproducible, so it protects nothing (pass "
                       "--allow-test to check it anyway)");
}

}  // namespace privet::audit
