#include "engine/queries/noisy_marginal_query.h"

#include <cmath>
#include <sstream>

#include "engine/table/decoder.h"
#include "engine/table/marginals.h"
#include "privacy/accountant.h"
#include "privacy/errors.h"
#include "privacy/noisy_counts.h"

namespace privet::engine {
namespace {

constexpr std::uint64_t kMaxQueryCells = std::uint64_t{1} << 20;

std::string QueryName(const MarginalQueryOptions& options) {
  std::string name = "query marginal(";
  for (std::size_t i = 0; i < options.attributes.size(); ++i) {
    name += (i ? "," : "") + options.attributes[i];
  }
  return name + ")";
}

}  // namespace

nlohmann::json MarginalQueryPlan::ToJson() const {
  return {{"attributes", options.attributes},
          {"mode", NoiseModeName(options.mode)},
          {"epsilon", options.epsilon},
          {"delta", options.delta},
          {"max_rows_per_unit", options.max_rows_per_unit},
          {"l1_l2_sensitivity", options.max_rows_per_unit},
          {"cells", num_cells},
          {"noise", noise.ToJson()},
          {"event", event.ToJson()},
          {"composed_epsilon", composed_epsilon}};
}

std::string MarginalQueryPlan::Describe() const {
  std::ostringstream out;
  const bool pure = options.mode == NoiseMode::kPure;
  out << "privet query marginal plan (" << NoiseModeName(options.mode) << " mode)\n";
  out << "  request: epsilon " << options.epsilon << ", delta " << options.delta
      << "; privacy unit bound m = " << options.max_rows_per_unit << " rows\n";
  out << "  attributes:";
  for (std::size_t i = 0; i < options.attributes.size(); ++i) {
    out << (i ? " x " : " ") << options.attributes[i] << " (" << domain_sizes[i] << ")";
  }
  out << " = " << num_cells << " cells\n";
  out << "  noise: ";
  if (pure) {
    out << "discrete Laplace, scale " << noise.laplace.scale.ToDouble();
  } else {
    out << "discrete Gaussian, sigma " << noise.gaussian.sigma;
  }
  out << ", noise std " << noise.StdDev()
      << " per cell (sensitivity m = " << options.max_rows_per_unit << ", " << (pure ? "L1" : "L2")
      << ")\n";
  out << "  1 privacy event (" << (pure ? "laplace" : "gaussian") << "), composed epsilon "
      << composed_epsilon;
  return out.str();
}

MarginalQueryPlan PlanMarginalQuery(const Schema& schema, MarginalQueryOptions options) {
  options.max_rows_per_unit = schema.max_rows_per_unit();
  if (options.attributes.empty() || options.attributes.size() > 3) {
    throw InputError("query marginal: give 1 to 3 attributes (--attrs A,B[,C])");
  }
  if (!(options.epsilon > 0) || !std::isfinite(options.epsilon)) {
    throw InputError("query marginal: epsilon must be finite and > 0");
  }
  if (!(options.delta >= 0 && options.delta < 1)) {
    throw InputError("query marginal: delta must be in [0, 1)");
  }
  if (options.mode == NoiseMode::kGaussian && options.delta == 0) {
    throw InputError("query marginal: gaussian mode needs delta > 0 (or use --mode pure)");
  }
  MarginalQueryPlan plan;
  plan.num_cells = 1;
  const auto& modeled = schema.modeled_attributes();
  for (std::size_t index : schema.ModeledColumns(options.attributes, "query marginal")) {
    plan.columns.push_back(index);
    plan.domain_sizes.push_back(modeled[index].domain_size());
    plan.num_cells *= modeled[index].domain_size();
  }
  if (plan.num_cells > kMaxQueryCells) {
    throw InputError("query marginal: " + std::to_string(plan.num_cells) +
                     " cells (more than 2^20); choose fewer or coarser attributes");
  }
  const double m = options.max_rows_per_unit;
  plan.noise.mode = options.mode;
  const std::string query = QueryName(options);
  if (options.mode == NoiseMode::kPure) {
    plan.noise.laplace = privacy::PlanDiscreteLaplace(options.epsilon, m);
    plan.event = plan.noise.laplace.Event(query);
  } else {
    const std::optional<double> sigma =
        privacy::SmallestGaussianSigma({}, 1, m, options.epsilon, options.delta);
    if (!sigma) throw InputError("query marginal: no Gaussian noise fits (epsilon, delta)");
    plan.noise.gaussian = privacy::PlanDiscreteGaussian(*sigma);
    plan.event = plan.noise.gaussian.Event(m, query);
  }
  const std::vector<privacy::PrivacyEvent> events{plan.event};
  plan.composed_epsilon = privacy::ComposeEpsilon(events, options.delta);
  plan.options = std::move(options);
  return plan;
}

NoisyMarginalResult RunMarginalQuery(const EncodedTable& bounded, const MarginalQueryPlan& plan,
                                     privacy::RandomSource& noise) {
  for (std::size_t i = 0; i < plan.columns.size(); ++i) {
    if (plan.columns[i] >= bounded.num_columns() ||
        bounded.column(plan.columns[i]).domain_size() != plan.domain_sizes[i]) {
      throw InputError("query marginal: the table does not match the plan");
    }
  }
  return NoisyMarginalFromCounts(ComputeMarginal(bounded, plan.columns), plan, noise);
}

NoisyMarginalResult NoisyMarginalFromCounts(const Marginal& marginal, const MarginalQueryPlan& plan,
                                            privacy::RandomSource& noise) {
  if (marginal.domain_sizes != plan.domain_sizes) {
    throw InputError("query marginal: the counted marginal does not match the plan");
  }
  std::vector<std::int64_t> counts(marginal.counts.begin(), marginal.counts.end());
  NoisyMarginalResult result;
  result.plan = plan;
  result.noisy_counts = plan.noise.mode == NoiseMode::kPure
                            ? privacy::AddDiscreteLaplaceNoise(counts, plan.noise.laplace, noise)
                            : privacy::AddDiscreteGaussianNoise(counts, plan.noise.gaussian, noise);
  return result;
}

namespace {

std::vector<std::uint32_t> CodesOf(const MarginalQueryPlan& plan, std::size_t cell) {
  std::vector<std::uint32_t> codes(plan.domain_sizes.size());
  for (std::size_t i = codes.size(); i-- > 0;) {
    codes[i] = static_cast<std::uint32_t>(cell % plan.domain_sizes[i]);
    cell /= plan.domain_sizes[i];
  }
  return codes;
}

}  // namespace

void WriteMarginalCsv(const Schema& schema, const NoisyMarginalResult& result, std::ostream& out) {
  const auto& modeled = schema.modeled_attributes();
  std::string line;
  for (const std::string& name : result.plan.options.attributes) {
    AppendCsvField(line, name);
    line += ',';
  }
  line += "noisy_count\n";
  out << line;
  for (std::size_t cell = 0; cell < result.noisy_counts.size(); ++cell) {
    line.clear();
    const std::vector<std::uint32_t> codes = CodesOf(result.plan, cell);
    for (std::size_t i = 0; i < codes.size(); ++i) {
      AppendCsvField(line, modeled[result.plan.columns[i]].Label(codes[i]));
      line += ',';
    }
    line += std::to_string(result.noisy_counts[cell]) + "\n";
    out << line;
  }
  if (!out) throw StorageError("query marginal: could not write the CSV output");
}

nlohmann::json MarginalResultJson(const Schema& schema, const NoisyMarginalResult& result) {
  const auto& modeled = schema.modeled_attributes();
  nlohmann::json json = result.plan.ToJson();
  json["cells"] = nlohmann::json::array();
  for (std::size_t cell = 0; cell < result.noisy_counts.size(); ++cell) {
    const std::vector<std::uint32_t> codes = CodesOf(result.plan, cell);
    nlohmann::json values = nlohmann::json::array();
    for (std::size_t i = 0; i < codes.size(); ++i) {
      values.push_back(modeled[result.plan.columns[i]].Label(codes[i]));
    }
    json["cells"].push_back({{"values", values}, {"noisy_count", result.noisy_counts[cell]}});
  }
  return json;
}

}  // namespace privet::engine
