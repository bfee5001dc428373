#include "engine/queries/unit_bound_query.h"

#include <algorithm>
#include <cmath>

#include "privacy/errors.h"
#include "privacy/exponential_mechanism.h"

namespace privet::engine {

nlohmann::json UnitBoundQueryPlan::ToJson() const {
  return {{"quantile", options.quantile},
          {"max_rows_considered", options.max_rows},
          {"epsilon", options.epsilon},
          {"event", event.ToJson()}};
}

UnitBoundQueryPlan PlanUnitBoundQuery(const UnitBoundQueryOptions& options) {
  if (!(options.quantile > 0 && options.quantile < 1)) {
    throw InputError("--quantile must be strictly between 0 and 1");
  }
  if (options.max_rows < 1 || options.max_rows > kMaxUnitBoundCandidates) {
    throw InputError("--max-rows must be an integer in [1, " +
                     std::to_string(kMaxUnitBoundCandidates) + "]");
  }
  if (!std::isfinite(options.epsilon) || !(options.epsilon >= 0x1p-30) ||
      !(options.epsilon < 0x1p33)) {
    throw InputError("--epsilon must be a finite number in [2^-30, 2^33)");
  }
  UnitBoundQueryPlan plan;
  plan.options = options;
  plan.event = privacy::PrivacyEvent::Exponential(options.epsilon, "unit-bound quantile");
  return plan;
}

std::vector<double> UnitBoundScores(const std::vector<std::uint64_t>& rows_per_unit,
                                    double quantile, std::uint32_t max_rows) {
  // histogram[c] = units whose capped count is c; at_most = #{u : c_u <= m}, a running sum.
  std::vector<std::uint64_t> histogram(static_cast<std::size_t>(max_rows) + 1, 0);
  for (std::uint64_t rows : rows_per_unit) {
    if (rows == 0) throw std::logic_error("UnitBoundScores: a unit with no rows");
    ++histogram[static_cast<std::size_t>(std::min<std::uint64_t>(rows, max_rows))];
  }
  const double target = quantile * static_cast<double>(rows_per_unit.size());
  std::vector<double> scores(max_rows);
  std::uint64_t below = 0;  // #{u : c_u < m}
  for (std::uint32_t m = 1; m <= max_rows; ++m) {
    const std::uint64_t at_most = below + histogram[m];
    scores[m - 1] = -std::max(
        {target - static_cast<double>(at_most), static_cast<double>(below) - target, 0.0});
    below = at_most;
  }
  return scores;
}

std::vector<std::uint64_t> RowsPerUnit(const EncodedTable& table) {
  const auto& ids = table.unit_ids();
  if (ids.empty()) {
    throw InputError(
        "the dataset has no privacy unit column (every row is its own unit): there is no "
        "bound per unit to choose");
  }
  const std::uint32_t units = *std::max_element(ids.begin(), ids.end()) + 1;
  std::vector<std::uint64_t> rows(units, 0);
  for (std::uint32_t id : ids) ++rows[id];
  // Dense ids: every id names a unit with at least one row; drop any gap defensively.
  rows.erase(std::remove(rows.begin(), rows.end(), 0), rows.end());
  return rows;
}

UnitBoundResult RunUnitBoundQuery(const EncodedTable& unbounded, const UnitBoundQueryPlan& plan,
                                  privacy::RandomSource& noise) {
  const std::vector<double> scores =
      UnitBoundScores(RowsPerUnit(unbounded), plan.options.quantile, plan.options.max_rows);
  UnitBoundResult result;
  result.plan = plan;
  // Sensitivity 1 (header): the exact exponential mechanism on snapped scores.
  result.bound = static_cast<std::uint32_t>(
                     privacy::SelectExponential(scores, plan.options.epsilon, 1.0, noise)) +
                 1;
  return result;
}

nlohmann::json UnitBoundResultJson(const UnitBoundResult& result) {
  const UnitBoundQueryOptions& o = result.plan.options;
  return {{"max_rows_per_unit", result.bound},
          {"quantile", o.quantile},
          {"max_rows_considered", o.max_rows},
          {"mechanism",
           {{"name", "exponential"},
            {"epsilon", o.epsilon},
            {"candidates", "1.." + std::to_string(o.max_rows)},
            {"utility",
             "-max(quantile * units - #{units with at most m rows}, "
             "#{units with fewer than m rows} - quantile * units, 0)"},
            {"sensitivity", 1}}},
          {"event", result.plan.event.ToJson()},
          {"note",
           "put max_rows_per_unit into the config's privacy_unit and register it again; units "
           "with more rows keep a random subset of that many"}};
}

}  // namespace privet::engine
