#include "release/registration.h"

#include <fstream>
#include <sstream>

#include "audit/release_record.h"
#include "engine/source/postgres_commitment.h"
#include "engine/source/postgres_marginal_source.h"
#include "engine/table/encoder.h"
#include "engine/table/schema.h"
#include "privacy/canonical_json.h"
#include "privacy/deployment_secret.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"

namespace privet::release {

std::string ConfigDigest(const std::filesystem::path& config) {
  std::ifstream in(config, std::ios::binary);
  if (!in) throw InputError("cannot read the config " + config.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(bytes.str());
  } catch (const nlohmann::json::exception&) {
    throw InputError(config.string() + " is not JSON");
  }
  return Sha256Hex(CanonicalJson(parsed));
}

std::filesystem::path ResolvedPath(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::path resolved = std::filesystem::weakly_canonical(path, error);
  if (error) resolved = std::filesystem::absolute(path).lexically_normal();
  return resolved;
}

privacy::Registration RegisterDataset(const std::filesystem::path& ledger_path,
                                      const RegistrationRequest& request) {
  const engine::Schema schema = engine::Schema::Load(request.config, request.data);
  schema.RequireReviewed();
  const bool database = schema.source_config().kind == engine::SourceKind::kPostgresql;
  // The officer's check that the data fits the config, with full messages (for a database
  // source: the catalog checks and the validation pass, in SQL; no row is read).
  if (database) {
    engine::PostgresMarginalSource::Open(schema);
  } else {
    engine::EncodeDataset(schema);
  }

  privacy::BudgetLedger ledger =
      privacy::BudgetLedger::Open(ledger_path, privacy::LedgerOpenMode::kCreateIfMissing);
  // Ledgers created before registration existed get their secret now.
  const std::filesystem::path secret_path = privacy::DeploymentSecretPath(ledger_path);
  privacy::EnsureDeploymentSecret(secret_path);
  const std::string secret = privacy::LoadDeploymentSecret(secret_path);

  privacy::Registration registration;
  registration.dataset_id = schema.dataset_id();
  registration.config_path = ResolvedPath(request.config).string();
  registration.config_sha256 = ConfigDigest(request.config);
  if (database) {
    const engine::PostgresSourceConfig& pg = schema.source_config().postgresql;
    registration.data_source = std::string(kDatabaseSourcePrefix) + pg.schema + "." + pg.table;
    registration.data_commitment = engine::PostgresDataCommitment(schema, secret);
  } else {
    registration.data_source = ResolvedPath(schema.csv_path()).string();
    registration.data_commitment = privacy::HmacSha256FileHex(secret, schema.csv_path());
  }
  registration.unit_column = schema.privacy_unit_column().value_or(audit::kRowUnit);
  registration.max_rows_per_unit = schema.max_rows_per_unit();
  registration.max_failures = request.max_failures;
  registration.registered_by = request.officer;
  return ledger.Register(std::move(registration), request.budget, request.officer);
}

}  // namespace privet::release
