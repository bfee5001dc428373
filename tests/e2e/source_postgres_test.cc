// The PostgreSQL marginal source against real servers: CTest runs this binary inside
// `scripts/postgres run single|sharded` (tests/e2e/CMakeLists.txt), which starts throwaway
// servers and stops them when it exits. Each dataset is loaded as the owner and read through the
// read-only role privet_reader, as a warehouse deployment would (docs/officer.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include "audit/keys.h"
#include "engine/source/in_memory_marginal_source.h"
#include "engine/source/postgres_commitment.h"
#include "engine/source/postgres_marginal_source.h"
#include "engine/table/encoder.h"
#include "engine/table/marginals.h"
#include "privacy/deployment_secret.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "release/query_release.h"
#include "release/registration.h"
#include "release/synthesize_release.h"
#include "tests/e2e/postgres_test_support.h"
#include "tests/scratch_dir.h"

namespace privet::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Env;

// Every 1-way attribute set, the empty one, and every 2-way set among the first `pair_limit`
// attributes.
std::vector<std::vector<std::size_t>> OneAndTwoWaySets(std::size_t attributes,
                                                       std::size_t pair_limit = SIZE_MAX) {
  std::vector<std::vector<std::size_t>> sets{{}};
  for (std::size_t a = 0; a < attributes; ++a) sets.push_back({a});
  for (std::size_t a = 0; a < std::min(attributes, pair_limit); ++a) {
    for (std::size_t b = a + 1; b < std::min(attributes, pair_limit); ++b) {
      sets.push_back({a, b});
      if ((a + b) % 3 == 0) sets.push_back({b, a});  // the order of a request is kept
    }
  }
  return sets;
}

struct Dataset {
  std::string table;
  fs::path config;
  fs::path csv;  // empty: the config's own
};

// The shipped dataset (data/ in the project) always; the ones beside the clone when present.
std::vector<Dataset> Datasets() {
  const fs::path root = PRIVET_SOURCE_DIR;
  const fs::path shared = PRIVET_SHARED_DATA_DIR;
  std::vector<Dataset> out{{"covid_testing", root / "configs/covid_testing.json", {}}};
  const std::vector<std::pair<std::string, fs::path>> optional = {
      {"heart_cleveland", shared / "heart_cleveland/heart_cleveland.csv"},
      {"adult", shared / "adult/adult.csv"},
      {"adult_coded", shared / "adult_coded/adult.csv"},
      {"nhanes", shared / "nhanes/NHANES.csv"}};
  for (const auto& [name, csv] : optional) {
    if (fs::exists(csv)) {
      out.push_back({name, root / ("configs/" + name + ".json"), csv});
    } else {
      MESSAGE("dataset " << name << " not beside the clone (" << csv << "): not compared");
    }
  }
  return out;
}

TEST_CASE("every noise-free 1- and 2-way marginal from PostgreSQL equals the CSV source's") {
  for (const Dataset& dataset : Datasets()) {
    CAPTURE(dataset.table);
    const Schema csv_schema = dataset.csv.empty() ? Schema::Load(dataset.config)
                                                  : Schema::Load(dataset.config, dataset.csv);
    const testing::LoadedTable loaded =
        testing::LoadCsv(csv_schema, csv_schema.csv_path(), dataset.table + "_parity");
    json config = testing::DatabaseConfig(dataset.config, loaded);
    // With a privacy unit, a bound no unit reaches keeps every row, so the counts must equal
    // the unbounded CSV table's exactly while the whole bounding SQL still runs; the bound
    // proper is tested below.
    if (config.contains("privacy_unit")) config["privacy_unit"]["max_rows_per_unit"] = 1000000;
    const Schema db_schema = Schema::FromJson(config, dataset.config.parent_path(), dataset.table);
    REQUIRE(db_schema.source_config().kind == SourceKind::kPostgresql);

    const EncodedTable table = EncodeDataset(csv_schema);
    InMemoryMarginalSource memory(table, csv_schema.max_rows_per_unit());
    const auto database = PostgresMarginalSource::Open(db_schema);
    CHECK(database->domain_sizes() == memory.domain_sizes());
    CHECK(database->NumRows() == table.num_rows());

    // nhanes (beside the clone, never in CI) has 75 modeled attributes: its 2,775 pairs take
    // minutes on a busy machine (PostgreSQL encodes every cell again for each query), so its
    // pairs are those of the first 24 attributes (every attribute's 1-way marginal is still
    // compared). Every other dataset compares every pair.
    const auto sets =
        OneAndTwoWaySets(table.num_columns(), table.num_columns() > 30 ? 24 : SIZE_MAX);
    const std::vector<Marginal> batch = database->CountBatch(sets);
    REQUIRE(batch.size() == sets.size());
    std::size_t mismatches = 0;
    for (std::size_t s = 0; s < sets.size(); ++s) {
      const Marginal expected = ComputeMarginal(table, sets[s]);
      CHECK(batch[s].attributes == expected.attributes);
      CHECK(batch[s].domain_sizes == expected.domain_sizes);
      if (batch[s].counts != expected.counts) ++mismatches;
    }
    CHECK(mismatches == 0);
    // A single Count (the plain GROUP BY, pushed to the shards) agrees with the batch.
    CHECK(database->Count(sets[1]).counts == batch[1].counts);
    CHECK(database->Count(sets.back()).counts == batch.back().counts);
  }
}

