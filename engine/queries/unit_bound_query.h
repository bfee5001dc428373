// `privet dataset unit-bound`: a differentially private quantile of the number of rows per
// privacy unit, to choose the config's max_rows_per_unit (m) from the data without reading it
// un-noised (issue 12, item 6; docs/privacy.md, "The unit-bound quantile").
//
// Query. Each unit u contributes c_u = min(rows of u, M) for a public cap M (the largest bound
// the officer would consider), so the data is a multiset of n integers in [1, M]. A candidate
// bound m in 1..M spans the ranks [#{u : c_u < m}, #{u : c_u <= m}]; its utility is minus the
// distance of the target rank q n from that interval:
//   score(m) = -max(q n - #{c_u <= m}, #{c_u < m} - q n, 0),
// which is 0 exactly for the q-quantiles (the smallest m with #{c_u <= m} >= q n, and any m
// whose interval also contains q n) and falls by one per unit of rank away from them.
// The exponential mechanism (McSherry & Talwar, FOCS 2007, Theorem 6) releases m with
// probability proportional to exp(epsilon score(m) / 2): the rank-utility quantile of Smith
// (STOC 2011, "Privacy-preserving statistical estimation with optimal convergence rates",
// Sec. 3) on an integer domain, where every candidate is a point, so no interval weighting
// (Gillenwater, Joseph & Kulesza, ICML 2021, Sec. 3.1) is needed.
// Sensitivity: adding or removing one unit (all its rows: the neighbouring relation of every
// release, docs/privacy.md) changes #{c_u <= m} and #{c_u < m} by 0 or 1 (the same sign) and
// q n by q, so each of the three terms moves by at most max(q, 1 - q), and so does their
// maximum: score(m) moves by at most max(q, 1 - q) <= 1; privet uses 1. The counts are taken BEFORE
// the unit bound, whose choice this is, and the sensitivity does not depend on the registered
// bound. Cost: one exponential-mechanism event of epsilon (PrivacyEvent::Exponential), charged
// before the data is read for noise like every release (release/unit_bound_release.h).
#ifndef PRIVET_ENGINE_QUERIES_UNIT_BOUND_QUERY_H_
#define PRIVET_ENGINE_QUERIES_UNIT_BOUND_QUERY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "engine/table/encoded_table.h"
#include "privacy/privacy_event.h"
#include "privacy/random_source.h"

namespace privet::engine {

// Largest public cap M: the candidates are 1..M, scored in O(M).
inline constexpr std::uint32_t kMaxUnitBoundCandidates = 1000000;

struct UnitBoundQueryOptions {
  double quantile = 0.95;        // q in (0, 1)
  std::uint32_t max_rows = 100;  // M: candidates 1..M; units with more rows count as M
  double epsilon = 0.1;
};

struct UnitBoundQueryPlan {
  UnitBoundQueryOptions options;
  privacy::PrivacyEvent event;  // charge this before running the query
  nlohmann::json ToJson() const;
};

// Throws InputError unless quantile is in (0, 1), max_rows in [1, kMaxUnitBoundCandidates]
// and epsilon finite in [2^-30, 2^33) (the exponential mechanism's range).
UnitBoundQueryPlan PlanUnitBoundQuery(const UnitBoundQueryOptions& options);

// The scores of the candidates 1..M (index m - 1) for units with these row counts: exposed
// for tests and the bench. Each count must be >= 1.
std::vector<double> UnitBoundScores(const std::vector<std::uint64_t>& rows_per_unit,
                                    double quantile, std::uint32_t max_rows);

// Rows per unit of `table` (unit_ids() dense in [0, units)); InputError if the table has no
// unit ids (every row its own unit: there is no bound to choose).
std::vector<std::uint64_t> RowsPerUnit(const EncodedTable& table);

struct UnitBoundResult {
  UnitBoundQueryPlan plan;
  std::uint32_t bound = 1;  // the released m
};

// Runs the planned query on the table BEFORE unit bounding, drawing from `noise` (the CSPRNG).
UnitBoundResult RunUnitBoundQuery(const EncodedTable& unbounded, const UnitBoundQueryPlan& plan,
                                  privacy::RandomSource& noise);

// {"max_rows_per_unit": m, "quantile": q, "max_rows_considered": M, "mechanism": {...},
//  "event": {...}}: public (the released m and the request's parameters).
nlohmann::json UnitBoundResultJson(const UnitBoundResult& result);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_QUERIES_UNIT_BOUND_QUERY_H_
