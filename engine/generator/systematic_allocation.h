// Systematic rounding and shuffling for the sampler (engine/generator/sampler.h) and the pair
// calibration (engine/generator/pair_calibration.h): both share n rows among entries in given
// proportions with as little randomness as the proportions allow.
//
// Post-processing only: these use the sampler's seeded Boost.Random engine, never the CSPRNG.
#ifndef PRIVET_ENGINE_GENERATOR_SYSTEMATIC_ALLOCATION_H_
#define PRIVET_ENGINE_GENERATOR_SYSTEMATIC_ALLOCATION_H_

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace privet::engine {

// Shares n items among the entries of `weights` (>= 0) by systematic rounding (Madow 1949):
// the points start, start + 1, ..., start + n - 1, with start uniform in [0, 1), are laid on
// the cumulative scaled weights n w_j / sum(w), and entry j gets the points in its interval.
// So entry j gets floor or ceil of n w_j / sum(w), with expectation exactly that, and the
// counts sum to n. Weights summing to 0 share n equally (the same rule on equal weights).
// Draws one uniform from rng.
std::vector<std::size_t> SystematicCounts(std::span<const double> weights, std::size_t n,
                                          boost::random::mt19937_64& rng);

// A uniformly random permutation of `items`, in place: Fisher-Yates with Boost's
// uniform_int_distribution, so a seed gives the same order with every standard library
// (std::shuffle's algorithm is implementation-defined).
template <typename T>
void Shuffle(std::span<T> items, boost::random::mt19937_64& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(items[i - 1], items[pick(rng)]);
  }
}

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_SYSTEMATIC_ALLOCATION_H_
