#include "privacy/canonical_json.h"

#include <cmath>

#include "privacy/errors.h"

namespace privet {
namespace {

void RejectNonFinite(const nlohmann::json& value) {
  if (value.is_number_float() && !std::isfinite(value.get<double>())) {
    // nlohmann would write null, silently changing the value that is signed.
    throw InputError("canonical JSON: a number is NaN or infinite");
  }
  if (value.is_structured()) {
    for (const auto& element : value) RejectNonFinite(element);
  }
}

}  // namespace

std::string CanonicalJson(const nlohmann::json& value) {
  RejectNonFinite(value);
  try {
    // nlohmann::json objects are std::map-backed: dump() emits keys in sorted byte order.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("canonical JSON: ") + e.what());
  }
}

}  // namespace privet
