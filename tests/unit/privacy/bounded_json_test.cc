#include "privacy/bounded_json.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "tests/ledger_test_support.h"

namespace privet {
namespace {

std::string Nested(std::size_t depth, const std::string& inside = "1") {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += (i % 2 == 0) ? "[" : "{\"k\":";
  text += inside;
  for (std::size_t i = depth; i-- > 0;) text += (i % 2 == 0) ? "]" : "}";
  return text;
}

TEST_CASE("JsonNestingDepth counts brackets outside strings only") {
  CHECK(JsonNestingDepth("1") == 0);
  CHECK(JsonNestingDepth("\"[[[\"") == 0);
  CHECK(JsonNestingDepth("[]") == 1);
  CHECK(JsonNestingDepth("{\"a\":[1,{\"b\":[]}]}") == 4);
  CHECK(JsonNestingDepth("[\"\\\"[\",[2]]") == 2);  // an escaped quote does not end the string
  CHECK(JsonNestingDepth("[[],[],[[]]]") == 3);
  CHECK(JsonNestingDepth(Nested(64)) == 64);
  CHECK(JsonNestingDepth(Nested(100000)) == kMaxJsonDepth + 1);  // stops early
}

TEST_CASE("ParseBoundedJson accepts the limit and refuses one level more, before parsing") {
  CHECK(ParseBoundedJson(Nested(kMaxJsonDepth), "t.json").is_array());
  CHECK_THROWS_WITH_AS(ParseBoundedJson(Nested(kMaxJsonDepth + 1), "t.json"),
                       "t.json: JSON nested deeper than 64 levels", InputError);
  // 10^5 levels (issue 13's crashing config) is refused the same way, as the chosen class.
  CHECK_THROWS_WITH_AS(ParseBoundedJson<IntegrityError>(Nested(100000), "ledger entry 3"),
                       "ledger entry 3: JSON nested deeper than 64 levels", IntegrityError);
  CHECK_THROWS_WITH_AS(ParseBoundedJson("{", "t.json"), doctest::Contains("t.json: not JSON ("),
                       InputError);
}

TEST_CASE("CanonicalJson refuses values nested deeper than the bound, without recursing") {
  // Parsed iteratively by nlohmann (its parser keeps an explicit stack), then walked: before
  // the fix the recursive walk in canonical_json.cc overflowed the stack here.
  const nlohmann::json deep = nlohmann::json::parse(Nested(100000));
  CHECK_THROWS_WITH_AS(CanonicalJson(deep), "canonical JSON: nested deeper than 64 levels",
                       InputError);
  CHECK(CanonicalJson(nlohmann::json::parse(Nested(kMaxJsonDepth))) == Nested(kMaxJsonDepth));
  CHECK_THROWS_AS(CanonicalJson(nlohmann::json::parse(Nested(kMaxJsonDepth + 1))), InputError);
  nlohmann::json not_finite = nlohmann::json::parse(Nested(10));
  not_finite[0]["k"][0]["k"] = std::nan("");
  CHECK_THROWS_WITH_AS(CanonicalJson(not_finite), "canonical JSON: a number is NaN or infinite",
                       InputError);
}

TEST_CASE("A ledger entry edited to nest 10^5 deep is a broken chain, not a crash") {
  // Issue 13: `ledger verify` crashed (SIGSEGV) on such a body.
  const std::filesystem::path folder = std::filesystem::temp_directory_path() /
                                       ("privet-bounded-json-" + std::to_string(::getpid()));
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  const std::filesystem::path path = folder / "ledger.db";
  {
    auto ledger = privacy::BudgetLedger::Open(path);
    testing::RegisterForTest(ledger, "d", privacy::Budget{1.0, 0.0, std::nullopt});
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const std::string update = "UPDATE entries SET body = '" + Nested(100000) + "' WHERE entry_id = 2";
  REQUIRE(sqlite3_exec(db, update.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_changes(db) == 1);
  sqlite3_close(db);
  {
    auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kReadOnly);
    const privacy::VerifyResult result = ledger.VerifyChain();
    CHECK_FALSE(result.ok);
    REQUIRE(result.first_bad_entry.has_value());
    CHECK(*result.first_bad_entry == 2);  // the dataset's budget entry
    // What `budget show` and `ledger export` run: an integrity error, never a crash (bodies are
    // parsed with ParseBoundedJson<IntegrityError>).
    CHECK_THROWS_AS(ledger.Show("d"), IntegrityError);
    CHECK_THROWS_AS(ledger.Export(), IntegrityError);
  }
  std::filesystem::remove_all(folder);  // the ledger, its -wal/-shm and its key file
}

}  // namespace
}  // namespace privet
