#include "privacy/privacy_event.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "privacy/errors.h"

namespace privet::privacy {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST_CASE("Event factories reject epsilon <= 0, NaN and infinity") {
  for (const double bad : {0.0, -1.0, kNan, kInf, -kInf}) {
    CHECK_THROWS_AS(PrivacyEvent::Laplace(bad), InputError);
    CHECK_THROWS_AS(PrivacyEvent::Exponential(bad), InputError);
    CHECK_THROWS_AS(PrivacyEvent::Pure(bad), InputError);
    CHECK_THROWS_AS(PrivacyEvent::Approx(bad, 1e-6), InputError);
    CHECK_THROWS_AS(PrivacyEvent::Gaussian(bad, 1.0), InputError);
    CHECK_THROWS_AS(PrivacyEvent::Gaussian(1.0, bad), InputError);
  }
}

TEST_CASE("Approx events reject delta outside [0, 1)") {
  for (const double bad : {-1e-9, 1.0, 1.5, kNan, kInf}) {
    CHECK_THROWS_AS(PrivacyEvent::Approx(1.0, bad), InputError);
  }
  CHECK_NOTHROW(PrivacyEvent::Approx(1.0, 0.0));
}

TEST_CASE("The error message names the mechanism and the field") {
  try {
    PrivacyEvent::Gaussian(1.0, kNan);
    FAIL("expected InputError");
  } catch (const InputError& error) {
    CHECK(std::string(error.what()) ==
          "gaussian event: l2_sensitivity must be a finite number > 0 (got nan)");
  }
}

TEST_CASE("Events round-trip through JSON") {
  const PrivacyEvent events[] = {PrivacyEvent::Laplace(0.1, "marginal(age,sex)"),
                                 PrivacyEvent::Gaussian(4.5, 1.5),
                                 PrivacyEvent::Exponential(0.02, "parents of age"),
                                 PrivacyEvent::Pure(1.0), PrivacyEvent::Approx(0.5, 1e-7)};
  for (const auto& event : events) {
    CHECK(PrivacyEvent::FromJson(event.ToJson()) == event);
  }
  CHECK(events[1].ToJson().dump() ==
        R"({"l2_sensitivity":1.5,"mechanism":"gaussian","sigma":4.5})");
  CHECK(events[0].Describe() == "laplace(epsilon=0.1) marginal(age,sex)");
}

TEST_CASE("FromJson validates like the factories") {
  CHECK_THROWS_AS(PrivacyEvent::FromJson({{"mechanism", "laplace"}, {"epsilon", -1}}), InputError);
  CHECK_THROWS_AS(PrivacyEvent::FromJson({{"mechanism", "laplace"}}), InputError);
  CHECK_THROWS_AS(PrivacyEvent::FromJson({{"mechanism", "cauchy"}, {"epsilon", 1}}), InputError);
  CHECK_THROWS_AS(PrivacyEvent::FromJson(nlohmann::json::array()), InputError);
  CHECK_THROWS_AS(PrivacyEvent::FromJson({{"mechanism", "approx"}, {"epsilon", 1}, {"delta", 1}}),
                  InputError);
}

}  // namespace
}  // namespace privet::privacy
