// The deployment secret: 32 random bytes created with the ledger and kept beside it
// (`<ledger>.secret`, mode 0600), the key of every keyed commitment the ledger records.
//
// Why keyed: a registration binds a dataset to the bytes of its data file. A plain hash of
// those bytes would let anyone holding an attestation or the ledger confirm a guessed
// dataset (BRIEF, "Attestations": no plain hash of the private input). HMAC-SHA256 under a
// secret only the custodian holds (RFC 2104; a PRF under a secret key, Bellare 2006) reveals
// nothing about the file to whoever lacks the secret, yet lets the custodian detect any change.
#ifndef PRIVET_PRIVACY_DEPLOYMENT_SECRET_H_
#define PRIVET_PRIVACY_DEPLOYMENT_SECRET_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace privet::privacy {

// Where the secret of the ledger at `ledger_path` lives: the same path with ".secret" added.
std::filesystem::path DeploymentSecretPath(const std::filesystem::path& ledger_path);

// Creates the secret file (32 bytes from the CSPRNG, written as 64 hex digits) with mode
// 0600, unless it exists. Returns true when it was created. StorageError if it cannot be
// written; CryptoError if the CSPRNG fails.
bool EnsureDeploymentSecret(const std::filesystem::path& secret_path);

// The secret's 32 bytes. StorageError if the file is missing or unreadable, IntegrityError if
// it is not 64 hex digits or is readable by group or others (it must stay the custodian's).
std::string LoadDeploymentSecret(const std::filesystem::path& secret_path);

// HMAC-SHA256 (RFC 2104) of `bytes` under `key`, as lowercase hex.
std::string HmacSha256Hex(std::string_view key, std::string_view bytes);

// HMAC-SHA256 of a file's contents under `key`, streamed, as lowercase hex. StorageError
// if the file cannot be read.
std::string HmacSha256FileHex(std::string_view key, const std::filesystem::path& path);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_DEPLOYMENT_SECRET_H_
