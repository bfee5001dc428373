// Parsing JSON that comes from outside privet's process (configs, models, attestations, ledger
// bodies) with a bound on its nesting depth.
//
// Why: nlohmann::json parses iteratively, but dump(), copies and comparisons recurse once per
// level, as do privet's own walks (canonical_json.cc); a document nested 10^5 deep, a few
// hundred kilobytes of "[[[[...", overflows the stack (SIGSEGV) instead of being refused. No
// privet format nests deeper than 6 levels, so a limit of kMaxJsonDepth is generous for every
// genuine file and keeps each recursion a few kilobytes deep. The depth is measured on the
// bytes, before the parser builds anything.
#ifndef PRIVET_PRIVACY_BOUNDED_JSON_H_
#define PRIVET_PRIVACY_BOUNDED_JSON_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "privacy/errors.h"

namespace privet {

// The deepest nesting of arrays and objects privet accepts: a scalar is depth 0, "[]" and
// "{}" depth 1, "[[1]]" depth 2.
inline constexpr std::size_t kMaxJsonDepth = 64;

// The nesting depth of the JSON text, counting '[' and '{' outside string literals (with
// their backslash escapes); the scan stops at the first level deeper than `stop_above` and
// returns stop_above + 1. Exact for valid JSON; for invalid text it is a bound the parser's
// own error then supersedes.
std::size_t JsonNestingDepth(std::string_view text, std::size_t stop_above = kMaxJsonDepth);

// Parses `text` after checking its depth. Throws ErrorType ("<what>: JSON nested deeper than
// 64 levels" or "<what>: not JSON (<parser message>)"): InputError for configs and
// models, IntegrityError for signed or recorded documents (attestations, ledger entries).
template <typename ErrorType = InputError>
nlohmann::json ParseBoundedJson(std::string_view text, const std::string& what) {
  if (JsonNestingDepth(text) > kMaxJsonDepth) {
    throw ErrorType(what + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                    " levels");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw ErrorType(what + ": not JSON (" + e.what() + ")");
  }
}

}  // namespace privet

#endif  // PRIVET_PRIVACY_BOUNDED_JSON_H_
