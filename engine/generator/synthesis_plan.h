// The synthesis plan: every privacy event a `privet synthesize` request will cause, with its
// exact parameters, computed from PUBLIC inputs only (the attribute domains, the requested
// (epsilon, delta), the mode, the unit bound and the options), before any data is read or any
// noise is drawn. The ledger is charged with plan.events; fitting (engine/generator/privbayes.h)
// then draws noise with exactly these parameters and makes exactly these invocations. Nothing the
// data says can change the number or the parameters of the events (the degree, the domain
// compression and the parent sets chosen are data-dependent, but they only decide WHICH
// marginals the planned measurements are applied to; see docs/privacy.md).
//
// The request with k attributes makes (docs/generator.md, docs/privacy.md):
//   1. k noisy 1-way marginals (one per attribute),         histogram, L1 = L2 sensitivity m;
//   2. k - 1 exponential-mechanism selections of a family (attribute, parent set), score
//      sensitivity 2m;
//   3. k - 1 noisy family marginals (attribute x parents),   histogram, L1 = L2 sensitivity m;
//   4. with pairs: either every pair's noisy marginal over coarse levels (k(k-1)/2 histograms,
//      sensitivity m), or R rounds each of one exponential-mechanism selection of a pair (score
//      sensitivity m) followed by that pair's noisy marginal (R fixed by the options);
// where m = max_rows_per_unit. Gaussian mode (default): discrete Gaussian noise, accounted in
// RDP/zCDP. Pure mode: discrete Laplace noise, delta = 0, basic composition.
//
// Budget split: shares of the budget (zCDP rho in Gaussian mode, epsilon in pure mode) go to
// the 1-way marginals, the structure search and the families; one scale t is then found by
// privacy::LargestFittingScale so that ComposeEpsilon(events(t), delta) is the largest value
// <= epsilon (accountant.h). After the samplers' safe rounding (noisy_counts.h) and the PLD
// grid the composed epsilon is within a relative 1e-6 below the request.
#ifndef PRIVET_ENGINE_GENERATOR_SYNTHESIS_PLAN_H_
#define PRIVET_ENGINE_GENERATOR_SYNTHESIS_PLAN_H_

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/table/attribute_domain.h"
#include "engine/table/rules.h"
#include "engine/table/schema.h"
#include "privacy/noisy_counts.h"
#include "privacy/privacy_event.h"
#include "privacy/random_source.h"

