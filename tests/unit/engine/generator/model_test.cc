#include "engine/generator/model.h"

#include <doctest/doctest.h>

#include "engine/generator/domain_compression.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

BayesNetModel SmallModel() {
  std::vector<AttributeDomain> attributes{{"a", 3, false, std::nullopt},
                                          {"b", 4, true, std::uint32_t{3}}};
  AttributeCompression b;
  b.num_groups = 2;
  b.group_of_code = {0, 0, 1, 1};
  b.code_weight = {0.25, 0.75, 0.5, 0.5};
  std::vector<AttributeCompression> compression{IdentityCompression(3), b};
  std::vector<ConditionalTable> network{{0, {}, {0.5, 0.3, 0.2}},
                                        {1, {0}, {0.9, 0.1, 0.5, 0.5, 0.2, 0.8}}};
  return BayesNetModel(attributes, nullptr, compression, network, 1234.5, {{"note", "test"}});
}

TEST_CASE("Model JSON round-trips") {
  const BayesNetModel model = SmallModel();
  const nlohmann::json json = model.ToJson();
  const BayesNetModel back = BayesNetModel::FromJson(json);
  CHECK(back.ToJson() == json);
  CHECK(back.noisy_rows() == 1234.5);
  CHECK(back.network()[1].parents == std::vector<std::size_t>{0});
}

TEST_CASE("A tampered or invalid model is an InputError") {
  const nlohmann::json good = SmallModel().ToJson();
  auto rejects = [&](auto mutate) {
    nlohmann::json bad = good;
    mutate(bad);
    CHECK_THROWS_AS(BayesNetModel::FromJson(bad, "m.json"), InputError);
  };
  rejects([](nlohmann::json& j) { j["format"] = "other"; });
  rejects([](nlohmann::json& j) { j["format_version"] = 2; });
  rejects([](nlohmann::json& j) { j["network"][1]["probabilities"][0] = 0.95; });  // row sum
  rejects([](nlohmann::json& j) { j["network"][1]["probabilities"][0] = -0.1; });
  rejects([](nlohmann::json& j) { j["network"][1]["probabilities"].erase(0); });  // size
  rejects([](nlohmann::json& j) { j["network"][1]["parents"] = {"zzz"}; });
  rejects([](nlohmann::json& j) { std::swap(j["network"][0], j["network"][1]); });  // order
  rejects([](nlohmann::json& j) { j["network"].erase(1); });
  rejects([](nlohmann::json& j) { j["attributes"][1]["group_of_code"][0] = 7; });
  rejects([](nlohmann::json& j) { j["attributes"][1]["code_weight"][0] = 0.5; });
  rejects([](nlohmann::json& j) { j["attributes"][1]["domain_size"] = "4"; });
  rejects([](nlohmann::json& j) { j["noisy_rows"] = -1; });
  rejects([](nlohmann::json& j) { j.erase("plan"); });
  rejects([](nlohmann::json& j) { j = nlohmann::json::array(); });
}

BayesNetModel SmallModelWithPair() {
  const BayesNetModel base = SmallModel();
  std::vector<AttributeCompression> compression = base.compression();
  compression[0].pair_level_of_group = {0, 1, 1};  // 3 groups -> 2 levels
  compression[0].num_pair_levels = 2;
  compression[1].pair_level_of_group = {0, 1};
  compression[1].num_pair_levels = 2;
  return BayesNetModel(base.attributes(), nullptr, compression, base.network(), 1234.5,
                       {{"note", "test"}}, {{0, 1, {0.4, 0.1, 0.2, 0.3}, 0.01}});
}