// Σ_u min(n_u, m) over the units of an encoded table.
std::uint64_t BoundedTotal(const EncodedTable& table, std::uint32_t bound) {
  std::map<std::uint32_t, std::uint64_t> rows;
  for (std::uint32_t unit : table.unit_ids()) ++rows[unit];
  std::uint64_t total = 0;
  for (const auto& [unit, n] : rows) total += std::min<std::uint64_t>(n, bound);
  return total;
}

TEST_CASE("on a sharded table a single marginal's GROUP BY runs on the shards") {
  if (Env("PRIVET_PG_MODE") != "sharded") return;  // the single server has nothing to push to
  const fs::path config_path = fs::path(PRIVET_SOURCE_DIR) / "configs/covid_testing.json";
  const Schema csv_schema = Schema::Load(config_path);
  const testing::LoadedTable loaded =
      testing::LoadCsv(csv_schema, csv_schema.csv_path(), "covid_testing_rows");
  json config = testing::DatabaseConfig(config_path, loaded);
  config.erase("privacy_unit");  // each row its own unit: nothing to bound, all pushed down
  const Schema db_schema = Schema::FromJson(config, config_path.parent_path());
  const auto database = PostgresMarginalSource::Open(db_schema);
  const std::vector<std::string> plan =
      database->ExplainCount(db_schema.ModeledColumns({"result", "age"}, "test"));
  std::string text;
  for (const std::string& line : plan) text += line + "\n";
  MESSAGE(text);
  // postgres_fdw names an aggregate it ships "Aggregate on (public.<partition>)": one per shard.
  CHECK(text.find("Relations: Aggregate on (public.covid_testing_rows_p1") != std::string::npos);
  CHECK(text.find("Relations: Aggregate on (public.covid_testing_rows_p2") != std::string::npos);
  CHECK(text.find("GROUP BY") != std::string::npos);
  const Marginal pushed = database->Count(db_schema.ModeledColumns({"result", "age"}, "test"));
  const EncodedTable table = EncodeDataset(csv_schema);
  CHECK(pushed.counts ==
        ComputeMarginal(table, db_schema.ModeledColumns({"result", "age"}, "test")).counts);
}

