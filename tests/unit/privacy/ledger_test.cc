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

#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/ledger/entries_internal.h"
#include "tests/ledger_test_support.h"
#include "tests/scratch_dir.h"

namespace privet::privacy {
namespace {

namespace fs = std::filesystem;

using TempDir = testing::ScratchDir;

using testing::RegisterForTest;

ChargeRequest Request(const BudgetLedger& ledger, const std::string& dataset,
                      std::vector<PrivacyEvent> events) {
  return testing::RegisteredRequest(ledger, dataset, std::move(events));
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
  RegisterForTest(ledger, "d", Budget{1.0, 0.0, std::nullopt});
  ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.25)}));
}

TEST_CASE("Leaf bytes built from a canonical body's text equal LeafBytes of the parsed body") {
  // What verification relies on to skip a second serialisation (entries_internal.h).
  const std::string previous(64, 'a');
  for (const char* text :
       {R"({"a":1})", R"j({"entry_id":3,"type":"charge","events":[{"q":"m(\"x\")","e":0.1}]})j",
        R"j({"z":{"y":[1,2.5,-3e-7,null,true]},"\u00e9":"caf\u00e9 \n\t"})j",
        "{}"}) {
    const nlohmann::json body = nlohmann::json::parse(text);
    CHECK(privacy::internal::LeafBytesOfCanonical(CanonicalJson(body), previous) ==
          privacy::LeafBytes(body, previous));
  }
}

TEST_CASE("A charge within budget is recorded with its cost and cumulative spend") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  RegisterForTest(ledger, "covid_testing", Budget{3.0, 1e-6, std::nullopt});
  const auto first = ledger.Charge(Request(ledger, "covid_testing", {PrivacyEvent::Laplace(1.0)}));
  CHECK(first.release_id == "release-4");  // entries 1-3: ledger_init, budget, registration
  CHECK(first.entry_id == 4);
  CHECK(first.cost.epsilon == doctest::Approx(1.0));
  CHECK(first.cumulative.epsilon == doctest::Approx(1.0));
  CHECK(first.remaining_epsilon == doctest::Approx(2.0));
  CHECK(first.head_hash == ledger.HeadHash());
  const auto second = ledger.Charge(Request(ledger, "covid_testing", {PrivacyEvent::Laplace(1.0)}));
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
  RegisterForTest(ledger, "covid_testing", Budget{3.0, 0.0, std::nullopt});
  ledger.Charge(Request(ledger, "covid_testing", {PrivacyEvent::Pure(2.2)}));
  const std::string head = ledger.HeadHash();
  const std::string message = MessageOf(
      [&] { ledger.Charge(Request(ledger, "covid_testing", {PrivacyEvent::Pure(1.2)})); });
  CHECK(message ==
        "dataset covid_testing: this release needs epsilon 1.2 but only 0.8 of 3 remains "
        "(delta 0)");
  CHECK_THROWS_AS(ledger.Charge(Request(ledger, "covid_testing", {PrivacyEvent::Pure(1.2)})),
                  BudgetExceeded);
  CHECK(ledger.HeadHash() == head);
  CHECK(ledger.Show("covid_testing").releases.size() == 1);
  // What still fits is accepted.
  CHECK_NOTHROW(ledger.Charge(Request(ledger, "covid_testing", {PrivacyEvent::Pure(0.8)})));
}

TEST_CASE("The per-release cap is enforced on the release's composed cost") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  RegisterForTest(ledger, "d", Budget{10.0, 1e-6, 1.0});
  const std::string message = MessageOf([&] {
    ledger.Charge(Request(ledger, "d", {PrivacyEvent::Laplace(0.75), PrivacyEvent::Laplace(0.75)}));
  });
  CHECK(message.find("per-release cap is 1") != std::string::npos);
  CHECK_NOTHROW(ledger.Charge(Request(ledger, "d", {PrivacyEvent::Laplace(0.5)})));
}

TEST_CASE("Gaussian events against a pure (delta 0) budget are refused clearly") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  RegisterForTest(ledger, "d", Budget{10.0, 0.0, std::nullopt});
  const std::string message =
      MessageOf([&] { ledger.Charge(Request(ledger, "d", {PrivacyEvent::Gaussian(10.0, 1.0)})); });
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
  CHECK_THROWS_AS(ledger.Charge(Request(ledger, "nope", {PrivacyEvent::Pure(0.1)})), InputError);
  CHECK_THROWS_AS(ledger.Show("nope"), InputError);
  CHECK_THROWS_AS(ledger.Charge(Request(ledger, "d", {})), InputError);
  CHECK(ledger.Datasets() == std::vector<std::string>{"d"});
}

