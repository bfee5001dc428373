#include "privacy/ledger.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "privacy/errors.h"

namespace privet::privacy {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test case, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("privet-ledger-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

ChargeRequest Request(const std::string& dataset, std::vector<PrivacyEvent> events) {
  return ChargeRequest{dataset, std::move(events), "tester", "unit test", "marginal", ""};
}

std::string MessageOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// A closed ledger at `path`: dataset "d" with budget epsilon 1 and one charge of 0.25.
void WriteLedgerWithOneCharge(const fs::path& path) {
  auto ledger = BudgetLedger::Open(path);
  ledger.InitDataset("d", Budget{1.0, 0.0, std::nullopt}, "o");
  ledger.Charge(Request("d", {PrivacyEvent::Pure(0.25)}));
}

TEST_CASE("A charge within budget is recorded with its cost and cumulative spend") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  ledger.InitDataset("covid_testing", Budget{3.0, 1e-6, std::nullopt}, "officer");
  const auto first = ledger.Charge(Request("covid_testing", {PrivacyEvent::Laplace(1.0)}));
  CHECK(first.release_id == "release-2");
  CHECK(first.entry_id == 2);
  CHECK(first.cost.epsilon == doctest::Approx(1.0));
  CHECK(first.cumulative.epsilon == doctest::Approx(1.0));
  CHECK(first.remaining_epsilon == doctest::Approx(2.0));
  CHECK(first.head_hash == ledger.HeadHash());
  const auto second = ledger.Charge(Request("covid_testing", {PrivacyEvent::Laplace(1.0)}));
  CHECK(second.cumulative.epsilon == doctest::Approx(2.0));
  const auto status = ledger.Show("covid_testing");
  CHECK(status.spent.epsilon == doctest::Approx(2.0));
  CHECK(status.remaining_epsilon == doctest::Approx(1.0));
  REQUIRE(status.releases.size() == 2);
  CHECK(status.releases[0].status == "charged");
  CHECK(status.releases[1].events.front() == PrivacyEvent::Laplace(1.0));
  CHECK(status.owner == "officer");
  CHECK(ledger.VerifyChain().ok);
}

TEST_CASE("A charge past the budget is refused, says what is left, and records nothing") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  // Delta 0: pure events compose by plain addition, so "what is left" is exactly 0.8.
  ledger.InitDataset("covid_testing", Budget{3.0, 0.0, std::nullopt}, "officer");
  ledger.Charge(Request("covid_testing", {PrivacyEvent::Pure(2.2)}));
  const std::string head = ledger.HeadHash();
  const std::string message =
      MessageOf([&] { ledger.Charge(Request("covid_testing", {PrivacyEvent::Pure(1.2)})); });
  CHECK(message ==
        "dataset covid_testing: this release needs epsilon 1.2 but only 0.8 of 3 remains "
        "(delta 0)");
  CHECK_THROWS_AS(ledger.Charge(Request("covid_testing", {PrivacyEvent::Pure(1.2)})),
                  BudgetExceeded);
  CHECK(ledger.HeadHash() == head);
  CHECK(ledger.Show("covid_testing").releases.size() == 1);
  // What still fits is accepted.
  CHECK_NOTHROW(ledger.Charge(Request("covid_testing", {PrivacyEvent::Pure(0.8)})));
}

TEST_CASE("The per-release cap is enforced on the release's composed cost") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  ledger.InitDataset("d", Budget{10.0, 1e-6, 1.0}, "officer");
  const std::string message = MessageOf([&] {
    ledger.Charge(Request("d", {PrivacyEvent::Laplace(0.75), PrivacyEvent::Laplace(0.75)}));
  });
  CHECK(message.find("per-release cap is 1") != std::string::npos);
  CHECK_NOTHROW(ledger.Charge(Request("d", {PrivacyEvent::Laplace(0.5)})));
}

TEST_CASE("Gaussian events against a pure (delta 0) budget are refused clearly") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  ledger.InitDataset("d", Budget{10.0, 0.0, std::nullopt}, "officer");
  const std::string message =
      MessageOf([&] { ledger.Charge(Request("d", {PrivacyEvent::Gaussian(10.0, 1.0)})); });
  CHECK(message.find("need delta > 0") != std::string::npos);
}

