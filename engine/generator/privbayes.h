// Fitting the PrivBayes-style generator: the private part of `privet synthesize`.
//
// Input: the unit-bounded table (engine/table/unit_bounding.h) and the plan computed before it was
// read (engine/generator/synthesis_plan.h). The fit makes exactly the plan's privacy events, in its
// order:
//   1. noisy 1-way marginal of every attribute (plan.one_way noise); their consensus total is
//      the noisy row count n_hat, and each attribute's domain is compressed from its noisy
//      marginal (engine/generator/domain_compression.h);
//   2. k - 1 exponential-mechanism family selections (engine/generator/network_structure.h) with
//      plan.selection_epsilon, on the compressed codes; cell caps from n_hat and the planned
//      family noise (theta-usefulness, docs/generator.md);
//   3. noisy marginal of each chosen family (plan.family noise);
//   4. when plan.num_pairs > 0, noisy pair marginals over coarse pair levels (plan.pair noise;
//      engine/generator/pair_calibration.h), post-processed by Norm-Sub into distributions: of
//      every attribute pair, or, when plan.num_pair_selections > 0, of the pairs chosen one
//      round at a time by the exponential mechanism (engine/generator/pair_selection.h); a pair
//      whose expected noise alone exceeds a total variation distance of 0.05 (public rule:
//      planned noise, cell count, n_hat) is left out of the model;
// then post-processing only: consistency and conditionals (engine/generator/conditionals.h).
// Everything data-dependent (n_hat, compression, caps, network) is derived from released noisy
// values, never from a raw statistic, so the model is releasable as a whole.
//
// References: Zhang et al., PrivBayes, SIGMOD 2014 / TODS 2017 (structure + noisy
// conditionals); McKenna et al., MST (JPC 2021) and AIM (VLDB 2022) for the domain compression
// and the noise-aware score; Canonne-Kamath-Steinke 2020 for the discrete noise.
#ifndef PRIVET_ENGINE_GENERATOR_PRIVBAYES_H_
#define PRIVET_ENGINE_GENERATOR_PRIVBAYES_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "engine/generator/model.h"
#include "engine/generator/synthesis_plan.h"
#include "engine/source/marginal_source.h"
#include "engine/table/encoded_table.h"
#include "privacy/random_source.h"

namespace privet::engine {

// Facts about a fit for logs and benchmarks. Timings and sizes only; no statistic of the
// data beyond what the model releases.
struct FitDiagnostics {
  double seconds_one_way = 0;
  double seconds_structure = 0;
  double seconds_families = 0;
  std::uint64_t scoring_rows = 0;      // rows in the scoring subsample (private size; do not
                                       // release: it is a Binomial(n, q) draw)
  std::uint64_t max_family_cells = 0;  // the automatic cap used
  std::uint64_t max_parent_cells = 0;
  std::size_t pairs_used = 0;  // pair marginals kept in the model (public: n_hat rule)
  // The pairs chosen by the pair selection, in order (released: they are the model's pairs,
  // plus those measured but not kept); empty when every pair is measured.
  std::vector<std::pair<std::size_t, std::size_t>> pairs_selected;
  double seconds_pairs = 0;
};

// Fits the model. `table` must have exactly plan.attributes as columns (names, domain sizes,
// order): InputError otherwise. `noise` must be RandomSource::Secure() for a release (tests
// pass a seeded one). schema_config is embedded in the model (may be null in tests).
BayesNetModel FitBayesNet(const EncodedTable& table, const SynthesisPlan& plan,
                          const nlohmann::json& schema_config, privacy::RandomSource& noise,
                          FitDiagnostics* diagnostics = nullptr);
// The same from counts alone: `source` (engine/source/marginal_source.h) has plan.attributes'
// domains (plan.columns when set), already bounded per unit; every read of the data is a count
// of it or of its views (compressed groups, pair levels, the scoring subsample), so a database
// source fits without a row leaving it. The in-memory source gives the table overload's model
// bit for bit (the same counts, the same draws from `noise` in the same order).
BayesNetModel FitBayesNet(MarginalSource& source, const SynthesisPlan& plan,
                          const nlohmann::json& schema_config, privacy::RandomSource& noise,
                          FitDiagnostics* diagnostics = nullptr);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_PRIVBAYES_H_
