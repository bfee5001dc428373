// `privet query marginal`: a noisy contingency table over 1 to 3 attributes.
//
// Query: the histogram of the unit-bounded table over the attributes' full public domains
// (engine/table/marginals.h). Adding or removing one unit (at most m rows) changes it by at most m
// in L1 and in L2 (docs/privacy.md, "Direct queries"). Mechanism, planned before any data is
// read:
//   pure mode:     discrete Laplace, scale m / epsilon           -> epsilon-DP
//                  (geometric mechanism, Ghosh-Roughgarden-Sundararajan 2009);
//   gaussian mode: discrete Gaussian, the smallest sigma with which one event of L2
//                  sensitivity m composes to (epsilon, delta) (accountant.h,
//                  SmallestGaussianSigma; CKS 2020 Theorem 14).
// Every cell, empty ones included, is released with noise: the domain is public, so which
// cells exist says nothing. Counts may be negative (unbiased); clipping is left to the reader.
#ifndef PRIVET_ENGINE_QUERIES_NOISY_MARGINAL_QUERY_H_
#define PRIVET_ENGINE_QUERIES_NOISY_MARGINAL_QUERY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "engine/generator/synthesis_plan.h"
#include "engine/table/encoded_table.h"
#include "engine/table/marginals.h"
#include "engine/table/schema.h"
#include "privacy/privacy_event.h"
#include "privacy/random_source.h"

namespace privet::engine {

struct MarginalQueryOptions {
  std::vector<std::string> attributes;  // 1 to 3 modeled attribute names, distinct
  double epsilon = 1.0;
  double delta = 0.0;  // must be > 0 in gaussian mode
  NoiseMode mode = NoiseMode::kPure;
  std::uint32_t max_rows_per_unit = 1;  // set from the schema by PlanMarginalQuery
};

struct MarginalQueryPlan {
  MarginalQueryOptions options;
  std::vector<std::size_t> columns;  // column indices of the attributes, in order
  std::vector<std::uint32_t> domain_sizes;
  std::uint64_t num_cells = 0;
  PlannedNoise noise;           // exact sampler parameters
  privacy::PrivacyEvent event;  // charge this before running the query
  double composed_epsilon = 0;  // ComposeEpsilon({event}, delta) <= epsilon

  nlohmann::json ToJson() const;
  // A few lines for `privet query marginal --plan`: the mode, the cells, the noise per cell
  // and the one event. Public inputs only (config, epsilon, delta).
  std::string Describe() const;
};

// Throws InputError on an unknown, repeated or non-modeled attribute, 0 or more than 3
// attributes, more than 2^20 cells, or invalid epsilon/delta (delta = 0 in gaussian mode).
MarginalQueryPlan PlanMarginalQuery(const Schema& schema, MarginalQueryOptions options);

struct NoisyMarginalResult {
  MarginalQueryPlan plan;
  std::vector<std::int64_t> noisy_counts;  // mixed radix, last attribute fastest
};

// Runs the planned query on the unit-bounded table (columns = schema.modeled_attributes()).
NoisyMarginalResult RunMarginalQuery(const EncodedTable& bounded, const MarginalQueryPlan& plan,
                                     privacy::RandomSource& noise);
// The same from the exact marginal over plan.columns, counted elsewhere (a MarginalSource,
// engine/source/marginal_source.h: a database source counts it in SQL). RunMarginalQuery is
// ComputeMarginal then this, so both paths give the same noisy counts for one seed.
NoisyMarginalResult NoisyMarginalFromCounts(const Marginal& exact, const MarginalQueryPlan& plan,
                                            privacy::RandomSource& noise);

// CSV: one column per attribute (value labels, Attribute::Label) then "noisy_count".
void WriteMarginalCsv(const Schema& schema, const NoisyMarginalResult& result, std::ostream& out);
// JSON: {"attributes": [...], "mechanism": {...}, "event": {...}, "cells": [{"values": [..],
// "noisy_count": c}, ...]}.
nlohmann::json MarginalResultJson(const Schema& schema, const NoisyMarginalResult& result);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_QUERIES_NOISY_MARGINAL_QUERY_H_
