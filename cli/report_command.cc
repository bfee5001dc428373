// `privet report`: the privacy officer's quality report comparing a synthetic table with the
// real one (engine/quality/). Not differentially private: it reads the real data and says so
// at the top of the page, in the JSON, and on stdout. Spends no budget and writes no ledger
// entry, because nothing it produces may be released.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "audit/base64.h"
#include "audit/release_record.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "engine/quality/html_report.h"
#include "engine/quality/quality_report.h"
#include "engine/table/encoder.h"
#include "engine/table/schema.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"

namespace privet::cli {
namespace {

namespace fs = std::filesystem;
namespace quality = privet::engine::quality;

struct ReportArguments {
  std::string config;
  std::string synthetic;
  std::string out;
  std::string real;
  std::string target;
  std::string json;
  std::string export_coded;
  std::size_t max_sets = quality::ReportOptions{}.max_sets_per_way;
  bool quiet = false;
  std::string holdout;      // real rows withheld from the release, same columns as --real
  std::string attestation;  // default: attestation.dsse.json beside --synthetic, if present
};

// The release an attestation names (its predicate, read without checking the signature:
// the report only files itself under the release; `privet verify` checks it).
quality::ReleaseHeader ReadReleaseHeader(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("--attestation " + path.string() + ": cannot open the file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    const nlohmann::json envelope = nlohmann::json::parse(bytes);
    const nlohmann::json statement =
        nlohmann::json::parse(audit::Base64Decode(envelope.at("payload").get<std::string>()));
    const audit::ReleaseRecord record = audit::ParsePredicate(statement.at("predicate"));
    quality::ReleaseHeader header;
    header.release_id = record.ledger ? record.ledger->release_id : "";
    header.dataset_id = record.dataset_id;
    header.kind = std::string(audit::ReleaseKindName(record.kind));
    header.epsilon = record.cost.epsilon;
    header.delta = record.cost.delta;
    header.attestation_sha256 = Sha256Hex(bytes);
    header.ledger_entry_hash = record.ledger ? record.ledger->entry_hash : "";
    header.time = record.time_utc;
    return header;
  } catch (const nlohmann::json::exception&) {
    throw InputError("--attestation " + path.string() + ": not a privet attestation (DSSE JSON)");
  }
}

// Written beside the destination and renamed over it, so a failed run never leaves half a page.
void WriteFileAtomically(const fs::path& path, const std::string& text) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw StorageError(partial.string() + ": cannot open for writing");
    out << text;
    out.flush();
    if (!out) throw StorageError(partial.string() + ": write failed (disk full?)");
  }
  std::error_code error;
  fs::rename(partial, path, error);
  if (error) {
    fs::remove(partial, error);
    throw StorageError(path.string() + ": cannot move the finished file into place");
  }
}

// The synthetic CSV has only the modeled columns (no patient id), so it is encoded with the
// config minus its privacy unit: same attributes, same codes, no unit column required.
engine::Schema SchemaForSyntheticFile(const engine::Schema& schema, const fs::path& config) {
  if (!schema.privacy_unit_column()) return schema;
  nlohmann::json json = schema.ToJson();
  json.erase("privacy_unit");
  return engine::Schema::FromJson(json, config.parent_path(), config.string());
}