TEST_CASE("Outcomes append without undoing the charge") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  RegisterForTest(ledger, "d", Budget{1.0, 0.0, std::nullopt});
  const auto receipt = ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.4)}));
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
  CHECK(ledger.Entries().size() == 5);
  CHECK(ledger.VerifyChain().ok);
}

TEST_CASE("The chain links every entry and the export recomputes") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  RegisterForTest(ledger, "a", Budget{5.0, 1e-6, std::nullopt});
  RegisterForTest(ledger, "b", Budget{5.0, 0.0, std::nullopt});
  ledger.Charge(
      Request(ledger, "a", {PrivacyEvent::Gaussian(3.0, 1.0), PrivacyEvent::Exponential(0.1)}));
  ledger.Charge(Request(ledger, "b", {PrivacyEvent::Laplace(0.2)}));
  const auto entries = ledger.Entries();
  REQUIRE(entries.size() == 7);
  CHECK(entries[0].previous_hash == std::string(64, '0'));
  for (std::size_t i = 1; i < entries.size(); ++i) {
    CHECK(entries[i].previous_hash == entries[i - 1].entry_hash);
  }
  const auto result = ledger.VerifyChain();
  CHECK(result.ok);
  CHECK(result.entries_checked == 7);
  CHECK(result.head_hash == ledger.HeadHash());
  const auto exported = ledger.Export();
  CHECK(exported["head_hash"] == ledger.HeadHash());
  CHECK(exported["entries"].size() == 7);
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
  CHECK(reader.Export().at("entries").size() == 4);
  // SQLite refuses the write itself (file permissions would not stop root).
  CHECK_THROWS_AS(reader.Charge(Request(reader, "d", {PrivacyEvent::Pure(0.25)})), StorageError);
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
    RegisterForTest(ledger, "d", Budget{1.0, 0.0, std::nullopt});
    ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.5)}));
    ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.25)}));
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "UPDATE entries SET body = replace(body, '\"epsilon\":0.5', "
                       "'\"epsilon\":0.05') WHERE entry_id = 4",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_changes(db) == 1);
  sqlite3_close(db);
  auto ledger = BudgetLedger::Open(path);
  const auto result = ledger.VerifyChain();
  CHECK_FALSE(result.ok);
  REQUIRE(result.first_bad_entry.has_value());
  CHECK(*result.first_bad_entry == 4);
  CHECK(result.message.find("entry 4 ") == 0);
  CHECK_THROWS_AS(ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.1)})), IntegrityError);
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
    RegisterForTest(ledger, "d", Budget{1.0, 0.0, std::nullopt});
    ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.9)}));
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  // Without the chain check the 0.9 would vanish from d's spend and 0.5 more would fit.
  REQUIRE(sqlite3_exec(db, "UPDATE entries SET dataset_id = 'other' WHERE entry_id = 4", nullptr,
                       nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto ledger = BudgetLedger::Open(path);
  const std::string message =
      MessageOf([&] { ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.5)})); });
  CHECK(message.find("entry 4 has index columns that disagree") != std::string::npos);
  CHECK_THROWS_AS(ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.5)})), IntegrityError);
  CHECK_THROWS_AS(ledger.InitDataset("e", Budget{1.0, 0.0, std::nullopt}, "o"), IntegrityError);
}

}  // namespace
}  // namespace privet::privacy

namespace privet::privacy {
namespace {

TEST_CASE("A dataset with a budget but no registration cannot be charged") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  ledger.InitDataset("d", Budget{1.0, 0.0, std::nullopt}, "o");
  const std::string message =
      MessageOf([&] { ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.1)})); });
  CHECK(message.find("dataset d is not registered") == 0);
  CHECK(ledger.Show("d").releases.empty());
}