TEST_CASE(
    "covid_testing's unit bound keeps min(n_u, m) rows of each unit, the same in every query") {
  const fs::path config_path = fs::path(PRIVET_SOURCE_DIR) / "configs/covid_testing.json";
  const Schema csv_schema = Schema::Load(config_path);
  const testing::LoadedTable loaded =
      testing::LoadCsv(csv_schema, csv_schema.csv_path(), "covid_testing_bound");
  const Schema db_schema =
      Schema::FromJson(testing::DatabaseConfig(config_path, loaded), config_path.parent_path());
  const EncodedTable table = EncodeDataset(csv_schema);
  const std::uint32_t m = db_schema.max_rows_per_unit();
  REQUIRE(m == 3);
  REQUIRE(BoundedTotal(table, m) < table.num_rows());  // the bound does drop rows here

  const auto database = PostgresMarginalSource::Open(db_schema);
  CHECK(database->max_rows_per_unit() == 3);
  CHECK(database->NumRows() == BoundedTotal(table, m));
  const auto sets = OneAndTwoWaySets(table.num_columns());
  const std::vector<Marginal> batch = database->CountBatch(sets);
  for (std::size_t s = 0; s < sets.size(); ++s) {
    CAPTURE(s);
    CHECK(batch[s].Total() == BoundedTotal(table, m));
    // One bounded table: every marginal is a projection of every larger one that holds it.
    if (sets[s].size() == 2) {
      CHECK(ProjectMarginal(batch[s], std::vector<std::size_t>{sets[s][0]}).counts ==
            batch[1 + sets[s][0]].counts);
    }
  }
  // The same rows in separate statements (one key per source).
  CHECK(database->Count(sets[3]).counts == batch[3].counts);
}

// A table where each kept row can be seen: unit u has n_u = 1 + u % 6 rows, column "owner" holds
// the unit's id (so the 1-way marginal over it is each unit's kept rows) and "tag" a distinct
// value per row (so the 2-way marginal names which rows were kept).
struct MarkedTable {
  Schema schema;
  std::vector<std::uint64_t> rows_of_unit;
};

MarkedTable LoadMarkedTable(const std::string& table, std::uint32_t bound, std::size_t units) {
  json values = json::array();
  for (std::size_t u = 0; u < units; ++u)
    values.push_back(testing::Appended("u", std::to_string(u)));
  std::vector<std::uint64_t> rows_of_unit;
  std::string rows;
  json tags = json::array();
  std::size_t row = 0;
  for (std::size_t u = 0; u < units; ++u) {
    rows_of_unit.push_back(1 + u % 6);
    for (std::size_t k = 0; k < rows_of_unit.back(); ++k, ++row) {
      tags.push_back(testing::Appended("r", std::to_string(row)));
      // Unit ids in several spellings of one integer: trimmed and canonical, they are one unit.
      const std::string id = std::string(k % 2 ? " " : "") + (k % 3 == 1 ? "+" : "") +
                             (k % 3 == 2 ? "00" : "") + std::to_string(u);
      rows += id + "\tu" + std::to_string(u) + "\tr" + std::to_string(row) + "\n";
    }
  }
  testing::OwnerConnection owner(Env("PRIVET_PG_OWNER"));
  owner.Run("CREATE TABLE public." + table + " (pid text, owner text, tag text)");
  owner.Copy("COPY public." + table + " FROM STDIN", rows);
  const json config = {
      {"schema_version", 1},
      {"dataset", {{"id", table}}},
      {"source",
       {{"kind", "postgresql"},
        {"table", table},
        {"connection", {{"environment", "PRIVET_PG_READER"}}}}},
      {"privacy_unit", {{"column", "pid"}, {"max_rows_per_unit", bound}, {"id_type", "integer"}}},
      {"attributes",
       {{{"name", "pid"}, {"type", "ignore"}},
        {{"name", "owner"}, {"type", "categorical"}, {"values", values}, {"nullable", false}},
        {{"name", "tag"}, {"type", "categorical"}, {"values", tags}, {"nullable", false}}}}};
  return {Schema::FromJson(config, "."), rows_of_unit};
}

TEST_CASE("the unit bound keeps at most m rows per unit, a random subset drawn once per source") {
  constexpr std::uint32_t kBound = 2;
  constexpr std::size_t kUnits = 60;
  const MarkedTable marked = LoadMarkedTable("marked_units", kBound, kUnits);
  const auto first = PostgresMarginalSource::Open(marked.schema);
  const Marginal per_unit = first->Count(std::vector<std::size_t>{0});
  for (std::size_t u = 0; u < kUnits; ++u) {
    CAPTURE(u);
    CHECK(per_unit.counts[u] == std::min<std::uint64_t>(marked.rows_of_unit[u], kBound));
  }
  const Marginal kept = first->Count(std::vector<std::size_t>{0, 1});
  CHECK(*std::max_element(kept.counts.begin(), kept.counts.end()) == 1);
  // The same rows again, alone and in a batch.
  CHECK(first->Count(std::vector<std::size_t>{0, 1}).counts == kept.counts);
  CHECK(first->CountBatch({{1}, {0, 1}})[1].counts == kept.counts);
  // Another source draws another key. The 10 units of 6 rows each keep one of C(6,2) = 15
  // pairs uniformly, so a second source keeps exactly the same rows everywhere with probability
  // at most 15^-10 < 2^-39 (and the units of 3..5 rows lower it further): the failure
  // probability of this check.
  const auto second = PostgresMarginalSource::Open(marked.schema);
  CHECK(second->Count(std::vector<std::size_t>{0, 1}).counts != kept.counts);
  CHECK(second->Count(std::vector<std::size_t>{0}).counts == per_unit.counts);
}