TEST_CASE("Model JSON round-trips its pair marginals and rejects bad ones") {
  const nlohmann::json json = SmallModelWithPair().ToJson();
  const BayesNetModel back = BayesNetModel::FromJson(json);
  CHECK(back.ToJson() == json);
  REQUIRE(back.pair_marginals().size() == 1);
  CHECK(back.pair_marginals()[0].noise_l1 == 0.01);
  CHECK(back.compression()[0].num_pair_levels == 2);
  auto rejects = [&](auto mutate) {
    nlohmann::json bad = json;
    mutate(bad);
    CHECK_THROWS_AS(BayesNetModel::FromJson(bad, "m.json"), InputError);
  };
  rejects([](nlohmann::json& j) { j["pair_marginals"][0]["probabilities"][0] = 0.5; });  // sum
  rejects([](nlohmann::json& j) { j["pair_marginals"][0]["probabilities"].erase(0); });  // size
  rejects([](nlohmann::json& j) { j["pair_marginals"][0]["attributes"] = {"a", "a"}; });
  rejects([](nlohmann::json& j) { j["pair_marginals"][0]["attributes"] = {"b", "a"}; });
  rejects([](nlohmann::json& j) { j["pair_marginals"][0]["noise_l1"] = -1; });
  rejects([](nlohmann::json& j) { j["attributes"][0].erase("pair_level_of_group"); });
  rejects([](nlohmann::json& j) { j["attributes"][0]["pair_level_of_group"] = {0, 2, 2}; });
}

TEST_CASE("Pair levels: identity when small, equal-mass runs when ordered, top groups else") {
  AttributeCompression small = IdentityCompression(3);
  AddPairLevels({"s", 3, false, std::nullopt}, std::vector<double>{5, 5, 5}, 4, small);
  CHECK(small.pair_level_of_group == std::vector<std::uint32_t>{0, 1, 2});
  CHECK(small.num_pair_levels == 3);
  // Ordered, 8 groups of equal mass, 4 levels: adjacent pairs.
  AttributeCompression ordered = IdentityCompression(8);
  AddPairLevels({"o", 8, true, std::nullopt}, std::vector<double>(8, 10.0), 4, ordered);
  CHECK(ordered.pair_level_of_group == std::vector<std::uint32_t>{0, 0, 1, 1, 2, 2, 3, 3});
  // Ordered with the missing code alone in the last group: it keeps a level of its own.
  AttributeCompression with_missing = IdentityCompression(6);
  AddPairLevels({"m", 6, true, std::uint32_t{5}}, std::vector<double>(6, 10.0), 3, with_missing);
  CHECK(with_missing.pair_level_of_group == std::vector<std::uint32_t>{0, 0, 1, 1, 1, 2});
  // Categorical: the 2 largest groups keep a level, the rest share the third.
  AttributeCompression categorical = IdentityCompression(5);
  AddPairLevels({"c", 5, false, std::nullopt}, std::vector<double>{1, 50, 2, 40, 3}, 3,
                categorical);
  CHECK(categorical.pair_level_of_group == std::vector<std::uint32_t>{2, 0, 2, 1, 2});
  CHECK(categorical.num_pair_levels == 3);
}

TEST_CASE("Domain compression: rare categories merge, ordered codes form runs") {
  AttributeDomain categorical{"c", 5, false, std::nullopt};
  const std::vector<double> counts{1000, 2, -3, 500, 1};
  const AttributeCompression c = CompressDomain(categorical, counts, 1.0, 10);
  CHECK(c.num_groups == 3);  // codes 0 and 3 alone, {1, 2, 4} rare
  CHECK(c.group_of_code[1] == c.group_of_code[2]);
  CHECK(c.group_of_code[1] == c.group_of_code[4]);
  CHECK(c.group_of_code[0] != c.group_of_code[3]);
  CHECK(c.code_weight[2] == 0.0);  // negative noisy count: never drawn
  AttributeDomain ordered{"o", 8, true, std::uint32_t{7}};
  const std::vector<double> flat{100, 100, 100, 100, 100, 100, 100, 0};
  const AttributeCompression o = CompressDomain(ordered, flat, 1.0, 4);
  CHECK(o.num_groups <= 4);
  for (std::uint32_t code = 1; code < 7; ++code) {
    CHECK(o.group_of_code[code] >= o.group_of_code[code - 1]);  // runs of adjacent codes
  }
  double total = 0;
  for (std::uint32_t code = 0; code < 8; ++code) {
    if (o.group_of_code[code] == 0) total += o.code_weight[code];
  }
  CHECK(total == doctest::Approx(1.0));
}

}  // namespace
}  // namespace privet::engine
