#include "audit/dsse.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "audit/base64.h"
#include "privacy/bounded_json.h"
#include "privacy/canonical_json.h"
#include "privacy/errors.h"

namespace privet::audit {

std::string PreAuthEncoding(std::string_view payload_type, std::string_view payload) {
  // DSSE protocol v1.0.0, "Signature definition": PAE(type, body).
  std::string pae = "DSSEv1 ";
  pae += std::to_string(payload_type.size());
  pae += ' ';
  pae += payload_type;
  pae += ' ';
  pae += std::to_string(payload.size());
  pae += ' ';
  pae += payload;
  return pae;
}

std::string SignMessage(const SigningKey& key, std::string_view message) {
  MdContextPtr context(EVP_MD_CTX_new());
  if (!context) throw CryptoError("cannot allocate a signing context: " + TakeOpenSslError());
  // Pure Ed25519 (RFC 8032 5.1.6) hashes the message itself: the digest must be NULL and
  // only the one-shot EVP_DigestSign is supported (no Update/Final streaming).
  if (EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    throw CryptoError("cannot start an Ed25519 signature: " + TakeOpenSslError());
  }
  std::string signature(kEd25519SignatureBytes, '\0');
  std::size_t length = signature.size();
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kEd25519SignatureBytes) {
    throw CryptoError("Ed25519 signing failed: " + TakeOpenSslError());
  }
  return signature;
}

bool VerifyMessage(const VerifyingKey& key, std::string_view message, std::string_view signature) {
  if (signature.size() != kEd25519SignatureBytes) return false;
  MdContextPtr context(EVP_MD_CTX_new());
  if (!context) throw CryptoError("cannot allocate a verification context: " + TakeOpenSslError());
  if (EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    throw CryptoError("cannot start Ed25519 verification: " + TakeOpenSslError());
  }
  const int result = EVP_DigestVerify(
      context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(message.data()), message.size());
  // A bad signature leaves an error on OpenSSL's thread-local queue; it is expected here,
  // and must not surface as the cause of some later, unrelated failure.
  ERR_clear_error();
  return result == 1;
}

Envelope SignEnvelope(std::string_view payload_type, std::string_view payload,
                      const SigningKey& key) {
  Envelope envelope;
  envelope.payload_type = payload_type;
  envelope.payload = payload;
  envelope.signatures.push_back(
      {key.key_id(), SignMessage(key, PreAuthEncoding(payload_type, payload))});
  return envelope;
}

std::string SerializeEnvelope(const Envelope& envelope) {
  nlohmann::json signatures = nlohmann::json::array();
  for (const EnvelopeSignature& signature : envelope.signatures) {
    signatures.push_back({{"keyid", signature.keyid}, {"sig", Base64Encode(signature.signature)}});
  }
  return CanonicalJson({{"payload", Base64Encode(envelope.payload)},
                        {"payloadType", envelope.payload_type},
                        {"signatures", std::move(signatures)}});
}

namespace {

const nlohmann::json& RequireString(const nlohmann::json& object, const char* key,
                                    const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) throw IntegrityError("envelope: " + where + key + " is missing");
  if (!it->is_string()) throw IntegrityError("envelope: " + where + key + " is not a string");
  return *it;
}

std::string DecodeField(const nlohmann::json& value, const std::string& field) {
  try {
    return Base64Decode(value.get<std::string>());
  } catch (const IntegrityError& e) {
    throw IntegrityError("envelope: " + field + " is not valid base64 (" + e.what() + ")");
  }
}

}  // namespace

Envelope ParseEnvelope(std::string_view json_text) {
  const nlohmann::json document = ParseBoundedJson<IntegrityError>(json_text, "envelope");
  if (!document.is_object()) throw IntegrityError("envelope: not a JSON object");
  Envelope envelope;
  envelope.payload = DecodeField(RequireString(document, "payload", ""), "payload");
  envelope.payload_type = RequireString(document, "payloadType", "").get<std::string>();
  const auto signatures = document.find("signatures");
  if (signatures == document.end() || !signatures->is_array() || signatures->empty()) {
    throw IntegrityError("envelope: signatures must be a non-empty array");
  }
  // Exactly one: the documented openssl route checks signatures[0], and privet must not
  // accept an envelope that route rejects (an invalid first signature beside a valid one).
  if (signatures->size() != 1) {
    throw IntegrityError("envelope: " + std::to_string(signatures->size()) +
                         " signatures; a privet attestation carries exactly one");
  }
  for (std::size_t i = 0; i < signatures->size(); ++i) {
    const nlohmann::json& entry = (*signatures)[i];
    const std::string where = "signatures[" + std::to_string(i) + "].";
    if (!entry.is_object()) throw IntegrityError("envelope: " + where + " is not an object");
    EnvelopeSignature signature;
    // DSSE makes keyid optional; privet always writes it, and verification selects by it.
    signature.keyid = RequireString(entry, "keyid", where).get<std::string>();
    signature.signature = DecodeField(RequireString(entry, "sig", where), where + "sig");
    envelope.signatures.push_back(std::move(signature));
  }
  return envelope;
}

EnvelopeCheck VerifyEnvelope(const Envelope& envelope, const VerifyingKey& key) {
  const std::string pae = PreAuthEncoding(envelope.payload_type, envelope.payload);
  bool found = false;
  for (const EnvelopeSignature& signature : envelope.signatures) {
    if (signature.keyid != key.key_id()) continue;
    found = true;
    if (VerifyMessage(key, pae, signature.signature)) return EnvelopeCheck::kValid;
  }
  return found ? EnvelopeCheck::kBadSignature : EnvelopeCheck::kNoSignatureForKey;
}

}  // namespace privet::audit
