#include "engine/queries/correlation_query.h"

#include <cmath>
#include <limits>

#include "engine/queries/nearest_correlation.h"
#include "engine/table/decoder.h"
#include "privacy/accountant.h"
#include "privacy/errors.h"

namespace privet::engine {

nlohmann::json CorrelationQueryPlan::ToJson() const {
  return {{"attributes", options.attributes},
          {"epsilon", options.epsilon},
          {"delta", options.delta},
          {"max_rows_per_unit", options.max_rows_per_unit},
          {"lower", lower},
          {"upper", upper},
          {"statistics_dimension", noise.dimension},
          {"l2_sensitivity", l2_sensitivity},
          {"noise", {{"mechanism", "gaussian_vector (grid + discrete Gaussian)"},
                     {"sigma", noise.sigma},
                     {"grid", noise.grid}}},
          {"event", event.ToJson()},
          {"composed_epsilon", composed_epsilon}};
}

CorrelationQueryPlan PlanCorrelationQuery(const Schema& schema, CorrelationQueryOptions options) {
  options.max_rows_per_unit = schema.max_rows_per_unit();
  const std::size_t p = options.attributes.size();
  if (p < 2 || p > 64) throw InputError("query correlation: give 2 to 64 numeric attributes");
  if (!(options.epsilon > 0) || !std::isfinite(options.epsilon)) {
    throw InputError("query correlation: epsilon must be finite and > 0");
  }
  if (!(options.delta > 0 && options.delta < 1)) {
    throw InputError("query correlation: delta must be in (0, 1) (the Gaussian mechanism)");
  }
  CorrelationQueryPlan plan;
  const auto& modeled = schema.modeled_attributes();
  for (std::size_t index : schema.ModeledColumns(options.attributes, "query correlation")) {
    const Attribute& attribute = modeled[index];
    const std::string& name = attribute.name;
    if (attribute.type != AttributeType::kInteger && attribute.type != AttributeType::kContinuous) {
      throw InputError("query correlation: \"" + name + "\" is " +
                       std::string(AttributeTypeName(attribute.type)) +
                       "; only integer and continuous attributes have a correlation");
    }
    plan.columns.push_back(index);
    plan.lower.push_back(attribute.min);
    plan.upper.push_back(attribute.max);
    std::vector<double> values(attribute.domain_size(), std::numeric_limits<double>::quiet_NaN());
    for (std::uint32_t b = 0; b < attribute.num_value_codes(); ++b) {
      const double hi = attribute.type == AttributeType::kInteger ? attribute.bin_upper_inclusive(b)
                                                                  : attribute.bin_upper(b);
      values[b] = std::clamp((attribute.bin_lower[b] + hi) / 2, attribute.min, attribute.max);
    }
    plan.code_value.push_back(std::move(values));
  }
  const double m = options.max_rows_per_unit;
  const double pd = static_cast<double>(p);
  plan.l2_sensitivity = m * std::sqrt(1 + pd + pd * (pd + 1) / 2);
  const std::size_t dimension = 1 + p + p * (p + 1) / 2;
  const std::string query = "query correlation(" + std::to_string(p) + " attributes)";
  std::optional<double> sigma =
      privacy::SmallestGaussianSigma({}, 1, plan.l2_sensitivity, options.epsilon, options.delta);
  if (!sigma) throw InputError("query correlation: no Gaussian noise fits (epsilon, delta)");
  // The vector mechanism's rounding may cost a hair more than planned: widen until it fits.
  for (int attempt = 0; attempt < 50; ++attempt) {
    plan.noise = privacy::PlanGaussianVector(dimension, *sigma, plan.l2_sensitivity);
    plan.event = plan.noise.Event(query);
    const std::vector<privacy::PrivacyEvent> events{plan.event};
    plan.composed_epsilon = privacy::ComposeEpsilon(events, options.delta);
    if (plan.composed_epsilon <= options.epsilon) break;
    *sigma *= 1 + 1e-9;
  }
  if (plan.composed_epsilon > options.epsilon) {
    throw InputError("query correlation: could not fit the noise within epsilon");
  }
  plan.options = std::move(options);
  return plan;
}

Eigen::MatrixXd CorrelationFromStatistics(const std::vector<double>& s, std::size_t p) {
  Eigen::MatrixXd corr = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(p),
                                                   static_cast<Eigen::Index>(p));
  const double n = s[0];
  if (!(n >= 2) || !std::isfinite(n)) return corr;
  std::vector<double> mean(p);
  for (std::size_t i = 0; i < p; ++i) mean[i] = s[1 + i] / n;
  Eigen::MatrixXd cov(p, p);
  std::size_t next = 1 + p;
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = i; j < p; ++j) {
      const double c = s[next++] / n - mean[i] * mean[j];
      cov(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = c;
      cov(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)) = c;
    }
  }
  for (Eigen::Index i = 0; i < cov.rows(); ++i) {
    for (Eigen::Index j = 0; j < cov.cols(); ++j) {
      if (i == j) continue;
      const double vi = cov(i, i), vj = cov(j, j);
      // A noisy variance <= 0 carries no correlation information: leave 0 there.
      const double r = (vi > 0 && vj > 0) ? cov(i, j) / std::sqrt(vi * vj) : 0.0;
      corr(i, j) = std::isfinite(r) ? std::clamp(r, -1.0, 1.0) : 0.0;
    }
  }
  return NearestCorrelation(corr).matrix;
}

