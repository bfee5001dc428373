#include "server/request_options.h"

#include <cmath>
#include <limits>

#include "server/api_error.h"

namespace privet::server {

JsonFields JsonFields::FromBody(const std::string& body, const std::set<std::string>& allowed,
                                bool allow_empty) {
  if (body.empty() && allow_empty) return JsonFields(nlohmann::json::object(), allowed, "");
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception&) {
    throw ApiError(400, "malformed_json", "the request body is not valid JSON");
  }
  if (!object.is_object()) {
    throw ApiError(400, "malformed_json", "the request body must be a JSON object");
  }
  return JsonFields(object, allowed, "");
}

JsonFields::JsonFields(const nlohmann::json& object, const std::set<std::string>& allowed,
                       const std::string& where)
    : object_(object), where_(where) {
  if (!object_.is_object()) Invalid("", "must be a JSON object");
  for (const auto& [key, value] : object_.items()) {
    if (allowed.count(key) == 0) {
      throw ApiError(400, "unknown_field", "unknown field \"" + where_ + key + "\"");
    }
  }
}

const nlohmann::json* JsonFields::Find(const std::string& key) const {
  const auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

void JsonFields::Invalid(const std::string& key, const std::string& what) const {
  throw ApiError(400, "invalid_field", "field \"" + where_ + key + "\" " + what);
}

std::string JsonFields::RequiredString(const std::string& key) const {
  std::optional<std::string> value = OptionalString(key);
  if (!value) throw ApiError(400, "missing_field", "field \"" + where_ + key + "\" is required");
  return *value;
}

std::optional<std::string> JsonFields::OptionalString(const std::string& key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) Invalid(key, "must be a string");
  std::string text = value->get<std::string>();
  if (text.size() > 4096) Invalid(key, "is longer than 4096 bytes");
  return text;
}

double JsonFields::RequiredNumber(const std::string& key) const {
  std::optional<double> value = OptionalNumber(key);
  if (!value) throw ApiError(400, "missing_field", "field \"" + where_ + key + "\" is required");
  return *value;
}

std::optional<double> JsonFields::OptionalNumber(const std::string& key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) Invalid(key, "must be a number");
  return value->get<double>();
}

std::optional<std::uint64_t> JsonFields::OptionalCount(const std::string& key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return std::nullopt;
  // JSON text parses non-negative integers as unsigned; a built value may be signed.
  const bool whole = value->is_number_unsigned()
                         ? value->get<std::uint64_t>() >= 1
                         : value->is_number_integer() && value->get<std::int64_t>() >= 1;
  if (!whole) Invalid(key, "must be a whole number >= 1");
  return value->get<std::uint64_t>();
}

std::vector<std::string> JsonFields::RequiredStrings(const std::string& key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) {
    throw ApiError(400, "missing_field", "field \"" + where_ + key + "\" is required");
  }
  if (!value->is_array() || value->empty() || value->size() > 64) {
    Invalid(key, "must be a non-empty array of at most 64 strings");
  }
  std::vector<std::string> strings;
  for (const auto& item : *value) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      Invalid(key, "must hold non-empty strings only");
    }
    strings.push_back(item.get<std::string>());
  }
  return strings;
}

nlohmann::json JsonFields::OptionalObject(const std::string& key) const {
  const nlohmann::json* value = Find(key);
  if (value == nullptr) return nlohmann::json::object();
  if (!value->is_object()) Invalid(key, "must be a JSON object");
  return *value;
}

bool IsRequestKind(const std::string& kind) {
  return kind == "synthesize" || kind == "marginal" || kind == "correlation";
}

nlohmann::json CheckOptions(const std::string& kind, const nlohmann::json& options) {
  nlohmann::json checked = nlohmann::json::object();
  if (kind == "synthesize") {
    const JsonFields fields(options, {"rows", "mode", "degree", "max_parent_cells", "pair_share"},
                            "options.");
    if (auto rows = fields.OptionalCount("rows")) checked["rows"] = *rows;
    if (auto mode = fields.OptionalString("mode")) {
      if (*mode != "auto" && *mode != "gaussian" && *mode != "pure") {
        throw ApiError(400, "invalid_field",
                       "field \"options.mode\" must be auto, gaussian or pure");
      }
      checked["mode"] = *mode;
    }
    if (auto degree = fields.OptionalCount("degree")) {
      if (*degree > std::numeric_limits<std::uint32_t>::max()) {
        throw ApiError(400, "invalid_field", "field \"options.degree\" is too large");
      }
      checked["degree"] = *degree;
    }
    if (auto cells = fields.OptionalCount("max_parent_cells")) checked["max_parent_cells"] = *cells;
    if (auto share = fields.OptionalNumber("pair_share")) checked["pair_share"] = *share;
    return checked;
  }
  const bool marginal = kind == "marginal";
  const JsonFields fields(
      options,
      marginal ? std::set<std::string>{"attributes", "mode"} : std::set<std::string>{"attributes"},
      "options.");
  checked["attributes"] = fields.RequiredStrings("attributes");
  if (marginal) {
    if (auto mode = fields.OptionalString("mode")) {
      if (*mode != "auto" && *mode != "pure" && *mode != "gaussian") {
        throw ApiError(400, "invalid_field",
                       "field \"options.mode\" must be auto, pure or gaussian");
      }
      checked["mode"] = *mode;
    }
  }
  return checked;
}

release::SynthesizeOptions SynthesizeOptionsFromJson(const nlohmann::json& options) {
  release::SynthesizeOptions synthesize;
  if (options.contains("rows")) synthesize.rows = options["rows"].get<std::uint64_t>();
  if (options.contains("mode")) synthesize.mode = options["mode"].get<std::string>();
  if (options.contains("degree")) synthesize.degree = options["degree"].get<std::uint32_t>();
  if (options.contains("max_parent_cells")) {
    synthesize.max_parent_cells = options["max_parent_cells"].get<std::uint64_t>();
  }
  if (options.contains("pair_share")) synthesize.pair_share = options["pair_share"].get<double>();
  return synthesize;
}

release::QueryOptions QueryOptionsFromJson(const nlohmann::json& options) {
  release::QueryOptions query;
  query.attributes = options.at("attributes").get<std::vector<std::string>>();
  if (options.contains("mode")) query.mode = options["mode"].get<std::string>();
  return query;
}

}  // namespace privet::server
