#include "privacy/canonical_json.h"

#include <doctest/doctest.h>

#include <limits>

#include "privacy/errors.h"

namespace privet {
namespace {

TEST_CASE("CanonicalJson sorts keys and drops whitespace") {
  const auto value = nlohmann::json::parse(R"({ "b": [1, 2.5, "x"], "a": {"z": null, "y": true} })");
  CHECK(CanonicalJson(value) == R"({"a":{"y":true,"z":null},"b":[1,2.5,"x"]})");
}

TEST_CASE("CanonicalJson is independent of insertion order") {
  nlohmann::json first;
  first["epsilon"] = 1.0;
  first["delta"] = 1e-9;
  nlohmann::json second;
  second["delta"] = 1e-9;
  second["epsilon"] = 1.0;
  CHECK(CanonicalJson(first) == CanonicalJson(second));
}

TEST_CASE("CanonicalJson refuses values it cannot represent faithfully") {
  CHECK_THROWS_AS(CanonicalJson(nlohmann::json(std::numeric_limits<double>::quiet_NaN())),
                  InputError);
  CHECK_THROWS_AS(CanonicalJson(nlohmann::json::array({std::numeric_limits<double>::infinity()})),
                  InputError);
  CHECK_THROWS_AS(CanonicalJson(nlohmann::json(std::string("\xff"))), InputError);
}

}  // namespace
}  // namespace privet
