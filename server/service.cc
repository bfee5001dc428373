#include "server/service.h"

#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <regex>

#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "release/incident_log.h"
#include "server/access_log.h"
#include "server/api_error.h"
#include "server/auth_failure_limiter.h"
#include "server/handlers.h"
#include "server/officer_ui.h"
#include "server/request_store.h"
#include "server/user_store.h"
#include "server/worker_pool.h"

namespace privet::server {
namespace {

// What the access log records about the call in progress. httplib runs a request's routing,
// handler and logger on one thread, so the handler's findings reach the logger through this.
struct CallNotes {
  std::optional<std::string> user, role, code;
};
thread_local CallNotes current_call;

void SetError(httplib::Response& response, int status, const std::string& code,
              const std::string& message, const nlohmann::json& detail = nlohmann::json::object()) {
  response.status = status;
  response.set_content(ErrorBody(code, message, detail), "application/json");
  current_call.code = code;
}

std::string PeerAddress(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  char host[NI_MAXHOST] = "";
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    ::getnameinfo(reinterpret_cast<sockaddr*>(&address), length, host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST);
  }
  return host;
}

// An exclusive lock on <deployment>/serve.lock, held while the service runs: a second service
// on the same deployment would take the first one's running requests for interrupted ones.
class DeploymentLock {
 public:
  explicit DeploymentLock(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ < 0) throw StorageError(path.string() + ": cannot open the service lock");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw InputError("another privet serve is running on this deployment (" + path.string() +
                       " is locked)");
    }
  }
  ~DeploymentLock() { ::close(fd_); }
  DeploymentLock(const DeploymentLock&) = delete;
  DeploymentLock& operator=(const DeploymentLock&) = delete;

 private:
  int fd_;
};

}  // namespace

struct Service::Impl {
  DeploymentLock lock;
  DeploymentPaths deployment;
  ServerConfig config;
  UserStore users;
  RequestStore requests;
  AccessLog access_log;
  WorkerPool workers;
  ServiceContext context;
  AuthFailureLimiter limiter;
  std::unique_ptr<httplib::SSLServer> server;
  std::string address;
  int port = 0;
  std::vector<std::string> notes;

  Impl(const DeploymentPaths& paths, const ServerConfig& server_config)
      : lock(paths.root / "serve.lock"),
        deployment(paths),
        config(server_config),
        users(paths.users(), /*create=*/true),
        requests(paths.requests()),
        access_log(paths.access_log()),
        workers(paths, requests, server_config.workers),
        context{deployment, config, users, requests, access_log, workers},
        limiter(static_cast<std::size_t>(server_config.auth_failure_limit),
                std::chrono::seconds(server_config.auth_failure_window_seconds),
                static_cast<std::size_t>(server_config.auth_failure_clients)) {}

  void Dispatch(const Route& route, const httplib::Request& http, httplib::Response& response);
  void Log(const httplib::Request& http, const httplib::Response& response);
  bool SetUpTls(SSL_CTX& ctx);
};

namespace {

// Plain HTTP sent to the TLS port: OpenSSL recognises an HTTP request line where a TLS record
// should be (SSL_R_HTTP_REQUEST) and fails the handshake; answer it, as nginx does, with a
// plain-text 400 that says to use https, instead of closing without a word.
void AnswerPlainHttp(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_EXIT) == 0 || ret > 0) return;
  const unsigned long error = ERR_peek_last_error();
  if (ERR_GET_LIB(error) != ERR_LIB_SSL || ERR_GET_REASON(error) != SSL_R_HTTP_REQUEST) return;
  const int fd = SSL_get_fd(ssl);
  if (fd < 0) return;
  const std::string body = ErrorBody("tls_required", "this port speaks HTTPS only: use https://");
  const std::string answer =
      "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  [[maybe_unused]] const ssize_t sent = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
  auto* impl = static_cast<Service::Impl*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (impl != nullptr) {
    try {
      impl->access_log.Append(AccessRecord{PeerAddress(fd), std::nullopt, std::nullopt, "-", "-",
                                           400, std::string("tls_required")});
    } catch (const Error&) {
      // The answer is sent; a log that cannot be written fails the next logged request loudly.
    }
  }
}

}  // namespace

