// Editing or deleting ledger rows with the sqlite3 CLI makes `privet ledger verify` fail
// (exit code 5, IntegrityError) and name the entry.
#include <doctest/doctest.h>

#include "privacy/ledger.h"
#include "tests/e2e/ledger_e2e_support.h"

namespace privet::e2e {
namespace {

// A ledger with 6 entries: ledger_init (1), dataset_init (2), the registration of the
// shipped covid_testing config (3) and three laplace(0.25) charges (4, 5, 6).
fs::path MakeLedger(const ScratchDir& dir, const std::string& name) {
  const fs::path path = dir / name;
  const auto registered = Privet(
      dir.path(), {"dataset", "register", "--config",
                   std::string(PRIVET_SOURCE_DIR) + "/configs/covid_testing.json", "--epsilon",
                   "3", "--delta", "0", "--owner", "officer", "--ledger", path.string()});
  REQUIRE_MESSAGE(registered.exit_code == 0, registered.err);
  const pid_t child =
      StartHelper({path.string(), "covid_testing", "0.25", "3"}, dir / (name + ".out"));
  REQUIRE(Wait(child) == 0);
  REQUIRE(Privet(dir.path(), {"ledger", "verify", "--ledger", path.string()}).exit_code == 0);
  return path;
}

CommandResult Sqlite(const ScratchDir& dir, const fs::path& db, const std::string& sql) {
  return Run(dir.path(), "sqlite3", {db.string(), sql});
}

TEST_CASE("sqlite3 edits and deletions are caught and the entry is named") {
  ScratchDir dir;
  if (Run(dir.path(), "sqlite3", {"-version"}).exit_code != 0) {
    MESSAGE("sqlite3 CLI not installed (scripts/setup installs it); skipping");
    return;
  }
  SUBCASE("editing the epsilon of a charge") {
    const fs::path db = MakeLedger(dir, "edit.db");
    const auto edit = Sqlite(dir, db,
                             "UPDATE entries SET body = replace(body, '\"epsilon\":0.25', "
                             "'\"epsilon\":0.01') WHERE entry_id = 5");
    REQUIRE(edit.exit_code == 0);
    const auto verify = Privet(dir.path(), {"ledger", "verify", "--ledger", db.string()});
    CHECK(verify.exit_code == 5);
    CHECK(verify.err.find("entry 5 ") != std::string::npos);
    MESSAGE(verify.err);
  }
  SUBCASE("editing the owner recorded in the dataset_init entry") {
    const fs::path db = MakeLedger(dir, "owner.db");
    REQUIRE(Sqlite(dir, db,
                   "UPDATE entries SET body = replace(body, 'officer', 'mallory') "
                   "WHERE entry_id = 2")
                .exit_code == 0);
    const auto verify = Privet(dir.path(), {"ledger", "verify", "--ledger", db.string()});
    CHECK(verify.exit_code == 5);
    CHECK(verify.err.find("entry 2 ") != std::string::npos);
  }
  SUBCASE("deleting a charge in the middle") {
    const fs::path db = MakeLedger(dir, "delete.db");
    REQUIRE(Sqlite(dir, db, "DELETE FROM entries WHERE entry_id = 4").exit_code == 0);
    const auto verify = Privet(dir.path(), {"ledger", "verify", "--ledger", db.string()});
    CHECK(verify.exit_code == 5);
    CHECK(verify.err.find("entry 4 is missing") != std::string::npos);
    MESSAGE(verify.err);
  }
  SUBCASE("deleting the newest charge") {
    const fs::path db = MakeLedger(dir, "last.db");
    REQUIRE(Sqlite(dir, db, "DELETE FROM entries WHERE entry_id = 6").exit_code == 0);
    const auto verify = Privet(dir.path(), {"ledger", "verify", "--ledger", db.string()});
    CHECK(verify.exit_code == 5);
    CHECK(verify.err.find("entry 6 is missing") != std::string::npos);
  }
  SUBCASE("re-pointing a row's dataset column to hide a charge") {
    const fs::path db = MakeLedger(dir, "hide.db");
    REQUIRE(Sqlite(dir, db, "UPDATE entries SET dataset_id = 'x' WHERE entry_id = 4").exit_code ==
            0);
    const auto verify = Privet(dir.path(), {"ledger", "verify", "--ledger", db.string()});
    CHECK(verify.exit_code == 5);
    CHECK(verify.err.find("entry 4 ") != std::string::npos);
  }
}

}  // namespace
}  // namespace privet::e2e
