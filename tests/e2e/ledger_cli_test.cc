// The officer CLI through the real binary: every bad input is one clear line on stderr with
// its class's exit code (privacy/errors.h: 2 usage, 3 input, 5 integrity, 7 storage), and the
// ledger path comes from --ledger, then PRIVET_LEDGER, then ./privet-ledger.db.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/ledger_e2e_support.h"

namespace privet::e2e {
namespace {

constexpr int kUsage = 2, kInput = 3, kIntegrity = 5, kStorage = 7;

void CheckFails(const CommandResult& result, int exit_code, const std::string& fragment) {
  CAPTURE(result.err);
  CHECK(result.exit_code == exit_code);
  CHECK(result.err.rfind("privet: ", 0) == 0);
  CHECK(result.err.find(fragment) != std::string::npos);
  CHECK(result.err.find('\n') == result.err.size() - 1);  // exactly one line
}

CommandResult Init(const ScratchDir& dir, const std::string& epsilon, const std::string& delta,
                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"budget",    "init",  "--dataset", "covid_testing",
                                   "--epsilon", epsilon, "--delta",   delta};
  args.insert(args.end(), extra.begin(), extra.end());
  return Privet(dir.path(), args);
}

TEST_CASE("budget init rejects epsilon <= 0, NaN, infinity and non-numbers") {
  ScratchDir dir;
  for (const std::string bad :
       {"0", "-1", "-0.0", "nan", "NaN", "inf", "-inf", "1e999", "0x10", "0x1p-3", " 1", "1,5"}) {
    CAPTURE(bad);
    CheckFails(Init(dir, bad, "1e-6"), kInput, "--epsilon");
  }
  CheckFails(Init(dir, "abc", "1e-6"), kInput, "\"abc\" is not a number");
  CheckFails(Init(dir, "1", "1e-6", {"--per-release-epsilon", "0"}), kInput,
             "--per-release-epsilon must be a finite number > 0");
  CheckFails(Init(dir, "1", "1e-6", {"--per-release-epsilon", "2"}), kInput,
             "exceeds the total --epsilon");
  CHECK_FALSE(fs::exists(dir / "privet-ledger.db"));  // nothing was created
}

TEST_CASE("budget init reads only plain decimal numbers: no hex floats, inf or nan spellings") {
  // Issue 13: `budget init --epsilon 0x10` was accepted (strtod reads hex floats as 16).
  ScratchDir dir;
  for (const std::string bad : {"0x10", "0X1p4", "0x1p-2", "infinity", "INF", " 1", "1 ", "1,5",
                                "e5", ".", "1e"}) {
    CAPTURE(bad);
    CheckFails(Init(dir, bad, "1e-6"), kInput, "is not a number");
    CheckFails(Init(dir, "1", "0x0." + bad), kInput, "--delta");
  }
  CHECK_FALSE(fs::exists(dir / "privet-ledger.db"));  // nothing was created
  REQUIRE(Init(dir, "2.5e0", "1E-6").exit_code == 0);  // decimal forms still read
  const auto show = Privet(dir.path(), {"budget", "show", "--json"});
  REQUIRE(show.exit_code == 0);
  CHECK(nlohmann::json::parse(show.out).at(0)["budget"]["epsilon"] == 2.5);
}

TEST_CASE("budget init rejects delta outside [0, 1)") {
  ScratchDir dir;
  for (const std::string bad : {"-0.1", "1", "1.5"}) {
    CAPTURE(bad);
    CheckFails(Init(dir, "1", bad), kInput, "--delta must be in [0, 1)");
  }
  for (const std::string bad : {"nan", "inf", "0x0.1"}) {
    CAPTURE(bad);
    CheckFails(Init(dir, "1", bad), kInput, "--delta: \"" + bad + "\" is not a number");
  }
  CHECK(Init(dir, "1", "0").exit_code == 0);  // pure DP budgets are fine
}

TEST_CASE("A second budget init of the same dataset is refused and changes nothing") {
  ScratchDir dir;
  REQUIRE(Init(dir, "3", "1e-6").exit_code == 0);
  CheckFails(Init(dir, "30", "1e-6"), kInput, "dataset covid_testing already has a budget");
  const auto show = Privet(dir.path(), {"budget", "show", "--json"});
  REQUIRE(show.exit_code == 0);
  CHECK(nlohmann::json::parse(show.out).at(0)["budget"]["epsilon"] == 3.0);
}

TEST_CASE("Unknown datasets, missing ledgers and foreign files are clear errors") {
  ScratchDir dir;
  CheckFails(Privet(dir.path(), {"budget", "show"}), kStorage, "no ledger at ./privet-ledger.db");
  CheckFails(Privet(dir.path(), {"ledger", "verify"}), kStorage, "no ledger at");
  REQUIRE(Init(dir, "3", "1e-6").exit_code == 0);
  CheckFails(Privet(dir.path(), {"budget", "show", "--dataset", "nope"}), kInput,
             "unknown dataset nope");
  std::ofstream(dir / "notes.txt") << "not a ledger at all, just text............................"
                                      "..........................................................";
  CheckFails(Privet(dir.path(), {"ledger", "verify", "--ledger", "notes.txt"}), kInput,
             "not a privet ledger");
  CheckFails(Privet(dir.path(),
                    {"budget", "init", "--dataset", "bad id", "--epsilon", "1", "--delta", "0"}),
             kInput, "dataset id \"bad id\" is invalid");
  CheckFails(Privet(dir.path(), {"ledger", "export"}), kUsage, "--json");
  const auto missing = Privet(dir.path(), {"budget", "init", "--epsilon", "1", "--delta", "0"});
  CHECK(missing.exit_code == kUsage);
  (void)kIntegrity;
}

TEST_CASE("The ledger path: --ledger, then PRIVET_LEDGER, then ./privet-ledger.db") {
  ScratchDir dir;
  const std::string env = "PRIVET_LEDGER=" + (dir / "from-env.db").string();
  REQUIRE(Privet(dir.path(), {"budget", "init", "--dataset", "a", "--epsilon", "1", "--delta", "0"},
                 {env})
              .exit_code == 0);
  CHECK(fs::exists(dir / "from-env.db"));
  CHECK_FALSE(fs::exists(dir / "privet-ledger.db"));
  REQUIRE(Privet(dir.path(),
                 {"budget", "init", "--dataset", "b", "--epsilon", "1", "--delta", "0", "--ledger",
                  "explicit.db"},
                 {env})
              .exit_code == 0);
  CHECK(fs::exists(dir / "explicit.db"));
  REQUIRE(Privet(dir.path(), {"budget", "init", "--dataset", "c", "--epsilon", "1", "--delta", "0"})
              .exit_code == 0);
  CHECK(fs::exists(dir / "privet-ledger.db"));
  const auto from_env = Privet(dir.path(), {"budget", "show", "--json"}, {env});
  REQUIRE(from_env.exit_code == 0);
  const auto datasets = nlohmann::json::parse(from_env.out);
  REQUIRE(datasets.size() == 1);
  CHECK(datasets[0]["dataset_id"] == "a");
}

TEST_CASE("show, verify and export describe the same ledger") {
  ScratchDir dir;
  const auto registered = Privet(
      dir.path(), {"dataset", "register", "--config",
                   std::string(PRIVET_SOURCE_DIR) + "/configs/covid_testing.json", "--epsilon",
                   "3", "--delta", "1e-6", "--per-release-epsilon", "1", "--owner", "officer"});
  REQUIRE_MESSAGE(registered.exit_code == 0, registered.err);
  const pid_t child = StartHelper(
      {(dir / "privet-ledger.db").string(), "covid_testing", "0.5", "2"}, dir / "helper.out");
  REQUIRE(Wait(child) == 0);
  const auto text = Privet(dir.path(), {"budget", "show"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("dataset covid_testing (owner officer") != std::string::npos);
  CHECK(text.out.find("releases   2") != std::string::npos);
  const auto verify = Privet(dir.path(), {"ledger", "verify"});
  REQUIRE(verify.exit_code == 0);
  // ledger_init, dataset_init, registration and the two charges.
  CHECK(verify.out.find("5 entries, hash chain intact") != std::string::npos);
  const auto exported = Privet(dir.path(), {"ledger", "export", "--json"});
  REQUIRE(exported.exit_code == 0);
  const auto json = nlohmann::json::parse(exported.out);
  CHECK(json["entries"].size() == 5);
  CHECK(json["mode"] == "production");
  CHECK(verify.out.find(json["head_hash"].get<std::string>()) != std::string::npos);
  const auto status = json["datasets"][0];
  CHECK(status["releases"].size() == 2);
  CHECK(status["spent"]["epsilon"].get<double>() <= 1.0);
  CHECK(status["budget"]["per_release_epsilon"] == 1.0);
}

}  // namespace
}  // namespace privet::e2e