namespace privet::engine {

enum class NoiseMode {
  kGaussian,  // discrete Gaussian counts, zCDP/RDP accounting, delta > 0 required
  kPure,      // discrete Laplace counts, pure epsilon-DP (delta may be 0)
};

// "gaussian" / "pure".
std::string NoiseModeName(NoiseMode mode);
// Inverse of NoiseModeName; InputError naming the value otherwise.
NoiseMode ParseNoiseMode(const std::string& name);

struct SynthesisOptions {
  double epsilon = 1.0;
  double delta = 1e-9;
  NoiseMode mode = NoiseMode::kGaussian;
  // The privacy unit bound m (schema.max_rows_per_unit()); every sensitivity is scaled by it.
  std::uint32_t max_rows_per_unit = 1;
  // Budget shares (of rho in Gaussian mode, of epsilon in pure mode); the families get the
  // rest. Defaults chosen by measurement (docs/generator.md).
  double one_way_share = 0.10;
  double structure_share = 0.15;
  // Largest number of parents per attribute. nullopt: chosen automatically (up to 3, pruned
  // by the cell budget; docs/generator.md). When set, the search allows up to this many.
  std::optional<std::uint32_t> degree;
  // Largest product of the parents' (compressed) domain sizes. nullopt: automatic (from the
  // noisy row count and the planned noise, theta-usefulness, docs/generator.md).
  std::optional<std::uint64_t> max_parent_cells;
  // Largest number of groups an attribute's domain is compressed to (>= 2).
  std::uint32_t max_groups = 24;
  // Work cap for the structure search: candidate families scored per step at most.
  std::uint32_t max_candidates_per_step = 1500;
  // Rows used to score candidates (Poisson subsample above this noisy row count).
  std::uint64_t max_scoring_rows = 200000;
  // Weight of the expected-noise penalty in the structure score
  // (engine/generator/network_structure.h).
  double penalty_weight = 0.5;
  // theta of theta-usefulness: a family may have at most n_hat / (theta * family noise std)
  // cells (engine/generator/privbayes.h). 1 (was 2): on nhanes at m = 1 the cap of about 87
  // cells kept Weight from Height and Age from Height; at 1 r(Weight, Height) goes from 0.07 to
  // 0.51 (real 0.75); adult ties at epsilon 1 and gains a little at 0.1 (docs/generator.md).
  double usefulness_theta = 1.0;
  // Pair marginals (engine/generator/pair_calibration.h): attribute pairs measured over at most
  // pair_levels coarse levels each, with this share of the budget; the sampled rows are
  // calibrated to them. 0 turns them off. nullopt: automatic, kAutoPairShare in Gaussian mode
  // at epsilon >= kAutoPairMinEpsilon, else 0 (below that, or with pure-epsilon Laplace composed
  // over the pairs, the pairs' noise swamped them on adult and their budget was better spent on
  // the network; docs/generator.md).
  static constexpr double kAutoPairShare = 0.25;
  static constexpr double kAutoPairMinEpsilon = 0.5;
  std::optional<double> pair_share;
  std::uint32_t pair_levels = 6;
  // Which pairs are measured (engine/generator/pair_selection.h). With k attributes there are
  // k(k-1)/2 pairs; when that is at most pair_rounds, every pair is measured (no selection).
  // Otherwise pair_rounds pairs are chosen one by one with the exponential mechanism, each the
  // pair the current model gets most wrong (AIM, McKenna et al., VLDB 2022), and measured;
  // pair_selection_fraction of the pair budget pays for the selections. nullopt: automatic,
  // kAutoPairRoundsPerAttribute * k rounds, or every pair from epsilon kAutoAllPairsMinEpsilon
  // with at most kAutoAllPairsMaxAttributes attributes (adult_coded, 5 runs: at epsilon 10
  // all 91 pairs gave 2-way TVD 0.0129 against 0.0137 with 28 selected, at 5 0.0153 against
  // 0.0156, at 3 and 1 a tie and worse; docs/generator.md). The number of rounds is public
  // (a function of k and the options), so the plan lists every event before data is read.
  static constexpr std::uint32_t kAutoPairRoundsPerAttribute = 2;
  static constexpr double kAutoAllPairsMinEpsilon = 5;
  static constexpr std::size_t kAutoAllPairsMaxAttributes = 20;
  std::optional<std::uint32_t> pair_rounds;
  double pair_selection_fraction = 0.1;

  // The pair share in effect: pair_share, or the automatic rule above.
  double EffectivePairShare() const {
    if (pair_share) return *pair_share;
    return mode == NoiseMode::kGaussian && epsilon >= kAutoPairMinEpsilon ? kAutoPairShare : 0.0;
  }
  // Whether a plan over k attributes measures pair marginals.
  bool UsesPairs(std::size_t k) const { return EffectivePairShare() > 0 && k >= 2; }
  // Pair rounds in effect for k attributes: pair_rounds, or the automatic rule above (every
  // pair: k(k-1)/2 rounds, so no selection).
  std::size_t EffectivePairRounds(std::size_t k) const {
    if (pair_rounds) return *pair_rounds;
    if (epsilon >= kAutoAllPairsMinEpsilon && k <= kAutoAllPairsMaxAttributes) {
      return std::max<std::size_t>(k * (k - 1) / 2, 1);
    }
    return kAutoPairRoundsPerAttribute * k;
  }
  // Whether the pairs of a plan over k attributes are selected (fewer rounds than pairs).
  bool SelectsPairs(std::size_t k) const {
    return UsesPairs(k) && EffectivePairRounds(k) < k * (k - 1) / 2;
  }

