// Verification of a model sample's parent: the release that spent the budget and published the
// model the sample was drawn from. A sample's own attestation only names its parent (release
// id, model digest, attestation digest); this checks those names against the parent's signed
// attestation, so an auditor can trace the sample to a verified, charged release.
#ifndef PRIVET_AUDIT_PARENT_CHECK_H_
#define PRIVET_AUDIT_PARENT_CHECK_H_

#include <filesystem>
#include <optional>

#include "audit/keys.h"
#include "audit/verify.h"

namespace privet::audit {

// Appends to `sample` (a report from VerifyAttestation):
//  - every check of VerifyAttestation(parent_attestation, key, ledger), renamed
//    "parent:<name>" (the parent's own files are looked for beside its attestation);
//  - "parent-link": passes when `sample` is a model sample whose signature verified, the
//    parent attestation's bytes have SHA-256 parent.attestation_sha256, the parent's ledger
//    release id is parent.release_id, and the parent lists parent.model_name as a subject with
//    SHA-256 parent.model_sha256.
// Never throws for a verification failure.
void VerifyParentRelease(const std::filesystem::path& parent_attestation, const VerifyingKey& key,
                         const std::optional<std::filesystem::path>& ledger,
                         VerificationReport& sample);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_PARENT_CHECK_H_
