#include "engine/queries/correlation_query.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <sstream>

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
          {"noise",
           {{"mechanism", "gaussian_vector (grid + discrete Gaussian)"},
            {"sigma", noise.sigma},
            {"grid", noise.grid}}},
          {"event", event.ToJson()},
          {"composed_epsilon", composed_epsilon}};
}

std::string CorrelationQueryPlan::Describe() const {
  std::ostringstream out;
  const std::size_t p = options.attributes.size();
  out << "privet query correlation plan (gaussian mode)\n";
  out << "  request: epsilon " << options.epsilon << ", delta " << options.delta
      << "; privacy unit bound m = " << options.max_rows_per_unit << " rows\n";
  out << "  attributes (public bounds):";
  for (std::size_t i = 0; i < p; ++i) {
    out << (i ? ", " : " ") << options.attributes[i] << " [" << lower[i] << ", " << upper[i] << "]";
  }
  out << "\n  statistics: " << noise.dimension << " (count, " << p << " sums, " << p * (p + 1) / 2
      << " cross products of values scaled to [-1, 1]), L2 sensitivity " << l2_sensitivity << "\n";
  out << "  noise: Gaussian vector (grid " << noise.grid << " + discrete Gaussian), sigma "
      << noise.sigma << " per statistic\n";
  out << "  1 privacy event (gaussian), composed epsilon " << composed_epsilon;
  return out.str();
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
  Eigen::MatrixXd corr =
      Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(p));
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

namespace {

// Index in s of sum z_i z_j (i <= j), layout as in the header.
std::size_t ProductIndex(std::size_t p, std::size_t i, std::size_t j) {
  std::size_t index = 1 + p;
  for (std::size_t k = 0; k < i; ++k) index += p - k;
  return index + (j - i);
}

// The raw (un-projected) correlation of i != j from s, NaN when a variance is <= 0.
double RawCorrelation(const std::vector<double>& s, std::size_t p, std::size_t i, std::size_t j) {
  const double n = s[0];
  if (!(n >= 2) || !std::isfinite(n)) return std::numeric_limits<double>::quiet_NaN();
  const double mi = s[1 + i] / n, mj = s[1 + j] / n;
  const double vi = s[ProductIndex(p, i, i)] / n - mi * mi;
  const double vj = s[ProductIndex(p, j, j)] / n - mj * mj;
  const double c = s[ProductIndex(p, std::min(i, j), std::max(i, j))] / n - mi * mj;
  if (!(vi > 0 && vj > 0)) return std::numeric_limits<double>::quiet_NaN();
  return c / std::sqrt(vi * vj);
}

}  // namespace

Eigen::MatrixXd CorrelationNoiseError(const std::vector<double>& statistics, std::size_t p,
                                      double sigma) {
  const auto size = static_cast<Eigen::Index>(p);
  Eigen::MatrixXd error = Eigen::MatrixXd::Zero(size, size);
  const double step = 1e-3 * sigma;
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = i + 1; j < p; ++j) {
      double se = std::numeric_limits<double>::quiet_NaN();
      if (std::isfinite(RawCorrelation(statistics, p, i, j)) && step > 0) {
        double squared = 0;
        std::vector<double> s = statistics;
        for (const std::size_t k : {std::size_t{0}, 1 + i, 1 + j, ProductIndex(p, i, i),
                                    ProductIndex(p, j, j), ProductIndex(p, i, j)}) {
          const double x = s[k];
          s[k] = x + step;
          const double up = RawCorrelation(s, p, i, j);
          s[k] = x - step;
          const double down = RawCorrelation(s, p, i, j);
          s[k] = x;
          const double derivative = (up - down) / (2 * step);
          squared += derivative * derivative;
        }
        se = sigma * std::sqrt(squared);
        if (!std::isfinite(se)) se = std::numeric_limits<double>::quiet_NaN();
      }
      error(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = se;
      error(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)) = se;
    }
  }
  return error;
}

namespace {

// Each code's z on the grid, per attribute (the comment in RunCorrelationQuery).
std::vector<std::vector<std::int64_t>> CodeZ(const CorrelationQueryPlan& plan) {
  constexpr int kBits = kCorrelationGridBits;
  const std::size_t p = plan.columns.size();
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
  return code_z;
}

// Adds `weight` rows whose p codes are `codes` to s (rows missing any attribute add nothing).
void Accumulate(const CorrelationQueryPlan& plan,
                const std::vector<std::vector<std::int64_t>>& code_z,
                std::span<const std::uint32_t> codes, privacy::FixedPointNumerator weight,
                std::vector<privacy::FixedPointNumerator>& s) {
  using Fixed = privacy::FixedPointNumerator;
  constexpr int kBits = kCorrelationGridBits;
  const std::size_t p = codes.size();
  for (std::size_t i = 0; i < p; ++i) {
    if (std::isnan(plan.code_value[i][codes[i]])) return;
  }
  s[0] += weight << (2 * kBits);
  std::size_t next = 1 + p;
  for (std::size_t i = 0; i < p; ++i) {
    const Fixed zi = code_z[i][codes[i]];
    s[1 + i] += weight * zi * (Fixed{1} << kBits);
    for (std::size_t j = i; j < p; ++j) s[next++] += weight * zi * code_z[j][codes[j]];
  }
}

NoisyCorrelationResult Finish(const std::vector<privacy::FixedPointNumerator>& s,
                              const CorrelationQueryPlan& plan, privacy::RandomSource& noise);

}  // namespace

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
  const std::vector<std::vector<std::int64_t>> code_z = CodeZ(plan);
  std::vector<privacy::FixedPointNumerator> s(plan.noise.dimension, 0);
  std::vector<std::uint32_t> codes(p);
  for (std::size_t r = 0; r < bounded.num_rows(); ++r) {
    for (std::size_t i = 0; i < p; ++i) codes[i] = bounded.column(plan.columns[i]).at(r);
    Accumulate(plan, code_z, codes, 1, s);
  }
  return Finish(s, plan, noise);
}

