// The API's routes, one handler each, and the policy table that says which roles may call
// which route (docs/api.md has the same table). server/service.cc checks the table before any
// handler runs; a handler only ever sees an authenticated principal of an allowed role.
// Handlers know nothing of HTTP transport: they take the call's body, path captures and
// query, and return a status and a body, or throw ApiError.
#ifndef PRIVET_SERVER_HANDLERS_H_
#define PRIVET_SERVER_HANDLERS_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/access_log.h"
#include "server/deployment.h"
#include "server/request_store.h"
#include "server/user_store.h"
#include "server/worker_pool.h"

namespace privet::server {

struct ServiceContext {
  DeploymentPaths deployment;
  ServerConfig config;
  UserStore& users;
  RequestStore& requests;
  AccessLog& access_log;
  WorkerPool& workers;
};

struct Call {
  Principal principal;
  std::string body;
  std::vector<std::string> captures;         // the route pattern's groups, in order
  std::map<std::string, std::string> query;  // query-string parameters
};

// A file sent as a reply body in chunks from an open descriptor (server/service.cc reads at most
// 64 KiB at a time), so a large release is never read whole into memory. Opened by the
// handler, so the bytes sent are those of the file it checked, whatever happens to the name.
class FileBody {
 public:
  // ApiError 503 when the file cannot be opened.
  explicit FileBody(const std::filesystem::path& path);
  ~FileBody();
  FileBody(const FileBody&) = delete;
  FileBody& operator=(const FileBody&) = delete;
  int fd() const { return fd_; }
  std::uint64_t size() const { return size_; }

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::shared_ptr<FileBody> file;  // when set, the body is this file's bytes
};

using Handler = Reply (*)(ServiceContext& context, const Call& call);

struct Route {
  std::string method;   // GET, POST, PUT
  std::string pattern;  // an ECMAScript regex over the path, as httplib matches it
  std::vector<Role> roles;
  Handler handler;
};

// The policy table: every route the service has, with its allowed roles.
const std::vector<Route>& Routes();

}  // namespace privet::server

#endif  // PRIVET_SERVER_HANDLERS_H_
