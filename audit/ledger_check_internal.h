// The ledger half of VerifyAttestation (audit/verify.h), kept apart so verify.cc holds only
// the checks that need nothing but the attestation, the files and the public key.
#ifndef PRIVET_AUDIT_LEDGER_CHECK_INTERNAL_H_
#define PRIVET_AUDIT_LEDGER_CHECK_INTERNAL_H_

#include <filesystem>
#include <vector>

#include "audit/release_record.h"
#include "audit/verify.h"

namespace privet::audit {

// Opens the ledger read-only and appends the "ledger-*" checks for `record` (see
// VerifyAttestation). Never throws for a failed check; a ledger that cannot be opened is the
// failed check "ledger-open".
void CheckLedger(const std::filesystem::path& ledger, const ReleaseRecord& record,
                 std::vector<VerificationCheck>& checks);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_LEDGER_CHECK_INTERNAL_H_
