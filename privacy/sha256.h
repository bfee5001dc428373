// SHA-256 through OpenSSL's EVP API, as lowercase hex. Used for the ledger's hash chain,
// subject digests in attestations and key ids.
#ifndef PRIVET_PRIVACY_SHA256_H_
#define PRIVET_PRIVACY_SHA256_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace privet {

// Lowercase hex of arbitrary bytes (two digits per byte).
std::string HexEncode(std::string_view bytes);
// Hex digest of the bytes.
std::string Sha256Hex(std::string_view bytes);
// Hex digest of a file's contents, streamed. Throws StorageError if it cannot be read.
std::string Sha256FileHex(const std::filesystem::path& path);

}  // namespace privet

#endif  // PRIVET_PRIVACY_SHA256_H_
