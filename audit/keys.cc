#include "audit/keys.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "privacy/errors.h"
#include "privacy/sha256.h"

namespace privet::audit {

void PkeyFree::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
void PkeyContextFree::operator()(EVP_PKEY_CTX* context) const { EVP_PKEY_CTX_free(context); }
void MdContextFree::operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
void BioFree::operator()(BIO* bio) const { BIO_free_all(bio); }

std::string TakeOpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error queued";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

namespace {

// Closes a POSIX file descriptor on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports failure (a failed close can lose written data).
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string ErrnoText() { return std::strerror(errno); }

void RequireEd25519(const EVP_PKEY* key, const std::string& what) {
  if (key == nullptr) throw CryptoError(what + ": no key");
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    throw CryptoError(what + ": not an Ed25519 key");
  }
}

std::string DerOfPublic(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw CryptoError("cannot encode public key as DER: " + TakeOpenSslError());
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return bytes;
}

std::string RawPublic(EVP_PKEY* key) {
  std::string raw(kEd25519PublicKeyBytes, '\0');
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length) !=
          1 ||
      length != kEd25519PublicKeyBytes) {
    throw CryptoError("cannot extract the Ed25519 public key: " + TakeOpenSslError());
  }
  return raw;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length < 0) throw CryptoError("cannot read an OpenSSL memory buffer");
  return std::string(data, static_cast<std::size_t>(length));
}

BioPtr NewMemoryBio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw CryptoError("cannot allocate an OpenSSL buffer: " + TakeOpenSslError());
  return bio;
}

std::string PrivatePem(EVP_PKEY* key) {
  BioPtr bio = NewMemoryBio();
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted: the file's
  // 0600 mode is its protection, as with ssh keys.
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw CryptoError("cannot encode the private key as PEM: " + TakeOpenSslError());
  }
  return BioContents(bio.get());
}

void WriteAll(int fd, const std::string& bytes, const std::filesystem::path& path) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw StorageError("cannot write " + path.string() + ": " + ErrnoText());
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) throw StorageError("cannot sync " + path.string() + ": " + ErrnoText());
}

// Creates `path` exclusively with `mode`; InputError if it exists.
int CreateExclusive(const std::filesystem::path& path, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      throw InputError(path.string() +
                       " already exists; privet never overwrites a key: choose another "
                       "directory or remove the old pair deliberately");
    }
    throw StorageError("cannot create " + path.string() + ": " + ErrnoText());
  }
  return fd;
}

// Reads a whole file opened with `fd`.
std::string ReadAll(int fd, const std::filesystem::path& path) {
  std::string bytes;
  std::array<char, 4096> block{};
  while (true) {
    const ssize_t n = ::read(fd, block.data(), block.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw StorageError("cannot read " + path.string() + ": " + ErrnoText());
    }
    if (n == 0) break;
    bytes.append(block.data(), static_cast<std::size_t>(n));
    if (bytes.size() > (1u << 20)) {
      throw InputError(path.string() + " is larger than 1 MiB; it is not a PEM key");
    }
  }
  return bytes;
}

int OpenForReading(const std::filesystem::path& path, const char* what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw StorageError(std::string("cannot open ") + what + " " + path.string() + ": " +
                       ErrnoText());
  }
  return fd;
}

}  // namespace

VerifyingKey::VerifyingKey(PkeyPtr key) : key_(std::move(key)) {
  RequireEd25519(key_.get(), "public key");
  key_id_ = Sha256Hex(DerOfPublic(key_.get()));
}

VerifyingKey VerifyingKey::FromRaw(std::string_view raw_public_key) {
  if (raw_public_key.size() != kEd25519PublicKeyBytes) {
    throw CryptoError("an Ed25519 public key is 32 bytes, got " +
                      std::to_string(raw_public_key.size()));
  }
  PkeyPtr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_public_key.data()),
      raw_public_key.size()));
  if (!key) throw CryptoError("OpenSSL rejected the Ed25519 public key: " + TakeOpenSslError());
  return VerifyingKey(std::move(key));
}

std::string VerifyingKey::PublicDer() const { return DerOfPublic(key_.get()); }

std::string VerifyingKey::PublicPem() const {
  BioPtr bio = NewMemoryBio();
  if (PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    throw CryptoError("cannot encode the public key as PEM: " + TakeOpenSslError());
  }
  return BioContents(bio.get());
}

std::string VerifyingKey::RawPublicKey() const { return RawPublic(key_.get()); }

SigningKey::SigningKey(PkeyPtr key) : key_(std::move(key)) {
  RequireEd25519(key_.get(), "private key");
  // A public-only EVP_PKEY would fail only at signing time; find out now.
  std::size_t length = 0;
  if (EVP_PKEY_get_raw_private_key(key_.get(), nullptr, &length) != 1 ||
      length != kEd25519SeedBytes) {
    ERR_clear_error();
    throw CryptoError("private key: the key holds no Ed25519 private part");
  }
  key_id_ = Sha256Hex(DerOfPublic(key_.get()));
}