TEST_CASE("the scoring subsample in SQL keeps each bounded row on one keyed coin") {
  const MarkedTable marked = LoadMarkedTable("marked_sample", 2, 60);  // 110 rows after the bound
  json unitless = marked.schema.ToJson();
  unitless.erase("privacy_unit");  // 210 rows, each its own unit
  for (const Schema& schema : {marked.schema, Schema::FromJson(unitless, ".")}) {
    const auto database = PostgresMarginalSource::Open(schema);
    const std::uint64_t rows = database->NumRows();
    privacy::RandomSource coins = privacy::RandomSource::Seeded(3);
    const std::unique_ptr<MarginalSource> half = database->Subsample(0.5, coins);
    const Marginal kept = half->Count(std::vector<std::size_t>{0, 1});
    const Marginal all = database->Count(std::vector<std::size_t>{0, 1});
    // A subset of the bounded rows (each tag names one row), the same in every query.
    for (std::size_t cell = 0; cell < kept.num_cells(); ++cell) {
      CHECK(kept.counts[cell] <= all.counts[cell]);
    }
    CHECK(half->CountBatch({{1}, {0, 1}})[1].counts == kept.counts);
    CHECK(half->NumRows() == kept.Total());
    // Binomial(rows, 1/2): 6 standard deviations (at most 3.1 for 210 rows) fail with
    // probability below 2e-9 per source (Hoeffding: 2 exp(-2 * 36 / 4) = 2.5e-8 bounds it too).
    const double sd = std::sqrt(static_cast<double>(rows)) / 2;
    CHECK(std::abs(static_cast<double>(kept.Total()) - static_cast<double>(rows) / 2) < 6 * sd);
    // Another key, another subsample (identical with probability 2^-rows).
    CHECK(database->Subsample(0.5, coins)->Count(std::vector<std::size_t>{0, 1}).counts !=
          kept.counts);
  }
}

TEST_CASE("a column the table lacks is refused after the catalog read, before any data is read") {
  testing::OwnerConnection owner(Env("PRIVET_PG_OWNER"));
  owner.Run("CREATE TABLE public.two_columns (a text, b text)");
  owner.Run("INSERT INTO public.two_columns VALUES ('x', '1')");
  json config = {{"schema_version", 1},
                 {"dataset", {{"id", "two"}}},
                 {"source",
                  {{"kind", "postgresql"},
                   {"table", "two_columns"},
                   {"connection", {{"environment", "PRIVET_PG_READER"}}}}},
                 {"attributes",
                  {{{"name", "a"}, {"type", "categorical"}, {"values", {"x"}}},
                   {{"name", "c"}, {"type", "integer"}, {"min", 0}, {"max", 9}}}}};
  std::vector<std::string> executed;
  CHECK_THROWS_WITH_AS(PostgresMarginalSource::Open(Schema::FromJson(config, "."), &executed),
                       doctest::Contains("column \"c\" is not in \"public\".\"two_columns\""),
                       InputError);
  REQUIRE(!executed.empty());
  for (const std::string& sql : executed) {
    CAPTURE(sql);
    CHECK(sql.find("\"two_columns\"") == std::string::npos);  // the table itself was never read
  }
  // A table that does not exist, the same way.
  config["source"]["table"] = "no_such_table";
  CHECK_THROWS_WITH_AS(PostgresMarginalSource::Open(Schema::FromJson(config, ".")),
                       doctest::Contains("does not exist"), InputError);
  // With the column present, a cell the CSV path refuses is named by column, not by value.
  config["source"]["table"] = "two_columns";
  config["source"]["columns"] = {{"c", "b"}};
  owner.Run("INSERT INTO public.two_columns VALUES ('x', 'secret-value')");
  try {
    PostgresMarginalSource::Open(Schema::FromJson(config, "."));
    FAIL("a non-number in an integer column was accepted");
  } catch (const InputError& error) {
    const std::string message = error.what();
    CHECK(message.find("column \"b\"") != std::string::npos);
    CHECK(message.find("secret-value") == std::string::npos);
  }
}

