#include "engine/generator/model.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "privacy/bounded_json.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

using nlohmann::json;

[[noreturn]] void Fail(const std::string& source, const std::string& what) {
  throw InputError(source + ": " + what);
}

std::uint64_t ParentRows(const std::vector<AttributeCompression>& compression,
                         const std::vector<std::size_t>& parents) {
  std::uint64_t rows = 1;
  for (std::size_t p : parents) rows *= compression[p].num_groups;
  return rows;
}

}  // namespace

BayesNetModel::BayesNetModel(std::vector<AttributeDomain> attributes, json schema_config,
                             std::vector<AttributeCompression> compression,
                             std::vector<ConditionalTable> network, double noisy_rows, json plan,
                             std::vector<PairMarginal> pair_marginals, TableRules rules)
    : attributes_(std::move(attributes)),
      schema_config_(std::move(schema_config)),
      compression_(std::move(compression)),
      network_(std::move(network)),
      pair_marginals_(std::move(pair_marginals)),
      rules_(std::move(rules)),
      noisy_rows_(noisy_rows),
      plan_(std::move(plan)) {}

Schema BayesNetModel::LoadSchema() const {
  if (schema_config_.is_null()) throw InputError("model: no embedded schema");
  return Schema::FromJson(schema_config_, std::filesystem::current_path(), "model schema");
}

void BayesNetModel::Validate(const std::string& source) const {
  const std::size_t k = attributes_.size();
  if (k == 0) Fail(source, "attributes: the model has no attribute");
  if (compression_.size() != k) Fail(source, "compression: one entry per attribute expected");
  if (!rules_.empty() && rules_.num_columns() != k) {
    Fail(source, "rules: one domain per attribute expected");
  }
  std::size_t derived = 0;
  for (std::size_t a = 0; a < k; ++a) derived += rules_.IsDerived(a) ? 1 : 0;
  if (network_.size() != k - derived) {
    Fail(source, "network: one table per attribute that is not derived expected");
  }
  if (!std::isfinite(noisy_rows_) || noisy_rows_ < 0) Fail(source, "noisy_rows must be >= 0");
  for (std::size_t a = 0; a < k; ++a) {
    const AttributeDomain& attribute = attributes_[a];
    const AttributeCompression& c = compression_[a];
    const std::string where = "attributes[" + std::to_string(a) + "] \"" + attribute.name + "\"";
    if (attribute.domain_size == 0) Fail(source, where + ": domain_size must be >= 1");
    if (attribute.missing_code && *attribute.missing_code >= attribute.domain_size) {
      Fail(source, where + ": missing_code outside the domain");
    }
    if (c.group_of_code.size() != attribute.domain_size ||
        c.code_weight.size() != attribute.domain_size) {
      Fail(source, where + ": groups and weights need one entry per code");
    }
    if (c.num_groups == 0 || c.num_groups > attribute.domain_size) {
      Fail(source, where + ": num_groups must be in [1, domain_size]");
    }
    std::vector<double> group_mass(c.num_groups, 0.0);
    std::vector<bool> group_used(c.num_groups, false);
    for (std::size_t code = 0; code < attribute.domain_size; ++code) {
      if (c.group_of_code[code] >= c.num_groups) Fail(source, where + ": group out of range");
      const double w = c.code_weight[code];
      if (!std::isfinite(w) || w < 0) Fail(source, where + ": code weights must be finite, >= 0");
      group_mass[c.group_of_code[code]] += w;
      group_used[c.group_of_code[code]] = true;
    }
    // A public cut (schema.h "cut_points"): no group holds value codes on both sides of it.
    std::uint32_t previous_cut = 0;
    for (std::uint32_t cut : attribute.cut_codes) {
      if (!attribute.ordered || cut <= previous_cut || cut >= attribute.domain_size) {
        Fail(source, where + ": cut_codes must be increasing codes of an ordered attribute");
      }
      previous_cut = cut;
      std::vector<bool> below(c.num_groups, false);
      for (std::uint32_t code = 0; code < cut; ++code) below[c.group_of_code[code]] = true;
      for (std::uint32_t code = cut; code < attribute.domain_size; ++code) {
        if (below[c.group_of_code[code]] && code != attribute.missing_code) {
          Fail(source, where + ": a group straddles the cut at code " + std::to_string(cut));
        }
      }
    }
    for (std::uint32_t g = 0; g < c.num_groups; ++g) {
      if (!group_used[g]) Fail(source, where + ": group " + std::to_string(g) + " has no code");
      if (std::abs(group_mass[g] - 1.0) > 1e-6) {
        Fail(source, where + ": code weights of group " + std::to_string(g) + " must sum to 1");
      }
    }
  }
  ValidatePairs(source);
  std::vector<bool> placed(k, false);
  for (std::size_t i = 0; i < network_.size(); ++i) {
    const ConditionalTable& table = network_[i];
    const std::string where = "network[" + std::to_string(i) + "]";
    if (table.attribute >= k || placed[table.attribute] || rules_.IsDerived(table.attribute)) {
      Fail(source, where + ": attribute missing, out of range, derived or listed twice");
    }
    for (std::size_t p : table.parents) {
      if (p >= k || !placed[p]) Fail(source, where + ": every parent must come earlier");
    }
    for (std::size_t x = 0; x < table.parents.size(); ++x) {
      for (std::size_t y = 0; y < x; ++y) {
        if (table.parents[x] == table.parents[y]) Fail(source, where + ": repeated parent");
      }
    }
    placed[table.attribute] = true;
    const std::uint64_t rows = ParentRows(compression_, table.parents);
    const std::uint64_t columns = compression_[table.attribute].num_groups;
    if (rows > (std::uint64_t{1} << 31) / columns || table.probabilities.size() != rows * columns) {
      Fail(source, where + ": probabilities must have parent configurations x groups entries");
    }
    for (std::uint64_t r = 0; r < rows; ++r) {
      double sum = 0;
      for (std::uint64_t g = 0; g < columns; ++g) {
        const double p = table.probabilities[r * columns + g];
        if (!std::isfinite(p) || p < 0) Fail(source, where + ": probabilities must be >= 0");
        sum += p;
      }
      if (std::abs(sum - 1.0) > 1e-6) {
        Fail(source, where + ": row " + std::to_string(r) + " does not sum to 1");
      }
    }
  }
}

