// The steps every spending release goes through, in the order that is the privacy contract
// (BRIEF "Spend before release", docs/privacy.md "Threat model"):
//   1. PrepareRelease: every check that public inputs and the registration decide: request
//      fields, the dataset's registration (config digest, data source, data commitment), the
//      ledger mode against --seed, the failure lock, the signing key, and last an exclusive
//      claim of the output folder.
//      Refusals here cost nothing and read no data; their messages name only public things.
//   2. RunRelease reads and encodes the registered data (nothing is released yet);
//   3. charges the ledger: one atomic transaction reserves the full cost or refuses with
//      BudgetExceeded. Durable before any noise is drawn;
//   4. draws noise and writes the files into a staging folder (the request's `compute`);
//   5. signs the attestation, moves the folder into place and records the outcome; if the
//      outcome cannot be written the release is still reported as released, and the next
//      release to open the ledger records it (release/pending_outcome.h).
// From step 2 on, any failure is an incident (release/incident_log.h): the requester sees its
// class and id only; after step 3 the charge stands and the outcome says "failed".
#ifndef PRIVET_RELEASE_RELEASE_PIPELINE_H_
#define PRIVET_RELEASE_RELEASE_PIPELINE_H_

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audit/keys.h"
#include "audit/release_record.h"
#include "engine/source/marginal_source.h"
#include "engine/table/encoded_table.h"
#include "engine/table/schema.h"
#include "privacy/ledger.h"
#include "privacy/privacy_event.h"
#include "privacy/random_source.h"
#include "release/incident_log.h"
#include "release/output_dir.h"
#include "release/pending_outcome.h"
#include "release/release_request.h"

namespace privet::release {

// Everything checked before budget is spent.
struct PreparedRelease {
  privacy::Registration registration;
  engine::Schema schema;  // the registered config, reading the registered data source
  audit::SigningKey key;
  privacy::BudgetLedger ledger;
  privacy::Budget budget;  // the dataset's, as set by the officer
  double delta = 0;        // the request's delta, or the budget's
  std::string requester;
  std::string kind;  // "synthesize", "marginal", "correlation", "unit-bound"
  IncidentLog incidents;
  // The claimed output folder (release/output_dir.h), made after every other check.
  std::unique_ptr<StagedOutputDir> output;
  // The release's outcome marker (release/pending_outcome.h), written last, before the charge.
  std::unique_ptr<PendingOutcome> pending;
  // Whether RunRelease cuts each unit to max_rows_per_unit before `compute`. Only the
  // unit-bound quantile turns it off: it measures the rows per unit that the bound would cut
  // (its sensitivity does not depend on the bound, docs/privacy.md).
  bool bound_rows_per_unit = true;
  // A database source's deployment secret: RunRelease checks the table's commitment again in
  // the snapshot it counts from (PostgresMarginalSource::RequireCommitment). Empty for a CSV.
  std::string data_secret;
};

// Step 1. Throws UsageError / InputError (bad request fields, an unregistered dataset, a
// config or data path that is not the registered one, a seed on a production ledger, a
// locked dataset, a used output folder, a delta above the budget's), StorageError (no
// ledger), IntegrityError (the registered config or data file changed since registration).
PreparedRelease PrepareRelease(const Deployment& deployment, const ReleaseRequest& request,
                               const std::string& kind);

// The files a release's computation wrote into `staging` and public facts about them.
struct ComputedRelease {
  std::vector<std::filesystem::path> files;
  nlohmann::json extra = nlohmann::json::object();
};
// Draws the release's noise from `noise` (the CSPRNG, or the request's seed on a test
// ledger) over the unit-bounded table (the whole table when the prepared release's
// bound_rows_per_unit is false) and writes the released files into `staging`.
using ComputeRelease = std::function<ComputedRelease(
    const engine::EncodedTable& bounded, privacy::RandomSource& noise,
    const std::filesystem::path& staging, const StageCallback& stage)>;
// The same for a release that needs only counts, from a MarginalSource
// (engine/source/marginal_source.h) already bounded per unit: how a database source (config
// "source": {"kind": "postgresql"}) is released, its rows never read into privet.
using ComputeFromCounts = std::function<ComputedRelease(
    engine::MarginalSource& source, privacy::RandomSource& noise,
    const std::filesystem::path& staging, const StageCallback& stage)>;

// Steps 2-5 for the given events (the plan, made from public inputs only). A CSV source runs
// `compute` on the bounded table. A postgresql source runs `from_counts` on a
// PostgresMarginalSource opened (catalog checks and validation in SQL) before the charge; a
// release kind without `from_counts` is refused for such a source before anything is charged.
// The database source bounds units with its own gen_random_bytes key, never the request's seed.
ReleaseResult RunRelease(PreparedRelease& prepared, const ReleaseRequest& request,
                         std::vector<privacy::PrivacyEvent> events, audit::ReleaseKind kind,
                         const StageCallback& stage, const ComputeRelease& compute,
                         const ComputeFromCounts& from_counts = nullptr);

// The dataset id a request names: its dataset_id, else the id inside its config. UsageError
// when it names neither.
std::string RequestedDatasetId(const ReleaseRequest& request);

}  // namespace privet::release

#endif  // PRIVET_RELEASE_RELEASE_PIPELINE_H_
