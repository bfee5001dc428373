// `privet synthesize`: the researcher's main job. Charges the ledger with the plan's events,
// fits the PrivBayes-style model, samples and decodes synthetic rows, and writes
// synthetic.csv, model.json and attestation.dsse.json into --out (all or nothing).
// `--plan` prints the budget split and noise scales and charges nothing.
#include <fstream>
#include <iostream>
#include <memory>

#include <boost/random/mersenne_twister.hpp>

#include "cli/commands.h"
#include "cli/ledger_path.h"
#include "cli/progress.h"
#include "cli/release_common.h"
#include "engine/generator/model.h"
#include "engine/generator/privbayes.h"
#include "engine/generator/sampler.h"
#include "engine/generator/synthesis_plan.h"
#include "engine/table/decoder.h"
#include "engine/table/encoder.h"
#include "engine/table/unit_bounding.h"
#include "privacy/canonical_json.h"
#include "privacy/errors.h"

namespace privet::cli {
namespace {

struct SynthesizeOptions {
  ReleaseOptions release;
  std::optional<std::uint64_t> rows;
  std::string mode = "gaussian";
  std::optional<std::uint32_t> degree;
  std::optional<std::uint64_t> max_parent_cells;
  std::optional<double> pair_share;
  bool plan_only = false;
};

engine::SynthesisOptions EngineOptions(const SynthesizeOptions& options, double delta) {
  engine::SynthesisOptions engine_options;
  engine_options.epsilon = options.release.epsilon;
  engine_options.mode = engine::ParseNoiseMode(options.mode);
  // Pure mode spends no delta whatever was asked; the ledger still measures it at the
  // budget's delta.
  engine_options.delta = engine_options.mode == engine::NoiseMode::kPure ? 0.0 : delta;
  engine_options.degree = options.degree;
  engine_options.max_parent_cells = options.max_parent_cells;
  engine_options.pair_share = options.pair_share;
  return engine_options;
}

// The delta a plan-only run uses: --delta, else the dataset's budget delta when the ledger
// has it. A dry run needs no key and no output folder, and charges nothing.
double PlanDelta(const SynthesizeOptions& options, const engine::Schema& schema) {
  if (options.release.delta) return *options.release.delta;
  try {
    auto ledger = privacy::BudgetLedger::Open(ResolveLedgerPath(options.release.ledger),
                                              privacy::LedgerOpenMode::kReadOnly);
    return ledger.Show(schema.dataset_id()).budget.delta;
  } catch (const Error&) {
    throw UsageError("--plan needs --delta when the ledger has no budget for dataset " +
                     schema.dataset_id());
  }
}

void PrintPlan(const SynthesizeOptions& options) {
  const engine::Schema schema = LoadReleaseSchema(options.release);
  const engine::SynthesisPlan plan =
      engine::PlanSynthesis(schema, EngineOptions(options, PlanDelta(options, schema)));
  if (options.release.json) {
    std::cout << plan.ToJson().dump(2) << "\n";
  } else {
    std::cout << "plan for dataset " << schema.dataset_id() << " (nothing is charged)\n"
              << plan.Describe() << "\n";
  }
}

void RunSynthesize(const SynthesizeOptions& options) {
  if (options.plan_only) return PrintPlan(options);
  PreparedRelease prepared = PrepareRelease(options.release);
  const engine::SynthesisPlan plan =
      engine::PlanSynthesis(prepared.schema, EngineOptions(options, prepared.delta));
  // Checked again by RowsToSample; here so a bad --rows is refused before any budget is spent.
  if (options.rows && *options.rows == 0) throw InputError("--rows must be at least 1");

  Progress progress(7, options.release.quiet);
  progress.Stage("reading the data");
  // Read before charging: a malformed file is refused for free. Nothing is released yet.
  const engine::EncodedTable table = engine::EncodeDataset(prepared.schema);
  StagedOutputDir staged(options.release.out);

  progress.Stage("charging the ledger");
  const Charge charge = ChargeLedger(prepared, plan.events, "synthesize", options.release.purpose);
  std::vector<std::filesystem::path> files = {staged.staging() / "synthetic.csv",
                                              staged.staging() / "model.json"};
  std::uint64_t rows = 0;
  try {
    privacy::RandomSource noise = NoiseSource(options.release);
    progress.Stage("bounding rows per unit");
    const engine::EncodedTable bounded =
        engine::BoundRowsPerUnit(table, prepared.schema.max_rows_per_unit(), noise);
    progress.Stage("fitting the model");
    const engine::BayesNetModel model =
        engine::FitBayesNet(bounded, plan, prepared.schema.ToJson(), noise);

    progress.Stage("sampling rows");
    rows = RowsToSample(options.rows, model);
    // Sampling is post-processing: seeded from --seed, else from the CSPRNG.
    boost::random::mt19937_64 sampling(options.release.seed ? *options.release.seed : noise());
    const engine::EncodedTable synthetic = engine::SampleRows(model, rows, sampling);

    progress.Stage("writing files");
    {
      std::ofstream csv(files[0], std::ios::binary);
      engine::WriteCsv(prepared.schema, synthetic, csv, sampling);
      std::ofstream model_file(files[1], std::ios::binary);
      model_file << CanonicalJson(model.ToJson()) << "\n";
      if (!csv || !model_file) throw StorageError("cannot write into " + staged.staging().string());
    }
    progress.Stage("signing the attestation");
    FinishRelease(charge, prepared, options.release, audit::ReleaseKind::kSyntheticTable, staged,
                  files);
  } catch (const std::exception& e) {
    RecordFailure(prepared, charge, e.what());
    throw;
  }
  PrintReleaseSummary(charge, options.release, staged.target(), files, {{"rows", rows}});
}

}  // namespace

void AddSynthesizeCommand(CLI::App& app) {
  auto options = std::make_shared<SynthesizeOptions>();
  CLI::App* command = app.add_subcommand(
      "synthesize", "Release a differentially private synthetic table (charges the ledger)");
  AddReleaseOptions(*command, &options->release);
  command->add_option("--rows", options->rows,
                      "Rows to write (default: the model's noisy row count)");
  command->add_option("--mode", options->mode, "Noise: gaussian (zCDP, default) or pure (Laplace)")
      ->check(CLI::IsMember({"gaussian", "pure"}));
  command->add_option("--degree", options->degree,
                      "Largest number of parents per attribute (default: automatic)");
  command->add_option("--max-parent-cells", options->max_parent_cells,
                      "Largest parent-domain size (default: automatic)");
  command->add_option("--pair-share", options->pair_share,
                      "Budget share of the pair marginals, 0 to turn them off (default: 0.25 in "
                      "gaussian mode from epsilon 0.5, else 0)");
  command->add_flag("--plan", options->plan_only,
                    "Print the budget split and noise scales; charge nothing, write nothing");
  command->callback([options] { RunSynthesize(*options); });
}

}  // namespace privet::cli
