#include "release/synthesize_release.h"

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <fstream>

#include "engine/generator/model.h"
#include "engine/generator/privbayes.h"
#include "engine/generator/sampler.h"
#include "engine/table/decoder.h"
#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "release/plan_inputs.h"
#include "release/release_pipeline.h"

namespace privet::release {
namespace {

engine::SynthesisOptions EngineOptions(const ReleaseRequest& request,
                                       const SynthesizeOptions& options, double delta) {
  engine::SynthesisOptions engine_options;
  engine_options.epsilon = request.epsilon;
  engine_options.mode = engine::ParseNoiseMode(options.mode);
  // Pure mode spends no delta whatever was asked; the ledger still measures it at the
  // budget's delta.
  engine_options.delta = engine_options.mode == engine::NoiseMode::kPure ? 0.0 : delta;
  engine_options.degree = options.degree;
  engine_options.max_parent_cells = options.max_parent_cells;
  engine_options.pair_share = options.pair_share;
  return engine_options;
}

// The plan in the request's mode, or for "auto" the one of the two modes whose 1-way and family
// marginals get less noise variance in total (release_request.h kAutoNoiseMode).
engine::SynthesisPlan PlanInMode(const engine::Schema& schema, const ReleaseRequest& request,
                                 const SynthesizeOptions& options, double delta) {
  if (options.mode != kAutoNoiseMode) {
    return engine::PlanSynthesis(schema, EngineOptions(request, options, delta));
  }
  SynthesizeOptions gaussian = options, pure = options;
  gaussian.mode = "gaussian";
  pure.mode = "pure";
  if (!(delta > 0)) return engine::PlanSynthesis(schema, EngineOptions(request, pure, delta));
  std::optional<engine::SynthesisPlan> pure_plan;
  try {
    pure_plan.emplace(engine::PlanSynthesis(schema, EngineOptions(request, pure, delta)));
  } catch (const InputError&) {
    // e.g. a --pair-share that only Gaussian mode takes: Gaussian it is.
  }
  engine::SynthesisPlan gaussian_plan =
      engine::PlanSynthesis(schema, EngineOptions(request, gaussian, delta));
  // The noise variance the fit works from: every 1-way and family marginal's per-cell variance.
  const auto variance = [](const engine::SynthesisPlan& plan) {
    const double one_way = plan.one_way.StdDev(), family = plan.family.StdDev();
    return static_cast<double>(plan.num_one_way()) * one_way * one_way +
           static_cast<double>(plan.num_families()) * family * family;
  };
  if (pure_plan && variance(*pure_plan) < variance(gaussian_plan)) return *pure_plan;
  return gaussian_plan;
}

}  // namespace

// A --rows of -5 wraps to 2^64 - 5 in an unsigned option; the upper bound catches it too.
void CheckRows(const std::optional<std::uint64_t>& rows) {
  if (rows && (*rows == 0 || *rows > kMaxSyntheticRows)) {
    throw InputError("--rows must be between 1 and " + std::to_string(kMaxSyntheticRows));
  }
}

std::uint64_t RowsToSample(const std::optional<std::uint64_t>& rows,
                           const engine::BayesNetModel& model) {
  CheckRows(rows);
  if (rows) return *rows;
  const double noisy = std::round(model.noisy_rows());
  return static_cast<std::uint64_t>(std::clamp(noisy, 1.0, static_cast<double>(kMaxSyntheticRows)));
}

engine::SynthesisPlan PlanSynthesis(const Deployment& deployment, const ReleaseRequest& request,
                                    const SynthesizeOptions& options) {
  CheckRows(options.rows);
  const PlanInputs inputs = ResolvePlanInputs(deployment, request);
  return PlanInMode(inputs.schema, request, options, inputs.delta);
}

nlohmann::json SynthesisPreview::ToJson() const {
  nlohmann::json json = plan.ToJson();
  json["budget"] = budget ? budget->ToJson() : nlohmann::json(nullptr);
  return json;
}

SynthesisPreview PreviewSynthesis(const Deployment& deployment, const ReleaseRequest& request,
                                  const SynthesizeOptions& options) {
  SynthesisPreview preview{PlanSynthesis(deployment, request, options), std::nullopt};
  preview.budget = PreviewBudget(deployment, RequestedDatasetId(request), preview.plan.events);
  return preview;
}

ReleaseResult Synthesize(const Deployment& deployment, const ReleaseRequest& request,
                         const SynthesizeOptions& options, const StageCallback& stage) {
  CheckRows(options.rows);
  if (options.mode != kAutoNoiseMode) engine::ParseNoiseMode(options.mode);
  PreparedRelease prepared = PrepareRelease(deployment, request, "synthesize");
  const engine::SynthesisPlan plan = PlanInMode(prepared.schema, request, options, prepared.delta);
  // Sampling and writing need no data: the same for both sources.
  const auto release_model = [&](const engine::BayesNetModel& model, privacy::RandomSource& noise,
                                 const std::filesystem::path& staging,
                                 const StageCallback& announce) {
    if (announce) announce("sampling rows");
    const std::uint64_t rows = RowsToSample(options.rows, model);
    // Sampling is post-processing: seeded from the request's seed, else from the CSPRNG.
    boost::random::mt19937_64 sampling(request.seed ? *request.seed : noise());
    const engine::EncodedTable synthetic = engine::SampleRows(model, rows, sampling);
    if (announce) announce("writing files");
    ComputedRelease computed;
    computed.files = {staging / "synthetic.csv", staging / "model.json"};
    std::ofstream csv(computed.files[0], std::ios::binary);
    engine::WriteCsv(prepared.schema, synthetic, csv, sampling);
    std::ofstream model_file(computed.files[1], std::ios::binary);
    model_file << CanonicalJson(model.ToJson()) << "\n";
    csv.close();
    model_file.close();
    if (!csv || !model_file) throw StorageError("cannot write into " + staging.string());
    computed.extra = {{"rows", rows}};
    return computed;
  };
  const auto compute = [&](const engine::EncodedTable& bounded, privacy::RandomSource& noise,
                           const std::filesystem::path& staging, const StageCallback& announce) {
    if (announce) announce("fitting the model");
    return release_model(engine::FitBayesNet(bounded, plan, prepared.schema.ToJson(), noise), noise,
                         staging, announce);
  };
  // A database source: the fit reads counts only (engine/generator/privbayes.h).
  const auto from_counts = [&](engine::MarginalSource& source, privacy::RandomSource& noise,
                               const std::filesystem::path& staging,
                               const StageCallback& announce) {
    if (announce) announce("fitting the model");
    return release_model(engine::FitBayesNet(source, plan, prepared.schema.ToJson(), noise), noise,
                         staging, announce);
  };
  return RunRelease(prepared, request, plan.events, audit::ReleaseKind::kSyntheticTable, stage,
                    compute, from_counts);
}

}  // namespace privet::release
