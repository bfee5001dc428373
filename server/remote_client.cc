#include "server/remote_client.h"

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "privacy/errors.h"
#include "release/output_dir.h"

namespace privet::server {
namespace {

class Connection {
 public:
  explicit Connection(const RemoteService& service) {
    static const std::regex kUrl(R"(https://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::(\d{1,5}))?/?)");
    std::smatch match;
    if (!std::regex_match(service.url, match, kUrl)) {
      throw UsageError("--server " + service.url +
                       ": give https://HOST[:PORT] (the service speaks HTTPS only)");
    }
    std::ifstream in(service.token_file);
    if (!in) throw InputError("--token-file " + service.token_file.string() + ": cannot read");
    in >> token_;
    if (token_.empty()) throw InputError("--token-file " + service.token_file.string() + ": empty");
    const int port = match[2].matched ? std::stoi(match[2]) : 443;
    client_ = std::make_unique<httplib::SSLClient>(match[1].str(), port);
    if (service.ca_file) client_->set_ca_cert_path(service.ca_file->c_str());
    client_->enable_server_certificate_verification(true);
    client_->set_read_timeout(std::chrono::seconds(120));
    url_ = service.url;
  }

  // The body of a 2xx answer; an error answer or no answer throws.
  std::string Call(const std::string& method, const std::string& path,
                   const std::string& body = "") {
    const httplib::Headers headers = {{"Authorization", "Bearer " + token_}};
    httplib::Result result = method == "GET"
                                 ? client_->Get(path.c_str(), headers)
                                 : client_->Post(path.c_str(), headers, body, "application/json");
    if (!result) {
      throw StorageError("--server " + url_ + ": no answer (" + httplib::to_string(result.error()) +
                         ")");
    }
    if (result->status < 200 || result->status >= 300) {
      const nlohmann::json error = nlohmann::json::parse(result->body, nullptr, false);
      std::string code = "http_" + std::to_string(result->status), message = result->body;
      if (error.is_object() && error.contains("error") && error["error"].is_object()) {
        code = error["error"].value("code", code);
        message = error["error"].value("message", message);
      }
      Throw(code, message);
    }
    return result->body;
  }

  [[noreturn]] void Throw(const std::string& code, const std::string& message) const {
    const std::string text = "service " + url_ + ": " + code + ": " + message;
    if (code == "budget_exceeded") throw BudgetExceeded(text);
    if (code == "unauthenticated" || code == "forbidden" || code == "rate_limited") {
      throw UsageError(text);
    }
    if (code == "refused" || code == "not_found" || code.starts_with("invalid") ||
        code.ends_with("_field") || code == "malformed_json") {
      throw InputError(text);
    }
    if (code == "integrity") throw IntegrityError(text);
    throw StorageError(text);
  }

 private:
  std::unique_ptr<httplib::SSLClient> client_;
  std::string token_, url_;
};

// The service's summary (release::ReleaseResult::ToJson() with file names) as a result whose
// files are the downloaded copies.
release::ReleaseResult FromSummary(const nlohmann::json& summary, const std::filesystem::path& out,
                                   const std::vector<std::string>& files) {
  release::ReleaseResult result;
  const nlohmann::json& release = summary.at("release");
  const nlohmann::json& dataset = summary.at("dataset");
  const nlohmann::json& ledger = summary.at("ledger");
  result.dataset_id = dataset.at("id");
  result.receipt.release_id = release.at("id");
  result.receipt.cost = {release.at("epsilon"), release.at("delta")};
  result.receipt.cumulative = {dataset.at("spent").at("epsilon"), dataset.at("spent").at("delta")};
  result.receipt.budget.epsilon = dataset.at("budget").at("epsilon");
  result.receipt.budget.delta = dataset.at("budget").at("delta");
  result.receipt.remaining_epsilon = dataset.at("remaining_epsilon");
  result.receipt.entry_hash = ledger.at("entry_hash");
  result.receipt.head_hash = ledger.at("head_hash");
  result.receipt.ledger_mode =
      ledger.at("mode") == "test" ? privacy::LedgerMode::kTest : privacy::LedgerMode::kProduction;
  result.receipt.registration_entry_id = ledger.value("registration_entry_id", 0);
  result.seeded = release.value("randomness", "secure") != "secure";
  result.out_dir = out;
  for (const std::string& name : files) result.files.push_back(out / name);
  for (const auto& [key, value] : summary.items()) {
    if (key != "release" && key != "dataset" && key != "ledger" && key != "files") {
      result.extra[key] = value;
    }
  }
  return result;
}

void Download(Connection& connection, const RemoteService& service, const std::string& id,
              const std::vector<std::string>& files, const std::filesystem::path& out) {
  for (const std::string& name : files) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      throw IntegrityError("service " + service.url + " listed a file name that is not a name");
    }
    const std::string content = connection.Call("GET", "/v1/requests/" + id + "/files/" + name);
    std::ofstream file(out / name, std::ios::binary);
    file << content;
    if (!file.flush()) throw StorageError((out / name).string() + ": cannot write");
  }
}

}  // namespace

release::ReleaseResult RunRemoteRelease(const RemoteService& service, const RemoteRequest& request,
                                        const std::filesystem::path& out,
                                        const std::function<void(const std::string&)>& on_state) {
  release::RequireFreshOutputDir(out);  // refused before anything is asked of the service
  Connection connection(service);
  nlohmann::json body = {{"dataset", request.dataset},
                         {"kind", request.kind},
                         {"epsilon", request.epsilon},
                         {"purpose", request.purpose},
                         {"options", request.options}};
  if (request.delta) body["delta"] = *request.delta;
  nlohmann::json record =
      nlohmann::json::parse(connection.Call("POST", "/v1/requests", body.dump()));
  const std::string id = record.at("id");
  std::string state = record.at("state");
  if (on_state) on_state(state + " (" + id + ")");
  while (state == "pending" || state == "approved" || state == "running") {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    record = nlohmann::json::parse(connection.Call("GET", "/v1/requests/" + id));
    if (record.at("state") != state) {
      state = record.at("state");
      if (on_state) on_state(state);
    }
  }
  if (state != "released") {
    const nlohmann::json& error = record["error"];
    if (error.is_object()) connection.Throw(error.value("code", state), error.value("message", ""));
    connection.Throw("request_" + state, record.value("decision_note", std::string()));
  }
  const std::vector<std::string> files = record.at("files");
  const bool created = std::filesystem::create_directories(out);
  try {
    Download(connection, service, id, files, out);
  } catch (...) {
    // Never leave part of a release behind: the files are whole or absent.
    if (created) std::filesystem::remove_all(out);
    throw;
  }
  return FromSummary(record.at("result"), out, files);
}

}  // namespace privet::server