void BayesNetModel::ValidatePairs(const std::string& source) const {
  const std::size_t k = attributes_.size();
  for (std::size_t a = 0; a < k; ++a) {
    const AttributeCompression& c = compression_[a];
    const std::string where = "attributes[" + std::to_string(a) + "].pair_level_of_group";
    if (c.pair_level_of_group.empty()) {
      if (!pair_marginals_.empty()) Fail(source, where + " is required with pair_marginals");
      continue;
    }
    if (c.pair_level_of_group.size() != c.num_groups) {
      Fail(source, where + " needs one entry per group");
    }
    std::vector<bool> used(c.num_groups, false);
    std::uint32_t levels = 0;
    for (std::uint32_t level : c.pair_level_of_group) {
      if (level >= c.num_groups) Fail(source, where + ": level out of range");
      used[level] = true;
      levels = std::max(levels, level + 1);
    }
    if (std::find(used.begin(), used.begin() + levels, false) != used.begin() + levels ||
        levels != c.num_pair_levels) {
      Fail(source, where + ": every level below the largest must be used");
    }
  }
  for (std::size_t i = 0; i < pair_marginals_.size(); ++i) {
    const PairMarginal& pair = pair_marginals_[i];
    const std::string where = "pair_marginals[" + std::to_string(i) + "]";
    if (pair.first >= pair.second || pair.second >= k) {
      Fail(source, where + ": two different attributes expected");
    }
    const std::size_t cells = std::size_t{compression_[pair.first].num_pair_levels} *
                              compression_[pair.second].num_pair_levels;
    if (pair.probabilities.size() != cells) {
      Fail(source, where + ": probabilities must have levels x levels entries");
    }
    double sum = 0;
    for (double p : pair.probabilities) {
      if (!std::isfinite(p) || p < 0) Fail(source, where + ": probabilities must be >= 0");
      sum += p;
    }
    if (std::abs(sum - 1.0) > 1e-6) Fail(source, where + ": probabilities must sum to 1");
    if (!std::isfinite(pair.noise_l1) || pair.noise_l1 < 0) {
      Fail(source, where + ": noise_l1 must be finite and >= 0");
    }
  }
}

json BayesNetModel::ToJson() const {
  json out;
  out["format"] = kFormat;
  out["format_version"] = kFormatVersion;
  out["schema"] = schema_config_;
  out["noisy_rows"] = noisy_rows_;
  out["plan"] = plan_;
  out["attributes"] = json::array();
  for (std::size_t a = 0; a < attributes_.size(); ++a) {
    const AttributeDomain& attribute = attributes_[a];
    json entry = {{"name", attribute.name},
                  {"domain_size", attribute.domain_size},
                  {"ordered", attribute.ordered},
                  {"num_groups", compression_[a].num_groups},
                  {"group_of_code", compression_[a].group_of_code},
                  {"code_weight", compression_[a].code_weight}};
    entry["missing_code"] = attribute.missing_code ? json(*attribute.missing_code) : json(nullptr);
    if (!attribute.cut_codes.empty()) entry["cut_codes"] = attribute.cut_codes;
    if (!compression_[a].pair_level_of_group.empty()) {
      entry["pair_level_of_group"] = compression_[a].pair_level_of_group;
    }
    out["attributes"].push_back(std::move(entry));
  }
  out["network"] = json::array();
  for (const ConditionalTable& table : network_) {
    json parents = json::array();
    for (std::size_t p : table.parents) parents.push_back(attributes_[p].name);
    out["network"].push_back({{"attribute", attributes_[table.attribute].name},
                              {"parents", parents},
                              {"probabilities", table.probabilities}});
  }
  if (!rules_.empty()) out["rules"] = rules_.ToJson();
  if (!pair_marginals_.empty()) {
    out["pair_marginals"] = json::array();
    for (const PairMarginal& pair : pair_marginals_) {
      out["pair_marginals"].push_back(
          {{"attributes", {attributes_[pair.first].name, attributes_[pair.second].name}},
           {"probabilities", pair.probabilities},
           {"noise_l1", pair.noise_l1}});
    }
  }
  return out;
}

