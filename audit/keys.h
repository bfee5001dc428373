// Ed25519 signing keys (RFC 8032) held through OpenSSL's EVP API, their PEM files, and the
// RAII owners of every OpenSSL handle the audit module touches (C++ Core Guidelines R.1).
//
// Files: the private key is PEM PKCS#8 ("BEGIN PRIVATE KEY"), created with mode 0600 and
// never overwritten; the public key is PEM SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"). Both
// are what `openssl genpkey -algorithm ed25519` / `openssl pkey -pubout` read and write, so
// an auditor can use the public key with the openssl CLI directly.
//
// Key id: lowercase hex SHA-256 of the public key's DER SubjectPublicKeyInfo (44 bytes for
// Ed25519), i.e. `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum`.
#ifndef PRIVET_AUDIT_KEYS_H_
#define PRIVET_AUDIT_KEYS_H_

#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace privet::audit {

// Deleters for OpenSSL handles, so each handle is owned by exactly one std::unique_ptr.
struct PkeyFree {
  void operator()(EVP_PKEY* key) const;
};
struct PkeyContextFree {
  void operator()(EVP_PKEY_CTX* context) const;
};
struct MdContextFree {
  void operator()(EVP_MD_CTX* context) const;
};
struct BioFree {
  void operator()(BIO* bio) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyContextPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyContextFree>;
using MdContextPtr = std::unique_ptr<EVP_MD_CTX, MdContextFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The oldest queued OpenSSL error as text (ERR_error_string_n), and clears the queue;
// "no OpenSSL error queued" when empty. Used to wrap OpenSSL failures into CryptoError.
std::string TakeOpenSslError();

// Raw sizes of Ed25519 keys and signatures (RFC 8032 section 5.1.5, 5.1.6).
inline constexpr std::size_t kEd25519SeedBytes = 32;
inline constexpr std::size_t kEd25519PublicKeyBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;

// An Ed25519 public key. Immutable after construction; cheap to move, not copyable.
class VerifyingKey {
 public:
  // Takes ownership; throws CryptoError if `key` is null or not an Ed25519 key.
  explicit VerifyingKey(PkeyPtr key);
  // From the 32-byte RFC 8032 encoding. Throws CryptoError on a wrong length.
  static VerifyingKey FromRaw(std::string_view raw_public_key);

  EVP_PKEY* get() const { return key_.get(); }
  // Hex SHA-256 of the DER SubjectPublicKeyInfo (see the file comment).
  const std::string& key_id() const { return key_id_; }
  // DER SubjectPublicKeyInfo bytes.
  std::string PublicDer() const;
  // PEM SubjectPublicKeyInfo text.
  std::string PublicPem() const;
  // The 32-byte RFC 8032 encoding.
  std::string RawPublicKey() const;

 private:
  PkeyPtr key_;
  std::string key_id_;
};

// An Ed25519 private key, with the id of its public half.
class SigningKey {
 public:
  // Takes ownership; throws CryptoError if `key` is null or not an Ed25519 private key.
  explicit SigningKey(PkeyPtr key);
  // From the 32-byte RFC 8032 secret seed (EVP_PKEY_new_raw_private_key); for known-answer
  // tests and never for production keys. Throws CryptoError on a wrong length.
  static SigningKey FromRawSeed(std::string_view seed);

  EVP_PKEY* get() const { return key_.get(); }
  const std::string& key_id() const { return key_id_; }
  // The public half, as its own key object.
  VerifyingKey Public() const;

 private:
  PkeyPtr key_;
  std::string key_id_;
};

// Where GenerateKeyPair wrote the pair, and its key id.
struct KeyPairFiles {
  std::filesystem::path private_key;  // DIR/privet-signing.key, mode 0600
  std::filesystem::path public_key;   // DIR/privet-signing.pub
  std::string key_id;
};

inline constexpr char kPrivateKeyFileName[] = "privet-signing.key";
inline constexpr char kPublicKeyFileName[] = "privet-signing.pub";

// Generates a fresh Ed25519 key pair from OpenSSL's CSPRNG and writes both PEM files into
// `dir` (created with mode 0700, with parents, if missing). The private key file is opened with
// O_CREAT|O_EXCL and mode 0600, so an existing key is never overwritten: InputError names the
// file. Other I/O failures throw StorageError; OpenSSL failures CryptoError.
KeyPairFiles GenerateKeyPair(const std::filesystem::path& dir);

// Loads a PEM PKCS#8 Ed25519 private key. Refuses (InputError, naming the file and the fix
// `chmod 600`) a file that group or others may read or write: a signing key that others can
// read is no longer evidence of who signed. Unreadable file: StorageError; not PEM, or not
// Ed25519: InputError.
SigningKey LoadPrivateKey(const std::filesystem::path& path);

// Loads a PEM SubjectPublicKeyInfo Ed25519 public key. Errors as LoadPrivateKey (no mode
// check: public keys are public).
VerifyingKey LoadPublicKey(const std::filesystem::path& path);

// Same as key.key_id(); a free function for symmetry with the file layout docs.
std::string KeyId(const VerifyingKey& key);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_KEYS_H_
