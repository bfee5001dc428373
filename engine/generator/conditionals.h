// From noisy marginals to the network's conditional distributions: consistency, then
// conditionals. Pure post-processing of released noisy counts (no privacy cost).
//
// Consistency (Qardaji, Yang, Li, "PriView", SIGMOD 2014, Sec. 4.3 "mutual consistency",
// with inverse-variance weights as in Hay et al., VLDB 2010):
//   1. total: every table's total is an unbiased estimate of n with variance
//      cells * noise_variance; their inverse-variance weighted mean n_hat is the consensus,
//      and each table is shifted uniformly (the same amount per cell) to sum to n_hat;
//   2. shared attributes: for each attribute, the projections of every table holding it (its
//      1-way marginal and the families it appears in) are averaged per group with
//      inverse-variance weights (a projection summing s cells has variance s * noise_var);
//      each table then gets the difference spread uniformly over the cells of each group.
//      The differences sum to 0, so fixing one attribute leaves the others' projections
//      unchanged: afterwards all tables agree exactly on every shared attribute;
//   3. non-negativity: each table is projected onto the non-negative tables with total n_hat
//      (Norm-Sub: subtract one constant, clip at 0; Wang et al., NDSS 2020), which removes
//      the spurious mass clipping alone leaves in noise-only cells. This may break step 2
//      slightly; the released conditionals only need each row to be a distribution.
// Conditionals: each family table divided by its parent-configuration totals; a parent
// configuration with no mass left gets the attribute's consensus 1-way distribution.
#ifndef PRIVET_ENGINE_GENERATOR_CONDITIONALS_H_
#define PRIVET_ENGINE_GENERATOR_CONDITIONALS_H_

#include <cstdint>
#include <vector>

#include "engine/generator/model.h"
#include "engine/generator/network_structure.h"

namespace privet::engine {

// A noisy table over `attributes` (mixed radix, last fastest, as engine/table/marginals.h) with
// independent per-cell noise of variance noise_variance.
struct NoisyTable {
  std::vector<std::size_t> attributes;
  std::vector<std::uint32_t> domain_sizes;
  std::vector<double> counts;
  double noise_variance = 1;
};

struct ConsistentEstimate {
  double total = 0;                          // consensus n_hat
  std::vector<std::vector<double>> one_way;  // consensus counts per attribute (>= 0)
  std::vector<NoisyTable> families;          // consistent, non-negative
};

// Norm-Sub (Wang, Lopuhaa-Zwakenberg, ..., Li, "Locally Differentially Private Frequency
// Estimation with Consistency", NDSS 2020, Sec. IV-B): replaces `values` by the non-negative
// vector max(values - delta, 0) whose sum is `total` (the Euclidean projection onto the scaled
// simplex); all zeros when total <= 0. Clipping alone would leave every noise-only cell with
// E[max(0, Z)] = 0.4 sigma of spurious mass; subtracting delta removes it and keeps the total.
void NormSub(std::vector<double>& values, double total);

// one_way[a] is attribute a's noisy 1-way table (over its groups); families[i] the noisy table
// of network[i] ordered as its parents then the attribute (the root's entry is unused and may
// be empty). Steps 1-3 above.
ConsistentEstimate MakeConsistent(const std::vector<NoisyTable>& one_way,
                                  const std::vector<NoisyTable>& families);

// The conditional tables of `network` from the consistent estimate (the root from its
// consensus 1-way marginal).
std::vector<ConditionalTable> BuildConditionals(const std::vector<Family>& network,
                                                const ConsistentEstimate& estimate);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_CONDITIONALS_H_