BayesNetModel BayesNetModel::FromText(std::string_view text, const std::string& source) {
  return FromJson(ParseBoundedJson(text, source), source);
}

BayesNetModel BayesNetModel::FromJson(const json& in, const std::string& source) {
  BayesNetModel model;
  try {
    if (!in.is_object()) Fail(source, "a model file must hold a JSON object");
    if (in.at("format").get<std::string>() != kFormat) {
      Fail(source, "format must be \"" + std::string(kFormat) + "\"");
    }
    if (in.at("format_version").get<int>() != kFormatVersion) {
      Fail(source, "format_version " + in.at("format_version").dump() + " is not supported (" +
                       std::to_string(kFormatVersion) + " expected)");
    }
    model.schema_config_ = in.at("schema");
    model.noisy_rows_ = in.at("noisy_rows").get<double>();
    model.plan_ = in.at("plan");
    std::map<std::string, std::size_t> index_of;
    for (const json& entry : in.at("attributes")) {
      AttributeDomain attribute;
      attribute.name = entry.at("name").get<std::string>();
      attribute.domain_size = entry.at("domain_size").get<std::uint32_t>();
      attribute.ordered = entry.at("ordered").get<bool>();
      if (!entry.at("missing_code").is_null()) {
        attribute.missing_code = entry.at("missing_code").get<std::uint32_t>();
      }
      if (entry.contains("cut_codes")) {
        attribute.cut_codes = entry.at("cut_codes").get<std::vector<std::uint32_t>>();
      }
      AttributeCompression compression;
      compression.num_groups = entry.at("num_groups").get<std::uint32_t>();
      compression.group_of_code = entry.at("group_of_code").get<std::vector<std::uint32_t>>();
      compression.code_weight = entry.at("code_weight").get<std::vector<double>>();
      if (entry.contains("pair_level_of_group")) {
        compression.pair_level_of_group =
            entry.at("pair_level_of_group").get<std::vector<std::uint32_t>>();
        for (std::uint32_t level : compression.pair_level_of_group) {
          compression.num_pair_levels = std::max(compression.num_pair_levels, level + 1);
        }
      }
      if (!index_of.emplace(attribute.name, model.attributes_.size()).second) {
        Fail(source, "attributes: \"" + attribute.name + "\" listed twice");
      }
      model.attributes_.push_back(std::move(attribute));
      model.compression_.push_back(std::move(compression));
    }
    auto lookup = [&](const json& name) {
      auto it = index_of.find(name.get<std::string>());
      if (it == index_of.end()) Fail(source, "network: unknown attribute " + name.dump());
      return it->second;
    };
    for (const json& entry : in.at("network")) {
      ConditionalTable table;
      table.attribute = lookup(entry.at("attribute"));
      for (const json& parent : entry.at("parents")) table.parents.push_back(lookup(parent));
      table.probabilities = entry.at("probabilities").get<std::vector<double>>();
      model.network_.push_back(std::move(table));
    }
    if (in.contains("rules")) {
      std::vector<std::uint32_t> sizes;
      for (const AttributeDomain& a : model.attributes_) sizes.push_back(a.domain_size);
      model.rules_ = TableRules::FromJson(in.at("rules"), sizes, source);
    }
    if (in.contains("pair_marginals")) {
      for (const json& entry : in.at("pair_marginals")) {
        const json& names = entry.at("attributes");
        if (!names.is_array() || names.size() != 2) {
          Fail(source, "pair_marginals: \"attributes\" must name two attributes");
        }
        PairMarginal pair;
        pair.first = lookup(names.at(0));
        pair.second = lookup(names.at(1));
        pair.probabilities = entry.at("probabilities").get<std::vector<double>>();
        pair.noise_l1 = entry.at("noise_l1").get<double>();
        model.pair_marginals_.push_back(std::move(pair));
      }
    }
  } catch (const json::exception& error) {
    Fail(source, std::string("malformed model: ") + error.what());
  }
  model.Validate(source);
  if (!model.schema_config_.is_null()) {
    const Schema schema = model.LoadSchema();
    if (DomainsOf(schema) != model.attributes_) {
      Fail(source, "the embedded schema's modeled attributes differ from the model's attributes");
    }
    if (TableRules::Compile(schema).ToJson() != model.rules_.ToJson()) {
      Fail(source, "the model's rules differ from the embedded schema's derived/constraints");
    }
  }
  return model;
}

}  // namespace privet::engine
