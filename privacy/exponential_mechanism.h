// The exponential mechanism over a finite candidate set (McSherry & Talwar, FOCS 2007,
// Theorem 6): select i with probability proportional to exp(epsilon * score_i / (2 * Delta))
// when every score has sensitivity at most Delta. This is epsilon-DP and epsilon-bounded-
// range (Durfee & Rogers 2019), which the accountant uses (PrivacyEvent::Exponential).
//
// How floating point is handled (the caveat of Ilvento, "Implementing the Exponential
// Mechanism with Base-2 Differential Privacy", CCS 2020): a textbook implementation
// normalises exp() weights in doubles and inverts a CDF with a 53-bit uniform, so
// candidates whose probability is below ~2^-53 are never chosen on one dataset and
// chosen on a neighbour: the privacy loss is unbounded. privet instead samples EXACTLY:
//   1. Snap: m_i = floor(score_i / Delta * 2^k) as int64, with k <= 40 chosen so every
//      |score_i / Delta| * 2^k < 2^51. The double division is then off by
//      < 1/2 unit and floor by < 1, so neighbouring datasets change each m_i by at most
//      2^k + 2: the snapped utility m_i / 2^k has sensitivity 1 + 2^(1-k).
//   2. Shrink: use epsilon' = RationalAtMost(epsilon / (1 + 2^(1-k))), so the snapped
//      mechanism is exactly epsilon'*(1 + 2^(1-k)) <= epsilon DP. Cost: a relative
//      epsilon loss of 2^(1-k) (2^-39 for scores within 2^11 of Delta; InputError when
//      k would fall below 10, i.e. |score/Delta| >= 2^41).
//   3. Sample by rejection with exact coins: propose i uniformly (UniformBelow), accept
//      with Bernoulli(exp(-gamma_i)), gamma_i = epsilon' (m_max - m_i) / 2^(k+1) an exact
//      rational (CKS 2020 Algorithm 1). Accepted i has exactly the target distribution.
// Cost: the expected number of proposals is n / sum_i exp(-gamma_i) <= n (the best
// candidate has gamma = 0), each O(1) expected uniform draws: O(n) expected, no exp() or
// log() on the privacy path. Running time depends on the scores (a timing channel); privet
// releases files, not timings, so this is accepted and documented in docs/privacy.md.
#ifndef PRIVET_PRIVACY_EXPONENTIAL_MECHANISM_H_
#define PRIVET_PRIVACY_EXPONENTIAL_MECHANISM_H_

#include <cstddef>
#include <span>

#include "privacy/random_source.h"

namespace privet::privacy {

// Index of the selected candidate. Throws InputError unless scores is non-empty with
// finite entries, epsilon finite > 0 and sensitivity finite > 0, and |score/sensitivity|
// < 2^41. The charge is PrivacyEvent::Exponential(epsilon).
std::size_t SelectExponential(std::span<const double> scores, double epsilon, double sensitivity,
                              RandomSource& random);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_EXPONENTIAL_MECHANISM_H_