TEST_CASE("Bad budgets, unknown datasets and a second init are input errors") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const double bad : {0.0, -1.0, kNan, kInf}) {
    CHECK_THROWS_AS(ledger.InitDataset("d", Budget{bad, 1e-6, std::nullopt}, "o"), InputError);
    CHECK_THROWS_AS(ledger.InitDataset("d", Budget{1.0, 1e-6, bad}, "o"), InputError);
  }
  for (const double bad : {-1e-9, 1.0, 2.0, kNan, kInf}) {
    CHECK_THROWS_AS(ledger.InitDataset("d", Budget{1.0, bad, std::nullopt}, "o"), InputError);
  }
  CHECK_THROWS_AS(ledger.InitDataset("", Budget{1.0, 0.0, std::nullopt}, "o"), InputError);
  CHECK_THROWS_AS(ledger.InitDataset("a b", Budget{1.0, 0.0, std::nullopt}, "o"), InputError);
  ledger.InitDataset("d", Budget{1.0, 0.0, std::nullopt}, "o");
  const std::string again = MessageOf([&] {
    ledger.InitDataset("d", Budget{2.0, 0.0, std::nullopt}, "o");
  });
  CHECK(again.find("dataset d already has a budget") == 0);
  CHECK_THROWS_AS(ledger.InitDataset("d", Budget{2.0, 0.0, std::nullopt}, "o"), InputError);
  CHECK_THROWS_AS(ledger.Charge(Request("nope", {PrivacyEvent::Pure(0.1)})), InputError);
  CHECK_THROWS_AS(ledger.Show("nope"), InputError);
  CHECK_THROWS_AS(ledger.Charge(Request("d", {})), InputError);
  CHECK(ledger.Datasets() == std::vector<std::string>{"d"});
}

TEST_CASE("Outcomes append without undoing the charge") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  ledger.InitDataset("d", Budget{1.0, 0.0, std::nullopt}, "o");
  const auto receipt = ledger.Charge(Request("d", {PrivacyEvent::Pure(0.4)}));
  ledger.RecordOutcome(receipt.release_id, "failed", "disk full");
  const auto status = ledger.Show("d");
  CHECK(status.releases.at(0).status == "failed");
  CHECK(status.spent.epsilon == doctest::Approx(0.4));
  CHECK_THROWS_AS(ledger.RecordOutcome(receipt.release_id, "oops"), InputError);
  CHECK_THROWS_AS(ledger.RecordOutcome("release-99", "released"), InputError);
  const auto entry = ledger.FindRelease(receipt.release_id);
  REQUIRE(entry.has_value());
  CHECK(entry->body["cost"]["epsilon"] == 0.4);
  CHECK_FALSE(ledger.FindRelease("release-1").has_value());
  CHECK(ledger.Entries().size() == 3);
  CHECK(ledger.VerifyChain().ok);
}

TEST_CASE("The chain links every entry and the export recomputes") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  ledger.InitDataset("a", Budget{5.0, 1e-6, std::nullopt}, "o");
  ledger.InitDataset("b", Budget{5.0, 0.0, std::nullopt}, "o");
  ledger.Charge(Request("a", {PrivacyEvent::Gaussian(3.0, 1.0), PrivacyEvent::Exponential(0.1)}));
  ledger.Charge(Request("b", {PrivacyEvent::Laplace(0.2)}));
  const auto entries = ledger.Entries();
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].previous_hash == std::string(64, '0'));
  for (std::size_t i = 1; i < entries.size(); ++i) {
    CHECK(entries[i].previous_hash == entries[i - 1].entry_hash);
  }
  const auto result = ledger.VerifyChain();
  CHECK(result.ok);
  CHECK(result.entries_checked == 4);
  CHECK(result.head_hash == ledger.HeadHash());
  const auto exported = ledger.Export();
  CHECK(exported["head_hash"] == ledger.HeadHash());
  CHECK(exported["entries"].size() == 4);
  CHECK(exported["datasets"].size() == 2);
}

