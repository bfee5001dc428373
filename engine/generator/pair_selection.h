// Private selection of the pair marginals to measure, for tables with more pairs than the
// budget can measure usefully (AIM: McKenna, Mullins, Sheldon, Miklau, "AIM: An Adaptive and
// Iterative Mechanism for Differentially Private Synthetic Data", VLDB 2022, Algorithm 1).
//
// Why: measuring all k(k-1)/2 pairs splits the pair budget k(k-1)/2 ways; on a 71-attribute
// table each pair would get 1/2485 of it and carry only noise. Most pairs are already right in
// the network's sample (independent, or held by a family), so the budget goes further on the
// few the model gets wrong: R rounds (R public, SynthesisOptions::EffectivePairRounds), each
//   1. scores every candidate pair (a, b) not yet measured by how far the current model is from
//      the data on it, net of the noise its measurement would bring (AIM's quality score):
//        S(a, b) = sum_cells | c_ab(cell) - f n_hat q_ab(cell) | - f sqrt(2/pi) sigma_p cells_ab
//      with c_ab the counts of the (scoring) rows over the pair levels, q_ab the current model's
//      distribution (the network's sample, calibrated to the pairs measured so far with its
//      families held, engine/generator/pair_calibration.h), n_hat the noisy row count, f the
//      scoring fraction;
//   2. selects one pair with the exponential mechanism (epsilon plan.pair_selection_epsilon);
//   3. measures its marginal over the pair levels (plan.pair noise) on all rows;
// and after each batch of rounds the model's sample is recalibrated to every pair measured.
// Candidates are the pairs whose measurement noise alone is a total variation distance of at
// most kMaxPairNoiseTvd (public: planned sigma, cell count, n_hat); when those run out, any
// pair not yet measured.
//
// Privacy (docs/privacy.md "Selected pair marginals"): q, n_hat, f, sigma_p and the cell counts
// are released values or public, the same on neighbouring tables, so a unit's m rows move
// S(a, b) by at most m (they change c_ab by at most m in L1): sensitivity m, computed exactly on
// the grid 2^-kScoreGridBits (engine/generator/network_structure.h) in 128-bit integers. Each
// round's mechanisms have parameters fixed by the plan and only their inputs depend on earlier
// outputs, so the rounds compose adaptively (Dwork, Rothblum, Vadhan 2010; for RDP Mironov 2017
// Prop. 1) exactly as the plan's events are composed by the accountant.
#ifndef PRIVET_ENGINE_GENERATOR_PAIR_SELECTION_H_
#define PRIVET_ENGINE_GENERATOR_PAIR_SELECTION_H_

#include <cstdint>
#include <vector>

#include "engine/generator/model.h"
#include "engine/generator/synthesis_plan.h"
#include "engine/source/marginal_source.h"
#include "privacy/random_source.h"

namespace privet::engine {

// A pair marginal is kept only when its expected noise alone is at most this total variation
// distance (docs/generator.md, pipeline step 8).
inline constexpr double kMaxPairNoiseTvd = 0.05;
// Rows of the model's sample the candidates are scored against, at most.
inline constexpr std::size_t kSelectionSampleRows = 20000;
// IPF rounds of each recalibration between batches (warm-started from the previous weights).
inline constexpr int kSelectionCalibrationRounds = 4;
// The R rounds are run in at most this many batches; the sample is recalibrated between
// batches (within a batch the scores of the remaining candidates are not recomputed).
inline constexpr std::size_t kSelectionBatches = 10;

struct PairSelectionResult {
  std::vector<PairMarginal> pairs;  // the measured pairs that are kept (noise rule), in order
  std::vector<std::pair<std::size_t, std::size_t>> selected;  // every selected pair, in order
};

// Runs the plan.num_pair_selections rounds. `table`: the modelled attributes in original codes
// (plan.attributes; all it reads are counts over their pair levels); `network`: the fitted model
// over the same columns without pair marginals, its compression carrying the pair levels
// (AddPairLevels). Makes exactly plan.num_pair_selections exponential-mechanism selections and as
// many noisy pair marginals, alternating, with the plan's parameters. `noise` is the fit's secure
// source; the model's sample is drawn from a Boost engine seeded from it (post-processing).
PairSelectionResult SelectAndMeasurePairs(MarginalSource& table, const BayesNetModel& network,
                                          const SynthesisPlan& plan, double n_hat,
                                          privacy::RandomSource& noise);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_PAIR_SELECTION_H_
