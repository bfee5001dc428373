// The researcher's commands run remotely (`privet synthesize|query ... --server URL
// --token-file F`): the request goes to a `privet serve` over HTTPS as the token's user, is
// polled until it is released, and its files are downloaded into --out. What comes back is
// the service's release summary as a release::ReleaseResult, so the command prints the same
// summary as a local run. Nothing here plans, charges, computes or signs: the service does,
// through release/.
#ifndef PRIVET_SERVER_REMOTE_CLIENT_H_
#define PRIVET_SERVER_REMOTE_CLIENT_H_

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "release/release_request.h"

namespace privet::server {

struct RemoteService {
  std::string url;  // https://host[:port]
  std::filesystem::path token_file;
  std::optional<std::filesystem::path> ca_file;  // default: the system's trust store
};

struct RemoteRequest {
  std::string kind;  // synthesize, marginal, correlation
  std::string dataset;
  double epsilon = 0;
  std::optional<double> delta;
  std::string purpose;
  nlohmann::json options = nlohmann::json::object();
};

// Submits, waits (calling on_state with each new state), downloads into `out` (which must
// not exist or be empty) and returns the release. Throws UsageError (a URL that is not
// https), InputError (no token file, a refused request), BudgetExceeded, StorageError (the
// service cannot be reached or answers an error), each naming the service's error code.
release::ReleaseResult RunRemoteRelease(const RemoteService& service, const RemoteRequest& request,
                                        const std::filesystem::path& out,
                                        const std::function<void(const std::string&)>& on_state);

}  // namespace privet::server

#endif  // PRIVET_SERVER_REMOTE_CLIENT_H_