  // Throws InputError naming the field unless epsilon > 0 finite, delta in [0, 1) (> 0 in
  // Gaussian mode), max_rows_per_unit >= 1, shares in (0, 1) (pair_share in [0, 1)) with
  // sum < 1, degree <= 8, max_groups >= 2, pair_levels in [2, 64], pair_rounds >= 1,
  // pair_selection_fraction in (0, 1).
  void Validate() const;
  nlohmann::json ToJson() const;
};

// A noise measurement the fit will make: the exact sampler parameters.
struct PlannedNoise {
  NoiseMode mode = NoiseMode::kGaussian;
  privacy::DiscreteGaussianPlan gaussian;  // Gaussian mode
  privacy::DiscreteLaplacePlan laplace;    // pure mode
  // Standard deviation of one cell's noise (sigma for the Gaussian; sqrt(2)*scale for the
  // discrete Laplace, up to its discreteness), for planning and --plan display.
  double StdDev() const;
  // counts plus one draw of this noise per cell (the planned sampler, from `random`): one
  // invocation of the planned event.
  std::vector<double> Noisy(std::span<const std::uint64_t> counts,
                            privacy::RandomSource& random) const;
  nlohmann::json ToJson() const;
};

// What the plan expects the noise to do to a table of about expected_rows rows (a PUBLIC
// estimate from the config, never the data's count). Each number is an expectation over the
// planned noise alone: the measured marginal's total variation distance from the true one is
// 0.5 * cells * E|Z| / n for a histogram of `cells` cells with per-cell noise Z (E|Z| computed
// exactly for the discrete sampler in use). Post-processing (clipping, consistency) usually
// lowers it; the data cannot raise it.
struct AttributeForecast {
  std::string name;
  std::uint32_t cells = 0;       // codes of the attribute (its 1-way marginal's cells)
  double one_way_noise_tvd = 0;  // of its noisy 1-way marginal
};
struct NoiseForecast {
  double expected_rows = 0;
  double mean_abs_noise_one_way = 0;          // E|Z| per cell of a 1-way marginal
  std::vector<AttributeForecast> attributes;  // plan.attributes order
  // Largest family (parents x attribute, compressed) the fit keeps useful: n / (theta sigma_f)
  // cells (theta-usefulness, engine/generator/privbayes.h); 0 with one attribute.
  double useful_family_cells = 0;
  double family_noise_tvd_100_cells = 0;  // noise TVD of a family of 100 cells
  double pair_noise_tvd = 0;  // of a pair marginal of pair_levels^2 cells; 0 without pairs
  bool mostly_noise = false;
  std::string verdict;              // one sentence
  std::vector<std::string> advice;  // what would help, most effective first
  nlohmann::json ToJson() const;
};

struct SynthesisPlan {
  SynthesisOptions options;
  // The attributes the events measure: the schema's modeled attributes minus derived ones.
  std::vector<AttributeDomain> attributes;
  // Every modeled column of the schema (the table's columns), derived ones included, and the
  // index in it of each entry of `attributes`. Empty when planned from domains alone (then
  // the columns are `attributes`).
  std::vector<AttributeDomain> columns;
  std::vector<std::size_t> modelled_columns;
  // The config's derived columns and constraints (public; engine/table/rules.h).
  TableRules rules;
  // The config's public row-count estimate ("expected_rows"); nullopt when not declared.
  std::optional<double> expected_rows;
  PlannedNoise one_way;  // each 1-way marginal
  PlannedNoise family;   // each family marginal
  PlannedNoise pair;     // each pair marginal (when num_pairs > 0)
  // Pair marginals measured: k(k-1)/2 when every pair is, options.EffectivePairRounds(k) when
  // they are selected (options.SelectsPairs(k)), 0 without pairs.
  std::size_t num_pairs = 0;
  // Exponential-mechanism pair selections: num_pairs when selected, else 0; each has epsilon
  // pair_selection_epsilon and score sensitivity histogram_sensitivity (m).
  std::size_t num_pair_selections = 0;
  double pair_selection_epsilon = 0;
  double selection_epsilon = 0;      // each exponential-mechanism selection
  double selection_sensitivity = 0;  // 2m
  double histogram_sensitivity = 0;  // m (L1 and L2)
  // Exactly what the ledger is charged with, in the order the fit invokes them.
  std::vector<privacy::PrivacyEvent> events;
  double composed_epsilon = 0;  // ComposeEpsilon(events, options.delta)
  // Approximate shares of the total privacy loss (rho in Gaussian mode, epsilon in pure).
  double one_way_fraction = 0, structure_fraction = 0, family_fraction = 0, pair_fraction = 0;

