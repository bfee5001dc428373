// `privet query correlation`: a noisy Pearson correlation matrix of numeric attributes.
//
// Query (docs/privacy.md, "Direct queries"): each value is clipped to its attribute's PUBLIC
// bounds [min, max] (the encoder already clamps; the code's bin midpoint stands for the value)
// and mapped to z = (2v - min - max) / (max - min) in [-1, 1]. Rows missing any of the
// attributes are left out (a per-row rule, so neighbours still differ by one unit's rows).
// The released vector is the sufficient statistics
//   s = (count, sum_r z_r1, ..., sum_r z_rp, sum_r z_ri z_rj for i <= j),
// dimension 1 + p + p(p+1)/2. One row contributes u = (1, z, z_i z_j) with
// ||u||_2^2 = 1 + sum z_i^2 + sum_{i<=j} z_i^2 z_j^2 <= 1 + p + p(p+1)/2, so one unit of at
// most m rows moves s by at most m sqrt(1 + p + p(p+1)/2) in L2 (triangle inequality).
// Mechanism: the Gaussian mechanism on that vector (privacy/gaussian_mechanism.h: grid
// snapping + discrete Gaussian, no floating-point noise), sigma the smallest that one event
// of that sensitivity may use within (epsilon, delta) (accountant.h).
// Post-processing: means and covariances from s, correlations clamped to [-1, 1], then the
// nearest correlation matrix (engine/queries/nearest_correlation.h), so the result is symmetric,
// unit-diagonal and positive semidefinite at any epsilon (identity when the noisy count is
// below 2).
#ifndef PRIVET_ENGINE_QUERIES_CORRELATION_QUERY_H_
#define PRIVET_ENGINE_QUERIES_CORRELATION_QUERY_H_

#include <Eigen/Dense>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "engine/table/encoded_table.h"
#include "engine/table/marginals.h"
#include "engine/table/schema.h"
#include "privacy/gaussian_mechanism.h"
#include "privacy/privacy_event.h"
#include "privacy/random_source.h"

namespace privet::engine {

struct CorrelationQueryOptions {
  std::vector<std::string> attributes;  // >= 2 distinct integer/continuous attribute names
  double epsilon = 1.0;
  double delta = 1e-9;                  // > 0
  std::uint32_t max_rows_per_unit = 1;  // set from the schema by PlanCorrelationQuery
};

struct CorrelationQueryPlan {
  CorrelationQueryOptions options;
  std::vector<std::size_t> columns;
  std::vector<double> lower, upper;             // public bounds per attribute
  std::vector<std::vector<double>> code_value;  // per attribute: value of each code (NaN = missing)
  double l2_sensitivity = 0;                    // m sqrt(1 + p + p(p+1)/2)
  privacy::GaussianVectorPlan noise;
  privacy::PrivacyEvent event;  // charge this before running the query
  double composed_epsilon = 0;

  nlohmann::json ToJson() const;
  // A few lines for `privet query correlation --plan`: the attributes with their public
  // bounds, the statistics vector and its L2 sensitivity, the noise and the one event.
  std::string Describe() const;
};

// Throws InputError on unknown/repeated/non-numeric attributes, fewer than 2 or more than 64,
// invalid epsilon, or delta not in (0, 1).
CorrelationQueryPlan PlanCorrelationQuery(const Schema& schema, CorrelationQueryOptions options);

struct NoisyCorrelationResult {
  CorrelationQueryPlan plan;
  std::vector<double> noisy_statistics;  // s + noise, layout as in the file comment
  Eigen::MatrixXd correlation;           // valid correlation matrix (post-processed)
  double noisy_count = 0;
  // Per entry, the standard deviation the noise alone gives the correlation (see
  // CorrelationNoiseError); NaN where a variance was clamped, 0 on the diagonal.
  Eigen::MatrixXd noise_standard_error;
  // Per attribute: its noisy variance was <= 0, so every correlation with it was set to 0
  // (not estimated); per entry: the entry was set to 0 for that reason, or its raw value fell
  // outside [-1, 1] and was clamped.
  std::vector<bool> variance_clamped;
  std::vector<std::vector<bool>> entry_clamped;
};

// The noise's standard error of each correlation, by the delta method on the released noisy
// statistics s (public): r_ij = cov_ij / sqrt(var_i var_j) is a smooth function of the six
// coordinates n, sum z_i, sum z_j, sum z_i^2, sum z_j^2, sum z_i z_j, each carrying independent
// Gaussian noise of standard deviation sigma (the plan's), so
//   SE(r_ij) ~= sigma * ||grad r_ij(s)||_2
// (gradient by central differences at a step of 1e-3 sigma). Post-processing of public values:
// it costs no budget. It measures the noise only, not the sampling error of r from n rows
// (about (1 - r^2) / sqrt(n)), and is a linearisation: read it as a scale, not an exact
// interval, when it is not small against 1. NaN where var_i or var_j is <= 0.
Eigen::MatrixXd CorrelationNoiseError(const std::vector<double>& statistics, std::size_t p,
                                      double sigma);

// z values are rounded to multiples of 2^-kCorrelationGridBits and the statistics summed exactly
// in 128-bit integers (docs/privacy.md), so no floating-point error enters the sensitivity.
inline constexpr int kCorrelationGridBits = 30;

// Runs the planned query on the unit-bounded table (columns = schema.modeled_attributes()).
NoisyCorrelationResult RunCorrelationQuery(const EncodedTable& bounded,
                                           const CorrelationQueryPlan& plan,
                                           privacy::RandomSource& noise);
// The same from the exact joint marginal over plan.columns (in that order), counted elsewhere:
// a database source's GROUP BY (engine/source/marginal_source.h), so only counts leave it. The
// sums are linear in the rows, so both give the same integers and, for one seed, the same noisy
// result. Limited by the marginal's cells (kMaxMarginalCells, engine/table/marginals.h).
NoisyCorrelationResult NoisyCorrelationFromCounts(const Marginal& joint,
                                                  const CorrelationQueryPlan& plan,
                                                  privacy::RandomSource& noise);

// The post-processing alone: noisy statistics -> valid correlation matrix (p attributes).
Eigen::MatrixXd CorrelationFromStatistics(const std::vector<double>& statistics, std::size_t p);

// CSV: header "attribute,<names...>", one row per attribute.
void WriteCorrelationCsv(const NoisyCorrelationResult& result, std::ostream& out);
// JSON: plan, "attributes", "matrix" (rows), "noisy_count", "noise_standard_error" (rows, null
// where a variance was clamped), "clamped" (rows of booleans), "variance_clamped" (names).
nlohmann::json CorrelationResultJson(const NoisyCorrelationResult& result);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_QUERIES_CORRELATION_QUERY_H_
