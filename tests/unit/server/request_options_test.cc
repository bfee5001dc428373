// Strict request bodies (server/request_options.h): each malformed, mistyped, unknown or
// missing field is its own stable error code.
#include "server/request_options.h"

#include <doctest/doctest.h>

#include "server/api_error.h"

namespace privet::server {
namespace {

std::string CodeOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const ApiError& error) {
    return error.code();
  }
  return "";
}

TEST_CASE("request bodies: malformed, unknown, missing and mistyped fields") {
  const std::set<std::string> allowed = {"dataset", "epsilon"};
  CHECK(CodeOf([&] { JsonFields::FromBody("{", allowed); }) == "malformed_json");
  CHECK(CodeOf([&] { JsonFields::FromBody("[]", allowed); }) == "malformed_json");
  CHECK(CodeOf([&] { JsonFields::FromBody("", allowed); }) == "malformed_json");
  CHECK(CodeOf([&] { JsonFields::FromBody("", allowed, /*allow_empty=*/true); }) == "");
  CHECK(CodeOf([&] { JsonFields::FromBody(R"({"requester":"x"})", allowed); }) == "unknown_field");
  const JsonFields fields = JsonFields::FromBody(R"({"dataset":7,"epsilon":"1"})", allowed);
  CHECK(CodeOf([&] { fields.RequiredString("dataset"); }) == "invalid_field");
  CHECK(CodeOf([&] { fields.RequiredNumber("epsilon"); }) == "invalid_field");
  const JsonFields empty = JsonFields::FromBody("{}", allowed);
  CHECK(CodeOf([&] { empty.RequiredString("dataset"); }) == "missing_field");
  CHECK_FALSE(empty.OptionalNumber("epsilon").has_value());
}

TEST_CASE("request options: each kind accepts its own options only") {
  CHECK(CheckOptions("marginal", {{"attributes", {"gender", "result"}}})["attributes"].size() == 2);
  CHECK(CodeOf([] { CheckOptions("marginal", nlohmann::json::object()); }) == "missing_field");
  CHECK(CodeOf([] {
          CheckOptions("marginal", {{"attributes", {"a"}}, {"rows", 5}});
        }) == "unknown_field");
  CHECK(CodeOf([] {
          CheckOptions("marginal", {{"attributes", {"a"}}, {"mode", "laplace"}});
        }) == "invalid_field");
  CHECK(CodeOf([] {
          CheckOptions("correlation", {{"attributes", {"age"}}, {"mode", "pure"}});
        }) == "unknown_field");
  CHECK(CodeOf([] { CheckOptions("synthesize", {{"rows", -3}}); }) == "invalid_field");
  CHECK(CodeOf([] { CheckOptions("synthesize", {{"rows", 1.5}}); }) == "invalid_field");
  CHECK(CodeOf([] { CheckOptions("synthesize", {{"seed", 1}}); }) == "unknown_field");
  const nlohmann::json synthesize = CheckOptions("synthesize", {{"rows", 100}, {"mode", "pure"}});
  const release::SynthesizeOptions options = SynthesizeOptionsFromJson(synthesize);
  CHECK(options.rows == 100u);
  CHECK(options.mode == "pure");
  CHECK_FALSE(options.degree.has_value());
  // "auto" may also be named explicitly, as on the CLI (--mode auto).
  CHECK(QueryOptionsFromJson(CheckOptions("marginal", {{"attributes", {"a"}}, {"mode", "auto"}}))
            .mode == release::kAutoNoiseMode);
  CHECK(SynthesizeOptionsFromJson(CheckOptions("synthesize", {{"mode", "auto"}})).mode ==
        release::kAutoNoiseMode);
  // Without a mode the release's default applies: "auto", the mode with less noise (issue 16).
  CHECK(QueryOptionsFromJson(CheckOptions("marginal", {{"attributes", {"a"}}})).mode ==
        release::kAutoNoiseMode);
}

}  // namespace
}  // namespace privet::server
