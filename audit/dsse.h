// DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse, protocol v1.0.0) with
// Ed25519 signatures (RFC 8032) computed through OpenSSL's one-shot EVP_DigestSign.
//
// What is signed is never the JSON envelope but the Pre-Authentication Encoding of the
// payload type and the payload bytes, so the envelope's own formatting cannot change what a
// signature means, and any tool that can rebuild PAE (a few lines of shell) and verify
// Ed25519 (the openssl CLI) can check it. docs/attestation.md specifies the format.
#ifndef PRIVET_AUDIT_DSSE_H_
#define PRIVET_AUDIT_DSSE_H_

#include <string>
#include <string_view>
#include <vector>

#include "audit/keys.h"

namespace privet::audit {

// The payload type of an in-toto attestation envelope (in-toto Attestation Framework,
// "envelope" layer).
inline constexpr char kInTotoPayloadType[] = "application/vnd.in-toto+json";

// DSSE v1 PAE: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the byte
// length in ASCII decimal without leading zeros and SP is one 0x20 byte.
std::string PreAuthEncoding(std::string_view payload_type, std::string_view payload);

// Raw Ed25519 signature (64 bytes) of `message` (pure Ed25519, RFC 8032 section 5.1.6: the
// message is not pre-hashed, hence EVP_DigestSign with a NULL digest). Deterministic: one
// key and one message give one signature. Throws CryptoError if OpenSSL fails.
std::string SignMessage(const SigningKey& key, std::string_view message);

// True iff `signature` is a valid Ed25519 signature of `message` under `key`
// (EVP_DigestVerify; the comparison inside OpenSSL does not branch on secret data). A
// signature of the wrong length is simply invalid; never throws for bad signatures.
bool VerifyMessage(const VerifyingKey& key, std::string_view message, std::string_view signature);

struct EnvelopeSignature {
  std::string keyid;      // hex key id of the signer (audit/keys.h)
  std::string signature;  // raw signature bytes (base64 only in the JSON form)
};

// A DSSE envelope with its payload decoded.
struct Envelope {
  std::string payload_type;
  std::string payload;  // raw payload bytes (base64 only in the JSON form)
  std::vector<EnvelopeSignature> signatures;
};

// Signs PAE(payload_type, payload) with `key` and returns the one-signature envelope.
Envelope SignEnvelope(std::string_view payload_type, std::string_view payload,
                      const SigningKey& key);

// The envelope as canonical JSON (privacy/canonical_json.h: sorted keys, no whitespace):
// {"payload":B64,"payloadType":T,"signatures":[{"keyid":K,"sig":B64}]}. Same envelope,
// same bytes.
std::string SerializeEnvelope(const Envelope& envelope);

// Parses the JSON form. Throws IntegrityError naming the field that is missing, of the
// wrong type, or not valid base64, for JSON nested deeper than kMaxJsonDepth
// (privacy/bounded_json.h), and for an envelope with other than exactly one signature: DSSE
// allows several, but privet signs with one key, and the openssl route of docs/auditor.md
// reads signatures[0], so accepting more would let the two verifiers disagree. Unknown
// fields are ignored, as DSSE allows.
Envelope ParseEnvelope(std::string_view json_text);

// The outcome of checking an envelope against one public key.
enum class EnvelopeCheck {
  kValid,              // a signature with the key's id verifies over PAE
  kNoSignatureForKey,  // no signature carries this key's id
  kBadSignature,       // the signature with this key's id does not verify
};

// Looks for the signature whose keyid equals key.key_id() and verifies it over the PAE of
// the envelope's type and payload.
EnvelopeCheck VerifyEnvelope(const Envelope& envelope, const VerifyingKey& key);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_DSSE_H_