TEST_CASE("Reopening keeps everything; foreign files are refused") {
  TempDir dir;
  WriteLedgerWithOneCharge(dir / "ledger.db");
  auto reopened = BudgetLedger::Open(dir / "ledger.db", LedgerOpenMode::kMustExist);
  CHECK(reopened.Show("d").spent.epsilon == doctest::Approx(0.25));

  CHECK_THROWS_AS(BudgetLedger::Open(dir / "missing.db", LedgerOpenMode::kMustExist), StorageError);
  std::ofstream(dir / "notes.txt") << "this is not a database, just some text that is long "
                                      "enough to have a header page worth of bytes.............";
  CHECK_THROWS_AS(BudgetLedger::Open(dir / "notes.txt"), InputError);
  sqlite3* foreign = nullptr;
  REQUIRE(sqlite3_open((dir / "foreign.db").c_str(), &foreign) == SQLITE_OK);
  sqlite3_exec(foreign, "CREATE TABLE patients (id INTEGER)", nullptr, nullptr, nullptr);
  sqlite3_close(foreign);
  const std::string message = MessageOf([&] { BudgetLedger::Open(dir / "foreign.db"); });
  CHECK(message.find("not a privet ledger") != std::string::npos);
  CHECK_THROWS_AS(BudgetLedger::Open(dir / "foreign.db"), InputError);
  CHECK_THROWS_AS(BudgetLedger::Open(dir / "."), InputError);
}

TEST_CASE("A read-only ledger reads and verifies but cannot be charged or changed") {
  TempDir dir;
  WriteLedgerWithOneCharge(dir / "ledger.db");
  auto reader = BudgetLedger::Open(dir / "ledger.db", LedgerOpenMode::kReadOnly);
  CHECK(reader.Show("d").spent.epsilon == doctest::Approx(0.25));
  CHECK(reader.VerifyChain().ok);
  CHECK(reader.Export().at("entries").size() == 2);
  // SQLite refuses the write itself (file permissions would not stop root).
  CHECK_THROWS_AS(reader.Charge(Request("d", {PrivacyEvent::Pure(0.25)})), StorageError);
  CHECK_THROWS_AS(reader.InitDataset("e", Budget{1.0, 0.0, std::nullopt}, "o"), StorageError);
  CHECK(BudgetLedger::Open(dir / "ledger.db").Show("d").spent.epsilon == doctest::Approx(0.25));
  CHECK_THROWS_AS(BudgetLedger::Open(dir / "missing.db", LedgerOpenMode::kReadOnly), StorageError);
  CHECK(!fs::exists(dir / "missing.db"));
}

TEST_CASE("Editing an entry's content is caught by verify and by the next charge") {
  TempDir dir;
  const fs::path path = dir / "ledger.db";
  {
    auto ledger = BudgetLedger::Open(path);
    ledger.InitDataset("d", Budget{1.0, 0.0, std::nullopt}, "o");
    ledger.Charge(Request("d", {PrivacyEvent::Pure(0.5)}));
    ledger.Charge(Request("d", {PrivacyEvent::Pure(0.25)}));
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "UPDATE entries SET body = replace(body, '\"epsilon\":0.5', "
                       "'\"epsilon\":0.05') WHERE entry_id = 2",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_changes(db) == 1);
  sqlite3_close(db);
  auto ledger = BudgetLedger::Open(path);
  const auto result = ledger.VerifyChain();
  CHECK_FALSE(result.ok);
  REQUIRE(result.first_bad_entry.has_value());
  CHECK(*result.first_bad_entry == 2);
  CHECK(result.message.find("entry 2 ") == 0);
  CHECK_THROWS_AS(ledger.Charge(Request("d", {PrivacyEvent::Pure(0.1)})), IntegrityError);
}

}  // namespace
}  // namespace privet::privacy

namespace privet::privacy {
namespace {

TEST_CASE("A charge hidden by re-labelling its dataset column blocks further charges") {
  TempDir dir;
  const fs::path path = dir / "ledger.db";
  {
    auto ledger = BudgetLedger::Open(path);
    ledger.InitDataset("d", Budget{1.0, 0.0, std::nullopt}, "o");
    ledger.Charge(Request("d", {PrivacyEvent::Pure(0.9)}));
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  // Without the chain check the 0.9 would vanish from d's spend and 0.5 more would fit.
  REQUIRE(sqlite3_exec(db, "UPDATE entries SET dataset_id = 'other' WHERE entry_id = 2", nullptr,
                       nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto ledger = BudgetLedger::Open(path);
  const std::string message =
      MessageOf([&] { ledger.Charge(Request("d", {PrivacyEvent::Pure(0.5)})); });
  CHECK(message.find("entry 2 has index columns that disagree") != std::string::npos);
  CHECK_THROWS_AS(ledger.Charge(Request("d", {PrivacyEvent::Pure(0.5)})), IntegrityError);
  CHECK_THROWS_AS(ledger.InitDataset("e", Budget{1.0, 0.0, std::nullopt}, "o"), IntegrityError);
}

}  // namespace
}  // namespace privet::privacy
