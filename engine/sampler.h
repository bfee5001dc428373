// Ancestral sampling of synthetic rows from a released BayesNetModel (engine/model.h).
//
// Each row: attributes in network order, each group drawn from P(group | parents' groups),
// then each attribute's code drawn within its group from the model's code weights. This is
// post-processing of the released model, so it costs no privacy and may use any randomness:
// a Boost.Random mt19937_64 the caller seeds (reproducible output for a given seed).
//
// Rows are generated in blocks of 65,536; block b uses its own mt19937_64 seeded from the b-th
// draw of the caller's engine, so the output depends only on the seed and num_rows, not on the
// number of threads used (both cores work on alternate blocks).
#ifndef PRIVET_ENGINE_SAMPLER_H_
#define PRIVET_ENGINE_SAMPLER_H_

#include <cstdint>

#include <boost/random/mersenne_twister.hpp>

#include "engine/encoded_table.h"
#include "engine/model.h"

namespace privet::engine {

// num_rows synthetic rows in the ORIGINAL codes of the model's attributes (columns named and
// sized as model.attributes(), in that order), ready for WriteCsv (engine/decoder.h).
// Throws InputError if num_rows exceeds 2^32 (a single file that large is not a sensible
// request).
EncodedTable SampleRows(const BayesNetModel& model, std::uint64_t num_rows,
                        boost::random::mt19937_64& rng);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_SAMPLER_H_
