#include "engine/source/postgres_commitment.h"

#include "engine/source/postgres_connection.h"
#include "engine/source/postgres_sql.h"
#include "privacy/deployment_secret.h"
#include "privacy/errors.h"

namespace privet::engine {

std::string PostgresDataCommitment(const Schema& schema, std::string_view secret) {
  if (schema.source_config().kind != SourceKind::kPostgresql) {
    throw InputError(schema.source() + ": the config's source is not \"postgresql\"");
  }
  PgConnection db = PgConnection::Open(schema.source_config().postgresql);
  db.BeginReadOnlySnapshot();
  return PostgresDataCommitment(schema, secret, db);
}

std::string PostgresDataCommitment(const Schema& schema, std::string_view secret,
                                   PgConnection& db) {
  if (schema.source_config().kind != SourceKind::kPostgresql) {
    throw InputError(schema.source() + ": the config's source is not \"postgresql\"");
  }
  const PostgresSourceConfig& pg = schema.source_config().postgresql;
  const std::string pgcrypto = db.ExtensionSchema("pgcrypto");
  if (pgcrypto.empty()) {
    throw InputError(schema.source() +
                     ": the database has no pgcrypto extension, which the data "
                     "commitment needs (CREATE EXTENSION pgcrypto; docs/officer.md)");
  }
  std::vector<std::string> columns;
  if (schema.privacy_unit_column()) columns.push_back(pg.ColumnOf(*schema.privacy_unit_column()));
  for (const Attribute& attribute : schema.modeled_attributes()) {
    columns.push_back(pg.ColumnOf(attribute.name));
  }
  std::string row = "concat_ws(','";
  for (const std::string& column : columns) {
    row += ", quote_nullable(" + QuoteIdentifier(column) + "::text)";
  }
  row += ")";
  const std::string relation = QuoteIdentifier(pg.schema) + "." + QuoteIdentifier(pg.table);
  const std::string key =
      privacy::HmacSha256Hex(secret, "privet postgresql data commitment v1");  // 64 hex digits
  std::string limbs;
  std::string sums;
  for (int limb = 0; limb < 4; ++limb) {
    // Signed 64-bit limb + 2^63: the limb with its top bit flipped, in [0, 2^64).
    limbs += std::string(limb ? ", " : "") + "('x' || encode(substr(h, " +
             std::to_string(1 + 8 * limb) + ", 8), 'hex'))::bit(64)::int8::numeric + " +
             "9223372036854775808 AS l" + std::to_string(limb);
    sums += std::string(limb ? " + " : "") + "coalesce(sum(l" + std::to_string(limb) +
            "), 0) * 2::numeric ^ " + std::to_string(64 * (3 - limb));
  }
  const std::string sql =
      "SELECT count(*)::text, ((" + sums + ") % 2::numeric ^ 256)::text FROM (SELECT " + limbs +
      " FROM (SELECT " + QuoteIdentifier(pgcrypto) + ".hmac(convert_to(" + row +
      ", 'UTF8'), $1::bytea, 'sha256') AS h FROM " + relation + ") AS hashed) AS split";
  const PgResult result = db.Execute(sql, {"\\x" + key}, "compute the data commitment");
  if (result.rows() != 1) throw IntegrityError("source: the data commitment returned no row");
  return privacy::HmacSha256Hex(
      secret, "privet-pg-v1\n" + relation + "\n" + result.value(0, 0) + "\n" + result.value(0, 1));
}

}  // namespace privet::engine
