// A model-sample release (`privet sample`): more synthetic rows drawn from an already released
// model. Post-processing of the model's noisy measurements: it reads no private data, charges
// nothing, and its attestation (kind "model-sample") names the model by digest and the model's
// own attestation, so an auditor can follow the link back to the spending release.
//
// Before it signs anything with the deployment's key, the parent attestation must verify with
// that key (signature, statement, predicate, consistency, the model's digest as a subject),
// and, when the deployment's ledger is at hand, against the ledger (its entry, events, cost,
// registration and chain): a forged or altered parent is never re-signed.
#ifndef PRIVET_RELEASE_SAMPLE_RELEASE_H_
#define PRIVET_RELEASE_SAMPLE_RELEASE_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "release/release_request.h"

namespace privet::release {

struct SampleRequest {
  std::filesystem::path model;
  // The model's attestation; default: attestation.dsse.json beside the model.
  std::optional<std::filesystem::path> parent_attestation;
  std::optional<std::uint64_t> rows;  // default: the model's noisy row count
  std::optional<std::uint64_t> seed;  // post-processing: allowed, reproducible rows
  std::filesystem::path out;
  std::optional<std::filesystem::path> signing_key;
  // The deployment's ledger, when present: the parent is then also checked against it.
  std::optional<std::filesystem::path> ledger;
  std::string requester;
  std::string purpose;  // default: "post-processing sample of <parent release>"
};

struct SampleResult {
  std::string dataset_id;
  std::string parent_release_id;
  std::string model_sha256;
  std::uint64_t rows = 0;
  std::filesystem::path out_dir;
  std::vector<std::filesystem::path> files;  // synthetic.csv, attestation.dsse.json
};

// InputError for a model or parent that is not a privet release of a synthetic table, or a
// bad option; IntegrityError when the parent does not verify with the deployment's key (or
// against its ledger); StorageError when files cannot be read or written. `stage` is called at
// the start of each of its 5 stages (verifying, reading the model, sampling, writing, signing).
SampleResult SampleModel(const SampleRequest& request, const StageCallback& stage = nullptr);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_SAMPLE_RELEASE_H_
