// Greedy Bayesian-network structure search with the exponential mechanism (PrivBayes: Zhang,
// Cormode, Procopiuc, Srivastava, Xiao, SIGMOD 2014 Algorithm 2 / TODS 2017 Algorithm 4),
// with privet's score and candidate pruning.
//
// Network order: the root is fixed from public information (the attribute with the fewest
// groups after compression that is not near-constant, ChooseRoot; ties by index); then k - 1 steps
// each choose ONE family (attribute X not yet in the network, parent set P among the attributes
// already in it) with the exponential mechanism. Why the fewest groups: the root is the one
// attribute every early family must draw on, and a narrow root is a cheap extra parent for
// everyone; a wide root (adult's age, 24 groups) is too costly to be anyone's parent, so its
// dependencies were lost (docs/generator.md, adult 2-way TVD 0.0300 -> 0.0297 and the most
// dependent pairs 0.026 -> 0.025).
//
// Score (count space, docs/privacy.md "Structure score"): for candidate (X, P) on the scoring
// rows D,
//   dep(X, P) = sum_{p, x} | c_{P,X}(p, x) - phat_X(x) * c_P(p) |
// where c are counts of D and phat_X the NOISY 1-way distribution of X (already released).
// Adding or removing one unit (m rows) changes c_{P,X} by at most m in L1 and c_P by at most m
// in L1, and phat_X sums to 1, so dep changes by at most 2m: sensitivity 2m, whatever n. Like
// PrivBayes' R score (TODS 2017 Sec. 4.3) it is the L1 distance of the family from
// independence, but in count space with a noisy reference, so its sensitivity does not need
// n. score = dep - penalty, with the data-independent penalty
//   penalty(X, P) = q * sqrt(2 / pi) * sigma_family * cells(X, P),
// the expected L1 noise the family's measurement will carry (as in AIM, McKenna et al. 2022,
// Sec. 4): a family is chosen for the dependence it captures net of the noise it brings, which
// sets the degree automatically. q is the scoring sample fraction (below).
//
// Pruning (for wide tables): a candidate must have family cells <= max_family_cells and parent
// cells <= max_parent_cells (theta-usefulness, docs/generator.md); all candidates with at most
// one parent are kept; larger parent sets are enumerated when there are at most
// max_candidates_per_step of them, and otherwise max_candidates_per_step of them are drawn
// uniformly at random (secure generator; the candidate set is independent of the data).
// Scores of a family never change between steps, so each is computed once (cache).
//
// Scoring sample: for large tables the scores are computed on a Poisson subsample (each row
// kept independently with probability q). For any fixed coins, neighbouring tables give
// subsamples that differ by at most one unit's rows, so dep still has sensitivity 2m and the
// exponential mechanism keeps its guarantee (no amplification is claimed).
#ifndef PRIVET_ENGINE_GENERATOR_NETWORK_STRUCTURE_H_
#define PRIVET_ENGINE_GENERATOR_NETWORK_STRUCTURE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "engine/source/marginal_source.h"
#include "engine/table/encoded_table.h"
#include "privacy/random_source.h"

namespace privet::engine {

struct Family {
  std::size_t attribute = 0;
  std::vector<std::size_t> parents;  // sorted column indices

  bool operator==(const Family&) const = default;
};

struct StructureSearchOptions {
  double selection_epsilon = 0;     // per step (plan.selection_epsilon)
  double score_sensitivity = 2;     // 2m (an integer count, at most 2^40)
  double family_noise_stddev = 1;   // planned per-cell noise of a family marginal
  double sample_fraction = 1;       // q: fraction of rows in the scoring table
  std::uint32_t max_parents = 3;
  std::uint64_t max_parent_cells = 1u << 16;
  std::uint64_t max_family_cells = 1u << 16;
  std::uint32_t max_candidates_per_step = 4000;
  double penalty_weight = 1.0;
};

// The network over the attributes of `scoring` (a view over compressed codes, perhaps of the
// scoring subsample; its joint counts are all the search reads of the data): k families in
// network order, the root first (no parents). noisy_marginals[a] is the noisy 1-way
// distribution of attribute a over its groups (non-negative, sums to 1). Makes exactly k - 1
// calls of the exponential mechanism with options.selection_epsilon. Throws InputError on
// inconsistent sizes.
std::vector<Family> LearnStructure(MarginalSource& scoring,
                                   const std::vector<std::vector<double>>& noisy_marginals,
                                   const StructureSearchOptions& options,
                                   privacy::RandomSource& secure);

// Exact arithmetic (docs/privacy.md "Structure score"): scores are integers on the grid
// 2^-kScoreGridBits counts, accumulated in 128 bits, so no floating-point rounding enters a
// value whose sensitivity the exponential mechanism relies on. phat_X is first rounded DOWN to
// the grid (QuantizeDistribution; a post-processing of released values), so its grid weights
// sum to at most 2^kScoreGridBits and the sensitivity argument (2m) holds exactly for the
// quantized score; the public penalty is rounded to the same grid (identical on neighbours).
inline constexpr int kScoreGridBits = 20;
// Scores are clamped to [-kMaxGridScore, kMaxGridScore] grid units (a 1-Lipschitz map, so the
// sensitivity is unchanged; reached only above ~2^41 rows).
inline constexpr std::int64_t kMaxGridScore = std::int64_t{1} << 62;

// floor(p_x 2^kScoreGridBits) for a distribution p (entries clamped to [0, 1]), lowered where
// needed so the weights sum to at most 2^kScoreGridBits. Throws InputError on a non-finite entry.
std::vector<std::int64_t> QuantizeDistribution(std::span<const double> distribution);

// dep(X, P) above on `table`, in grid units (exactly 2^kScoreGridBits * dep computed with the
// quantized reference), clamped to kMaxGridScore. parents sorted, child not among them;
// child_weights = QuantizeDistribution(phat_X).
std::int64_t DependenceScoreOnGrid(const EncodedTable& table, std::size_t child,
                                   const std::vector<std::size_t>& parents,
                                   std::span<const std::int64_t> child_weights);
// The same from the joint counts over (parents..., child), the child last.
std::int64_t DependenceScoreOnGrid(const Marginal& joint,
                                   std::span<const std::int64_t> child_weights);

// The root: the attribute with the fewest groups among those with at least 2 groups whose
// largest group holds at most kMaxRootShare of the noisy mass (ties by index); when none
// qualifies, the attribute whose largest group is smallest. A constant or near-constant root
// would be a parent that carries no information: every early family would be a 1-way
// marginal in disguise (issue 12: a wide hospital table rooted at a constant column). Public:
// group counts and noisy marginals are released.
inline constexpr double kMaxRootShare = 0.9;
std::size_t ChooseRoot(std::span<const std::uint32_t> groups,
                       const std::vector<std::vector<double>>& noisy_marginals);


}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_NETWORK_STRUCTURE_H_
