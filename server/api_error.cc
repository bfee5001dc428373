#include "server/api_error.h"

namespace privet::server {

std::string ErrorBody(const std::string& code, const std::string& message,
                      const nlohmann::json& detail) {
  nlohmann::json error = detail.is_object() ? detail : nlohmann::json::object();
  error["code"] = code;
  error["message"] = message;
  return nlohmann::json{{"error", error}}.dump() + "\n";
}

std::string CodeForStatus(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 429:
      return "rate_limited";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

std::string MessageForStatus(int status) {
  switch (status) {
    case 400:
      return "malformed HTTP request (a POST or PUT needs a Content-Length, 0 for no body)";
    case 404:
      return "no such route (docs/api.md lists them)";
    case 413:
      return "the request body is larger than the service accepts (server.json max_body_bytes)";
    case 414:
      return "the request URI is too long";
    default:
      return "HTTP " + std::to_string(status);
  }
}

}  // namespace privet::server
