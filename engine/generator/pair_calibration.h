// Calibrating sampled rows to the model's noisy pair marginals.
//
// Why: a Bayesian network keeps only the dependencies its families hold (about one parent set
// per attribute); every other pair's relationship survives only through chains, and at
// epsilon 1 the families cannot be large enough to hold more. The pair marginals measure pairs
// of attributes coarsely (engine/generator/domain_compression.h AddPairLevels, at most 6 x 6
// cells by default), which is cheap in noise; the sampled rows are then reweighted so their pair
// marginals approach the measured ones, keeping what the network got right elsewhere. This is
// the idea of PrivSyn (Zhang et al., USENIX Security 2021: all 2-way marginals, then a
// synthesis that fits them), applied here to the network's sample.
//
// Method: raking (iterative proportional fitting, Deming & Stephan 1940) of one weight per row,
// each round every pair marginal in turn and then every family of the network, for
// kCalibrationRounds rounds.
// - A noisy pair measurement t is not trusted blindly: with q the rows' current (weighted)
//   distribution of the pair and E the expected L1 norm of t's noise (PairMarginal::noise_l1),
//   the target is q + lambda (t - q) with lambda = max(0, 1 - E / |t - q|_1), a James-Stein-like
//   shrinkage: where the network already agrees with the data up to the noise, the rows stay as
//   they are; where they disagree far beyond the noise, they follow the measurement.
// - A family (an attribute and its parents, in groups) is held at the distribution the rows
//   had before calibration, which is the network's: the pairs are coarse, and scaling the rows
//   of a coarse cell moved rows between the fine cells of the families that the network had
//   right. On adult_coded (epsilon 1, 5 paired runs, docs/generator.md) holding the families
//   took the most dependent pairs' TVD from 0.0284 to 0.0210.
// Each row's weight is multiplied by target(cell) / current(cell) of its cell. Then the rows
// to return are drawn by systematic resampling of the weights (expected copies of a row = its
// share of the total weight times the rows wanted) along the rows sorted by their codes in the
// network's order, so every configuration of the first attributes in that order gets its
// expected count within one row (a stratified draw instead of one that adds the binomial noise
// of independent draws back), and shuffled. Rows only ever repeat or vanish; no value is
// invented.
//
// The pool: with pair marginals the sampler draws CalibrationPoolRows rows (kCalibrationPoolFactor
// times the rows wanted, at most kMaxCalibrationPoolRows) and the calibration selects the
// wanted number from them, so the weighted pool follows the model more closely than a sample of
// the final size and fewer rows repeat.
//
// Privacy: the pair marginals are released noisy measurements and the families are the
// released network's (docs/privacy.md), so this is post-processing and may use any randomness
// (the sampler's Boost.Random engine).
#ifndef PRIVET_ENGINE_GENERATOR_PAIR_CALIBRATION_H_
#define PRIVET_ENGINE_GENERATOR_PAIR_CALIBRATION_H_

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/generator/model.h"
#include "engine/table/encoded_table.h"

namespace privet::engine {

inline constexpr int kCalibrationRounds = 5;
inline constexpr std::uint64_t kCalibrationPoolFactor = 4;
inline constexpr std::uint64_t kMaxCalibrationPoolRows = 1000000;

// Rows the sampler draws for `rows` wanted rows of `model`: `rows` without pair marginals,
// otherwise max(rows, min(kCalibrationPoolFactor * rows, kMaxCalibrationPoolRows)).
std::uint64_t CalibrationPoolRows(const BayesNetModel& model, std::uint64_t rows);

// The raking above over fixed rows. Used by CalibrateToPairs and by the pair selection, which
// scores candidates against the calibrated sample (engine/generator/pair_selection.h).
class RowCalibration {
 public:
  // rows: sampled rows in the ORIGINAL codes of model's attributes (SampleRows before
  // calibration); model: its compression (with pair levels when `Fit` is given pairs) and its
  // network, whose families are held at the distribution `rows` show now. Keeps references to
  // both: they must outlive this object.
  RowCalibration(const EncodedTable& rows, const BayesNetModel& model);

  // `rounds` rounds (each: every pair of `pairs` in turn, then every family) starting from
  // `weights` (one per row, >= 0); returns the weights.
  std::vector<double> Fit(std::span<const PairMarginal> pairs, std::vector<double> weights,
                          int rounds) const;

 private:
  struct Family {
    std::vector<std::size_t> attributes;  // parents, then the attribute (mixed radix, last fastest)
    std::vector<double> target;           // the rows' distribution over the family's cells
  };
  // keys[r] = the family cell of row r.
  void FamilyCells(const Family& family, std::vector<std::size_t>& keys) const;

  const EncodedTable& rows_;
  const std::vector<AttributeCompression>& compression_;
  std::vector<std::vector<std::uint8_t>> levels_;  // pair level of each row, per attribute
  std::vector<Family> families_;
};

// `sample`: rows in the ORIGINAL codes of the model's attributes (SampleRows before
// calibration, CalibrationPoolRows of them). Returns `rows` rows, calibrated and drawn as above;
// `sample` itself when the model has no pair marginals and `rows` equals its size, or when it
// has no row.
EncodedTable CalibrateToPairs(const BayesNetModel& model, EncodedTable sample, std::size_t rows,
                              boost::random::mt19937_64& rng);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_PAIR_CALIBRATION_H_
