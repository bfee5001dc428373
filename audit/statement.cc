#include "audit/statement.h"

#include <set>

#include "privacy/bounded_json.h"
#include "privacy/errors.h"

namespace privet::audit {
namespace {

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Returns the first problem with the subjects, or "" if none.
std::string SubjectProblem(const std::vector<Subject>& subjects) {
  if (subjects.empty()) return "subject: a statement needs at least one subject";
  std::set<std::string> names;
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const std::string where = "subject[" + std::to_string(i) + "]";
    if (!IsSafeSubjectName(subjects[i].name)) {
      return where + ".name \"" + subjects[i].name +
             "\" must be a relative path without \"..\" or empty parts";
    }
    if (!names.insert(subjects[i].name).second) {
      return where + ".name \"" + subjects[i].name + "\" appears twice";
    }
    if (!IsSha256Hex(subjects[i].sha256)) {
      return where + ".digest.sha256 is not 64 lowercase hex digits";
    }
  }
  return "";
}

}  // namespace

bool IsSafeSubjectName(std::string_view name) {
  if (name.empty() || name.front() == '/') return false;
  // Each '/'-separated part must be a plain name: no "", ".", ".." and no backslash (which
  // would mean a separator on other systems) or NUL.
  std::size_t start = 0;
  while (true) {
    const std::size_t end = name.find('/', start);
    const std::string_view part =
        name.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (part.find('\\') != std::string_view::npos || part.find('\0') != std::string_view::npos) {
      return false;
    }
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

nlohmann::json StatementToJson(const Statement& statement) {
  if (const std::string problem = SubjectProblem(statement.subjects); !problem.empty()) {
    throw InputError("statement: " + problem);
  }
  if (statement.predicate_type.empty()) throw InputError("statement: predicateType is empty");
  if (!statement.predicate.is_object()) {
    throw InputError("statement: predicate must be a JSON object");
  }
  nlohmann::json subjects = nlohmann::json::array();
  for (const Subject& subject : statement.subjects) {
    subjects.push_back({{"name", subject.name}, {"digest", {{"sha256", subject.sha256}}}});
  }
  return {{"_type", kStatementType},
          {"subject", std::move(subjects)},
          {"predicateType", statement.predicate_type},
          {"predicate", statement.predicate}};
}

Statement ParseStatement(std::string_view payload) {
  const nlohmann::json document =
      ParseBoundedJson<IntegrityError>(payload, "statement: payload");
  if (!document.is_object()) throw IntegrityError("statement: payload is not a JSON object");
  const auto type = document.find("_type");
  if (type == document.end() || !type->is_string() || *type != kStatementType) {
    throw IntegrityError(std::string("statement: _type must be \"") + kStatementType + "\"");
  }
  Statement statement;
  const auto subjects = document.find("subject");
  if (subjects == document.end() || !subjects->is_array()) {
    throw IntegrityError("statement: subject must be an array");
  }
  for (std::size_t i = 0; i < subjects->size(); ++i) {
    const nlohmann::json& entry = (*subjects)[i];
    const std::string where = "statement: subject[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw IntegrityError(where + " is not an object");
    const auto name = entry.find("name");
    if (name == entry.end() || !name->is_string()) {
      throw IntegrityError(where + ".name is missing or not a string");
    }
    const auto digest = entry.find("digest");
    if (digest == entry.end() || !digest->is_object()) {
      throw IntegrityError(where + ".digest is missing or not an object");
    }
    const auto sha256 = digest->find("sha256");
    if (sha256 == digest->end() || !sha256->is_string()) {
      throw IntegrityError(where + ".digest.sha256 is missing");
    }
    statement.subjects.push_back({name->get<std::string>(), sha256->get<std::string>()});
  }
  if (const std::string problem = SubjectProblem(statement.subjects); !problem.empty()) {
    throw IntegrityError("statement: " + problem);
  }
  const auto predicate_type = document.find("predicateType");
  if (predicate_type == document.end() || !predicate_type->is_string() ||
      predicate_type->get<std::string>().empty()) {
    throw IntegrityError("statement: predicateType is missing or not a string");
  }
  statement.predicate_type = predicate_type->get<std::string>();
  const auto predicate = document.find("predicate");
  if (predicate == document.end() || !predicate->is_object()) {
    throw IntegrityError("statement: predicate is missing or not an object");
  }
  statement.predicate = *predicate;
  return statement;
}

}  // namespace privet::audit
