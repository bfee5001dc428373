// `privet sample`: more synthetic rows from an already released model. Post-processing of
// the model's noisy measurements, so it costs no budget and touches neither the private data
// nor the ledger. Its attestation (kind "model-sample") names the model by digest and the
// model's own attestation, so an auditor can follow the link back to the spending release.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <boost/random/mersenne_twister.hpp>

#include "audit/dsse.h"
#include "audit/release_attestation.h"
#include "audit/release_record.h"
#include "audit/statement.h"
#include "cli/commands.h"
#include "cli/output_dir.h"
#include "cli/release_common.h"
#include "engine/decoder.h"
#include "engine/model.h"
#include "engine/sampler.h"
#include "privacy/errors.h"
#include "privacy/random_source.h"
#include "privacy/sha256.h"

namespace privet::cli {
namespace {

struct SampleOptions {
  std::string model;
  std::string parent_attestation;  // default: attestation.dsse.json beside the model
  std::optional<std::uint64_t> rows;
  std::optional<std::uint64_t> seed;
  std::string out;
  std::string key;
  std::string purpose;
  std::string requester;
  bool json = false;
  bool quiet = false;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The release that published the model, from its attestation. The signature is the
// auditor's to check (`privet verify`); here the model's bytes must be one of its subjects,
// so a sample can only ever point at the model that was actually released.
audit::ReleaseRecord ParentRecord(const std::filesystem::path& attestation,
                                  const std::string& model_sha256) {
  const std::string bytes = ReadFile(attestation);
  audit::Statement statement;
  try {
    statement = audit::ParseStatement(audit::ParseEnvelope(bytes).payload);
  } catch (const IntegrityError& e) {
    throw InputError(attestation.string() + " is not a privet attestation: " + e.what());
  }
  bool names_model = false;
  for (const auto& subject : statement.subjects) names_model |= subject.sha256 == model_sha256;
  if (!names_model) {
    throw InputError("the model's sha256 " + model_sha256 + " is not a subject of " +
                     attestation.string() +
                     ": sample only from a model together with the attestation it was released "
                     "with (--parent-attestation)");
  }
  audit::ReleaseRecord parent = audit::ParsePredicate(statement.predicate);
  if (parent.kind != audit::ReleaseKind::kSyntheticTable || !parent.ledger) {
    throw InputError(attestation.string() + " does not attest a synthesize release");
  }
  return parent;
}

void RunSample(const SampleOptions& options) {
  const std::filesystem::path model_path = options.model;
  const std::filesystem::path parent_path =
      options.parent_attestation.empty()
          ? model_path.parent_path() / audit::kAttestationFileName
          : std::filesystem::path(options.parent_attestation);
  const std::string model_bytes = ReadFile(model_path);
  const std::string model_sha256 = Sha256Hex(model_bytes);
  const audit::ReleaseRecord parent = ParentRecord(parent_path, model_sha256);

  const engine::BayesNetModel model =
      engine::BayesNetModel::FromText(model_bytes, model_path.string());
  const engine::Schema schema = model.LoadSchema();

  RequireFreshOutputDir(options.out);
  const audit::SigningKey key = audit::LoadReleaseSigningKey(PathIfGiven(options.key));
  const std::uint64_t rows = RowsToSample(options.rows, model);

  StagedOutputDir staged(options.out);
  std::uint64_t seed = 0;
  if (options.seed) {
    seed = *options.seed;
  } else {
    privacy::RandomSource secure = privacy::RandomSource::Secure();
    seed = secure();
  }
  boost::random::mt19937_64 sampling(seed);
  const engine::EncodedTable synthetic = engine::SampleRows(model, rows, sampling);
  const std::filesystem::path csv_path = staged.staging() / "synthetic.csv";
  {
    std::ofstream csv(csv_path, std::ios::binary);
    engine::WriteCsv(schema, synthetic, csv, sampling);
    if (!csv) throw StorageError("cannot write " + csv_path.string());
  }

  audit::ReleaseRecord record;
  record.dataset_id = parent.dataset_id;
  record.unit_column = parent.unit_column;
  record.max_rows_per_unit = parent.max_rows_per_unit;
  record.config_sha256 = parent.config_sha256;
  record.kind = audit::ReleaseKind::kModelSample;
  record.cost = {0.0, 0.0};
  // The dataset's spend and budget as of the parent release: a sample reads no ledger.
  record.cumulative = parent.cumulative;
  record.budget = parent.budget;
  record.requester = options.requester.empty() ? DefaultRequester() : options.requester;
  record.purpose = options.purpose.empty()
                       ? "post-processing sample of " + parent.ledger->release_id
                       : options.purpose;
  record.time_utc = audit::UtcNowIso8601();
  // The noise that protects this table was drawn by the parent release.
  record.randomness = parent.randomness;
  record.parent = audit::ParentRelease{parent.ledger->release_id,
                                       model_path.filename().string(), model_sha256,
                                       Sha256Hex(ReadFile(parent_path))};
  audit::WriteAttestation(staged.staging(), {csv_path}, record, key);
  staged.Commit();

  const auto out = staged.target();
  if (options.json) {
    nlohmann::json summary = {
        {"release", {{"kind", "model-sample"}, {"epsilon", 0.0}, {"delta", 0.0}}},
        {"parent", {{"release_id", parent.ledger->release_id}, {"model_sha256", model_sha256}}},
        {"rows", rows},
        {"files", {(out / "synthetic.csv").string(), (out / audit::kAttestationFileName).string()}}};
    std::cout << summary.dump(2) << "\n";
    return;
  }
  std::cout << "sampled " << rows << " rows from the model of " << parent.ledger->release_id
            << " (dataset " << parent.dataset_id << ") into " << out.string()
            << "\n  " << (out / "synthetic.csv").string() << "\n  "
            << (out / audit::kAttestationFileName).string()
            << "\nspent: nothing (post-processing of a released model)\n";
}

}  // namespace

void AddSampleCommand(CLI::App& app) {
  auto options = std::make_shared<SampleOptions>();
  CLI::App* command = app.add_subcommand(
      "sample", "Draw more rows from a released model (post-processing: costs no budget)");
  command->add_option("--model", options->model, "A released model.json")->required();
  command->add_option("--parent-attestation", options->parent_attestation,
                      "The model's attestation (default: attestation.dsse.json beside it)");
  command->add_option("--rows", options->rows, "Rows to draw (default: the model's noisy count)");
  command->add_option("--seed", options->seed, "Seed for reproducible rows (default: CSPRNG)");
  command->add_option("--out", options->out, "Output folder (must not exist or be empty)")
      ->required();
  command->add_option("--key", options->key,
                      "Signing key (default $PRIVET_KEY, else privet-keys/privet-signing.key)");
  command->add_option("--purpose", options->purpose, "Why (recorded; optional)");
  command->add_option("--requester", options->requester, "Who asks (default $USER)");
  command->add_flag("--json", options->json, "Print one JSON summary on stdout");
  command->add_flag("--quiet,-q", options->quiet, "Accepted for symmetry: sample shows no progress");
  command->callback([options] { RunSample(*options); });
}

}  // namespace privet::cli
