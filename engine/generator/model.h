// The released generative model: a Bayesian network over compressed attribute domains with
// noisy conditional distributions, and its JSON file (model.json).
//
// Everything in it is public or post-processing of the planned noisy measurements
// (engine/generator/privbayes.h): the schema (public config), the domain compression (from the
// noisy 1-way marginals), the network (chosen by the exponential mechanism), the conditionals (from
// the noisy family marginals) and the noisy row count. Sampling from it
// (engine/generator/sampler.h) therefore costs no privacy (post-processing, Dwork & Roth 2014,
// Prop. 2.1).
//
// Pair marginals (optional): noisy distributions of attribute pairs over coarse "pair levels"
// of their groups, which the sampler's rows are calibrated to
// (engine/generator/pair_calibration.h).
//
// Model of a row: each attribute a has groups g_a = group_of_code[a][code]; the network gives
// P(g_a | g_parents(a)) in network order; within a group the code is drawn from
// code_weight[a] (the noisy 1-way marginal, clipped, normalised within the group).
#ifndef PRIVET_ENGINE_GENERATOR_MODEL_H_
#define PRIVET_ENGINE_GENERATOR_MODEL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/table/attribute_domain.h"
#include "engine/table/rules.h"
#include "engine/table/schema.h"

namespace privet::engine {

// How one attribute's codes are merged into groups, and how to draw a code back from a group.
struct AttributeCompression {
  std::vector<std::uint32_t> group_of_code;  // size domain_size, values in [0, num_groups)
  std::uint32_t num_groups = 1;
  // P(code | its group), size domain_size; sums to 1 over the codes of each group.
  std::vector<double> code_weight;
  // Coarse levels of the pair marginals (engine/generator/pair_calibration.h): group -> level, size
  // num_groups, every level in [0, num_pair_levels) used. Empty when the model has none.
  std::vector<std::uint32_t> pair_level_of_group;
  std::uint32_t num_pair_levels = 0;
};

// A noisy pair marginal, post-processed to a distribution over the two attributes' pair
// levels: probabilities[level_first * levels_second + level_second], summing to 1.
struct PairMarginal {
  std::size_t first = 0, second = 0;  // column indices, first < second
  std::vector<double> probabilities;
  // Expected L1 norm of the measurement noise in probabilities, sqrt(2/pi) sigma cells / n_hat
  // (public: planned noise, cell count, noisy row count); >= 0.
  double noise_l1 = 0;
};

// P(attribute's group | parents' groups). Rows: parent configurations in mixed radix over the
// parents' group counts (last parent fastest; one row when there are no parents). Columns: the
// attribute's groups. probabilities[row * child_groups + group], each row sums to 1.
struct ConditionalTable {
  std::size_t attribute = 0;         // column index
  std::vector<std::size_t> parents;  // column indices, each earlier in the network order
  std::vector<double> probabilities;
};

class BayesNetModel {
 public:
  // The format written by ToJson; FromJson rejects other values.
  static constexpr const char* kFormat = "privet-bayesnet";
  static constexpr int kFormatVersion = 1;

  BayesNetModel() = default;

  // attributes: the modeled attributes (table columns). schema_config: the config JSON
  // (Schema::ToJson()) the model was fitted under, embedded so `privet sample` needs nothing
  // else; may be null in engine tests. network: one table per attribute in sampling order.
  // pair_marginals: the noisy pair marginals the sampler calibrates to (may be empty).
  // rules: the config's derived columns and constraints (engine/table/rules.h); a derived
  // column has no network entry (it is computed from its source after sampling).
  BayesNetModel(std::vector<AttributeDomain> attributes, nlohmann::json schema_config,
                std::vector<AttributeCompression> compression,
                std::vector<ConditionalTable> network, double noisy_rows, nlohmann::json plan,
                std::vector<PairMarginal> pair_marginals = {}, TableRules rules = {});

  const std::vector<AttributeDomain>& attributes() const { return attributes_; }
  const nlohmann::json& schema_config() const { return schema_config_; }
  const std::vector<AttributeCompression>& compression() const { return compression_; }
  const std::vector<ConditionalTable>& network() const { return network_; }
  const std::vector<PairMarginal>& pair_marginals() const { return pair_marginals_; }
  // Derived columns and forbidden combinations the sampler obeys (empty for older models).
  const TableRules& rules() const { return rules_; }
  // Noisy number of rows of the (unit-bounded) input: the default synthetic row count.
  double noisy_rows() const { return noisy_rows_; }
  // SynthesisPlan::ToJson() of the request that produced the model (events included).
  const nlohmann::json& plan() const { return plan_; }

  // The schema, re-validated from schema_config (InputError if absent or invalid).
  Schema LoadSchema() const;

  // Checks every invariant listed in the member comments (sizes, ranges, parents before
  // children, each attribute once except derived ones, which never appear, probabilities finite, >=
  // 0, rows summing to 1 within 1e-6). Throws InputError naming `source` and the field at fault.
  void Validate(const std::string& source = "model") const;

  nlohmann::json ToJson() const;
  // Parses and validates (Validate) a model file's JSON; when schema_config is present it
  // must parse as a schema whose modeled attributes equal the model's. InputError naming
  // `source` and the field on any problem (a tampered or truncated file included).
  static BayesNetModel FromJson(const nlohmann::json& json, const std::string& source = "model");
  // A model file's bytes: ParseBoundedJson (privacy/bounded_json.h: InputError for text that
  // is not JSON or nests deeper than kMaxJsonDepth), then FromJson.
  static BayesNetModel FromText(std::string_view text, const std::string& source = "model");

 private:
  // The pair-level and pair-marginal part of Validate.
  void ValidatePairs(const std::string& source) const;

  std::vector<AttributeDomain> attributes_;
  nlohmann::json schema_config_;
  std::vector<AttributeCompression> compression_;
  std::vector<ConditionalTable> network_;
  std::vector<PairMarginal> pair_marginals_;
  TableRules rules_;
  double noisy_rows_ = 0;
  nlohmann::json plan_;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_MODEL_H_
