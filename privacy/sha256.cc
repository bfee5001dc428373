#include "privacy/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>

#include "privacy/errors.h"

namespace privet {
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext NewContext() {
  DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    throw CryptoError("OpenSSL could not start a SHA-256 digest");
  }
  return context;
}

void Update(EVP_MD_CTX* context, const void* data, std::size_t size) {
  if (EVP_DigestUpdate(context, data, size) != 1) {
    throw CryptoError("OpenSSL SHA-256 update failed");
  }
}

std::string FinishHex(EVP_MD_CTX* context) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context, digest.data(), &length) != 1) {
    throw CryptoError("OpenSSL SHA-256 finalisation failed");
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    hex.push_back(kHex[value >> 4]);
    hex.push_back(kHex[value & 0xf]);
  }
  return hex;
}

std::string Sha256Hex(std::string_view bytes) {
  DigestContext context = NewContext();
  Update(context.get(), bytes.data(), bytes.size());
  return FinishHex(context.get());
}

std::string Sha256FileHex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StorageError("cannot read " + path.string());
  DigestContext context = NewContext();
  std::array<char, 1 << 16> block{};
  while (in) {
    in.read(block.data(), block.size());
    Update(context.get(), block.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw StorageError("error while reading " + path.string());
  return FinishHex(context.get());
}

}  // namespace privet
