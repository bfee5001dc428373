#include "release/sample_release.h"

#include <boost/random/mersenne_twister.hpp>
#include <fstream>
#include <sstream>

#include "audit/release_attestation.h"
#include "audit/release_record.h"
#include "audit/verify.h"
#include "engine/generator/model.h"
#include "engine/generator/sampler.h"
#include "engine/table/decoder.h"
#include "privacy/errors.h"
#include "privacy/random_source.h"
#include "privacy/sha256.h"
#include "release/output_dir.h"
#include "release/synthesize_release.h"

namespace privet::release {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The parent release, verified with the key this sample will be signed with. Only the
// parent's other released files (its synthetic.csv) may be absent: the sample needs the
// model alone, and its digest must be one of the signed subjects.
audit::ReleaseRecord VerifiedParent(const std::filesystem::path& attestation,
                                    const std::filesystem::path& model,
                                    const std::string& model_sha256, const audit::VerifyingKey& key,
                                    const std::optional<std::filesystem::path>& ledger) {
  const audit::VerificationReport report =
      audit::VerifyAttestation(attestation, key, ledger, {model});
  bool names_model = false;
  for (const audit::Subject& subject : report.subjects) {
    names_model |= subject.sha256 == model_sha256;
  }
  for (const audit::VerificationCheck& check : report.checks) {
    const bool other_file = check.name.rfind("subject:", 0) == 0 &&
                            check.name != "subject:" + model.filename().string();
    if (check.passed || (other_file && check.detail.find("missing") != std::string::npos)) {
      continue;
    }
    throw IntegrityError("the parent release " + attestation.string() +
                         " does not verify with this deployment's key (" + check.name + ": " +
                         check.detail + "); nothing was sampled or signed");
  }
  if (!report.record || !names_model) {
    throw InputError("the model's sha256 " + model_sha256 + " is not a subject of " +
                     attestation.string() +
                     ": sample only from a model together with the attestation it was released "
                     "with (--parent-attestation)");
  }
  if (report.record->kind != audit::ReleaseKind::kSyntheticTable || !report.record->ledger) {
    throw InputError(attestation.string() + " does not attest a synthesize release");
  }
  return *report.record;
}

}  // namespace

SampleResult SampleModel(const SampleRequest& request, const StageCallback& stage) {
  const auto announce = [&stage](const char* name) {
    if (stage) stage(name);
  };
  CheckRows(request.rows);
  const std::filesystem::path parent_path = request.parent_attestation.value_or(
      request.model.parent_path() / audit::kAttestationFileName);
  const std::string model_bytes = ReadFile(request.model);
  const std::string model_sha256 = Sha256Hex(model_bytes);
  RequireFreshOutputDir(request.out);
  const audit::SigningKey key = audit::LoadReleaseSigningKey(request.signing_key);
  announce("verifying the parent release");
  const audit::ReleaseRecord parent =
      VerifiedParent(parent_path, request.model, model_sha256, key.Public(), request.ledger);

  announce("reading the model");
  nlohmann::json model_json;
  try {
    model_json = nlohmann::json::parse(model_bytes);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(request.model.string() + ": not JSON: " + e.what());
  }
  const engine::BayesNetModel model =
      engine::BayesNetModel::FromJson(model_json, request.model.string());
  const engine::Schema schema = model.LoadSchema();
  const std::uint64_t rows = RowsToSample(request.rows, model);

  StagedOutputDir staged(request.out);
  const std::uint64_t seed = request.seed ? *request.seed : privacy::RandomSource::Secure()();
  boost::random::mt19937_64 sampling(seed);
  announce("sampling rows");
  const engine::EncodedTable synthetic = engine::SampleRows(model, rows, sampling);
  const std::filesystem::path csv_path = staged.staging() / "synthetic.csv";
  announce("writing synthetic.csv");
  {
    std::ofstream csv(csv_path, std::ios::binary);
    engine::WriteCsv(schema, synthetic, csv, sampling);
    csv.close();
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
  record.requester = request.requester;
  record.purpose = request.purpose.empty()
                       ? "post-processing sample of " + parent.ledger->release_id
                       : request.purpose;
  record.time_utc = audit::UtcNowIso8601();
  // The noise that protects this table was drawn by the parent release.
  record.randomness = parent.randomness;
  record.ledger_mode = parent.ledger_mode;
  record.parent = audit::ParentRelease{parent.ledger->release_id, request.model.filename().string(),
                                       model_sha256, Sha256Hex(ReadFile(parent_path))};
  announce("signing the attestation");
  audit::WriteAttestation(staged.staging(), {csv_path}, record, key);
  staged.Commit();

  SampleResult result;
  result.dataset_id = parent.dataset_id;
  result.parent_release_id = parent.ledger->release_id;
  result.model_sha256 = model_sha256;
  result.rows = rows;
  result.out_dir = staged.target();
  result.files = {result.out_dir / "synthetic.csv", result.out_dir / audit::kAttestationFileName};
  return result;
}

}  // namespace privet::release
