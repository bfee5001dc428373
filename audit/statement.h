// in-toto Statement v1 (in-toto Attestation Framework, spec v1.0, "Statement" layer): the
// payload privet signs inside a DSSE envelope. A statement binds a set of subjects (the
// released files, by SHA-256) to a typed predicate (what the release was; see
// audit/release_record.h for privet's predicate).
#ifndef PRIVET_AUDIT_STATEMENT_H_
#define PRIVET_AUDIT_STATEMENT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace privet::audit {

inline constexpr char kStatementType[] = "https://in-toto.io/Statement/v1";

// One released file: its name relative to the directory holding the attestation ('/'
// separated, no "..", never absolute) and the lowercase hex SHA-256 of its bytes.
struct Subject {
  std::string name;
  std::string sha256;
};

struct Statement {
  std::vector<Subject> subjects;
  std::string predicate_type;
  nlohmann::json predicate;
};

// The statement as JSON: {"_type", "subject": [{"name", "digest": {"sha256"}}...],
// "predicateType", "predicate"}. Subjects keep the given order. Throws InputError if there
// is no subject, a name is empty/absolute/contains "..", two subjects share a name, a digest
// is not 64 lowercase hex digits, the predicate type is empty or the predicate not an object.
nlohmann::json StatementToJson(const Statement& statement);

// Parses and validates payload bytes as a Statement v1 with the same rules as
// StatementToJson. Throws IntegrityError naming the offending field. Digest algorithms other
// than sha256 are ignored; a subject without sha256 is an error.
Statement ParseStatement(std::string_view payload);

// True iff `name` is an acceptable subject name (see Subject).
bool IsSafeSubjectName(std::string_view name);

}  // namespace privet::audit

#endif  // PRIVET_AUDIT_STATEMENT_H_
