#include "audit/base64.h"

#include <doctest/doctest.h>

#include "privacy/errors.h"

namespace privet::audit {
namespace {

// Test vectors from RFC 4648, section 10.
TEST_CASE("Base64 matches the RFC 4648 vectors both ways") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* encoded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(Base64Encode(plain[i]) == encoded[i]);
    CHECK(Base64Decode(encoded[i]) == plain[i]);
  }
}

TEST_CASE("Base64Decode rejects malformed text") {
  CHECK_THROWS_AS(Base64Decode("Zm9"), IntegrityError);
  CHECK_THROWS_AS(Base64Decode("Zm9*"), IntegrityError);
  // Padding only at the end, at most two '=': otherwise two texts would decode alike.
  CHECK_THROWS_AS(Base64Decode("Zg==Zg=="), IntegrityError);
  CHECK_THROWS_AS(Base64Decode("Z==="), IntegrityError);
  CHECK_THROWS_AS(Base64Decode("Zg=a"), IntegrityError);
}

TEST_CASE("Base64 round-trips binary bytes") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  CHECK(Base64Decode(Base64Encode(bytes)) == bytes);
}

}  // namespace
}  // namespace privet::audit