NoisyCorrelationResult NoisyCorrelationFromCounts(const Marginal& joint,
                                                  const CorrelationQueryPlan& plan,
                                                  privacy::RandomSource& noise) {
  const std::size_t p = plan.columns.size();
  if (joint.domain_sizes.size() != p) {
    throw InputError("query correlation: the counted marginal does not match the plan");
  }
  for (std::size_t i = 0; i < p; ++i) {
    if (joint.domain_sizes[i] != plan.code_value[i].size()) {
      throw InputError("query correlation: the counted marginal does not match the plan");
    }
  }
  // The same integers as the row loop: the sums are linear in the rows, so a cell of count c
  // adds c times what one of its rows adds.
  const std::vector<std::vector<std::int64_t>> code_z = CodeZ(plan);
  std::vector<privacy::FixedPointNumerator> s(plan.noise.dimension, 0);
  std::vector<std::uint32_t> codes(p);
  for (std::size_t cell = 0; cell < joint.counts.size(); ++cell) {
    if (joint.counts[cell] == 0) continue;
    std::size_t rest = cell;
    for (std::size_t i = p; i-- > 0;) {
      codes[i] = static_cast<std::uint32_t>(rest % joint.domain_sizes[i]);
      rest /= joint.domain_sizes[i];
    }
    Accumulate(plan, code_z, codes, static_cast<privacy::FixedPointNumerator>(joint.counts[cell]),
               s);
  }
  return Finish(s, plan, noise);
}

namespace {

NoisyCorrelationResult Finish(const std::vector<privacy::FixedPointNumerator>& s,
                              const CorrelationQueryPlan& plan, privacy::RandomSource& noise) {
  constexpr int kBits = kCorrelationGridBits;
  const std::size_t p = plan.columns.size();
  NoisyCorrelationResult result;
  result.plan = plan;
  result.noisy_statistics = privacy::AddGaussianNoiseFixedPoint(s, 2 * kBits, plan.noise, noise);
  result.noisy_count = result.noisy_statistics[0];
  result.correlation = CorrelationFromStatistics(result.noisy_statistics, p);
  result.noise_standard_error = CorrelationNoiseError(result.noisy_statistics, p, plan.noise.sigma);
  const std::vector<double>& noisy = result.noisy_statistics;
  result.variance_clamped.assign(p, false);
  if (noisy[0] >= 2) {
    for (std::size_t i = 0; i < p; ++i) {
      const double mean = noisy[1 + i] / noisy[0];
      result.variance_clamped[i] = !(noisy[ProductIndex(p, i, i)] / noisy[0] - mean * mean > 0);
    }
  } else {
    result.variance_clamped.assign(p, true);  // too few noisy rows: the identity is returned
  }
  result.entry_clamped.assign(p, std::vector<bool>(p, false));
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j) {
      if (i == j) continue;
      const double raw = RawCorrelation(noisy, p, i, j);
      result.entry_clamped[i][j] = !std::isfinite(raw) || raw < -1 || raw > 1;
    }
  }
  return result;
}

}  // namespace

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
    for (Eigen::Index j = 0; j < result.correlation.cols(); ++j)
      row.push_back(result.correlation(i, j));
    json["matrix"].push_back(row);
  }
  json["noisy_count"] = result.noisy_count;
  nlohmann::json errors = nlohmann::json::array(), clamped = nlohmann::json::array();
  nlohmann::json clamped_variances = nlohmann::json::array();
  for (Eigen::Index i = 0; i < result.noise_standard_error.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < result.noise_standard_error.cols(); ++j) {
      const double se = result.noise_standard_error(i, j);
      row.push_back(std::isfinite(se) ? nlohmann::json(se) : nlohmann::json(nullptr));
    }
    errors.push_back(row);
  }
  for (std::size_t i = 0; i < result.entry_clamped.size(); ++i) {
    clamped.push_back(result.entry_clamped[i]);
    if (result.variance_clamped[i]) clamped_variances.push_back(result.plan.options.attributes[i]);
  }
  json["noise_standard_error"] = errors;
  json["clamped"] = clamped;
  json["variance_clamped"] = clamped_variances;
  return json;
}

}  // namespace privet::engine
