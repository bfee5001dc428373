// `privet query marginal|correlation`: direct noisy statistics, each a release of its own:
// planned from public inputs, charged to the ledger before any noise, written with the
// mechanism and scale it used, and attested like a synthetic table.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/release_common.h"
#include "engine/queries/correlation_query.h"
#include "engine/queries/noisy_marginal_query.h"
#include "engine/table/encoder.h"
#include "engine/table/unit_bounding.h"
#include "privacy/errors.h"

namespace privet::cli {
namespace {

struct QueryOptions {
  ReleaseOptions release;
  std::string attributes;  // comma separated
  std::string mode = "pure";
};

std::vector<std::string> SplitAttributes(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream stream(list);
  for (std::string name; std::getline(stream, name, ',');) {
    if (name.empty()) throw UsageError("--attrs: empty attribute name in \"" + list + "\"");
    names.push_back(name);
  }
  return names;
}

// The steps both queries share once their plan exists: read, charge, bound, run, write,
// attest. run_and_write(bounded_table, noise, staging) writes the result files and returns
// them with a JSON summary of the result's public description.
template <class RunAndWrite>
void ReleaseQuery(PreparedRelease& prepared, const ReleaseOptions& options,
                  const privacy::PrivacyEvent& event, const std::string& kind_name,
                  audit::ReleaseKind kind, RunAndWrite run_and_write) {
  Progress progress(4, options.quiet);
  progress.Stage("reading the data");
  const engine::EncodedTable table = engine::EncodeDataset(prepared.schema);
  StagedOutputDir staged(options.out);
  progress.Stage("charging the ledger");
  const Charge charge = ChargeLedger(prepared, {event}, kind_name, options.purpose);
  std::vector<std::filesystem::path> files;
  try {
    privacy::RandomSource noise = NoiseSource(options);
    progress.Stage("measuring");
    const engine::EncodedTable bounded =
        engine::BoundRowsPerUnit(table, prepared.schema.max_rows_per_unit(), noise);
    files = run_and_write(bounded, noise, staged.staging());
    progress.Stage("signing the attestation");
    FinishRelease(charge, prepared, options, kind, staged, files);
  } catch (const std::exception& e) {
    RecordFailure(prepared, charge, e.what());
    throw;
  }
  PrintReleaseSummary(charge, options, staged.target(), files, nlohmann::json::object());
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw StorageError("cannot write " + path.string());
}

// A query's two released files: DIR/STEM.csv (the table) and DIR/STEM.json (the table with
// the mechanism and scale that produced it).
std::vector<std::filesystem::path> WriteResultFiles(const std::filesystem::path& dir,
                                                    const std::string& stem,
                                                    const std::string& csv,
                                                    const nlohmann::json& json) {
  const std::vector<std::filesystem::path> files = {dir / (stem + ".csv"), dir / (stem + ".json")};
  WriteFile(files[0], csv);
  WriteFile(files[1], json.dump(2) + "\n");
  return files;
}

void RunMarginal(const QueryOptions& options) {
  PreparedRelease prepared = PrepareRelease(options.release);
  engine::MarginalQueryOptions query;
  query.attributes = SplitAttributes(options.attributes);
  query.epsilon = options.release.epsilon;
  query.mode = engine::ParseNoiseMode(options.mode);
  query.delta = query.mode == engine::NoiseMode::kPure ? 0.0 : prepared.delta;
  const engine::MarginalQueryPlan plan = engine::PlanMarginalQuery(prepared.schema, query);
  ReleaseQuery(prepared, options.release, plan.event, "marginal",
               audit::ReleaseKind::kNoisyMarginal,
               [&](const engine::EncodedTable& bounded, privacy::RandomSource& noise,
                   const std::filesystem::path& dir) {
                 const auto result = engine::RunMarginalQuery(bounded, plan, noise);
                 std::ostringstream csv;
                 engine::WriteMarginalCsv(prepared.schema, result, csv);
                 return WriteResultFiles(dir, "marginal", csv.str(),
                                         engine::MarginalResultJson(prepared.schema, result));
               });
}

void RunCorrelation(const QueryOptions& options) {
  PreparedRelease prepared = PrepareRelease(options.release);
  engine::CorrelationQueryOptions query;
  query.attributes = SplitAttributes(options.attributes);
  query.epsilon = options.release.epsilon;
  query.delta = prepared.delta;
  const engine::CorrelationQueryPlan plan = engine::PlanCorrelationQuery(prepared.schema, query);
  ReleaseQuery(prepared, options.release, plan.event, "correlation",
               audit::ReleaseKind::kNoisyCorrelation,
               [&](const engine::EncodedTable& bounded, privacy::RandomSource& noise,
                   const std::filesystem::path& dir) {
                 const auto result = engine::RunCorrelationQuery(bounded, plan, noise);
                 std::ostringstream csv;
                 engine::WriteCorrelationCsv(result, csv);
                 return WriteResultFiles(dir, "correlation", csv.str(),
                                         engine::CorrelationResultJson(result));
               });
}

}  // namespace

void AddQueryCommand(CLI::App& app) {
  CLI::App* query =
      app.add_subcommand("query", "Release one noisy statistic (charges the ledger)");
  query->require_subcommand(1);

  auto marginal = std::make_shared<QueryOptions>();
  CLI::App* marginal_command = query->add_subcommand(
      "marginal", "Noisy contingency table of 1 to 3 attributes (marginal.csv, marginal.json)");
  AddReleaseOptions(*marginal_command, &marginal->release);
  marginal_command->add_option("--attrs", marginal->attributes, "Attributes, comma separated")
      ->required();
  marginal_command->add_option("--mode", marginal->mode,
                               "Noise: pure (discrete Laplace, default) or gaussian")
      ->check(CLI::IsMember({"gaussian", "pure"}));
  marginal_command->callback([marginal] { RunMarginal(*marginal); });

  auto correlation = std::make_shared<QueryOptions>();
  CLI::App* correlation_command = query->add_subcommand(
      "correlation",
      "Noisy correlation matrix of numeric attributes (correlation.csv, correlation.json)");
  AddReleaseOptions(*correlation_command, &correlation->release);
  correlation_command
      ->add_option("--attrs", correlation->attributes, "Numeric attributes, comma separated")
      ->required();
  correlation_command->callback([correlation] { RunCorrelation(*correlation); });
}

}  // namespace privet::cli