TEST_CASE("typed columns (integer, double, date, timestamp) are read by value like the CSV cells") {
  const std::string csv =
      "n,x,d,t,label\n"
      "3,0.5,2020-01-01,2020-01-01 10:00:00,a\n"
      "7,2.25,2020-02-29,2020-03-01 00:00:59,b\n"
      "-4,9.75,2019-12-31,2021-05-05 23:59:59,\n"
      ",,,,a\n"
      "12,7,2020-03-15,2020-01-31 12:30:00,c\n";
  testing::ScratchDir scratch;
  std::ofstream(scratch.path() / "typed.csv") << csv;
  const json attributes = {
      {{"name", "n"}, {"type", "integer"}, {"min", 0}, {"max", 10}, {"bins", 3}},
      {{"name", "x"}, {"type", "continuous"}, {"edges", {0, 1, 2.25, 5, 8}}},
      {{"name", "d"},
       {"type", "date"},
       {"min", "2020-01-01"},
       {"max", "2020-03-10"},
       {"granularity", "week"}},
      {{"name", "t"},
       {"type", "datetime"},
       {"min", "2020-01-01 00:00:00"},
       {"max", "2020-12-31 23:59:59"},
       {"granularity", "month"}},
      {{"name", "label"}, {"type", "categorical"}, {"values", {"a", "b"}}, {"catch_all", "b"}}};
  const json csv_config = {{"schema_version", 1},
                           {"dataset", {{"id", "typed"}, {"csv", "typed.csv"}}},
                           {"attributes", attributes}};
  const Schema csv_schema = Schema::FromJson(csv_config, scratch.path());
  const EncodedTable table = EncodeDataset(csv_schema);

  testing::OwnerConnection owner(Env("PRIVET_PG_OWNER"));
  owner.Run(
      "CREATE TABLE public.typed (n integer, x double precision, d date, t timestamp, "
      "label text)");
  owner.Run(
      "INSERT INTO public.typed VALUES (3, 0.5, '2020-01-01', '2020-01-01 10:00:00', 'a'), "
      "(7, 2.25, '2020-02-29', '2020-03-01 00:00:59', 'b'), "
      "(-4, 9.75, '2019-12-31', '2021-05-05 23:59:59', ''), (NULL, NULL, NULL, NULL, 'a'), "
      "(12, 7, '2020-03-15', '2020-01-31 12:30:00', 'c')");
  json db_config = csv_config;
  db_config["dataset"].erase("csv");
  db_config["source"] = {{"kind", "postgresql"},
                         {"table", "typed"},
                         {"connection", {{"environment", "PRIVET_PG_READER"}}}};
  const auto database = PostgresMarginalSource::Open(Schema::FromJson(db_config, "."));
  for (std::size_t a = 0; a < table.num_columns(); ++a) {
    CAPTURE(a);
    CHECK(database->Count(std::vector<std::size_t>{a}).counts ==
          ComputeMarginal(table, std::vector<std::size_t>{a}).counts);
  }
}

}  // namespace
}  // namespace privet::engine

