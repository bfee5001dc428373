// Fidelity metrics of a synthetic table against the real one, for the officer's quality
// report (engine/quality/quality_report.h). They read the REAL table: nothing here is
// differentially private, and no number it returns may leave the officer's hands.
//
// Marginal error is the total variation distance (TVD) between normalised contingency tables,
// TVD(p, q) = 1/2 * sum_cells |p(cell) - q(cell)| (Levin, Peres & Wilmer, "Markov Chains and
// Mixing Times", 2nd ed., Prop. 4.2), in [0, 1]. Over attribute sets of size k it is the
// "workload error" of the synthetic-data literature (McKenna et al., "Winning the NIST
// Contest", 2021, Sec. 5; Tao et al., "Benchmarking DP synthetic data", 2021, Sec. 4.1). It is
// computed on the schema's codes, so the binning is the config's (missing is its own code);
// ../shared/tools/fidelity.py gives the same numbers on the files written by
// WriteCodedCsv (quality_report.h) with --all-categorical.
#ifndef PRIVET_ENGINE_QUALITY_FIDELITY_METRICS_H_
#define PRIVET_ENGINE_QUALITY_FIDELITY_METRICS_H_

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/table/encoded_table.h"

namespace privet::engine::quality {

// TVD between the normalised marginals of `real` and `synthetic` over the given columns (indices
// into both tables, which must have the same columns and domains: encode both with one
// schema). An empty table has no distribution: throws std::invalid_argument when either table
// has no rows, the column lists are invalid or the domains differ.
double MarginalTvd(const EncodedTable& real, const EncodedTable& synthetic,
                   std::span<const std::size_t> columns);

// The mean and max TVD over k-way attribute sets.
struct WayTvd {
  std::size_t way = 0;
  // Number of k-subsets of the columns, C(num_columns, k).
  std::size_t total_sets = 0;
  // Sets actually evaluated: all of them, or a uniform sample of max_sets without replacement.
  std::size_t evaluated_sets = 0;
  bool sampled = false;
  double mean = 0;
  double max = 0;
};

// Mean and max TVD over every k-subset of the columns (in column order), or, when there are
// more than max_sets, over max_sets of them drawn uniformly without replacement with a
// Boost mt19937_64 seeded with `seed` (not a privacy mechanism: evaluation only, so a fixed
// seed makes two reports comparable). way >= 1 and <= num_columns, max_sets >= 1.
WayTvd MeanMarginalTvd(const EncodedTable& real, const EncodedTable& synthetic, std::size_t way,
                       std::size_t max_sets, std::uint64_t seed);

// Symmetric num_columns x num_columns matrix: entry (i, j), i != j, is the 2-way TVD over
// columns {i, j}; the diagonal holds the 1-way TVD of column i.
Eigen::MatrixXd PairwiseTvdMatrix(const EncodedTable& real, const EncodedTable& synthetic);

// Share of rows taking each code of the column (size domain_size; sums to 1). Throws
// std::invalid_argument for an empty column.
std::vector<double> CodeShares(const EncodedColumn& column);

// Pearson correlation matrix of the given numeric columns (all of one length; NaN marks a
// missing value). Each entry uses the rows where both columns are present (pairwise deletion,
// as pandas DataFrame.corr()); an entry is NaN when fewer than 2 such rows remain or either
// column is constant over them. The diagonal is 1 where the column has variance, else NaN.
Eigen::MatrixXd PearsonCorrelation(const std::vector<std::vector<double>>& columns);

// Mean of |a(i, j) - b(i, j)| over the strict upper triangle, skipping entries where either is
// NaN (fidelity.py's corr_mad). nullopt when no entry is defined. a and b are square and of
// one size.
std::optional<double> MeanAbsoluteCorrelationDifference(const Eigen::MatrixXd& a,
                                                        const Eigen::MatrixXd& b);

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_FIDELITY_METRICS_H_
