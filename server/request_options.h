// Request bodies, read strictly: a body must be one JSON object, every field of the right
// type, no field the route does not know (a client's "requester" is refused, never
// ignored). Each problem is an ApiError naming the field (server/api_error.h).
#ifndef PRIVET_SERVER_REQUEST_OPTIONS_H_
#define PRIVET_SERVER_REQUEST_OPTIONS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "release/release_request.h"

namespace privet::server {

class JsonFields {
 public:
  // malformed_json unless `body` is a JSON object (an empty body is {} when allow_empty);
  // unknown_field for a key outside `allowed`.
  static JsonFields FromBody(const std::string& body, const std::set<std::string>& allowed,
                             bool allow_empty = false);
  // An object nested in a body: `where` prefixes field names in messages ("options.").
  JsonFields(const nlohmann::json& object, const std::set<std::string>& allowed,
             const std::string& where);

  // missing_field / invalid_field (wrong type or value).
  std::string RequiredString(const std::string& key) const;
  std::optional<std::string> OptionalString(const std::string& key) const;
  double RequiredNumber(const std::string& key) const;
  std::optional<double> OptionalNumber(const std::string& key) const;
  std::optional<std::uint64_t> OptionalCount(const std::string& key) const;  // whole, >= 1
  std::vector<std::string> RequiredStrings(const std::string& key) const;
  nlohmann::json OptionalObject(const std::string& key) const;  // {} when absent

 private:
  const nlohmann::json* Find(const std::string& key) const;
  [[noreturn]] void Invalid(const std::string& key, const std::string& what) const;
  nlohmann::json object_;
  std::string where_;
};

// The request kinds the service runs.
bool IsRequestKind(const std::string& kind);

// A kind's "options" object checked and normalised (defaults left out). invalid_field /
// unknown_field for anything release/ would not accept as that option's type.
nlohmann::json CheckOptions(const std::string& kind, const nlohmann::json& options);
// The checked options as release/'s types.
release::SynthesizeOptions SynthesizeOptionsFromJson(const nlohmann::json& options);
release::QueryOptions QueryOptionsFromJson(const nlohmann::json& options);

}  // namespace privet::server

#endif  // PRIVET_SERVER_REQUEST_OPTIONS_H_
