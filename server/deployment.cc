#include "server/deployment.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "privacy/errors.h"

namespace privet::server {

release::Deployment DeploymentPaths::ForRelease() const {
  return release::Deployment{ledger(), signing_key()};
}

DeploymentPaths OpenDeployment(const std::filesystem::path& root) {
  std::error_code error;
  if (!std::filesystem::is_directory(root, error)) {
    throw InputError("--deployment " + root.string() + ": not a folder");
  }
  return DeploymentPaths{std::filesystem::absolute(root).lexically_normal()};
}

namespace {

const nlohmann::json& Typed(const nlohmann::json& value, const std::string& key, bool number,
                            const std::filesystem::path& file) {
  const bool ok = number ? value.is_number() : value.is_string();
  if (!ok) {
    throw InputError(file.string() + ": \"" + key + "\" must be a " +
                     (number ? "number" : "string"));
  }
  return value;
}

int WholeNumber(const nlohmann::json& value, const std::string& key, int min, int max,
                const std::filesystem::path& file) {
  Typed(value, key, true, file);
  const double number = value.get<double>();
  if (!std::isfinite(number) || number != std::floor(number) || number < min || number > max) {
    throw InputError(file.string() + ": \"" + key + "\" must be a whole number in [" +
                     std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<int>(number);
}

}  // namespace

ServerConfig LoadServerConfig(const DeploymentPaths& deployment) {
  const std::filesystem::path file = deployment.server_config();
  std::ifstream in(file);
  if (!in) throw InputError(file.string() + ": cannot read (the deployment needs a server.json)");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw InputError(file.string() + ": not valid JSON");
  }
  if (!json.is_object()) throw InputError(file.string() + ": must be a JSON object");
  ServerConfig config;
  bool have_certificate = false, have_key = false;
  for (const auto& [key, value] : json.items()) {
    if (key == "listen") {
      config.listen = Typed(value, key, false, file).get<std::string>();
    } else if (key == "port") {
      config.port = WholeNumber(value, key, 0, 65535, file);
    } else if (key == "tls_certificate" || key == "tls_key") {
      std::filesystem::path path = Typed(value, key, false, file).get<std::string>();
      if (path.is_relative()) path = deployment.root / path;
      (key == "tls_key" ? config.tls_key : config.tls_certificate) = path;
      (key == "tls_key" ? have_key : have_certificate) = true;
    } else if (key == "max_body_bytes") {
      config.max_body_bytes =
          static_cast<std::size_t>(WholeNumber(value, key, 1024, 64 * 1024 * 1024, file));
    } else if (key == "workers") {
      config.workers = WholeNumber(value, key, 1, 64, file);
    } else if (key == "auth_failure_limit") {
      config.auth_failure_limit = WholeNumber(value, key, 1, 1'000'000, file);
    } else if (key == "auth_failure_clients") {
      config.auth_failure_clients = WholeNumber(value, key, 1, 10'000'000, file);
    } else if (key == "auth_failure_window_seconds") {
      config.auth_failure_window_seconds = WholeNumber(value, key, 1, 86'400, file);
    } else if (key == "auto_approve_epsilon") {
      const double epsilon = Typed(value, key, true, file).get<double>();
      if (!std::isfinite(epsilon) || epsilon < 0) {
        throw InputError(file.string() + ": \"auto_approve_epsilon\" must be finite and >= 0");
      }
      config.auto_approve_epsilon = epsilon;
    } else {
      throw InputError(file.string() + ": unknown setting \"" + key + "\"");
    }
  }
  if (!have_certificate || !have_key) {
    throw InputError(file.string() +
                     ": \"tls_certificate\" and \"tls_key\" are required (the service speaks "
                     "HTTPS only)");
  }
  return config;
}

}  // namespace privet::server
