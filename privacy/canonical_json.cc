#include "privacy/canonical_json.h"

#include <cmath>
#include <utility>
#include <vector>

#include "privacy/bounded_json.h"
#include "privacy/errors.h"

namespace privet {
namespace {

// Rejects non-finite numbers and nesting deeper than kMaxJsonDepth, walking the value with an
// explicit stack: a recursive walk is the stack overflow this bound exists to prevent (and
// dump() below recurses once per level, so the bound must hold before it runs).
void CheckSerialisable(const nlohmann::json& root) {
  std::vector<std::pair<const nlohmann::json*, std::size_t>> pending = {{&root, 0}};
  while (!pending.empty()) {
    const auto [value, depth] = pending.back();
    pending.pop_back();
    if (value->is_number_float() && !std::isfinite(value->get<double>())) {
      // nlohmann would write null, silently changing the value that is signed.
      throw InputError("canonical JSON: a number is NaN or infinite");
    }
    if (!value->is_structured()) continue;
    if (depth + 1 > kMaxJsonDepth) {
      throw InputError("canonical JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                       " levels");
    }
    for (const auto& element : *value) pending.emplace_back(&element, depth + 1);
  }
}

}  // namespace

std::string CanonicalJson(const nlohmann::json& value) {
  CheckSerialisable(value);
  try {
    // nlohmann::json objects are std::map-backed: dump() emits keys in sorted byte order.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("canonical JSON: ") + e.what());
  }
}

}  // namespace privet
