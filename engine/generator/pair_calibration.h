// Calibrating sampled rows to the model's noisy pair marginals.
//
// Why: a Bayesian network keeps only the dependencies its families hold (about one parent set
// per attribute); every other pair's relationship survives only through chains, and at
// epsilon 1 the families cannot be large enough to hold more. The pair marginals measure every
// pair of attributes coarsely (engine/generator/domain_compression.h AddPairLevels, at most 6 x 6
// cells by default), which is cheap in noise; the sampled rows are then reweighted so their pair
// marginals approach the measured ones, keeping what the network got right elsewhere. This is
// the idea of PrivSyn (Zhang et al., USENIX Security 2021: all 2-way marginals, then a
// synthesis that fits them), applied here to the network's sample.
//
// Method: iterative proportional fitting of one weight per row (Deming & Stephan 1940), every
// pair in turn for kCalibrationRounds rounds. A noisy measurement t is not trusted blindly:
// with q the rows' current (weighted) distribution of the pair and E the expected L1 norm of
// t's noise (PairMarginal::noise_l1), the target is q + lambda (t - q) with
// lambda = max(0, 1 - E / |t - q|_1), a James-Stein-like shrinkage: where the network already
// agrees with the data up to the noise, the rows stay as they are (without it, adult's most
// dependent pairs, which the network models finely, got 3-4x worse); where they disagree far
// beyond the noise, they follow the measurement. Each row's weight is multiplied by
// target(cell) / q(cell) of its cell; then as many rows as given are drawn by systematic
// resampling of the weights (expected copies of a row = its normalised weight) and shuffled.
// Rows only ever repeat or vanish; no value is invented.
//
// Privacy: the pair marginals are released noisy measurements (docs/privacy.md), so this is
// post-processing and may use any randomness (the sampler's Boost.Random engine).
#ifndef PRIVET_ENGINE_GENERATOR_PAIR_CALIBRATION_H_
#define PRIVET_ENGINE_GENERATOR_PAIR_CALIBRATION_H_

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/generator/model.h"
#include "engine/table/encoded_table.h"

namespace privet::engine {

inline constexpr int kCalibrationRounds = 10;

// The calibration weights alone: one weight per row (rows = the length of every used
// levels[a]), starting from 1, after `rounds` rounds of FitPair over `pairs` in turn. levels[a]
// holds the pair level of each row for attribute a (PairLevelsOf); it may be empty for an
// attribute in no pair. Used by the sampler (below) and by the pair selection, which scores
// candidates against the calibrated sample (engine/generator/pair_selection.h).
std::vector<double> FitPairWeights(const std::vector<std::vector<std::uint8_t>>& levels,
                                   const std::vector<AttributeCompression>& compression,
                                   std::span<const PairMarginal> pairs, std::size_t rows,
                                   int rounds = kCalibrationRounds);
// The same starting from `weights` (one per row) instead of 1.
std::vector<double> FitPairWeights(const std::vector<std::vector<std::uint8_t>>& levels,
                                   const std::vector<AttributeCompression>& compression,
                                   std::span<const PairMarginal> pairs, std::vector<double> weights,
                                   int rounds);

// `sample`: rows in the ORIGINAL codes of the model's attributes (SampleRows before
// calibration). Returns the same number of rows, calibrated as above; `sample` itself when the
// model has no pair marginals or the sample has no row.
EncodedTable CalibrateToPairs(const BayesNetModel& model, EncodedTable sample,
                              boost::random::mt19937_64& rng);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_PAIR_CALIBRATION_H_
