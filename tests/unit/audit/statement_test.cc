#include "audit/statement.h"

#include <doctest/doctest.h>

#include "privacy/canonical_json.h"
#include "privacy/errors.h"

namespace privet::audit {
namespace {

const std::string kDigest(64, 'a');

Statement Valid() { return {{{"synthetic.csv", kDigest}}, "urn:example:v1", {{"k", 1}}}; }

TEST_CASE("A statement has the in-toto v1 shape") {
  const nlohmann::json json = StatementToJson(Valid());
  CHECK(CanonicalJson(json) ==
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{\"k\":1},"
        "\"predicateType\":\"urn:example:v1\",\"subject\":[{\"digest\":{\"sha256\":\"" +
            kDigest + "\"},\"name\":\"synthetic.csv\"}]}");
  const Statement parsed = ParseStatement(CanonicalJson(json));
  REQUIRE(parsed.subjects.size() == 1);
  CHECK(parsed.subjects[0].name == "synthetic.csv");
  CHECK(parsed.subjects[0].sha256 == kDigest);
  CHECK(parsed.predicate_type == "urn:example:v1");
  CHECK(parsed.predicate == nlohmann::json{{"k", 1}});
}

TEST_CASE("Subject names must stay inside the attestation's directory") {
  CHECK(IsSafeSubjectName("a.csv"));
  CHECK(IsSafeSubjectName("model/network.json"));
  for (const char* bad : {"", "/etc/passwd", "../a.csv", "a/../b", "./a", "a//b", "a/", "a\\b"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsSafeSubjectName(bad));
    Statement statement = Valid();
    statement.subjects[0].name = bad;
    CHECK_THROWS_AS(StatementToJson(statement), InputError);
  }
}

TEST_CASE("StatementToJson refuses what a verifier would reject") {
  Statement none = Valid();
  none.subjects.clear();
  CHECK_THROWS_WITH_AS(StatementToJson(none), doctest::Contains("at least one subject"),
                       InputError);
  Statement twice = Valid();
  twice.subjects.push_back(twice.subjects[0]);
  CHECK_THROWS_WITH_AS(StatementToJson(twice), doctest::Contains("appears twice"), InputError);
  Statement upper = Valid();
  upper.subjects[0].sha256 = std::string(64, 'A');
  CHECK_THROWS_WITH_AS(StatementToJson(upper), doctest::Contains("digest.sha256"), InputError);
  Statement no_type = Valid();
  no_type.predicate_type.clear();
  CHECK_THROWS_AS(StatementToJson(no_type), InputError);
  Statement array_predicate = Valid();
  array_predicate.predicate = nlohmann::json::array();
  CHECK_THROWS_AS(StatementToJson(array_predicate), InputError);
}

TEST_CASE("ParseStatement names the malformed field") {
  const auto parse_with = [](auto&& edit) {
    nlohmann::json json = StatementToJson(Valid());
    edit(json);
    return ParseStatement(json.dump());
  };
  CHECK_THROWS_WITH_AS(ParseStatement("nope"), doctest::Contains("not JSON"), IntegrityError);
  CHECK_THROWS_WITH_AS(
      parse_with([](nlohmann::json& j) { j["_type"] = "https://in-toto.io/Statement/v0.1"; }),
      doctest::Contains("_type"), IntegrityError);
  CHECK_THROWS_WITH_AS(parse_with([](nlohmann::json& j) { j.erase("subject"); }),
                       doctest::Contains("subject must be an array"), IntegrityError);
  CHECK_THROWS_WITH_AS(
      parse_with([](nlohmann::json& j) { j["subject"] = nlohmann::json::array(); }),
      doctest::Contains("at least one subject"), IntegrityError);
  CHECK_THROWS_WITH_AS(parse_with([](nlohmann::json& j) {
                         j["subject"][0]["digest"] = {{"sha512", "00"}};
                       }),
                       doctest::Contains("subject[0].digest.sha256 is missing"), IntegrityError);
  CHECK_THROWS_WITH_AS(parse_with([](nlohmann::json& j) { j["subject"][0]["name"] = "../x"; }),
                       doctest::Contains("subject[0].name"), IntegrityError);
  CHECK_THROWS_WITH_AS(parse_with([](nlohmann::json& j) { j.erase("predicateType"); }),
                       doctest::Contains("predicateType"), IntegrityError);
  CHECK_THROWS_WITH_AS(parse_with([](nlohmann::json& j) { j["predicate"] = 3; }),
                       doctest::Contains("predicate is missing or not an object"), IntegrityError);
}

}  // namespace
}  // namespace privet::audit