  std::size_t num_one_way() const { return attributes.size(); }
  std::size_t num_selections() const { return attributes.empty() ? 0 : attributes.size() - 1; }
  std::size_t num_families() const { return num_selections(); }

  // For `privet synthesize --plan` and the model file: options, mechanisms, per-measurement
  // noise, budget split, events. Contains no data-derived value.
  nlohmann::json ToJson() const;
  // The same for humans, several lines, including the expected noise per cell and what it
  // means for a family of a given size, and the forecast (or that it cannot judge).
  std::string Describe() const;
  // The forecast at expected_rows; nullopt without it (the plan cannot see the data).
  std::optional<NoiseForecast> Forecast() const;
};

// Throws InputError if options are invalid, attributes is empty, or the budget is too small
// for the samplers' parameter range.
SynthesisPlan PlanSynthesis(std::span<const AttributeDomain> attributes,
                            const SynthesisOptions& options);
// PlanSynthesis over the schema's modeled attributes that are not derived, with
// options.max_rows_per_unit taken from schema.max_rows_per_unit() and the schema's rules and
// columns recorded in the plan. With automatic pairs (pair_share unset) and the config's
// expected_rows, when a full-size pair marginal's planned noise at that row count is a total
// variation distance above kMaxPlannedPairNoiseTvd (it would be charged and never used), the
// automatic rounds are cut until it passes (AutoPairRoundsFor; nhanes at m = 1, epsilon 1: 150
// -> 8); when not even one round passes, the pairs are left out and their share goes to the
// network (nhanes at m = 3).
inline constexpr double kMaxPlannedPairNoiseTvd = 0.05;
// The expected noise TVD of one full-size pair marginal (pair_levels^2 cells) of `plan` at
// expected_rows rows: 0.5 sqrt(2/pi) sigma_pair cells / rows; 0 without pairs.
double PlannedPairNoiseTvd(const SynthesisPlan& plan, double expected_rows);
// For a plan with selected pairs whose full-size pair fails kMaxPlannedPairNoiseTvd at
// expected_rows: the most rounds R that should pass it, from sigma ~ sqrt(R) at a fixed pair
// share, R = floor(R_0 (kMaxPlannedPairNoiseTvd / tvd_0)^2); nullopt when R < 1 (not even one
// pair would be useful) or the plan selects no pairs. PlanSynthesis(schema) re-plans with it.
std::optional<std::uint32_t> AutoPairRoundsFor(const SynthesisPlan& plan, double expected_rows);
// Without expected_rows, automatic pairs are planned only up to this many modelled attributes
// (above it they are left out and their share goes to the network; set pair_share to force them).
inline constexpr std::size_t kMaxAttributesForPairsWithoutEstimate = 20;
SynthesisPlan PlanSynthesis(const Schema& schema, SynthesisOptions options);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_SYNTHESIS_PLAN_H_