SigningKey SigningKey::FromRawSeed(std::string_view seed) {
  if (seed.size() != kEd25519SeedBytes) {
    throw CryptoError("an Ed25519 secret key is 32 bytes, got " + std::to_string(seed.size()));
  }
  PkeyPtr key(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (!key) throw CryptoError("OpenSSL rejected the Ed25519 secret key: " + TakeOpenSslError());
  return SigningKey(std::move(key));
}

VerifyingKey SigningKey::Public() const { return VerifyingKey::FromRaw(RawPublic(key_.get())); }

KeyPairFiles GenerateKeyPair(const std::filesystem::path& dir) {
  std::error_code error;
  const bool created = std::filesystem::create_directories(dir, error);
  if (error) throw StorageError("cannot create directory " + dir.string() + ": " + error.message());
  if (created) {
    // A key directory privet creates is private too; an existing one is the user's choice.
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
  }

  KeyPairFiles files{dir / kPrivateKeyFileName, dir / kPublicKeyFileName, ""};
  // Refuse before generating anything if either file is already there, so an old pair is
  // never half replaced.
  for (const auto& path : {files.private_key, files.public_key}) {
    if (std::filesystem::symlink_status(path, error).type() !=
        std::filesystem::file_type::not_found) {
      throw InputError(path.string() +
                       " already exists; privet never overwrites a key: choose another "
                       "directory or remove the old pair deliberately");
    }
  }

  // Ed25519 keys come from OpenSSL's default CSPRNG (RAND_bytes), the same source as noise.
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) throw CryptoError("Ed25519 key generation failed: " + TakeOpenSslError());
  SigningKey signing(std::move(key));
  const std::string private_pem = PrivatePem(signing.get());
  const std::string public_pem = signing.Public().PublicPem();

  FileDescriptor private_fd(CreateExclusive(files.private_key, 0600));
  try {
    // The mode passed to open() is filtered by the umask, which can only remove bits; set it
    // exactly anyway so the file is never more open than 0600 or less usable than 0600.
    if (::fchmod(private_fd.get(), 0600) != 0) {
      throw StorageError("cannot set mode 0600 on " + files.private_key.string() + ": " +
                         ErrnoText());
    }
    WriteAll(private_fd.get(), private_pem, files.private_key);
    if (!private_fd.Close()) {
      throw StorageError("cannot close " + files.private_key.string() + ": " + ErrnoText());
    }
    FileDescriptor public_fd(CreateExclusive(files.public_key, 0644));
    WriteAll(public_fd.get(), public_pem, files.public_key);
    if (!public_fd.Close()) {
      throw StorageError("cannot close " + files.public_key.string() + ": " + ErrnoText());
    }
  } catch (...) {
    // Only files this call created are removed; CreateExclusive guarantees that.
    std::filesystem::remove(files.private_key, error);
    throw;
  }
  files.key_id = signing.key_id();
  return files;
}

SigningKey LoadPrivateKey(const std::filesystem::path& path) {
  FileDescriptor fd(OpenForReading(path, "private key"));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw StorageError("cannot stat private key " + path.string() + ": " + ErrnoText());
  }
  if (!S_ISREG(info.st_mode)) {
    throw InputError("private key " + path.string() + " is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    throw InputError("private key " + path.string() +
                     " may be read or written by group or others; run `chmod 600 " + path.string() +
                     "` (and consider the key exposed if others read it)");
  }
  const std::string pem = ReadAll(fd.get(), path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw CryptoError("cannot allocate an OpenSSL buffer: " + TakeOpenSslError());
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    throw InputError("private key " + path.string() + " is not a PEM private key (" +
                     TakeOpenSslError() + "); create one with `privet keygen --out DIR`");
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    throw InputError("private key " + path.string() + " is not an Ed25519 key");
  }
  return SigningKey(std::move(key));
}

VerifyingKey LoadPublicKey(const std::filesystem::path& path) {
  FileDescriptor fd(OpenForReading(path, "public key"));
  const std::string pem = ReadAll(fd.get(), path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw CryptoError("cannot allocate an OpenSSL buffer: " + TakeOpenSslError());
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    throw InputError("public key " + path.string() +
                     " is not a PEM public key (\"BEGIN PUBLIC KEY\"): " + TakeOpenSslError());
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    throw InputError("public key " + path.string() + " is not an Ed25519 key");
  }
  return VerifyingKey(std::move(key));
}

std::string KeyId(const VerifyingKey& key) { return key.key_id(); }

}  // namespace privet::audit
