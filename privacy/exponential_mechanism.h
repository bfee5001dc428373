// The exponential mechanism over a finite candidate set (McSherry & Talwar, FOCS 2007,
// Theorem 6): select i with probability proportional to exp(epsilon * score_i / (2 * Delta))
// when every score has sensitivity at most Delta. This is epsilon-DP and epsilon-bounded-
// range (Durfee & Rogers 2019), which the accountant uses (PrivacyEvent::Exponential).
//
// How floating point is handled (the caveat of Ilvento, "Implementing the Exponential
// Mechanism with Base-2 Differential Privacy", CCS 2020): a textbook implementation
// normalises exp() weights in doubles and inverts a CDF with a 53-bit uniform, so
// candidates whose probability is below ~2^-53 are never chosen on one dataset and
// chosen on a neighbour: the privacy loss is unbounded. privet samples EXACTLY, on integer
// scores:
//   - SelectExponentialExact takes integer scores S_i of integer sensitivity Delta. With
//     epsilon' = RationalAtMost(epsilon) <= epsilon it proposes i uniformly (UniformBelow)
//     and accepts with Bernoulli(exp(-gamma_i)), gamma_i = epsilon' (S_max - S_i) / (2 Delta)
//     an exact rational (CKS 2020 Algorithm 1). Accepted i has exactly the distribution
//     Pr[i] = exp(-gamma_i) / sum_j exp(-gamma_j) = exp(epsilon' S_i / (2 Delta)) / Z: the
//     textbook mechanism with epsilon' <= epsilon, so it is epsilon-DP with no slack term.
//   - SelectExponential takes double scores and snaps them EXACTLY (integer arithmetic on
//     the doubles' significands, no rounded division) to m_i = floor(score_i / Delta * 2^k)
//     with the public constant k = kExponentialGridBits. If |score_i(D) - score_i(D')| <=
//     Delta then |x - y| <= 2^k for x, y the unrounded values, so |floor x - floor y| <= 2^k:
//     the snapped scores have sensitivity exactly 2^k, and the exact integer mechanism above
//     runs on (m, 2^k, epsilon). The grid k and epsilon' are the same for every dataset, so
//     neighbours never use different exponents (the defect of choosing k from the data's
//     largest score, issue 10 item 4); the snapping only moves each utility by < 2^-k
//     sensitivities, which costs accuracy, never privacy.
// Cost: the expected number of proposals is n / sum_i exp(-gamma_i) <= n (the best
// candidate has gamma = 0), each O(1) expected uniform draws: O(n) expected, no exp() or
// log() on the privacy path. Running time depends on the scores (a timing channel); privet
// releases files, not timings, so this is accepted and documented in docs/privacy.md.
//
// Errors raised after the charge (a score that is not finite) name the class of the
// problem only, never a score: scores are statistics of the private data.
#ifndef PRIVET_PRIVACY_EXPONENTIAL_MECHANISM_H_
#define PRIVET_PRIVACY_EXPONENTIAL_MECHANISM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "privacy/discrete_samplers.h"
#include "privacy/random_source.h"

namespace privet::privacy {

// Grid of SelectExponential: scores are snapped to multiples of Delta * 2^-20.
inline constexpr int kExponentialGridBits = 20;
// SelectExponential clamps score / sensitivity to [-2^42, 2^42] (snapped values within 2^62).
inline constexpr double kMaxExponentialUtility = 0x1p42;

// The exact form of one selection: candidate i is accepted with Bernoulli(exp(-gamma_i)),
//   gamma_i = epsilon_used.numerator * gaps[i] / (2 * epsilon_used.denominator * sensitivity),
// so Pr[i] = exp(-gamma_i) / sum_j exp(-gamma_j) exactly. Exposed so that tests can compute
// the sampler's output distribution in high precision (tests/unit/privacy).
struct ExponentialPlan {
  Rational epsilon_used;            // RationalAtMost(epsilon): <= the epsilon charged
  std::uint64_t sensitivity = 1;    // Delta, in score units
  std::vector<std::uint64_t> gaps;  // S_max - S_i
};

// Plans the exact mechanism on integer scores of sensitivity `sensitivity` (> 0). Throws
// InputError unless scores is non-empty, epsilon is finite and in [2^-30, 2^33), and
// 2 * epsilon_used.denominator * sensitivity < 2^100 (so every intermediate of the Bernoulli
// sampler fits 128 bits); all of these are public, data-independent conditions.
ExponentialPlan PlanExponential(std::span<const std::int64_t> scores, std::uint64_t sensitivity,
                                double epsilon);

// One draw from the plan's distribution (rejection with exact coins).
std::size_t SampleExponential(const ExponentialPlan& plan, RandomSource& random);

// PlanExponential then SampleExponential. The charge is PrivacyEvent::Exponential(epsilon).
std::size_t SelectExponentialExact(std::span<const std::int64_t> scores, std::uint64_t sensitivity,
                                   double epsilon, RandomSource& random);

// m_i = floor(score_i / sensitivity * 2^kExponentialGridBits), computed exactly, then clamped
// to +-kMaxExponentialUtility * 2^kExponentialGridBits (a 1-Lipschitz map: the sensitivity is
// unchanged, and a huge score causes no data-dependent error). Throws InputError unless
// sensitivity is finite > 0 and every score is finite (the message names no score).
std::vector<std::int64_t> SnapExponentialScores(std::span<const double> scores, double sensitivity);

// Index of the selected candidate for double scores of sensitivity `sensitivity`:
// SelectExponentialExact(SnapExponentialScores(scores, sensitivity), 2^kExponentialGridBits,
// epsilon). Throws InputError on the conditions of both. The charge is
// PrivacyEvent::Exponential(epsilon).
std::size_t SelectExponential(std::span<const double> scores, double epsilon, double sensitivity,
                              RandomSource& random);

}  // namespace privet::privacy

#endif  // PRIVET_PRIVACY_EXPONENTIAL_MECHANISM_H_
