// 128-bit building blocks of the exact samplers, shared by discrete_samplers.cc and
// exponential_mechanism.cc. Not a public API (Arrow's *_internal.h convention).
#ifndef PRIVET_PRIVACY_DISCRETE_SAMPLERS_INTERNAL_H_
#define PRIVET_PRIVACY_DISCRETE_SAMPLERS_INTERNAL_H_

#include "privacy/random_source.h"

namespace privet::privacy::internal {

// GCC/Clang's 128-bit integer; __extension__ keeps -Wpedantic quiet about it.
__extension__ typedef unsigned __int128 Uint128;

// Uniform on [0, bound), bound > 0, exactly (rejection of the low 2^128 mod bound values).
Uint128 UniformBelow128(Uint128 bound, RandomSource& random);

// Bernoulli(exp(-numerator/denominator)), denominator > 0 (CKS 2020 Algorithm 1). Throws
// privet::Error if an intermediate would overflow 128 bits.
bool SampleBernoulliExp128(Uint128 numerator, Uint128 denominator, RandomSource& random);

}  // namespace privet::privacy::internal

#endif  // PRIVET_PRIVACY_DISCRETE_SAMPLERS_INTERNAL_H_