NoisyCorrelationResult RunCorrelationQuery(const EncodedTable& bounded,
                                           const CorrelationQueryPlan& plan,
                                           privacy::RandomSource& noise) {
  const std::size_t p = plan.columns.size();
  for (std::size_t i = 0; i < p; ++i) {
    if (plan.columns[i] >= bounded.num_columns() ||
        bounded.column(plan.columns[i]).domain_size() != plan.code_value[i].size()) {
      throw InputError("query correlation: the table does not match the plan");
    }
  }
  // Exact accumulation (docs/privacy.md "Direct queries"): each code's z is rounded once to the
  // grid 2^-kCorrelationGridBits (a fixed function of the public code value, |Z| <= 2^30 so
  // |z'| <= 1 and the per-row bound ||u||_2 still holds), and every coordinate of s is summed
  // as an integer in units of 2^-2k: count 2^2k, z_i Z_i 2^k, z_i z_j Z_i Z_j. A row adds at
  // most 2^60 per coordinate, so 2^67 rows fit in 128 bits; the sums are exact and the
  // Gaussian mechanism's grid rounding is the only rounding left (covered by its plan).
  using Fixed = privacy::FixedPointNumerator;
  constexpr int kBits = kCorrelationGridBits;
  std::vector<std::vector<std::int64_t>> code_z(p);
  for (std::size_t i = 0; i < p; ++i) {
    for (const double v : plan.code_value[i]) {
      const double range = plan.upper[i] - plan.lower[i];
      const double z = std::isnan(v) || !(range > 0)
                           ? 0.0
                           : std::clamp((2 * v - plan.lower[i] - plan.upper[i]) / range, -1.0, 1.0);
      code_z[i].push_back(static_cast<std::int64_t>(std::llround(std::ldexp(z, kBits))));
    }
  }
  std::vector<Fixed> s(plan.noise.dimension, 0);
  std::vector<std::int64_t> z(p);
  for (std::size_t r = 0; r < bounded.num_rows(); ++r) {
    bool complete = true;
    for (std::size_t i = 0; i < p && complete; ++i) {
      const std::uint32_t code = bounded.column(plan.columns[i]).at(r);
      if (std::isnan(plan.code_value[i][code])) {
        complete = false;
      } else {
        z[i] = code_z[i][code];
      }
    }
    if (!complete) continue;
    s[0] += Fixed{1} << (2 * kBits);
    std::size_t next = 1 + p;
    for (std::size_t i = 0; i < p; ++i) {
      s[1 + i] += static_cast<Fixed>(z[i]) * (Fixed{1} << kBits);
      for (std::size_t j = i; j < p; ++j) s[next++] += static_cast<Fixed>(z[i]) * z[j];
    }
  }
  NoisyCorrelationResult result;
  result.plan = plan;
  result.noisy_statistics = privacy::AddGaussianNoiseFixedPoint(s, 2 * kBits, plan.noise, noise);
  result.noisy_count = result.noisy_statistics[0];
  result.correlation = CorrelationFromStatistics(result.noisy_statistics, p);
  return result;
}

void WriteCorrelationCsv(const NoisyCorrelationResult& result, std::ostream& out) {
  std::string line = "attribute";
  for (const std::string& name : result.plan.options.attributes) {
    line += ',';
    AppendCsvField(line, name);
  }
  out << line << "\n";
  for (Eigen::Index i = 0; i < result.correlation.rows(); ++i) {
    line.clear();
    AppendCsvField(line, result.plan.options.attributes[static_cast<std::size_t>(i)]);
    for (Eigen::Index j = 0; j < result.correlation.cols(); ++j) {
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), ",%.6f", result.correlation(i, j));
      line += buffer;
    }
    out << line << "\n";
  }
  if (!out) throw StorageError("query correlation: could not write the CSV output");
}

nlohmann::json CorrelationResultJson(const NoisyCorrelationResult& result) {
  nlohmann::json json = result.plan.ToJson();
  json["matrix"] = nlohmann::json::array();
  for (Eigen::Index i = 0; i < result.correlation.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < result.correlation.cols(); ++j) row.push_back(result.correlation(i, j));
    json["matrix"].push_back(row);
  }
  json["noisy_count"] = result.noisy_count;
  return json;
}

}  // namespace privet::engine
