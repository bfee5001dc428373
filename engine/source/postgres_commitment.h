// Registration's data commitment for a database source (issue 15 item 4; the CSV source's is
// HMAC-SHA256(deployment secret, the file's bytes), release/registration.cc).
//
// A table has no byte stream to hash and no row order, so the commitment is a keyed multiset
// hash of its rows, computed inside PostgreSQL in one pass:
//   k     = HMAC-SHA256(deployment secret, "privet postgresql data commitment v1"), sent as a
//           parameter (the secret itself never leaves privet);
//   row_r = the text of the columns privet reads (the privacy unit column, then the modeled
//           attributes in config order), each quote_nullable(column::text), joined by ','
//           (injective: quoting escapes the separator, and NULL is distinct from 'NULL'), with
//           DateStyle ISO and exact float output pinned (PgConnection::BeginReadOnlySnapshot);
//   h_r   = HMAC-SHA256(k, row_r) (pgcrypto), read as a 256-bit number with the top bit of each
//           64-bit limb flipped (a fixed bijection, from bigint's signed limbs);
//   S     = sum over rows of h_r mod 2^256: MSet-Add-Hash (Clarke, Devadas, van Dijk, Gassend,
//           Suh, "Incremental Multiset Hash Functions and Their Application to Memory Integrity
//           Checking", ASIACRYPT 2003, Sec. 3), multiset-collision resistant when h is a PRF with
//           a secret key;
//   commitment = HMAC-SHA256(secret, "privet-pg-v1" \n schema.table \n rows \n S) in hex.
// Changing, adding, deleting or duplicating any row changes it (up to the hash's collision
// probability); the rows' physical order, vacuuming or re-sharding does not. Why not
// string_agg(h_r ORDER BY h_r): it sorts every row on one server and builds one value that
// passes PostgreSQL's 1 GB limit near 3*10^7 rows; a sum is order-free, runs in constant memory
// and splits over shards as partial aggregates.
//
// Privacy: a keyed commitment confirms nothing to whoever lacks the secret (BRIEF: no plain hash
// of the private input). The row count enters only the keyed HMAC, never the output.
#ifndef PRIVET_ENGINE_SOURCE_POSTGRES_COMMITMENT_H_
#define PRIVET_ENGINE_SOURCE_POSTGRES_COMMITMENT_H_

#include <string>
#include <string_view>

#include "engine/source/postgres_connection.h"
#include "engine/table/schema.h"

namespace privet::engine {

// The commitment above, in hex, of the table schema.source_config() names, read through its
// connection. Throws InputError (not a postgresql source, no pgcrypto, unknown table) or
// StorageError (PostgreSQL failed).
std::string PostgresDataCommitment(const Schema& schema, std::string_view secret);
// The same on `db`, in the read-only snapshot it has already begun (PgConnection::
// BeginReadOnlySnapshot), so the commitment covers exactly the rows that snapshot's counts see.
std::string PostgresDataCommitment(const Schema& schema, std::string_view secret,
                                   PgConnection& db);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_SOURCE_POSTGRES_COMMITMENT_H_