void RunReport(const ReportArguments& arguments) {
  if (arguments.max_sets == 0) throw UsageError("--max-sets must be at least 1");
  const fs::path config(arguments.config);
  const std::optional<fs::path> real_override =
      arguments.real.empty() ? std::nullopt : std::optional<fs::path>(arguments.real);
  // Named here: the CSV reader's own message points at the config's "csv", the wrong option.
  for (const auto& [option, path] :
       {std::pair{"--synthetic", arguments.synthetic}, std::pair{"--real", arguments.real},
        std::pair{"--holdout", arguments.holdout}}) {
    if (!path.empty() && !fs::is_regular_file(path)) {
      throw InputError(std::string(option) + " " + path + ": no such file");
    }
  }
  const engine::Schema schema = engine::Schema::Load(config, real_override);
  const fs::path real_csv = schema.csv_path();
  const fs::path synthetic_csv(arguments.synthetic);
  const engine::Schema synthetic_schema = SchemaForSyntheticFile(schema, config);

  // The report is the officer's (not a release path), and progress names stages only.
  std::optional<Progress> progress(std::in_place, 4, arguments.quiet);
  progress->Stage("reading the real and synthetic tables");
  const engine::EncodedTable real = engine::EncodeCsv(schema, real_csv);
  const engine::EncodedTable synthetic = engine::EncodeCsv(synthetic_schema, synthetic_csv);

  std::optional<engine::EncodedTable> withheld;
  if (!arguments.holdout.empty()) withheld = engine::EncodeCsv(schema, arguments.holdout);

  quality::ReportOptions options;
  if (!arguments.target.empty()) options.target = arguments.target;
  if (withheld) options.withheld_rows = &*withheld;
  options.max_sets_per_way = arguments.max_sets;
  progress->Stage("computing marginals, correlations, classifiers and disclosure");
  quality::QualityReport report = quality::ComputeQualityReport(
      schema, real, synthetic, quality::ReadNumericColumns(schema, real_csv),
      quality::ReadNumericColumns(synthetic_schema, synthetic_csv), options);
  fs::path attestation(arguments.attestation);
  if (arguments.attestation.empty()) {
    const fs::path beside = synthetic_csv.parent_path() / "attestation.dsse.json";
    std::error_code error;
    if (fs::is_regular_file(beside, error)) attestation = beside;
  }
  if (!attestation.empty()) report.release = ReadReleaseHeader(attestation);
  report.real_source = real_csv.string();
  report.synthetic_source = synthetic_csv.string();

  progress->Stage("rendering the report");
  WriteFileAtomically(arguments.out, quality::RenderHtmlReport(report));
  if (!arguments.json.empty()) {
    WriteFileAtomically(arguments.json, quality::ToJson(report).dump(1) + "\n");
  }
  if (!arguments.export_coded.empty()) {
    const fs::path dir(arguments.export_coded);
    std::error_code error;
    fs::create_directories(dir, error);
    if (error) throw StorageError(dir.string() + ": cannot create the folder: " + error.message());
    quality::WriteCodedCsv(real, dir / "real_coded.csv");
    quality::WriteCodedCsv(synthetic, dir / "synthetic_coded.csv");
  }

  progress.reset();  // "[100%] done" before the summary
  std::cout << "Quality report written to " << arguments.out << "\n"
            << "NOT PRIVATE: it compares against the real data. For the privacy officer only; "
               "do not release or share it.\n";
  for (const auto& way : report.marginal_tvd) {
    std::cout << "  mean " << way.way << "-way TVD: " << way.mean << " (" << way.evaluated_sets
              << (way.sampled ? " sampled of " + std::to_string(way.total_sets) : "") << " sets)\n";
  }
  if (report.correlation && report.correlation->mean_absolute_difference) {
    std::cout << "  mean |correlation difference|: "
              << *report.correlation->mean_absolute_difference << "\n";
  }
  if (report.disclosure) {
    const auto& d = *report.disclosure;
    std::cout << "  exact copies of a real row: " << 100 * d.exact_copy_share
              << "% of synthetic rows (expected from holdout rows: "
              << 100 * d.expected_exact_copy_share << "%)\n"
              << "  median distance to the closest real record: " << d.synthetic_dcr.median
              << " attributes (holdout rows: " << d.holdout_dcr.median << ")\n";
    if (d.attack) {
      std::cout << "  membership attack advantage: " << d.attack->advantage
                << " (chance alone: " << d.attack->chance_level_95 << ")\n";
    } else {
      std::cout << "  membership attack: not measured (no --holdout of rows the release never "
                   "saw)\n";
    }
  }
  if (report.leakage) {
    for (const auto& leak : report.leakage->flagged) {
      std::cout << "  leakage warning: " << report.attributes.at(leak.column).name
                << " alone predicts " << report.classifier->target << " at "
                << leak.single_attribute_accuracy << "\n";
    }
  }
  if (report.classifier) {
    const auto& classifier = *report.classifier;
    std::cout << "  accuracy predicting " << classifier.target
              << " (logistic regression): trained on real " << classifier.accuracy_train_real
              << ", on synthetic " << classifier.accuracy_train_synthetic << "\n"
              << "  accuracy predicting " << classifier.target << " (naive Bayes): trained on real "
              << classifier.naive_bayes_accuracy_train_real << ", on synthetic "
              << classifier.naive_bayes_accuracy_train_synthetic << "\n"
              << "  majority baseline: " << classifier.majority_accuracy << "\n";
  }
}

}  // namespace

void AddReportCommand(CLI::App& app) {
  auto arguments = std::make_shared<ReportArguments>();
  CLI::App* command = app.add_subcommand(
      "report",
      "Officer only, NOT private: an HTML quality report comparing a synthetic table with the "
      "real data (marginal TVDs, correlations, classifier accuracy)");
  command->add_option("--config", arguments->config, "Dataset config (JSON)")->required();
  command->add_option("--synthetic", arguments->synthetic, "Synthetic CSV to assess")->required();
  command->add_option("--out", arguments->out, "HTML report to write")->required();
  command->add_option("--real", arguments->real,
                      "Real CSV to compare with (default: the config's dataset.csv)");
  command->add_option("--target", arguments->target,
                      "Attribute to predict: train on synthetic vs train on real, tested on a "
                      "held-out 20% of the real rows");
  command->add_option("--json", arguments->json, "Also write the numbers as JSON to this file");
  command->add_option("--export-coded", arguments->export_coded,
                      "Write DIR/real_coded.csv and DIR/synthetic_coded.csv (each attribute as "
                      "its schema code) for ../shared/tools/fidelity.py --all-categorical");
  command
      ->add_option("--max-sets", arguments->max_sets,
                   "Largest number of k-way attribute sets to average over; more are "
                   "sampled with a fixed seed")
      ->capture_default_str();
  command->add_option("--attestation", arguments->attestation,
                      "The release's attestation, to name the release in the header (default: "
                      "attestation.dsse.json beside --synthetic, if present)");
  command->add_option("--holdout", arguments->holdout,
                      "Real rows withheld from the release (same columns as the real CSV), the "
                      "baseline of the disclosure section and the non-members of its membership "
                      "attack (default: the 20% split of the real table, no attack)");
  command->add_flag("--quiet,-q", arguments->quiet, "No progress on stderr");
  command->callback([arguments] { RunReport(*arguments); });
}

}  // namespace privet::cli
