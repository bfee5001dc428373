// The config's "source" section, the SQL the PostgreSQL source generates, and the in-memory
// source. No database here: tests/e2e/source_postgres_test.cc runs the SQL on real servers.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "engine/source/in_memory_marginal_source.h"
#include "engine/source/postgres_sql.h"
#include "engine/table/encoder.h"
#include "engine/table/marginals.h"
#include "engine/table/schema.h"
#include "privacy/errors.h"
#include "tests/unit/engine/generator_test_util.h"

namespace privet::engine {
namespace {

using nlohmann::json;

json DatabaseConfig() {
  return {{"schema_version", 1},
          {"dataset", {{"id", "visits"}}},
          {"source",
           {{"kind", "postgresql"},
            {"schema", "clinic"},
            {"table", "visits"},
            {"connection", {{"environment", "PRIVET_PG_VISITS"}}}}},
          {"privacy_unit", {{"column", "patient"}, {"max_rows_per_unit", 2}}},
          {"attributes",
           {{{"name", "patient"}, {"type", "ignore"}},
            {{"name", "ward"}, {"type", "categorical"}, {"values", {"a", "b'); DROP TABLE x; --"}}},
            {{"name", "age"}, {"type", "integer"}, {"min", 0}, {"max", 99}, {"bins", 10}}}}};
}

TEST_CASE("a postgresql source parses, round-trips, and needs no csv") {
  const Schema schema = Schema::FromJson(DatabaseConfig(), ".", "visits.json");
  const SourceConfig& source = schema.source_config();
  CHECK(source.kind == SourceKind::kPostgresql);
  CHECK(source.postgresql.schema == "clinic");
  CHECK(source.postgresql.table == "visits");
  CHECK(source.postgresql.connection_environment == "PRIVET_PG_VISITS");
  CHECK(schema.csv_path().empty());
  const json written = schema.ToJson();
  CHECK(!written["dataset"].contains("csv"));
  CHECK(written["source"]["table"] == "visits");
  CHECK(Schema::FromJson(written, ".").ToJson() == written);

  // The commands that read rows into memory refuse it by name rather than open "".
  CHECK_THROWS_WITH_AS(EncodeDataset(schema), doctest::Contains("PostgreSQL table"), InputError);

  json service = DatabaseConfig();
  service["source"]["connection"] = {{"service", "clinic-warehouse"}};
  service["source"]["columns"] = {{"age", "age_years"}};
  const Schema by_service = Schema::FromJson(service, ".");
  CHECK(by_service.source_config().postgresql.service == "clinic-warehouse");
  CHECK(by_service.source_config().postgresql.ColumnOf("age") == "age_years");
  CHECK(by_service.source_config().postgresql.ColumnOf("ward") == "ward");
}

TEST_CASE("the csv source stays the default and still needs dataset.csv") {
  json config = DatabaseConfig();
  config.erase("source");
  CHECK_THROWS_WITH_AS(Schema::FromJson(config, "."),
                       doctest::Contains("missing required key \"csv\""), InputError);
  config["dataset"]["csv"] = "visits.csv";
  CHECK(Schema::FromJson(config, ".").source_config().kind == SourceKind::kCsv);
  config["source"] = {{"kind", "csv"}};
  CHECK(Schema::FromJson(config, ".").source_config().kind == SourceKind::kCsv);
  json both = DatabaseConfig();
  both["dataset"]["csv"] = "visits.csv";
  CHECK_THROWS_WITH_AS(Schema::FromJson(both, "."), doctest::Contains("exclude each other"),
                       InputError);
}

TEST_CASE("a SQL metacharacter in any identifier is refused when the config is parsed") {
  const std::vector<std::string> bad = {
      "visits; DROP TABLE visits", "visits\"", "vis its",  "visits--", "1visits", "",
      std::string(64, 'v'),        "visits'",  "v\xc3\xa9"};
  for (const std::string& name : bad) {
    CAPTURE(name);
    json table = DatabaseConfig();
    table["source"]["table"] = name;
    CHECK_THROWS_WITH_AS(Schema::FromJson(table, "."), doctest::Contains("plain SQL identifier"),
                         InputError);
    json schema = DatabaseConfig();
    schema["source"]["schema"] = name;
    CHECK_THROWS_WITH_AS(Schema::FromJson(schema, "."), doctest::Contains("plain SQL identifier"),
                         InputError);
    json column = DatabaseConfig();
    column["source"]["columns"] = {{"age", name}};
    CHECK_THROWS_WITH_AS(Schema::FromJson(column, "."), doctest::Contains("plain SQL identifier"),
                         InputError);
  }
  // An attribute whose name is no identifier needs a column of its own...
  json attribute = DatabaseConfig();
  attribute["attributes"][2]["name"] = "age\"; --";
  CHECK_THROWS_WITH_AS(Schema::FromJson(attribute, "."),
                       doctest::Contains("name its column in \"columns\""), InputError);
  attribute["source"]["columns"] = {{"age\"; --", "age"}};
  CHECK_NOTHROW(Schema::FromJson(attribute, "."));
  // ... and the unit column too. An ignored attribute is never read, so its name is free.
  json unit = DatabaseConfig();
  unit["attributes"][0]["name"] = "patient id";
  unit["privacy_unit"]["column"] = "patient id";
  CHECK_THROWS_AS(Schema::FromJson(unit, "."), InputError);
  json ignored = DatabaseConfig();
  ignored["attributes"].push_back({{"name", "free text; anything"}, {"type", "ignore"}});
  CHECK_NOTHROW(Schema::FromJson(ignored, "."));
}

TEST_CASE("unknown columns, kinds, keys and connection strings in the config are refused") {
  json mapping = DatabaseConfig();
  mapping["source"]["columns"] = {{"weight", "weight_kg"}};
  CHECK_THROWS_WITH_AS(Schema::FromJson(mapping, "."),
                       doctest::Contains("is not one of the attributes"), InputError);
  json twice = DatabaseConfig();
  twice["source"]["columns"] = {{"age", "ward"}};
  CHECK_THROWS_WITH_AS(Schema::FromJson(twice, "."), doctest::Contains("read for two attributes"),
                       InputError);
  json kind = DatabaseConfig();
  kind["source"]["kind"] = "mysql";
  CHECK_THROWS_AS(Schema::FromJson(kind, "."), InputError);
  json key = DatabaseConfig();
  key["source"]["tabel"] = "visits";
  CHECK_THROWS_WITH_AS(Schema::FromJson(key, "."), doctest::Contains("unknown key \"tabel\""),
                       InputError);
  // A connection string or password never goes in the config.
  json conninfo = DatabaseConfig();
  conninfo["source"]["connection"] = {{"conninfo", "host=db password=hunter2"}};
  CHECK_THROWS_WITH_AS(Schema::FromJson(conninfo, "."),
                       doctest::Contains("never goes in the config"), InputError);
  json in_variable = DatabaseConfig();
  in_variable["source"]["connection"] = {{"environment", "host=db password=hunter2"}};
  CHECK_THROWS_WITH_AS(Schema::FromJson(in_variable, "."),
                       doctest::Contains("NAME of an environment"), InputError);
  json both = DatabaseConfig();
  both["source"]["connection"] = {{"environment", "A"}, {"service", "b"}};
  CHECK_THROWS_WITH_AS(Schema::FromJson(both, "."), doctest::Contains("exactly one"), InputError);
}

TEST_CASE("the generated SQL quotes identifiers and carries every config value as a parameter") {
  const Schema schema = Schema::FromJson(DatabaseConfig(), ".");
  const PostgresSql sql(schema,
                        {{"patient", PgColumnClass::kText},
                         {"ward", PgColumnClass::kText},
                         {"age", PgColumnClass::kNumber}},
                        "crypto");
  CHECK(sql.Relation() == "\"clinic\".\"visits\"");
  CHECK(QuoteIdentifier("a\"b") == "\"a\"\"b\"");
  const SqlStatement counts = sql.Counts({{1}, {0, 1}}, std::string(64, 'a'));
  CHECK(counts.text.find("DROP") == std::string::npos);
  CHECK(counts.text.find("GROUPING SETS ((c1), (c0, c1))") != std::string::npos);
  CHECK(counts.text.find("\"crypto\".hmac(") != std::string::npos);
  CHECK(counts.text.find("\"clinic\".\"visits\"") != std::string::npos);
  bool value_is_a_parameter = false;
  for (const std::string& param : counts.params) {
    if (param.find("DROP TABLE x") != std::string::npos) value_is_a_parameter = true;
  }
  CHECK(value_is_a_parameter);
  // Every $n of the text has its parameter and each parameter is used (an unused one has no
  // type and PostgreSQL would refuse the statement).
  const auto placeholder = [](std::size_t n) {
    std::string text = "$";  // appended, not "$" + ...: GCC 12's false -Wrestrict
    text += std::to_string(n);
    return text;
  };
  for (std::size_t n = 1; n <= counts.params.size(); ++n) {
    CHECK(counts.text.find(placeholder(n) + "::") != std::string::npos);
  }
  CHECK(counts.text.find(placeholder(counts.params.size() + 1)) == std::string::npos);
  // One set: a plain GROUP BY, which partition-wise aggregation can push to the shards.
  const SqlStatement single = sql.Counts({{0}}, std::string(64, 'a'));
  CHECK(single.text.find("GROUPING SETS") == std::string::npos);
  CHECK(single.text.find("GROUP BY c0") != std::string::npos);

  // A view: the code map as a CASE of literal integers after the bound, the subsample's HMAC
  // key and threshold as bytea parameters (the key's bytes never in the text).
  CountView view;
  view.code_maps[1] = std::vector<std::uint32_t>(13, 0);
  view.code_maps[1][12] = 1;
  view.sample_key_hex = std::string(64, 'b');
  view.sample_threshold_hex = "4000000000000000";
  const SqlStatement viewed = sql.Counts({{0, 1}}, std::string(64, 'a'), view);
  CHECK(viewed.text.find("CASE c1 WHEN 0 THEN 0") != std::string::npos);
  CHECK(viewed.text.find("WHEN 12 THEN 1 END AS c1") != std::string::npos);
  CHECK(viewed.text.find("substr(sha256(") != std::string::npos);
  CHECK(viewed.text.find("bbbb") == std::string::npos);
  CHECK(viewed.text.find("u || ':' || occ::text") != std::string::npos);
  // ipad: 0xbb ^ 0x36 = 0x8d for each of the key's 32 bytes, then 0x36 for the zero padding.
  std::string ipad = "\\x";
  for (int i = 0; i < 32; ++i) ipad += "8d";
  for (int i = 0; i < 32; ++i) ipad += "36";
  CHECK(std::find(viewed.params.begin(), viewed.params.end(), ipad) != viewed.params.end());
  for (std::size_t n = 1; n <= viewed.params.size(); ++n) {
    CHECK(viewed.text.find(placeholder(n) + "::") != std::string::npos);
  }
}

TEST_CASE("a column whose type cannot hold its attribute is refused by name") {
  const Schema schema = Schema::FromJson(DatabaseConfig(), ".");
  CHECK_THROWS_WITH_AS(PostgresSql(schema,
                                   {{"patient", PgColumnClass::kText},
                                    {"ward", PgColumnClass::kText},
                                    {"age", PgColumnClass::kDate}},
                                   "crypto"),
                       doctest::Contains("attribute \"age\""), InputError);
  CHECK_THROWS_WITH_AS(
      PostgresSql(schema, {{"patient", PgColumnClass::kText}, {"ward", PgColumnClass::kText}}, "c"),
      doctest::Contains("column \"age\" is not in"), InputError);
  CHECK(ClassifyPgType("character varying(20)") == PgColumnClass::kText);
  CHECK(ClassifyPgType("numeric(10,2)") == PgColumnClass::kNumber);
  CHECK(ClassifyPgType("timestamp without time zone") == PgColumnClass::kTimestamp);
  CHECK(ClassifyPgType("timestamp with time zone") == PgColumnClass::kOther);
  CHECK(ClassifyPgType("jsonb") == PgColumnClass::kOther);
}

TEST_CASE("the in-memory source counts as ComputeMarginal, after one unit bound") {
  std::vector<std::vector<std::uint32_t>> rows;
  std::vector<std::uint32_t> units;
  for (std::uint32_t r = 0; r < 200; ++r) {
    rows.push_back({r % 3, (r / 3) % 4});
    units.push_back(r % 40);  // 40 units of 5 rows
  }
  EncodedTable table = testing::TableFromRows(rows, {3, 4});
  table.set_unit_ids(units);
  privacy::RandomSource random = privacy::RandomSource::Seeded(7);
  InMemoryMarginalSource source = InMemoryMarginalSource::Bound(table, 2, random);
  CHECK(source.max_rows_per_unit() == 2);
  CHECK(source.NumRows() == 80);
  CHECK(source.domain_sizes() == std::vector<std::uint32_t>{3, 4});
  const std::vector<std::vector<std::size_t>> sets = {{}, {0}, {1, 0}, {0, 1}};
  const std::vector<Marginal> batch = source.CountBatch(sets);
  for (std::size_t s = 0; s < sets.size(); ++s) {
    CHECK(batch[s].counts == ComputeMarginal(source.table(), sets[s]).counts);
    CHECK(batch[s].Total() == 80);
  }
  std::map<std::uint32_t, int> kept;
  for (std::uint32_t unit : source.table().unit_ids()) ++kept[unit];
  for (const auto& [unit, count] : kept) CHECK(count == 2);
  CHECK_THROWS_AS(source.Count(std::vector<std::size_t>{0, 0}), InputError);
  CHECK_THROWS_AS(source.Count(std::vector<std::size_t>{2}), InputError);
  CHECK_THROWS_AS(source.CountBatch({{0}, {5}}), InputError);

  // A view counts the mapped codes of the same rows; a subsample keeps each row on one coin.
  const std::vector<std::size_t> both{1, 0};
  const std::unique_ptr<MarginalSource> view = source.View(both, {{{0, 0, 1, 1}, 2}, {{1, 0, 1}, 2}});
  CHECK(view->domain_sizes() == std::vector<std::uint32_t>{2, 2});
  const Marginal original = source.Count(both);
  const Marginal mapped = view->Count(std::vector<std::size_t>{0, 1});
  std::vector<std::uint64_t> expected(4, 0);
  for (std::size_t cell = 0; cell < original.num_cells(); ++cell) {
    const auto codes = original.CellCodes(cell);
    const std::uint32_t first = codes[0] / 2, second = codes[1] == 1 ? 0 : 1;
    expected[first * 2 + second] += original.counts[cell];
  }
  CHECK(mapped.counts == expected);
  CHECK_THROWS_AS(source.View(both, {{{0, 0, 1}, 2}, {{1, 0, 1}, 2}}), InputError);  // short map
  CHECK_THROWS_AS(source.View(both, {{{0, 0, 1, 2}, 2}, {{1, 0, 1}, 2}}), InputError);  // code 2
  privacy::RandomSource coins = privacy::RandomSource::Seeded(11);
  const std::unique_ptr<MarginalSource> half = source.Subsample(0.5, coins);
  privacy::RandomSource again = privacy::RandomSource::Seeded(11);
  std::vector<std::size_t> sampled;
  for (std::size_t r = 0; r < source.table().num_rows(); ++r) {
    if ((again() >> 11) < (std::uint64_t{1} << 52)) sampled.push_back(r);
  }
  CHECK(half->Count(both).counts ==
        ComputeMarginal(source.table().SelectRows(sampled), both).counts);
  CHECK_THROWS_AS(source.Subsample(0, coins), InputError);
}

}  // namespace
}  // namespace privet::engine