bool Service::Impl::SetUpTls(SSL_CTX& ctx) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(&ctx, config.tls_certificate.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(&ctx, config.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    ERR_clear_error();
    return false;
  }
  SSL_CTX_set_app_data(&ctx, this);
  SSL_CTX_set_info_callback(&ctx, &AnswerPlainHttp);
  return true;
}

void Service::Impl::Dispatch(const Route& route, const httplib::Request& http,
                             httplib::Response& response) {
  const std::string& client = http.remote_addr;
  if (limiter.Blocked(client)) {
    SetError(response, 429, "rate_limited",
             "too many failed authentications from this address; try again later");
    return;
  }
  const std::string header = http.get_header_value("Authorization");
  static const std::string kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    SetError(response, 401, "unauthenticated", "send Authorization: Bearer <token>");
    return;
  }
  std::optional<Principal> principal;
  try {
    principal = users.Authenticate(header.substr(kBearer.size()));
  } catch (const Error&) {
    SetError(response, 503, "unavailable", "the user database cannot be read");
    return;
  }
  if (!principal) {
    limiter.RecordFailure(client);
    SetError(response, 401, "unauthenticated", "unknown or revoked token");
    return;
  }
  current_call.user = principal->name;
  current_call.role = RoleName(principal->role);
  if (std::find(route.roles.begin(), route.roles.end(), principal->role) == route.roles.end()) {
    SetError(response, 403, "forbidden",
             "the " + RoleName(principal->role) + " role may not call " + route.method + " " +
                 http.path);
    return;
  }
  Call call{*principal, http.body, {}, {}};
  for (std::size_t i = 1; i < http.matches.size(); ++i) call.captures.push_back(http.matches[i]);
  for (const auto& [key, value] : http.params) call.query[key] = value;
  try {
    Reply reply = route.handler(context, call);
    response.status = reply.status;
    if (reply.file) {
      std::shared_ptr<FileBody> file = reply.file;
      response.set_content_provider(
          static_cast<std::size_t>(file->size()), reply.content_type.c_str(),
          [file](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            constexpr std::size_t kChunk = 64 * 1024;
            std::vector<char> buffer(std::min(length, kChunk));
            const ssize_t got =
                ::pread(file->fd(), buffer.data(), buffer.size(), static_cast<off_t>(offset));
            if (got <= 0) return false;  // the file shrank: end the connection, no short body
            return sink.write(buffer.data(), static_cast<std::size_t>(got));
          });
    } else {
      response.set_content(reply.body, reply.content_type.c_str());
    }
  } catch (const ApiError& error) {
    SetError(response, error.status(), error.code(), error.what(), error.detail());
  } catch (const StorageError&) {
    SetError(response, 503, "unavailable", "a deployment store cannot be read or written");
  } catch (const IntegrityError&) {
    SetError(response, 500, "integrity", "a deployment record does not verify; see the officer");
  } catch (const std::exception&) {
    SetError(response, 500, "internal", "internal error");
  }
}

void Service::Impl::Log(const httplib::Request& http, const httplib::Response& response) {
  std::optional<std::string> code = current_call.code;
  if (!code && response.status >= 400) code = CodeForStatus(response.status);
  try {
    access_log.Append(AccessRecord{http.remote_addr, current_call.user, current_call.role,
                                   http.method, http.path, response.status, code});
  } catch (const Error&) {
    // The response is already on its way; an unwritable log is reported at the next start,
    // when the chain is verified.
  }
  current_call = CallNotes{};
}

