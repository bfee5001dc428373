#include "privacy/deployment_secret.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "privacy/errors.h"
#include "privacy/random_source.h"
#include "privacy/sha256.h"

namespace privet::privacy {
namespace {

constexpr std::size_t kSecretBytes = 32;

using MacHandle = std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)>;
using MacContext = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

// An HMAC-SHA256 computation through OpenSSL 3's EVP_MAC API.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key)
      : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr), &EVP_MAC_free),
        context_(nullptr, &EVP_MAC_CTX_free) {
    if (!mac_) throw CryptoError("OpenSSL has no HMAC implementation");
    context_.reset(EVP_MAC_CTX_new(mac_.get()));
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end()};
    if (!context_ ||
        EVP_MAC_init(context_.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                     params) != 1) {
      throw CryptoError("OpenSSL could not start an HMAC-SHA256");
    }
  }
  void Update(const void* data, std::size_t size) {
    if (EVP_MAC_update(context_.get(), static_cast<const unsigned char*>(data), size) != 1) {
      throw CryptoError("OpenSSL HMAC-SHA256 update failed");
    }
  }
  std::string FinishHex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> tag{};
    std::size_t length = 0;
    if (EVP_MAC_final(context_.get(), tag.data(), &length, tag.size()) != 1) {
      throw CryptoError("OpenSSL HMAC-SHA256 finalisation failed");
    }
    return HexEncode(std::string_view(reinterpret_cast<const char*>(tag.data()), length));
  }

 private:
  MacHandle mac_;
  MacContext context_;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::filesystem::path DeploymentSecretPath(const std::filesystem::path& ledger_path) {
  std::filesystem::path path = ledger_path;
  path += ".secret";
  return path;
}

bool EnsureDeploymentSecret(const std::filesystem::path& secret_path) {
  // O_EXCL: two processes creating a ledger at once cannot both write (and one overwrite
  // the other's) secret; the loser reads the winner's.
  const int fd = ::open(secret_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw StorageError("cannot create the deployment secret " + secret_path.string() + ": " +
                       std::strerror(errno));
  }
  RandomSource random = RandomSource::Secure();
  std::string bytes;
  while (bytes.size() < kSecretBytes) {
    const std::uint64_t word = random();
    bytes.append(reinterpret_cast<const char*>(&word), sizeof(word));
  }
  const std::string text = HexEncode(bytes) + "\n";
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!written) {
    std::filesystem::remove(secret_path);
    throw StorageError("cannot write the deployment secret " + secret_path.string() + ": " +
                       std::strerror(saved_errno));
  }
  return true;
}

std::string LoadDeploymentSecret(const std::filesystem::path& secret_path) {
  struct stat info {};
  if (::stat(secret_path.c_str(), &info) != 0) {
    throw StorageError("no deployment secret at " + secret_path.string() +
                       ": it is created with the ledger; a ledger moved without it cannot check "
                       "registrations (the privacy officer must restore it)");
  }
  if (!S_ISREG(info.st_mode) || (info.st_mode & 077) != 0) {
    throw IntegrityError("deployment secret " + secret_path.string() +
                         " must be a regular file readable by its owner only (chmod 600)");
  }
  std::ifstream in(secret_path);
  std::string hex;
  if (!(in >> hex)) throw StorageError("cannot read the deployment secret " + secret_path.string());
  std::string secret;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    const int high = HexValue(hex[i]);
    const int low = HexValue(hex[i + 1]);
    if (high < 0 || low < 0) break;
    secret.push_back(static_cast<char>(high * 16 + low));
  }
  if (hex.size() != 2 * kSecretBytes || secret.size() != kSecretBytes) {
    throw IntegrityError("deployment secret " + secret_path.string() +
                         " is not 64 hex digits (edited?)");
  }
  return secret;
}

std::string HmacSha256Hex(std::string_view key, std::string_view bytes) {
  HmacSha256 mac(key);
  mac.Update(bytes.data(), bytes.size());
  return mac.FinishHex();
}

std::string HmacSha256FileHex(std::string_view key, const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StorageError("cannot read " + path.string());
  HmacSha256 mac(key);
  std::array<char, 1 << 16> block{};
  while (in) {
    in.read(block.data(), block.size());
    mac.Update(block.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw StorageError("error while reading " + path.string());
  return mac.FinishHex();
}

}  // namespace privet::privacy
