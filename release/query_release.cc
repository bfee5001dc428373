#include "release/query_release.h"

#include <sstream>

#include "engine/queries/correlation_query.h"
#include "engine/queries/noisy_marginal_query.h"
#include "privacy/errors.h"
#include "release/output_dir.h"
#include "release/plan_inputs.h"
#include "release/release_pipeline.h"

namespace privet::release {
namespace {

// A query's two released files: DIR/STEM.csv (the table) and DIR/STEM.json (the table with
// the mechanism and scale that produced it).
ComputedRelease WriteResultFiles(const std::filesystem::path& dir, const std::string& stem,
                                 const std::string& csv, const nlohmann::json& json) {
  ComputedRelease computed;
  computed.files = {dir / (stem + ".csv"), dir / (stem + ".json")};
  WriteReleaseFile(computed.files[0], csv);
  WriteReleaseFile(computed.files[1], json.dump(2) + "\n");
  return computed;
}

}  // namespace

engine::MarginalQueryPlan PlanMarginal(const engine::Schema& schema, const ReleaseRequest& request,
                                       const QueryOptions& options, double delta) {
  engine::MarginalQueryOptions query;
  query.attributes = options.attributes;
  query.epsilon = request.epsilon;
  const bool automatic = options.mode == kAutoNoiseMode;
  if (!automatic) query.mode = engine::ParseNoiseMode(options.mode);
  const auto plan_in = [&](engine::NoiseMode mode) {
    engine::MarginalQueryOptions in_mode = query;
    in_mode.mode = mode;
    in_mode.delta = mode == engine::NoiseMode::kPure ? 0.0 : delta;
    return engine::PlanMarginalQuery(schema, in_mode);
  };
  // "auto" (release_request.h kAutoNoiseMode): the mode with less noise per cell.
  engine::MarginalQueryPlan plan = plan_in(automatic ? engine::NoiseMode::kPure : query.mode);
  if (automatic && delta > 0) {
    engine::MarginalQueryPlan gaussian = plan_in(engine::NoiseMode::kGaussian);
    if (!(plan.noise.StdDev() < gaussian.noise.StdDev())) plan = std::move(gaussian);
  }
  return plan;
}

engine::CorrelationQueryPlan PlanCorrelation(const engine::Schema& schema,
                                             const ReleaseRequest& request,
                                             const QueryOptions& options, double delta) {
  engine::CorrelationQueryOptions query;
  query.attributes = options.attributes;
  query.epsilon = request.epsilon;
  query.delta = delta;
  return engine::PlanCorrelationQuery(schema, query);
}

nlohmann::json QueryPreview::ToJson() const {
  nlohmann::json json = plan;
  json["budget"] = budget ? budget->ToJson() : nlohmann::json(nullptr);
  return json;
}

namespace {

// A query's preview: its plan (PlanMarginal or PlanCorrelation, the planner the release itself
// uses) and the budget preview of the plan's one event.
template <typename PlanQuery>
QueryPreview PreviewQuery(const Deployment& deployment, const ReleaseRequest& request,
                          const QueryOptions& options, PlanQuery plan_query) {
  const PlanInputs inputs = ResolvePlanInputs(deployment, request);
  const auto plan = plan_query(inputs.schema, request, options, inputs.delta);
  return {plan.ToJson(), plan.Describe(),
          PreviewBudget(deployment, RequestedDatasetId(request), {&plan.event, 1})};
}

}  // namespace

QueryPreview PreviewMarginal(const Deployment& deployment, const ReleaseRequest& request,
                             const QueryOptions& options) {
  return PreviewQuery(deployment, request, options, PlanMarginal);
}

QueryPreview PreviewCorrelation(const Deployment& deployment, const ReleaseRequest& request,
                                const QueryOptions& options) {
  return PreviewQuery(deployment, request, options, PlanCorrelation);
}

ReleaseResult QueryMarginal(const Deployment& deployment, const ReleaseRequest& request,
                            const QueryOptions& options, const StageCallback& stage) {
  if (options.mode != kAutoNoiseMode) engine::ParseNoiseMode(options.mode);
  PreparedRelease prepared = PrepareRelease(deployment, request, "marginal");
  const engine::MarginalQueryPlan plan =
      PlanMarginal(prepared.schema, request, options, prepared.delta);
  const auto write = [&](const engine::NoisyMarginalResult& result,
                         const std::filesystem::path& staging) {
    std::ostringstream csv;
    engine::WriteMarginalCsv(prepared.schema, result, csv);
    return WriteResultFiles(staging, "marginal", csv.str(),
                            engine::MarginalResultJson(prepared.schema, result));
  };
  const auto compute = [&](const engine::EncodedTable& bounded, privacy::RandomSource& noise,
                           const std::filesystem::path& staging, const StageCallback& announce) {
    if (announce) announce("measuring");
    return write(engine::RunMarginalQuery(bounded, plan, noise), staging);
  };
  // A database source: the one GROUP BY runs in SQL (engine/source/postgres_marginal_source.h).
  const auto from_counts = [&](engine::MarginalSource& source, privacy::RandomSource& noise,
                               const std::filesystem::path& staging,
                               const StageCallback& announce) {
    if (announce) announce("measuring");
    return write(engine::NoisyMarginalFromCounts(source.Count(plan.columns), plan, noise), staging);
  };
  return RunRelease(prepared, request, {plan.event}, audit::ReleaseKind::kNoisyMarginal, stage,
                    compute, from_counts);
}

ReleaseResult QueryCorrelation(const Deployment& deployment, const ReleaseRequest& request,
                               const QueryOptions& options, const StageCallback& stage) {
  PreparedRelease prepared = PrepareRelease(deployment, request, "correlation");
  const engine::CorrelationQueryPlan plan =
      PlanCorrelation(prepared.schema, request, options, prepared.delta);
  const auto write = [&](const engine::NoisyCorrelationResult& result,
                         const std::filesystem::path& staging) {
    std::ostringstream csv;
    engine::WriteCorrelationCsv(result, csv);
    ComputedRelease computed =
        WriteResultFiles(staging, "correlation", csv.str(), engine::CorrelationResultJson(result));
    // Public: read off the noisy statistics (post-processing).
    std::string clamped;  // "BMI" or "BMI, BPSysAve": the attribute names, as a person reads them
    std::size_t clamped_count = 0;
    for (std::size_t i = 0; i < result.variance_clamped.size(); ++i) {
      if (!result.variance_clamped[i]) continue;
      clamped += (clamped.empty() ? "" : ", ") + options.attributes[i];
      ++clamped_count;
    }
    if (clamped_count > 0) {
      const bool one = clamped_count == 1;
      computed.extra["warnings"] = nlohmann::json::array(
          {std::string(one ? "the noisy variance of " : "the noisy variances of ") + clamped +
           " fell to 0 or below: " + (one ? "its" : "their") +
           " correlations were set to 0, not estimated (see \"clamped\" and "
           "\"noise_standard_error\" in correlation.json; a larger epsilon or fewer attributes "
           "helps)"});
    }
    return computed;
  };
  const auto compute = [&](const engine::EncodedTable& bounded, privacy::RandomSource& noise,
                           const std::filesystem::path& staging, const StageCallback& announce) {
    if (announce) announce("measuring");
    return write(engine::RunCorrelationQuery(bounded, plan, noise), staging);
  };
  // A database source: the sums from the one joint GROUP BY over the attributes, in SQL.
  const auto from_counts = [&](engine::MarginalSource& source, privacy::RandomSource& noise,
                               const std::filesystem::path& staging,
                               const StageCallback& announce) {
    if (announce) announce("measuring");
    return write(engine::NoisyCorrelationFromCounts(source.Count(plan.columns), plan, noise),
                 staging);
  };
  return RunRelease(prepared, request, {plan.event}, audit::ReleaseKind::kNoisyCorrelation, stage,
                    compute, from_counts);
}

}  // namespace privet::release
