#include "audit/dsse.h"

#include <doctest/doctest.h>

#include "audit/base64.h"
#include "privacy/errors.h"
#include "tests/unit/audit/audit_test_util.h"

namespace privet::audit {
namespace {

using testing::HexDecode;
using testing::HexEncode;

TEST_CASE("PreAuthEncoding matches the DSSE protocol's worked example") {
  // secure-systems-lab/dsse, protocol.md, "Test Vectors".
  CHECK(PreAuthEncoding("http://example.com/HelloWorld", "hello world") ==
        "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  CHECK(PreAuthEncoding("", "") == "DSSEv1 0  0 ");
  // Lengths count bytes, not characters: "é" is two bytes in UTF-8.
  CHECK(PreAuthEncoding("t", "\xc3\xa9") == "DSSEv1 1 t 2 \xc3\xa9");
  // A NUL inside the payload is payload, not a terminator.
  CHECK(PreAuthEncoding("t", std::string_view("a\0b", 3)) == std::string("DSSEv1 1 t 3 a\0b", 16));
}

TEST_CASE("SignMessage reproduces RFC 8032 section 7.1 TEST 1 and TEST 2") {
  // TEST 1: the empty message.
  const SigningKey key1 = testing::Rfc8032Test1Key();
  const std::string signature1 = SignMessage(key1, "");
  CHECK(HexEncode(signature1) == testing::kRfc8032Test1Signature);
  CHECK(VerifyMessage(key1.Public(), "", signature1));

  // TEST 2: the one-byte message 0x72.
  const SigningKey key2 = SigningKey::FromRawSeed(
      HexDecode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
  CHECK(HexEncode(key2.Public().RawPublicKey()) ==
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  CHECK(HexEncode(SignMessage(key2, "\x72")) ==
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
}

TEST_CASE("VerifyMessage rejects any altered signature, message or key") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const VerifyingKey public_key = key.Public();
  const std::string signature = HexDecode(testing::kRfc8032Test1Signature);
  REQUIRE(VerifyMessage(public_key, "", signature));
  for (std::size_t i = 0; i < signature.size(); i += 7) {
    std::string bad = signature;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CHECK_FALSE(VerifyMessage(public_key, "", bad));
  }
  CHECK_FALSE(VerifyMessage(public_key, "x", signature));
  CHECK_FALSE(VerifyMessage(public_key, "", signature.substr(0, 63)));
  CHECK_FALSE(VerifyMessage(public_key, "", signature + "x"));
  CHECK_FALSE(VerifyMessage(public_key, "", ""));
  const SigningKey other = SigningKey::FromRawSeed(std::string(32, '\x01'));
  CHECK_FALSE(VerifyMessage(other.Public(), "", signature));
}

TEST_CASE("An envelope serialises canonically and parses back") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const Envelope envelope = SignEnvelope(kInTotoPayloadType, "{\"a\":1}", key);
  REQUIRE(envelope.signatures.size() == 1);
  CHECK(envelope.signatures[0].keyid == key.key_id());
  CHECK(VerifyMessage(key.Public(), PreAuthEncoding(kInTotoPayloadType, "{\"a\":1}"),
                      envelope.signatures[0].signature));
  const std::string text = SerializeEnvelope(envelope);
  CHECK(text == "{\"payload\":\"" + Base64Encode("{\"a\":1}") +
                    "\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{"
                    "\"keyid\":\"" +
                    key.key_id() + "\",\"sig\":\"" +
                    Base64Encode(envelope.signatures[0].signature) + "\"}]}");
  const Envelope parsed = ParseEnvelope(text);
  CHECK(parsed.payload == envelope.payload);
  CHECK(parsed.payload_type == envelope.payload_type);
  REQUIRE(parsed.signatures.size() == 1);
  CHECK(parsed.signatures[0].signature == envelope.signatures[0].signature);
  CHECK(SerializeEnvelope(parsed) == text);
  CHECK(VerifyEnvelope(parsed, key.Public()) == EnvelopeCheck::kValid);
}

TEST_CASE("VerifyEnvelope tells a foreign key from a broken signature") {
  const SigningKey key = testing::Rfc8032Test1Key();
  const Envelope envelope = SignEnvelope(kInTotoPayloadType, "payload", key);
  const SigningKey other = SigningKey::FromRawSeed(std::string(32, '\x02'));
  CHECK(VerifyEnvelope(envelope, other.Public()) == EnvelopeCheck::kNoSignatureForKey);

  Envelope changed_payload = envelope;
  changed_payload.payload = "payloaD";
  CHECK(VerifyEnvelope(changed_payload, key.Public()) == EnvelopeCheck::kBadSignature);

  // The type is inside PAE: relabelling the payload breaks the signature too.
  Envelope changed_type = envelope;
  changed_type.payload_type = "application/json";
  CHECK(VerifyEnvelope(changed_type, key.Public()) == EnvelopeCheck::kBadSignature);

  // A foreign key's signature cannot be passed off by writing our key id beside it.
  Envelope forged = SignEnvelope(kInTotoPayloadType, "payload", other);
  forged.signatures[0].keyid = key.key_id();
  CHECK(VerifyEnvelope(forged, key.Public()) == EnvelopeCheck::kBadSignature);
}

TEST_CASE("ParseEnvelope names what is malformed") {
  const std::string ok_sig = Base64Encode(std::string(64, 's'));
  CHECK_THROWS_WITH_AS(ParseEnvelope("{"), doctest::Contains("not JSON"), IntegrityError);
  CHECK_THROWS_WITH_AS(ParseEnvelope("[]"), doctest::Contains("not a JSON object"), IntegrityError);
  CHECK_THROWS_WITH_AS(ParseEnvelope(R"({"payloadType":"t","signatures":[]})"),
                       doctest::Contains("payload is missing"), IntegrityError);
  CHECK_THROWS_WITH_AS(ParseEnvelope(R"({"payload":"e30=","signatures":[]})"),
                       doctest::Contains("payloadType is missing"), IntegrityError);
  CHECK_THROWS_WITH_AS(ParseEnvelope(R"({"payload":"e3*=","payloadType":"t","signatures":[]})"),
                       doctest::Contains("payload is not valid base64"), IntegrityError);
  CHECK_THROWS_WITH_AS(ParseEnvelope(R"({"payload":"e30=","payloadType":"t","signatures":[]})"),
                       doctest::Contains("non-empty array"), IntegrityError);
  CHECK_THROWS_WITH_AS(
      ParseEnvelope(R"({"payload":"e30=","payloadType":"t","signatures":[{"sig":")" + ok_sig +
                    "\"}]}"),
      doctest::Contains("signatures[0].keyid is missing"), IntegrityError);
  CHECK_THROWS_WITH_AS(
      ParseEnvelope(
          R"({"payload":"e30=","payloadType":"t","signatures":[{"keyid":"k","sig":"!"}]})"),
      doctest::Contains("sig is not valid base64"), IntegrityError);
  CHECK_THROWS_WITH_AS(ParseEnvelope(R"({"payload":7,"payloadType":"t","signatures":[]})"),
                       doctest::Contains("payload is not a string"), IntegrityError);
}

TEST_CASE("An envelope with more than one signature is refused, whatever their order") {
  // Issue 13: an invalid signature with the right keyid before a valid one verified in privet
  // but failed the documented openssl route, which reads signatures[0]. Now neither accepts.
  const SigningKey key = testing::Rfc8032Test1Key();
  Envelope envelope = SignEnvelope(kInTotoPayloadType, "payload", key);
  const EnvelopeSignature valid = envelope.signatures[0];
  EnvelopeSignature invalid = valid;
  invalid.signature[0] = static_cast<char>(invalid.signature[0] ^ 1);
  for (const auto& signatures : {std::vector<EnvelopeSignature>{invalid, valid},
                                 std::vector<EnvelopeSignature>{valid, invalid},
                                 std::vector<EnvelopeSignature>{valid, valid}}) {
    envelope.signatures = signatures;
    CHECK_THROWS_WITH_AS(ParseEnvelope(SerializeEnvelope(envelope)),
                         doctest::Contains("2 signatures; a privet attestation carries exactly one"),
                         IntegrityError);
  }
}

TEST_CASE("An envelope nested deeper than the JSON depth bound is refused, not a crash") {
  // Issue 13: documents nested 10^5 deep overflowed the stack in recursive JSON walks.
  const std::string deep = "{\"payload\":" + std::string(100000, '[') + std::string(100000, ']') +
                           ",\"payloadType\":\"t\",\"signatures\":[]}";
  CHECK_THROWS_WITH_AS(ParseEnvelope(deep), doctest::Contains("nested deeper than 64"),
                       IntegrityError);
}

}  // namespace
}  // namespace privet::audit
