#include "privacy/sha256.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

namespace privet {
namespace {

// Known answers from FIPS 180-2, Appendix B.1 ("abc") and the empty-string digest.
TEST_CASE("Sha256Hex matches the FIPS 180-2 vectors") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("Sha256FileHex streams a file to the same digest as its bytes") {
  const auto path = std::filesystem::temp_directory_path() / "privet_sha256_test.bin";
  std::string bytes(200000, 'x');
  bytes[12345] = 'y';
  {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }
  CHECK(Sha256FileHex(path) == Sha256Hex(bytes));
  std::filesystem::remove(path);
}

TEST_CASE("Sha256FileHex names a missing file") {
  CHECK_THROWS_WITH(Sha256FileHex("/nonexistent/privet/file"),
                    doctest::Contains("/nonexistent/privet/file"));
}

}  // namespace
}  // namespace privet
