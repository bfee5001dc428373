// The deployment folder `privet serve --deployment DIR` runs from (docs/api.md, "The
// deployment folder"): where every file of the custodian lives, and server.json, the
// service's own settings.
#ifndef PRIVET_SERVER_DEPLOYMENT_H_
#define PRIVET_SERVER_DEPLOYMENT_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "release/release_request.h"

namespace privet::server {

// Fixed names inside the deployment folder. The ledger's deployment secret and incident log
// sit beside the ledger, where release/ expects them (privacy/deployment_secret.h,
// release/incident_log.h).
struct DeploymentPaths {
  std::filesystem::path root;

  std::filesystem::path server_config() const { return root / "server.json"; }
  std::filesystem::path ledger() const { return root / "privet-ledger.db"; }
  std::filesystem::path signing_key() const { return root / "keys" / "privet-signing.key"; }
  std::filesystem::path public_key() const { return root / "keys" / "privet-signing.pub"; }
  std::filesystem::path users() const { return root / "users.db"; }
  std::filesystem::path requests() const { return root / "requests.db"; }
  std::filesystem::path access_log() const { return root / "access.log"; }
  std::filesystem::path releases() const { return root / "releases"; }
  // Configs the officer placed here for registration over the API (POST /v1/datasets).
  std::filesystem::path configs() const { return root / "configs"; }

  // What release/ needs: the ledger and the signing key.
  release::Deployment ForRelease() const;
};

// InputError unless `root` is an existing folder. The path is made absolute.
DeploymentPaths OpenDeployment(const std::filesystem::path& root);

// server.json. Every key is optional except the TLS paths; unknown keys are refused, so a
// misspelt setting never silently falls back to a default.
struct ServerConfig {
  std::string listen = "127.0.0.1";        // loopback unless the officer opens it on purpose
  int port = 8443;                         // 0: any free port (printed at start)
  std::filesystem::path tls_certificate;   // PEM; relative paths are relative to the folder
  std::filesystem::path tls_key;           // PEM
  std::size_t max_body_bytes = 64 * 1024;  // larger request bodies get 413
  int workers = 2;                         // requests run at once
  // Failed authentications (a token that is unknown or revoked) one client address may make
  // within auth_failure_window_seconds before every request from it gets 429 until the window
  // has passed.
  int auth_failure_limit = 10;
  int auth_failure_window_seconds = 60;
  // How many client addresses the rate limit tracks at most (server/auth_failure_limiter.h:
  // beyond it, expired and then least recently failed addresses are dropped).
  int auth_failure_clients = 10'000;
  // The approval policy's initial value (docs/api.md "Approval policy"): requests whose
  // epsilon is at most this run at once, larger ones wait for an officer. The officer changes
  // it with PUT /v1/policy; the stored value then wins over this one.
  double auto_approve_epsilon = 0;
};

// Reads server.json. InputError naming the key for a missing, unknown or mistyped setting.
ServerConfig LoadServerConfig(const DeploymentPaths& deployment);

}  // namespace privet::server

#endif  // PRIVET_SERVER_DEPLOYMENT_H_
