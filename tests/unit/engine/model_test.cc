#include "engine/model.h"

#include <doctest/doctest.h>

#include "engine/domain_compression.h"
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
  rejects([](nlohmann::json& j) { j["network"][1]["probabilities"][0] = 0.95; });   // row sum
  rejects([](nlohmann::json& j) { j["network"][1]["probabilities"][0] = -0.1; });
  rejects([](nlohmann::json& j) { j["network"][1]["probabilities"].erase(0); });   // size
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
