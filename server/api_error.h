// Errors the API answers with: an HTTP status and a stable code, as
//   {"error": {"code": "...", "message": "..."}}
// Codes (docs/api.md lists them): unauthenticated 401, forbidden 403, not_found 404,
// payload_too_large 413, rate_limited 429, malformed_json / invalid_field / unknown_field /
// missing_field / invalid_request / tls_required 400, conflict / not_released /
// budget_exceeded 409, internal 500, unavailable 503. An error may carry further public fields
// beside code and message (a budget refusal carries its plan's budget preview).
#ifndef PRIVET_SERVER_API_ERROR_H_
#define PRIVET_SERVER_API_ERROR_H_

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace privet::server {

class ApiError : public std::runtime_error {
 public:
  // `detail`: an object whose fields are added to the error's, beside code and message.
  ApiError(int status, std::string code, const std::string& message,
           nlohmann::json detail = nlohmann::json::object())
      : std::runtime_error(message),
        status_(status),
        code_(std::move(code)),
        detail_(std::move(detail)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const nlohmann::json& detail() const { return detail_; }

 private:
  int status_;
  std::string code_;
  nlohmann::json detail_;
};

// The JSON body of an error: {"error": {"code", "message", and detail's fields}}.
std::string ErrorBody(const std::string& code, const std::string& message,
                      const nlohmann::json& detail = nlohmann::json::object());
// The code httplib's own refusals (bad request line, body too large, no route) map to, and
// a message that says what to do.
std::string CodeForStatus(int status);
std::string MessageForStatus(int status);

}  // namespace privet::server

#endif  // PRIVET_SERVER_API_ERROR_H_