TEST_CASE("Registration needs a budget once, and refuses a second budget") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  Registration registration;
  registration.dataset_id = "d";
  registration.config_path = "/c.json";
  registration.config_sha256 = std::string(64, 'a');
  registration.data_source = "/d.csv";
  registration.data_commitment = std::string(64, 'b');
  registration.unit_column = "row";
  CHECK(MessageOf([&] {
          ledger.Register(registration, std::nullopt, "o");
        }).find("has no budget yet") != std::string::npos);
  const Registration first = ledger.Register(registration, Budget{2.0, 0.0, std::nullopt}, "o");
  CHECK(first.entry_id == 3);
  CHECK(MessageOf([&] {
          ledger.Register(registration, Budget{9.0, 0.0, std::nullopt}, "o");
        }).find("already has a budget") != std::string::npos);
  Registration bad = registration;
  bad.max_failures = 0;
  CHECK_THROWS_AS(ledger.Register(bad, std::nullopt, "o"), InputError);
  bad = registration;
  bad.data_commitment.clear();
  CHECK_THROWS_AS(ledger.Register(bad, std::nullopt, "o"), InputError);
  CHECK(ledger.Show("d").registrations == 1);
}

TEST_CASE("Re-registering binds the new config, keeps the spend and refuses the old one") {
  TempDir dir;
  auto ledger = BudgetLedger::Open(dir / "ledger.db");
  RegisterForTest(ledger, "d", Budget{1.0, 0.0, std::nullopt});
  const ChargeRequest prepared_before = Request(ledger, "d", {PrivacyEvent::Pure(0.25)});
  ledger.Charge(prepared_before);

  Registration second = *ledger.CurrentRegistration("d");
  second.config_sha256 = std::string(64, 'e');
  second.data_commitment = std::string(64, 'f');
  const Registration recorded = ledger.Register(second, std::nullopt, "officer");
  CHECK(recorded.entry_id > prepared_before.registration_entry_id);
  const DatasetStatus status = ledger.Show("d");
  CHECK(status.registrations == 2);
  CHECK(status.registration->config_sha256 == std::string(64, 'e'));
  CHECK(status.spent.epsilon == doctest::Approx(0.25));  // carried over, never reset

  // A request prepared against the first registration (its digest and entry) is refused.
  const std::string message = MessageOf([&] { ledger.Charge(prepared_before); });
  CHECK(message.find("was registered again") != std::string::npos);
  CHECK(ledger.Show("d").releases.size() == 1);
  // One made now charges, and the total composes with the earlier charge.
  const ChargeReceipt receipt = ledger.Charge(Request(ledger, "d", {PrivacyEvent::Pure(0.5)}));
  CHECK(receipt.registration_entry_id == recorded.entry_id);
  CHECK(receipt.cumulative.epsilon == doctest::Approx(0.75));
  CHECK(ledger.Show("d").releases.back().registration_entry_id == recorded.entry_id);
}

TEST_CASE("Seeded noise is refused on a production ledger and recorded on a test ledger") {
  TempDir dir;
  auto production = BudgetLedger::Open(dir / "production.db");
  CHECK(production.Mode() == LedgerMode::kProduction);
  RegisterForTest(production, "d", Budget{1.0, 0.0, std::nullopt});
  ChargeRequest seeded = Request(production, "d", {PrivacyEvent::Pure(0.1)});
  seeded.seeded = true;
  CHECK(MessageOf([&] { production.Charge(seeded); }).find("seeded noise is refused") == 0);
  CHECK(production.Show("d").releases.empty());

  auto test = BudgetLedger::Create(dir / "test.db", LedgerMode::kTest);
  CHECK(test.Mode() == LedgerMode::kTest);
  CHECK_THROWS_AS(BudgetLedger::Create(dir / "test.db", LedgerMode::kTest), InputError);
  RegisterForTest(test, "d", Budget{1.0, 0.0, std::nullopt});
  ChargeRequest allowed = Request(test, "d", {PrivacyEvent::Pure(0.1)});
  allowed.seeded = true;
  const ChargeReceipt receipt = test.Charge(allowed);
  CHECK(receipt.ledger_mode == LedgerMode::kTest);
  CHECK(test.Show("d").releases.at(0).seeded);
  // The mode is entry 1, inside the chain: reopening reads it back.
  CHECK(BudgetLedger::Open(dir / "test.db", LedgerOpenMode::kReadOnly).Mode() == LedgerMode::kTest);
  const auto entries = test.Entries();
  CHECK(entries.at(0).type == "ledger_init");
  CHECK(entries.at(0).body.at("mode") == "test");
  CHECK(test.Export().at("mode") == "test");
}

TEST_CASE("A new ledger gets a deployment secret readable by its owner only") {
  TempDir dir;
  BudgetLedger::Open(dir / "ledger.db");
  const fs::path secret = dir / "ledger.db.secret";
  REQUIRE(fs::exists(secret));
  CHECK((fs::status(secret).permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
        fs::perms::none);
}

}  // namespace
}  // namespace privet::privacy
