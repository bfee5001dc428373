// Ancestral sampling of synthetic rows from a released BayesNetModel (engine/generator/model.h).
//
// Attributes in network order: the rows of each configuration of an attribute's parents are
// shared among its groups in the proportions P(group | parents' groups), then the rows of each
// group among its codes in the model's code weights. Each share is r * p rounded down or up
// at random (systematic rounding, expectation exactly r * p) and the rows that receive a value
// are a uniformly random subset, so every row is still distributed as the model says, but the
// sample's counts follow the model within one row per configuration instead of carrying the
// sqrt(r) error of independent draws (private-pgm's GraphicalModel.synthetic_data rounds the
// same way). This is post-processing of the released model, so it costs no privacy and may
// use any randomness: a Boost.Random mt19937_64 the caller seeds (reproducible output).
// When the model has pair marginals, the rows are then calibrated to them
// (engine/generator/pair_calibration.h).
//
// Rows are generated in blocks of 65,536; block b uses its own mt19937_64 seeded from the b-th
// draw of the caller's engine, so the output depends only on the seed and num_rows, not on the
// number of threads used (both cores work on alternate blocks).
#ifndef PRIVET_ENGINE_GENERATOR_SAMPLER_H_
#define PRIVET_ENGINE_GENERATOR_SAMPLER_H_

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>

#include "engine/generator/model.h"
#include "engine/table/encoded_table.h"

namespace privet::engine {

// num_rows synthetic rows in the ORIGINAL codes of the model's attributes (columns named and
// sized as model.attributes(), in that order), ready for WriteCsv (engine/table/decoder.h).
// Throws InputError if num_rows exceeds 2^32 (a single file that large is not a sensible
// request).
EncodedTable SampleRows(const BayesNetModel& model, std::uint64_t num_rows,
                        boost::random::mt19937_64& rng);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_SAMPLER_H_