std::unique_ptr<Service> Service::Start(const DeploymentPaths& deployment) {
  const ServerConfig config = LoadServerConfig(deployment);
  {
    // Refuse to serve on a ledger that does not verify (releases would refuse anyway).
    if (std::filesystem::exists(deployment.ledger())) {
      const privacy::VerifyResult verified =
          privacy::BudgetLedger::Open(deployment.ledger(), privacy::LedgerOpenMode::kReadOnly)
              .VerifyChain();
      if (!verified.ok) throw IntegrityError("ledger " + verified.message);
    }
  }
  auto impl = std::make_unique<Impl>(deployment, config);
  impl->notes.push_back("access log: " + AccessLog::Verify(deployment.access_log()).message);
  const std::vector<StoredRequest> interrupted = impl->requests.FailInterrupted(
      "interrupted: the service stopped while this request ran; no file of it is served, and "
      "any budget it charged stays spent (see the ledger)");
  const release::IncidentLog incidents(release::IncidentLogPath(deployment.ledger()));
  // One stop is one observable failure, however many requests it interrupted: their incidents
  // share this start's event id, and the failure lock counts it once (release/incident_log.h).
  const std::string event = release::NewFailureEvent();
  for (const StoredRequest& request : interrupted) {
    release::Incident incident;
    incident.event = event;
    incident.dataset_id = request.dataset_id;
    incident.kind = request.kind;
    incident.requester = request.requester;
    incident.stage = "running";
    incident.error_class = "internal";
    incident.detail = "service stopped while request " + request.id + " was running";
    incidents.Record(incident);
    impl->notes.push_back("request " + request.id + ": interrupted by a stop, marked failed");
  }

  Impl* self = impl.get();
  impl->server =
      std::make_unique<httplib::SSLServer>([self](SSL_CTX& ctx) { return self->SetUpTls(ctx); });
  if (!impl->server->is_valid()) {
    throw CryptoError("server.json: cannot load the TLS certificate " +
                      config.tls_certificate.string() + " with key " + config.tls_key.string());
  }
  httplib::SSLServer& server = *impl->server;
  server.set_payload_max_length(config.max_body_bytes);
  for (const Route& route : Routes()) {
    auto handler = [self, &route](const httplib::Request& http, httplib::Response& response) {
      self->Dispatch(route, http, response);
    };
    if (route.method == "GET") server.Get(route.pattern, handler);
    if (route.method == "POST") server.Post(route.pattern, handler);
    if (route.method == "PUT") server.Put(route.pattern, handler);
  }
  // The officer's page is outside the policy table: it is the same fixed bytes for everyone and
  // holds no data; everything it shows it fetches from the routes above with the officer's
  // token (server/officer_ui.h).
  server.Get("/ui", [](const httplib::Request&, httplib::Response& response) {
    const StaticPage& page = OfficerPage();
    for (const auto& [name, value] : page.headers) response.set_header(name, value);
    response.set_content(page.body, "text/html; charset=utf-8");
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&,
                                                                   httplib::Response& response) {
    if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string code = CodeForStatus(response.status);
    response.set_content(ErrorBody(code, MessageForStatus(response.status)), "application/json");
    current_call.code = code;
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_logger([self](const httplib::Request& http, const httplib::Response& response) {
    self->Log(http, response);
  });
  impl->address = config.listen;
  if (config.port == 0) {
    impl->port = server.bind_to_any_port(config.listen);
    if (impl->port <= 0) throw InputError("server.json: cannot listen on " + config.listen);
  } else {
    if (!server.bind_to_port(config.listen, config.port)) {
      throw InputError("server.json: cannot listen on " + config.listen + " port " +
                       std::to_string(config.port));
    }
    impl->port = config.port;
  }
  impl->workers.Start();
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Service::~Service() {
  Stop();
  impl_->workers.Stop();
}

int Service::port() const { return impl_->port; }
const std::string& Service::address() const { return impl_->address; }
const std::vector<std::string>& Service::startup_notes() const { return impl_->notes; }
void Service::Run() { impl_->server->listen_after_bind(); }
void Service::Stop() { impl_->server->stop(); }

}  // namespace privet::server
