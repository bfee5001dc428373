#include "audit/parent_check.h"

#include <algorithm>
#include <string>

#include "privacy/errors.h"
#include "privacy/sha256.h"

namespace privet::audit {
namespace {

// Why the link fails, or "" when it holds.
std::string LinkProblem(const VerificationReport& sample, const VerificationReport& parent,
                        const std::filesystem::path& parent_attestation) {
  if (!sample.record) return "the sample's attestation did not verify, so it names no parent";
  if (!sample.record->parent) return "this release is not a model sample; it has no parent";
  const ParentRelease& link = *sample.record->parent;
  if (!parent.record) return "the parent attestation did not verify";
  std::string digest;
  try {
    digest = Sha256FileHex(parent_attestation);
  } catch (const Error& e) {
    return e.what();
  }
  if (digest != link.attestation_sha256) {
    return parent_attestation.string() + " has sha256 " + digest + " but the sample names " +
           link.attestation_sha256 + ": it is not the parent's attestation";
  }
  const std::string parent_id = parent.record->ledger ? parent.record->ledger->release_id : "";
  if (parent_id != link.release_id) {
    return "the parent attestation is release \"" + parent_id + "\", the sample names \"" +
           link.release_id + "\"";
  }
  if (parent.record->dataset_id != sample.record->dataset_id) {
    return "the parent released dataset \"" + parent.record->dataset_id + "\", the sample says \"" +
           sample.record->dataset_id + "\"";
  }
  const auto& subjects = parent.subjects;
  const bool listed = std::any_of(subjects.begin(), subjects.end(), [&](const Subject& s) {
    return s.name == link.model_name && s.sha256 == link.model_sha256;
  });
  if (!listed) {
    return "the parent does not list " + link.model_name + " with sha256 " + link.model_sha256;
  }
  return "";
}

}  // namespace

void VerifyParentRelease(const std::filesystem::path& parent_attestation, const VerifyingKey& key,
                         const std::optional<std::filesystem::path>& ledger,
                         VerificationReport& sample) {
  const VerificationReport parent = VerifyAttestation(parent_attestation, key, ledger);
  for (const VerificationCheck& check : parent.checks) {
    sample.checks.push_back({"parent:" + check.name, check.passed, check.detail});
  }
  const std::string problem = LinkProblem(sample, parent, parent_attestation);
  if (problem.empty()) {
    const ParentRelease& link = *sample.record->parent;
    sample.checks.push_back({"parent-link", true,
                             "sampled from " + link.model_name + " of release " +
                                 link.release_id + ", attested by " +
                                 parent_attestation.string()});
  } else {
    sample.checks.push_back({"parent-link", false, problem});
  }
}

}  // namespace privet::audit