namespace privet::engine {
namespace {

TEST_CASE("the data commitment binds the rows, not their order, and needs the secret") {
  testing::OwnerConnection owner(Env("PRIVET_PG_OWNER"));
  owner.Run("CREATE TABLE public.commit_a (pid text, x text, y double precision, d date)");
  owner.Run("CREATE TABLE public.commit_b (pid text, x text, y double precision, d date)");
  const std::string rows[] = {"('1', 'a', 0.1, '2020-01-01')", "('1', 'a', 0.1, '2020-01-01')",
                              "('2', NULL, 2.5, NULL)", "('3', 'NULL', -0.0, '1999-12-31')",
                              "('4', 'it''s, odd', 1e300, '2020-02-29')"};
  for (const auto& row : rows) owner.Run("INSERT INTO public.commit_a VALUES " + row);
  for (int i = 4; i >= 0; --i) owner.Run("INSERT INTO public.commit_b VALUES " + rows[i]);
  const auto config = [](const std::string& table) {
    return Schema::FromJson(
        {{"schema_version", 1},
         {"dataset", {{"id", "commit"}}},
         {"source",
          {{"kind", "postgresql"},
           {"table", table},
           {"connection", {{"environment", "PRIVET_PG_READER"}}}}},
         {"privacy_unit", {{"column", "pid"}, {"max_rows_per_unit", 2}}},
         {"attributes",
          {{{"name", "pid"}, {"type", "ignore"}},
           {{"name", "x"}, {"type", "categorical"}, {"values", {"a"}}},
           {{"name", "y"}, {"type", "continuous"}, {"min", 0}, {"max", 3}, {"bins", 3}},
           {{"name", "d"},
            {"type", "date"},
            {"min", "2020-01-01"},
            {"max", "2020-12-31"},
            {"granularity", "month"}}}}},
        ".");
  };
  const std::string secret(32, 's');
  const std::string a = PostgresDataCommitment(config("commit_a"), secret);
  CHECK(a.size() == 64);
  CHECK(a == PostgresDataCommitment(config("commit_a"), secret));
  // The same rows in another order, in another table of the same name in the commitment: the
  // relation is part of it, so compare commit_b with itself after making it commit_a's twin.
  owner.Run("ALTER TABLE public.commit_a RENAME TO commit_a_first");
  owner.Run("ALTER TABLE public.commit_b RENAME TO commit_a");
  CHECK(PostgresDataCommitment(config("commit_a"), secret) == a);
  CHECK(PostgresDataCommitment(config("commit_a"), std::string(32, 't')) != a);
  // Any change of a read cell, a deleted duplicate, an added row: another commitment.
  owner.Run("UPDATE public.commit_a SET y = 2.5000001 WHERE pid = '2'");
  const std::string changed = PostgresDataCommitment(config("commit_a"), secret);
  CHECK(changed != a);
  owner.Run("UPDATE public.commit_a SET y = 2.5 WHERE pid = '2'");
  CHECK(PostgresDataCommitment(config("commit_a"), secret) == a);
  owner.Run(
      "DELETE FROM public.commit_a WHERE ctid = (SELECT min(ctid) FROM public.commit_a "
      "WHERE pid = '1')");
  CHECK(PostgresDataCommitment(config("commit_a"), secret) != a);
  owner.Run("INSERT INTO public.commit_a VALUES ('1', 'a', 0.1, '2020-01-01')");
  CHECK(PostgresDataCommitment(config("commit_a"), secret) == a);
  owner.Run("UPDATE public.commit_a SET x = NULL WHERE pid = '3'");  // 'NULL' -> NULL
  CHECK(PostgresDataCommitment(config("commit_a"), secret) != a);
}

// A test ledger with `config` registered on it, and a signing key, in `dir`.
release::Deployment RegisteredDeployment(const fs::path& dir, const fs::path& config) {
  fs::create_directories(dir);
  release::Deployment deployment{dir / "ledger.db", dir / "keys" / "privet-signing.key"};
  privacy::BudgetLedger::Create(deployment.ledger, privacy::LedgerMode::kTest);
  audit::GenerateKeyPair(dir / "keys");
  release::RegistrationRequest registration;
  registration.config = config;
  registration.budget = privacy::Budget{10.0, 1e-6, std::nullopt};
  registration.officer = "officer";
  release::RegisterDataset(deployment.ledger, registration);
  return deployment;
}

std::string FileText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE(
    "marginal, correlation and synthetic-table releases from a registered PostgreSQL table "
    "equal the CSV's, and a changed table is refused") {
  const fs::path config_path = fs::path(PRIVET_SOURCE_DIR) / "configs/covid_testing.json";
  const Schema csv_schema = Schema::Load(config_path);
  const testing::LoadedTable loaded =
      testing::LoadCsv(csv_schema, csv_schema.csv_path(), "covid_testing_release");
  privet::testing::ScratchDir dir;
  // Each row its own unit: the CSV path's bound then draws nothing, so one seed gives both
  // paths the same noise (a database source bounds with its own gen_random_bytes key).
  json csv_config = json::parse(FileText(config_path));
  csv_config.erase("privacy_unit");
  csv_config["dataset"]["csv"] = csv_schema.csv_path().string();
  json db_config = testing::DatabaseConfig(config_path, loaded);
  db_config.erase("privacy_unit");
  std::ofstream(dir / "csv.json") << csv_config.dump();
  std::ofstream(dir / "db.json") << db_config.dump();
  const release::Deployment csv = RegisteredDeployment(dir / "csv", dir / "csv.json");
  const release::Deployment db = RegisteredDeployment(dir / "db", dir / "db.json");

  release::ReleaseRequest request;
  request.dataset_id = csv_schema.dataset_id();
  request.epsilon = 0.5;
  request.purpose = "parity";
  request.requester = "rita";
  request.seed = 7;
  release::QueryOptions query;
  // One query on both deployments with the same seed: the released file is the same, and not
  // trivially so.
  const auto require_same_release = [&](const auto& run, const std::string& name,
                                        const std::string& file) {
    request.out = dir / ("csv_" + name);
    run(csv, request, query, nullptr);
    request.out = dir / ("db_" + name);
    run(db, request, query, nullptr);
    CHECK(FileText(dir / ("db_" + name) / file) == FileText(dir / ("csv_" + name) / file));
    CHECK(FileText(dir / ("db_" + name) / file).size() > 100);
  };
  query.attributes = {"result", "age"};
  require_same_release(release::QueryMarginal, "out", "marginal.csv");
  // The correlation query's sums, from the joint GROUP BY: the same noisy result.
  query.attributes = {"pan_day", "age", "ct_result"};
  require_same_release(release::QueryCorrelation, "corr", "correlation.json");
  query.attributes = {"result", "age"};
  // A synthetic table, fitted from counts alone (compressed groups and pair levels as CASE maps
  // in SQL): the same model and the same rows as from the CSV. covid_testing is below the
  // scoring subsample's 200,000 rows, whose coins differ between the sources by design.
  const auto synthesize = [](const release::Deployment& deployment,
                             const release::ReleaseRequest& synthesis, const release::QueryOptions&,
                             std::nullptr_t) {
    release::Synthesize(deployment, synthesis, release::SynthesizeOptions{});
  };
  require_same_release(synthesize, "synth", "synthetic.csv");
  // The model embeds its config, whose source section differs; the rest is the same.
  json csv_model = json::parse(FileText(dir / "csv_synth" / "model.json"));
  json db_model = json::parse(FileText(dir / "db_synth" / "model.json"));
  csv_model.erase("schema");
  db_model.erase("schema");
  CHECK(db_model == csv_model);

  // One more row: the keyed commitment differs, and the next release is refused. A source
  // opened before the change still commits to the rows its snapshot counts (what RunRelease
  // checks before counting); one opened after it does not.
  const Schema db_schema = Schema::FromJson(db_config, dir.path());
  const std::string secret =
      privacy::LoadDeploymentSecret(privacy::DeploymentSecretPath(db.ledger));
  const std::string registered = PostgresDataCommitment(db_schema, secret);
  const auto before = PostgresMarginalSource::Open(db_schema);
  testing::OwnerConnection owner(Env("PRIVET_PG_OWNER"));
  owner.Run(
      "INSERT INTO public.covid_testing_release SELECT * FROM public.covid_testing_release "
      "LIMIT 1");
  CHECK_NOTHROW(before->RequireCommitment(secret, registered));
  CHECK_THROWS_AS(PostgresMarginalSource::Open(db_schema)->RequireCommitment(secret, registered),
                  IntegrityError);
  request.out = dir / "db_changed";
  CHECK_THROWS_AS(release::QueryMarginal(db, request, query, nullptr), IntegrityError);
}

}  // namespace
}  // namespace privet::engine
