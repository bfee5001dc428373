// `privet serve`: the custodian service over HTTPS (docs/api.md). Start() checks the
// deployment (server.json, the TLS key pair, the ledger's and the access log's hash chains),
// fails requests a killed service left running, binds, and starts the workers; Run() serves
// until Stop().
//
// Every request passes, in this order: the failed-authentication rate limit of its client
// address (429), the bearer token (401), the policy table of server/handlers.h (403), and
// only then its handler. Every answer, refusals included, is appended to the access log. The
// one exception to the token is GET /ui, the officer's page (server/officer_ui.h): fixed
// bytes with no data, which then calls the routes above with the officer's token.
#ifndef PRIVET_SERVER_SERVICE_H_
#define PRIVET_SERVER_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "server/deployment.h"

namespace privet::server {

class Service {
 public:
  // Throws InputError (server.json, the deployment folder), CryptoError (TLS certificate or
  // key), IntegrityError (a broken ledger or access log), StorageError, or InputError when the
  // address cannot be bound.
  static std::unique_ptr<Service> Start(const DeploymentPaths& deployment);
  ~Service();

  // The bound port (the chosen one when server.json says 0).
  int port() const;
  const std::string& address() const;
  // What Start found and did, one line each (printed by `privet serve`).
  const std::vector<std::string>& startup_notes() const;
  // Serves until Stop() is called (from any thread).
  void Run();
  void Stop();

  // Internal (server/service.cc); public only so the TLS callbacks can reach it.
  struct Impl;

 private:
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace privet::server

#endif  // PRIVET_SERVER_SERVICE_H_
