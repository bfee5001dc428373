// `privet serve` through real processes and real TLS (docs/api.md): each test case builds a
// deployment in a scratch folder with the CLI (keygen, dataset register, user add, a
// self-signed certificate from tests/e2e/make_test_certificate.sh), starts the service on a
// loopback port the kernel picks, talks to it with cpp-httplib's TLS client, and stops it before
// returning.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "server/handlers.h"
#include "tests/e2e/process_support.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The shared process helpers (tests/e2e/process_support.h).
using privet::e2e::Quote;
using privet::e2e::ReadFile;
using privet::e2e::WriteFile;

struct Ran {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command line; stdout captured, stderr into `log`.
Ran Shell(const std::string& command, const fs::path& log) {
  const fs::path out = log.string() + ".out";
  const int status =
      std::system((command + " > " + Quote(out.string()) + " 2>> " + Quote(log.string())).c_str());
  return Ran{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out)};
}

Ran Privet(const std::vector<std::string>& args, const fs::path& log) {
  // Built with a stream: GCC 12's -Wrestrict misfires on chains of string operator+.
  std::ostringstream command;
  command << Quote(PRIVET_BINARY);
  for (const std::string& arg : args) command << ' ' << Quote(arg);
  return Shell(command.str(), log);
}

// A deployment folder with a registered covid_testing, a signing key, a TLS certificate and
// users of every role (and one revoked).
class Deployment {
 public:
  // The dataset's budget: total epsilon and delta, and a per-release cap when not empty
  // (strings, as on the command line).
  explicit Deployment(const std::string& epsilon = "3", const std::string& delta = "1e-6",
                      const std::string& per_release_epsilon = "") {
    static std::atomic<int> counter{0};
    root_ = fs::temp_directory_path() /
            ("privet-serve-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(root_);
    fs::create_directories(root_ / "tls");
    log_ = root_ / "test.log";
    Must(Privet({"keygen", "--out", (root_ / "keys").string()}, log_));
    std::vector<std::string> registration = {
        "dataset",   "register",
        "--config",  std::string(PRIVET_SOURCE_DIR) + "/configs/covid_testing.json",
        "--ledger",  (root_ / "privet-ledger.db").string(),
        "--epsilon", epsilon,
        "--delta",   delta,
        "--owner",   "office"};
    if (!per_release_epsilon.empty()) {
      registration.push_back("--per-release-epsilon");
      registration.push_back(per_release_epsilon);
    }
    Must(Privet(registration, log_));
    Must(Shell("bash " +
                   Quote(std::string(PRIVET_SOURCE_DIR) + "/tests/e2e/make_test_certificate.sh") +
                   " " + Quote((root_ / "tls/key.pem").string()) + " " +
                   Quote((root_ / "tls/cert.pem").string()),
               log_));
    WriteConfig(json::object());
    for (const auto& [name, role] :
         std::vector<std::pair<std::string, std::string>>{{"olivia", "officer"},
                                                          {"rita", "researcher"},
                                                          {"rob", "researcher"},
                                                          {"audrey", "auditor"},
                                                          {"mallory", "researcher"}}) {
      const Ran added =
          Must(Privet({"user", "add", name, "--role", role, "--deployment", root_.string()}, log_));
      tokens_[name] = added.out.substr(0, added.out.find('\n'));
      REQUIRE(std::regex_match(tokens_[name], std::regex("[0-9a-f]{64}")));
    }
    Must(Privet({"user", "revoke", "mallory", "--deployment", root_.string()}, log_));
  }
  ~Deployment() { fs::remove_all(root_); }

  // server.json: loopback, any free port, the test certificate, plus `extra` settings.
  void WriteConfig(const json& extra) {
    json config = {{"port", 0},
                   {"tls_certificate", "tls/cert.pem"},
                   {"tls_key", "tls/key.pem"},
                   {"auto_approve_epsilon", 0.5},
                   {"workers", 2},
                   {"auth_failure_limit", 1000}};
    config.update(extra);
    WriteFile(root_ / "server.json", config.dump(2));
  }

  const fs::path& root() const { return root_; }
  const fs::path& log() const { return log_; }
  const std::string& token(const std::string& name) const { return tokens_.at(name); }

 private:
  static Ran Must(Ran ran) {
    REQUIRE(ran.exit_code == 0);
    return ran;
  }
  fs::path root_, log_;
  std::map<std::string, std::string> tokens_;
};

// `privet serve` as a child process; stopped (SIGTERM, then waited for) on destruction.
class Server {
 public:
  explicit Server(const Deployment& deployment) : deployment_(deployment) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      const std::string log = (deployment.root() / "serve.log").string();
      if (::freopen(log.c_str(), "a", stderr) == nullptr) ::_exit(126);
      ::execl(PRIVET_BINARY, PRIVET_BINARY, "serve", "--deployment", deployment.root().c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    // The first stdout line says where it listens; EOF means it refused to start.
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    ::close(out[0]);
    std::smatch match;
    if (!std::regex_search(line, match, std::regex(R"(listening on https://127\.0\.0\.1:(\d+))"))) {
      Stop();
      FAIL("privet serve did not start: " << ReadFile(deployment.root() / "serve.log"));
    }
    port_ = std::stoi(match[1]);
  }
  ~Server() { Stop(); }

  // SIGTERM (or SIGKILL) and wait; returns the exit code, or -signal.
  int Stop(int signal_number = SIGTERM) {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, signal_number);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
    }
    pid_ = 0;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return exit_code_;
  }

  int port() const { return port_; }

  // A TLS client that trusts only the deployment's certificate.
  std::unique_ptr<httplib::SSLClient> Client() const {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    client->set_ca_cert_path((deployment_.root() / "tls/cert.pem").c_str());
    client->enable_server_certificate_verification(true);
    client->set_read_timeout(std::chrono::seconds(60));
    return client;
  }

 private:
  const Deployment& deployment_;
  pid_t pid_ = 0;
  int port_ = 0;
  int exit_code_ = 0;
};

struct Answer {
  int status = 0;
  std::string body;
  json Json() const { return json::parse(body); }
  std::string Code() const {
    const json parsed = json::parse(body, nullptr, false);
    return parsed.is_object() && parsed.contains("error") ? parsed["error"].value("code", "") : "";
  }
};

Answer Call(const Server& server, const std::string& method, const std::string& path,
            const std::string& token, const std::string& body = "") {
  auto client = server.Client();
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  httplib::Result result = method == "GET" ? client->Get(path.c_str(), headers)
                           : method == "POST"
                               ? client->Post(path.c_str(), headers, body, "application/json")
                               : client->Put(path.c_str(), headers, body, "application/json");
  REQUIRE_MESSAGE(result, "no answer to " << method << " " << path << ": "
                                          << httplib::to_string(result.error()));
  return Answer{result->status, result->body};
}

// Polls a request until it leaves pending/approved/running (a hang guard, not a timing
// assertion: the answer is checked by state, whatever it took).
json AwaitFinal(const Server& server, const std::string& id, const std::string& token) {
  for (int attempt = 0; attempt < 3000; ++attempt) {
    const Answer answer = Call(server, "GET", "/v1/requests/" + id, token);
    REQUIRE(answer.status == 200);
    const json request = answer.Json();
    const std::string state = request["state"];
    if (state != "approved" && state != "running" && state != "pending") return request;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("request " << id << " never finished");
  return {};
}

const char* const kNoRequest = "req-0000000000000000";

struct MatrixRow {
  std::string method, path, body;
  std::vector<std::string> allowed;  // user names whose role may call it
  int allowed_status;                // what an allowed caller gets for this harmless call
};

std::vector<MatrixRow> Matrix() {
  const std::string none = kNoRequest;
  const std::vector<std::string> r_o = {"rita", "olivia"}, o = {"olivia"},
                                 o_a = {"olivia", "audrey"}, all = {"rita", "olivia", "audrey"};
  return {
      {"GET", "/v1/datasets", "", r_o, 200},
      {"POST", "/v1/datasets", R"({"config":"none.json"})", o, 404},
      {"PUT", "/v1/datasets/covid_testing/budget", R"({"epsilon":1,"delta":0})", o, 409},
      {"GET", "/v1/configs", "", o, 200},
      {"POST", "/v1/plan", R"({"dataset":"covid_testing","epsilon":1})", r_o, 200},
      {"POST",
       "/v1/requests",
       R"({"dataset":"no_such","kind":"marginal","epsilon":0.1,"purpose":"matrix",)"
       R"("options":{"attributes":["gender"]}})",
       {"rita"},
       404},
      {"GET", "/v1/requests", "", r_o, 200},
      {"GET", "/v1/requests/" + none, "", r_o, 404},
      {"GET", "/v1/requests/" + none + "/files/marginal.csv", "", r_o, 404},
      {"POST", "/v1/requests/" + none + "/approve", "", o, 404},
      {"POST", "/v1/requests/" + none + "/deny", "", o, 404},
      {"GET", "/v1/policy", "", o, 200},
      {"PUT", "/v1/policy", R"({"auto_approve_epsilon":0.5})", o, 200},
      {"GET", "/v1/incidents", "", o, 200},
      {"POST", "/v1/incidents/00000000/ack", "", o, 404},
      {"GET", "/v1/ledger/verify", "", o_a, 200},
      {"GET", "/v1/ledger/export", "", o_a, 200},
      {"GET", "/v1/access-log", "", o, 200},
      {"GET", "/v1/attestations", "", o_a, 200},
      {"GET", "/v1/attestations/" + none, "", o_a, 404},
      {"GET", "/v1/public-key", "", all, 200},
  };
}

}  // namespace

TEST_CASE("serve: the authorization matrix covers every route and answers exactly as allowed") {
  Deployment deployment;
  Server server(deployment);

  // Every route of the policy table has a row (and no row is for a route that does not exist).
  const std::vector<MatrixRow> matrix = Matrix();
  const auto& routes = privet::server::Routes();
  REQUIRE(matrix.size() == routes.size());
  for (const auto& route : routes) {
    int rows = 0;
    for (const MatrixRow& row : matrix) {
      if (row.method == route.method && std::regex_match(row.path, std::regex(route.pattern))) {
        ++rows;
        // The test's allowed users are exactly the route's roles.
        std::vector<std::string> roles;
        for (const auto& name : row.allowed) {
          roles.push_back(name == "olivia"   ? "officer"
                          : name == "audrey" ? "auditor"
                                             : "researcher");
        }
        std::vector<std::string> expected;
        for (const auto role : route.roles) expected.push_back(privet::server::RoleName(role));
        std::sort(roles.begin(), roles.end());
        std::sort(expected.begin(), expected.end());
        CHECK_MESSAGE(roles == expected, route.method << " " << route.pattern);
      }
    }
    CHECK_MESSAGE(rows == 1, route.method << " " << route.pattern);
  }

  for (const MatrixRow& row : matrix) {
    CAPTURE(row.method);
    CAPTURE(row.path);
    const Answer anonymous = Call(server, row.method, row.path, "", row.body);
    CHECK(anonymous.status == 401);
    CHECK(anonymous.Code() == "unauthenticated");
    const Answer revoked =
        Call(server, row.method, row.path, deployment.token("mallory"), row.body);
    CHECK(revoked.status == 401);
    CHECK(revoked.Code() == "unauthenticated");
    const Answer forged = Call(server, row.method, row.path, std::string(64, 'a'), row.body);
    CHECK(forged.status == 401);
    for (const std::string user : {"olivia", "rita", "audrey"}) {
      CAPTURE(user);
      const Answer answer = Call(server, row.method, row.path, deployment.token(user), row.body);
      const bool allowed =
          std::find(row.allowed.begin(), row.allowed.end(), user) != row.allowed.end();
      if (allowed) {
        CHECK(answer.status == row.allowed_status);
      } else {
        CHECK(answer.status == 403);
        CHECK(answer.Code() == "forbidden");
      }
    }
  }
  // A route that does not exist is a JSON 404 for everyone.
  const Answer missing = Call(server, "GET", "/v1/nothing", deployment.token("olivia"));
  CHECK(missing.status == 404);
  CHECK(missing.Code() == "not_found");
  CHECK(server.Stop() == 0);
}

TEST_CASE("serve: bad input gets a clear 4xx and the service keeps serving") {
  Deployment deployment;
  Server server(deployment);
  const std::string rita = deployment.token("rita");
  const auto submit = [&](const std::string& body) {
    return Call(server, "POST", "/v1/requests", rita, body);
  };
  const std::string good_options = R"("options":{"attributes":["gender"]})";

  CHECK(submit("{not json").Code() == "malformed_json");
  CHECK(submit("[1,2]").Code() == "malformed_json");
  CHECK(submit("").Code() == "malformed_json");
  const Answer wrong_type =
      submit(R"({"dataset":"covid_testing","kind":"marginal","epsilon":"1","purpose":"x",)" +
             good_options + "}");
  CHECK(wrong_type.status == 400);
  CHECK(wrong_type.Code() == "invalid_field");
  // The requester is the authenticated user: a body that names one is refused, not obeyed.
  const Answer impersonation =
      submit(R"({"dataset":"covid_testing","kind":"marginal","epsilon":0.1,"purpose":"x",)"
             R"("requester":"olivia",)" +
             good_options + "}");
  CHECK(impersonation.status == 400);
  CHECK(impersonation.Code() == "unknown_field");
  CHECK(submit(R"({"dataset":"covid_testing","kind":"marginal","epsilon":0.1,"purpose":"x",)"
               R"("options":{"attributes":["gender"],"seed":7}})")
            .Code() == "unknown_field");
  CHECK(
      submit(R"({"dataset":"covid_testing","kind":"marginal","epsilon":0.1,)" + good_options + "}")
          .Code() == "missing_field");
  CHECK(submit(R"({"dataset":"covid_testing","kind":"marginal","epsilon":-1,"purpose":"x",)" +
               good_options + "}")
            .Code() == "invalid_field");
  CHECK(submit(R"({"dataset":"covid_testing","kind":"steal","epsilon":1,"purpose":"x"})").Code() ==
        "invalid_field");
  const Answer huge = submit(std::string(2 * 1024 * 1024, ' '));
  CHECK(huge.status == 413);
  CHECK(huge.Code() == "payload_too_large");
  CHECK(Call(server, "GET", "/v1/requests?state=everything", rita).Code() == "invalid_field");

  // Path tricks in file names: never a path on disk, only names the release listed.
  const Answer released_request =
      submit(R"({"dataset":"covid_testing","kind":"marginal","epsilon":0.1,"purpose":"paths",)" +
             good_options + "}");
  REQUIRE(released_request.status == 202);
  const std::string id = released_request.Json()["id"];
  REQUIRE(AwaitFinal(server, id, rita)["state"] == "released");
  for (const std::string trick :
       {"..%2F..%2Fprivet-ledger.db", "%2e%2e", "..", "privet-ledger.db",
        "..%2F..%2Fkeys%2Fprivet-signing.key", "%2Fetc%2Fpasswd", "marginal.csv%00.json"}) {
    CAPTURE(trick);
    const Answer answer = Call(server, "GET", "/v1/requests/" + id + "/files/" + trick, rita);
    CHECK(answer.status == 404);
    CHECK(answer.body.find("PRIVATE KEY") == std::string::npos);
  }
  CHECK(Call(server, "GET", "/v1/requests/" + id + "/files/marginal.csv", rita).status == 200);

  // Plain HTTP to the TLS port: a 400 that says to use https, then TLS still works.
  httplib::Client plain("127.0.0.1", server.port());
  httplib::Result result = plain.Get("/v1/datasets");
  REQUIRE(result);
  CHECK(result->status == 400);
  CHECK(json::parse(result->body)["error"]["code"] == "tls_required");

  CHECK(Call(server, "GET", "/v1/datasets", rita).status == 200);
  CHECK(server.Stop() == 0);
}

TEST_CASE("serve: repeated failed authentication from one address is rate limited") {
  Deployment deployment;
  deployment.WriteConfig({{"auth_failure_limit", 3}});
  Server server(deployment);
  for (int attempt = 0; attempt < 3; ++attempt) {
    CHECK(Call(server, "GET", "/v1/datasets", std::string(64, 'b')).status == 401);
  }
  const Answer limited = Call(server, "GET", "/v1/datasets", std::string(64, 'b'));
  CHECK(limited.status == 429);
  CHECK(limited.Code() == "rate_limited");
  // While limited, the address gets 429 even with a valid token (no guessing continues).
  CHECK(Call(server, "GET", "/v1/datasets", deployment.token("rita")).status == 429);
  // A second service on the same deployment is refused (exit 3), not started beside it
  // (`timeout` turns a wrongly started one into exit 124).
  std::ostringstream second;
  second << "timeout 20 " << Quote(PRIVET_BINARY) << " serve --deployment "
         << Quote(deployment.root().string());
  CHECK(Shell(second.str(), deployment.log()).exit_code == 3);
  CHECK(server.Stop() == 0);
}

TEST_CASE("serve: POST /v1/plan previews queries exactly as `privet query --plan` does") {
  Deployment deployment;  // covid_testing with a budget of epsilon 3
  Server server(deployment);
  const std::string rita = deployment.token("rita");
  const auto plan = [&](const std::string& body) {
    return Call(server, "POST", "/v1/plan", rita, body);
  };
  // The CLI's --plan --json on the same ledger; its exit code and stdout.
  const auto cli_plan = [&](const std::string& kind, const std::string& epsilon,
                            const std::string& attrs) {
    return Privet(
        {"query", kind, "--plan", "--json", "--dataset", "covid_testing", "--epsilon", epsilon,
         "--attrs", attrs, "--ledger", (deployment.root() / "privet-ledger.db").string()},
        deployment.log());
  };
  struct Case {
    std::string kind, epsilon, attrs, body;
    int cli_exit;  // 0, or 8 (kPlanRefused) when the release would be refused
    std::string decision;
  };
  const std::vector<Case> cases = {
      {"marginal", "0.25", "gender,result",
       R"({"dataset":"covid_testing","kind":"marginal","epsilon":0.25,)"
       R"("options":{"attributes":["gender","result"]}})",
       0, "accepted"},
      {"correlation", "0.5", "age,ct_result",
       R"({"dataset":"covid_testing","kind":"correlation","epsilon":0.5,)"
       R"("options":{"attributes":["age","ct_result"]}})",
       0, "accepted"},
      // More than the whole budget: the command exits 8, the API answers 200 with the verdict.
      {"marginal", "5", "gender",
       R"({"dataset":"covid_testing","kind":"marginal","epsilon":5,)"
       R"("options":{"attributes":["gender"]}})",
       8, "refused"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.body);
    const Answer answer = plan(c.body);
    REQUIRE(answer.status == 200);
    const json body = answer.Json();
    CHECK(body["dataset"] == "covid_testing");
    CHECK(body["kind"] == c.kind);
    const Ran cli = cli_plan(c.kind, c.epsilon, c.attrs);
    CHECK(cli.exit_code == c.cli_exit);
    CHECK(body["plan"] == json::parse(cli.out));  // the same plan and budget preview
    CHECK(body["plan"]["budget"]["decision"] == c.decision);
    CHECK(body["plan"]["budget"]["this_release"]["epsilon"].get<double>() > 0);
  }
  CHECK(plan(R"({"dataset":"covid_testing","kind":"marginal","epsilon":5,)"
             R"("options":{"attributes":["gender"]}})")
            .Json()["plan"]["budget"]["refused_by"] == "budget");
  // Without a kind the plan is a synthetic table's, as before.
  const Answer synthesize = plan(R"({"dataset":"covid_testing","epsilon":1})");
  REQUIRE(synthesize.status == 200);
  CHECK(synthesize.Json()["kind"] == "synthesize");
  // The query's own options are checked as for a request; release/ names a bad input.
  CHECK(plan(R"({"dataset":"covid_testing","kind":"marginal","epsilon":1})").Code() ==
        "missing_field");
  CHECK(plan(R"({"dataset":"covid_testing","kind":"steal","epsilon":1})").Code() ==
        "invalid_field");
  const Answer unknown = plan(R"({"dataset":"covid_testing","kind":"correlation","epsilon":1,)"
                              R"("options":{"attributes":["age","no_such"]}})");
  CHECK(unknown.status == 400);
  CHECK(unknown.Code() == "invalid_request");
  CHECK(unknown.body.find("no_such") != std::string::npos);
  // Planning is free: nothing was charged.
  CHECK(Call(server, "GET", "/v1/datasets", rita).Json()["datasets"][0]["spent_epsilon"] == 0);
  CHECK(server.Stop() == 0);
}

TEST_CASE("serve: a request the ledger can never charge is refused at submission") {
  // A researcher probing the cap: above it the answer is 409 budget_exceeded with the plan's
  // own verdict and budget preview, and nothing is stored; at it the request is accepted. The
  // verdict is the plan's, from public inputs: two kinds over different attributes at the same
  // epsilon get the same words, whatever the data holds.
  Deployment deployment("3", "1e-6", "1.5");
  Server server(deployment);
  const std::string rita = deployment.token("rita");
  const auto body = [](const std::string& kind, const std::string& epsilon,
                       const std::string& attributes) {
    return R"({"dataset":"covid_testing","kind":")" + kind + R"(","epsilon":)" + epsilon +
           R"(,"purpose":"probe","options":{"attributes":[)" + attributes + "]}}";
  };
  std::vector<std::string> reasons;
  for (const std::string& request :
       {body("marginal", "2", R"("gender")"), body("correlation", "2", R"("age","ct_result")")}) {
    CAPTURE(request);
    const Answer refused = Call(server, "POST", "/v1/requests", rita, request);
    CHECK(refused.status == 409);
    REQUIRE(refused.Code() == "budget_exceeded");
    const json error = refused.Json()["error"];
    CHECK(error["refused_by"] == "per_release_cap");
    // Exactly what POST /v1/plan shows the same caller, nothing more.
    const json plan = Call(server, "POST", "/v1/plan", rita,
                           request.substr(0, request.find(R"(,"purpose")")) +
                               request.substr(request.find(R"(,"options")")))
                          .Json()["plan"]["budget"];
    CHECK(error["budget"] == plan);
    CHECK(plan["decision"] == "refused");
    CHECK(error["message"].get<std::string>().starts_with(plan["reason"].get<std::string>()));
    CHECK(error.size() == 4);  // code, message, refused_by, budget
    reasons.push_back(plan["reason"]);
  }
  CHECK(reasons.at(0) ==
        "this release needs epsilon 2 but the per-release cap is 1.5 (delta 1e-06)");
  CHECK(reasons.at(1) == reasons.at(0));
  CHECK(Call(server, "GET", "/v1/requests", rita).Json()["requests"].empty());
  // At the cap: accepted, and pending for the officer (above the auto-approve 0.5).
  const Answer at_cap =
      Call(server, "POST", "/v1/requests", rita, body("marginal", "1.5", R"("gender")"));
  REQUIRE(at_cap.status == 202);
  CHECK(at_cap.Json()["state"] == "pending");
  // An input release/ refuses is 400 at submission as at the plan, and is not stored either.
  CHECK(Call(server, "POST", "/v1/requests", rita, body("marginal", "1", R"("no_such")")).Code() ==
        "invalid_request");
  CHECK(Call(server, "GET", "/v1/requests", rita).Json()["requests"].size() == 1);
  CHECK(server.Stop() == 0);
}

TEST_CASE("serve: a researcher's marginal end to end, approval, restart recovery, logs") {
  Deployment deployment;
  const std::string rita = deployment.token("rita"), olivia = deployment.token("olivia");
  std::string small_id, large_id, interrupted_id, second_interrupted_id;
  {
    Server server(deployment);
    const Answer datasets = Call(server, "GET", "/v1/datasets", rita);
    REQUIRE(datasets.status == 200);
    const json dataset = datasets.Json()["datasets"].at(0);
    CHECK(dataset["id"] == "covid_testing");
    CHECK(dataset["registered"] == true);
    CHECK(dataset["budget"]["epsilon"] == 3);
    CHECK(dataset["attributes"].is_array());

    // Up to the policy's epsilon (0.5) it runs at once.
    const Answer small =
        Call(server, "POST", "/v1/requests", rita,
             R"({"dataset":"covid_testing","kind":"marginal","epsilon":0.25,"purpose":"e2e",)"
             R"("options":{"attributes":["gender","result"]}})");
    REQUIRE(small.status == 202);
    CHECK(small.Json()["state"] == "approved");
    CHECK(small.Json()["requester"] == "rita");
    small_id = small.Json()["id"];
    const json released = AwaitFinal(server, small_id, rita);
    REQUIRE(released["state"] == "released");
    const std::vector<std::string> files = released["files"];
    CHECK(files ==
          std::vector<std::string>{"marginal.csv", "marginal.json", "attestation.dsse.json"});

    // Download every file and verify the attestation against the deployment's public key.
    const fs::path download =
        deployment.root().parent_path() / (deployment.root().filename().string() + "-download");
    fs::create_directories(download);
    for (const std::string& name : files) {
      const Answer file = Call(server, "GET", "/v1/requests/" + small_id + "/files/" + name, rita);
      REQUIRE(file.status == 200);
      WriteFile(download / name, file.body);
    }
    const Answer key = Call(server, "GET", "/v1/public-key", deployment.token("audrey"));
    REQUIRE(key.status == 200);
    WriteFile(download / "privet-signing.pub", key.body);
    CHECK(Privet({"verify", (download / "attestation.dsse.json").string(), "--key",
                  (download / "privet-signing.pub").string()},
                 deployment.log())
              .exit_code == 0);
    // The auditor's copy of the attestation is the same bytes.
    CHECK(Call(server, "GET", "/v1/attestations/" + small_id, deployment.token("audrey")).body ==
          ReadFile(download / "attestation.dsse.json"));
    // A changed byte fails verification.
    std::string csv = ReadFile(download / "marginal.csv");
    csv[csv.size() / 2] = csv[csv.size() / 2] == '1' ? '2' : '1';
    WriteFile(download / "marginal.csv", csv);
    CHECK(Privet({"verify", (download / "attestation.dsse.json").string(), "--key",
                  (download / "privet-signing.pub").string()},
                 deployment.log())
              .exit_code != 0);
    fs::remove_all(download);

    // Above the policy's epsilon it waits for an officer; nothing is served meanwhile.
    const std::string large_body =
        R"({"dataset":"covid_testing","kind":"marginal","epsilon":0.75,"purpose":"big",)"
        R"("options":{"attributes":["gender"]}})";
    const Answer large = Call(server, "POST", "/v1/requests", rita, large_body);
    REQUIRE(large.status == 202);
    CHECK(large.Json()["state"] == "pending");
    large_id = large.Json()["id"];
    CHECK(Call(server, "GET", "/v1/requests/" + large_id + "/files/attestation.dsse.json", rita)
              .Code() == "not_released");
    // Another researcher cannot see it; a researcher cannot approve.
    CHECK(Call(server, "GET", "/v1/requests/" + large_id, deployment.token("rob")).status == 404);
    CHECK(Call(server, "POST", "/v1/requests/" + large_id + "/approve", rita).status == 403);
    const Answer pending = Call(server, "GET", "/v1/requests?state=pending", olivia);
    REQUIRE(pending.status == 200);
    CHECK(pending.Json()["requests"].size() == 1);
    const Answer approved = Call(server, "POST", "/v1/requests/" + large_id + "/approve", olivia,
                                 R"({"note":"reviewed"})");
    REQUIRE(approved.status == 200);
    CHECK(approved.Json()["decided_by"] == "olivia");
    CHECK(AwaitFinal(server, large_id, rita)["state"] == "released");
    CHECK(Call(server, "POST", "/v1/requests/" + large_id + "/deny", olivia).Code() == "conflict");

    // Two more pending requests, which the test turns into what a killed service leaves.
    const Answer third = Call(server, "POST", "/v1/requests", rita, large_body);
    REQUIRE(third.status == 202);
    interrupted_id = third.Json()["id"];
    const Answer fourth = Call(server, "POST", "/v1/requests", rita, large_body);
    REQUIRE(fourth.status == 202);
    second_interrupted_id = fourth.Json()["id"];

    const json attestations =
        Call(server, "GET", "/v1/attestations", deployment.token("audrey")).Json();
    CHECK(attestations["attestations"].size() == 2);
    const json verified = Call(server, "GET", "/v1/ledger/verify", olivia).Json();
    CHECK(verified["ledger"]["ok"] == true);
    CHECK(verified["access_log"]["ok"] == true);
    CHECK(server.Stop() == 0);
  }

  // A service killed while a request ran leaves it "running": simulated exactly, then the
  // restart must mark it failed (with an incident) and never serve its files.
  REQUIRE(std::system(("sqlite3 " + Quote((deployment.root() / "requests.db").string()) +
                       " \"UPDATE requests SET state='running' WHERE id IN ('" + interrupted_id +
                       "', '" + second_interrupted_id + "')\"")
                          .c_str()) == 0);
  std::string acked_id, cli_acked_id;
  {
    Server server(deployment);
    const json interrupted = Call(server, "GET", "/v1/requests/" + interrupted_id, rita).Json();
    CHECK(interrupted["state"] == "failed");
    CHECK(interrupted["error"]["code"] == "interrupted");
    CHECK(
        Call(server, "GET", "/v1/requests/" + interrupted_id + "/files/attestation.dsse.json", rita)
            .Code() == "not_released");
    const json incidents = Call(server, "GET", "/v1/incidents", olivia).Json()["incidents"];
    REQUIRE(incidents.size() == 2);
    CHECK(incidents[0]["stage"] == "running");
    CHECK(incidents[1]["stage"] == "running");
    // One stop, one failure event: both incidents carry this start's event id.
    REQUIRE(incidents[0]["event"].is_string());
    CHECK(std::regex_match(incidents[0]["event"].get<std::string>(),
                           std::regex("start-[0-9a-f]{16}")));
    CHECK(incidents[1]["event"] == incidents[0]["event"]);
    // The officer acknowledges the one incident read, never the other (docs/api.md).
    acked_id = incidents[0]["id"];
    cli_acked_id = incidents[1]["id"];
    const std::string ack_path = "/v1/incidents/" + acked_id + "/ack";
    CHECK(Call(server, "POST", ack_path, rita, R"({"note":"x"})").Code() == "forbidden");
    CHECK(Call(server, "POST", ack_path, olivia, R"({"note":"x","officer":"eve"})").Code() ==
          "unknown_field");
    CHECK(Call(server, "POST", "/v1/incidents/00000000/ack", olivia, "").Code() == "not_found");
    const Answer acked = Call(server, "POST", ack_path, olivia, R"({"note":"restart checked"})");
    REQUIRE(acked.status == 200);
    CHECK(acked.Json()["incident"]["id"] == acked_id);
    CHECK(acked.Json()["incident"]["acknowledged"] == true);
    CHECK(acked.Json()["open_incidents"] == 1);
    CHECK(Call(server, "POST", ack_path, olivia, "").Code() == "conflict");
    const json after = Call(server, "GET", "/v1/incidents", olivia).Json()["incidents"];
    CHECK(after[0]["acknowledged"] == true);
    CHECK(after[1]["acknowledged"] == false);
    // The access log saw who called what: rita's submission is there with its status.
    const json lines = Call(server, "GET", "/v1/access-log", olivia).Json()["lines"];
    bool found = false, logged_ack = false;
    for (const json& line : lines) {
      found = found || (line["user"] == "rita" && line["method"] == "POST" &&
                        line["path"] == "/v1/requests" && line["status"] == 202);
      logged_ack = logged_ack ||
                   (line["user"] == "olivia" && line["path"] == ack_path && line["status"] == 200);
    }
    CHECK(found);
    CHECK(logged_ack);
    CHECK(server.Stop() == 0);
  }
  // The command line shares the per-incident ack, and still acknowledges a whole dataset.
  const std::string ledger = (deployment.root() / "privet-ledger.db").string();
  const auto ack = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all = {"incidents", "ack", "--ledger", ledger, "--officer", "olivia"};
    all.insert(all.end(), args.begin(), args.end());
    return Privet(all, deployment.log());
  };
  CHECK(ack({"--incident", acked_id}).exit_code == 3);  // already acknowledged
  CHECK(ack({"--incident", "00000000"}).exit_code == 3);
  CHECK(ack({}).exit_code == 2);
  const Ran one = ack({"--incident", cli_acked_id, "--note", "checked too"});
  CHECK(one.exit_code == 0);
  CHECK(one.out.find("0 open incident(s) of the dataset remain") != std::string::npos);
  const Ran all = ack({"--dataset", "covid_testing"});
  CHECK(all.exit_code == 0);
  CHECK(all.out.find("acknowledged 0 open incident(s)") != std::string::npos);

  // An edited access log: the service refuses to start.
  const fs::path access_log = deployment.root() / "access.log";
  std::string text = ReadFile(access_log);
  const std::size_t at = text.find("\"status\":202");
  REQUIRE(at != std::string::npos);
  text.replace(at, 12, "\"status\":200");
  WriteFile(access_log, text);
  const Ran refused =
      Privet({"serve", "--deployment", deployment.root().string()}, deployment.log());
  CHECK(refused.exit_code == 5);  // IntegrityError
}

TEST_CASE("serve: kill -9 while a request runs leaves nothing downloadable but a whole release") {
  Deployment deployment;
  const std::string rita = deployment.token("rita"), olivia = deployment.token("olivia");
  std::string id;
  {
    Server server(deployment);
    const Answer submitted =
        Call(server, "POST", "/v1/requests", rita,
             R"({"dataset":"covid_testing","kind":"synthesize","epsilon":0.4,"purpose":"crash"})");
    REQUIRE(submitted.status == 202);
    id = submitted.Json()["id"];
    // Kill as soon as the worker has it (or, on a fast machine, after it finished: then the
    // release must be whole and downloadable after the restart).
    for (int attempt = 0; attempt < 3000; ++attempt) {
      const std::string state = Call(server, "GET", "/v1/requests/" + id, rita).Json()["state"];
      if (state != "approved") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(server.Stop(SIGKILL) == -SIGKILL);
  }
  Server server(deployment);
  const json request = Call(server, "GET", "/v1/requests/" + id, rita).Json();
  CAPTURE(request.dump());
  MESSAGE("state after the kill: " << request["state"].get<std::string>());
  const Answer attestation =
      Call(server, "GET", "/v1/requests/" + id + "/files/attestation.dsse.json", rita);
  if (request["state"] == "released") {
    CHECK(attestation.status == 200);
  } else {
    CHECK(request["state"] == "failed");
    CHECK(request["error"]["code"] == "interrupted");
    CHECK(attestation.Code() == "not_released");
    CHECK(Call(server, "GET", "/v1/incidents", olivia).Json()["incidents"].size() == 1);
  }
  // Whatever the moment of the kill, the ledger's chain is intact.
  CHECK(Call(server, "GET", "/v1/ledger/verify", olivia).Json()["ledger"]["ok"] == true);
  CHECK(server.Stop() == 0);
}

TEST_CASE("serve: the researcher's commands run remotely with --server and --token-file") {
  Deployment deployment;
  Server server(deployment);
  const fs::path token_file = deployment.root() / "rita.token";
  WriteFile(token_file, deployment.token("rita") + "\n");
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const fs::path out = deployment.root() / "remote-release";
  const std::vector<std::string> remote = {
      "--server",     url,
      "--token-file", token_file.string(),
      "--cacert",     (deployment.root() / "tls/cert.pem").string(),
      "--quiet"};
  std::vector<std::string> args = {"query",     "marginal", "--dataset", "covid_testing",
                                   "--epsilon", "0.2",      "--purpose", "remote run",
                                   "--attrs",   "gender",   "--out",     out.string()};
  args.insert(args.end(), remote.begin(), remote.end());
  const Ran ran = Privet(args, deployment.log());
  REQUIRE(ran.exit_code == 0);
  CHECK(ran.out.find("released release-") != std::string::npos);
  CHECK(ran.out.find("of dataset covid_testing into " + out.string()) != std::string::npos);
  CHECK(fs::exists(out / "marginal.csv"));
  CHECK(Privet({"verify", (out / "attestation.dsse.json").string(), "--key",
                (deployment.root() / "keys/privet-signing.pub").string()},
               deployment.log())
            .exit_code == 0);
  // The ledger recorded the token's user as the requester.
  const json request =
      Call(server, "GET", "/v1/requests", deployment.token("rita")).Json()["requests"].at(0);
  CHECK(request["requester"] == "rita");

  // Custodian-only options are refused with --server (usage error, nothing submitted).
  constexpr std::size_t kEpsilon = 5, kOut = 11;
  std::vector<std::string> with_ledger = args;
  with_ledger[kOut] = (deployment.root() / "again").string();
  with_ledger.push_back("--ledger");
  with_ledger.push_back((deployment.root() / "privet-ledger.db").string());
  CHECK(Privet(with_ledger, deployment.log()).exit_code == 2);
  // A budget refusal comes back with the budget exit code (4), and nothing is downloaded.
  std::vector<std::string> too_much = args;
  too_much[kEpsilon] = "5";
  too_much[kOut] = (deployment.root() / "big").string();
  REQUIRE(Call(server, "PUT", "/v1/policy", deployment.token("olivia"),
               R"({"auto_approve_epsilon":10})")
              .status == 200);
  CHECK(Privet(too_much, deployment.log()).exit_code == 4);
  CHECK_FALSE(fs::exists(deployment.root() / "big" / "marginal.csv"));
  CHECK(server.Stop() == 0);
}

TEST_CASE("serve: 32 concurrent researchers against a budget that fits 20 get exactly 20") {
  // Pure DP (delta 0): the ledger composes pure-epsilon events to their sum (up to the
  // accountant's numerical conversion, measured below 1e-9 here), so 20 releases of 0.125 fill
  // a budget of 2.5 and a 21st cannot fit, in whatever order the ledger sees them. Two
  // workers charge concurrently.
  Deployment deployment("2.5", "0");
  Server server(deployment);
  const std::string rita = deployment.token("rita");
  // A submission the budget can no longer take is refused at once (409 budget_exceeded, nothing
  // stored); one that got in before the budget filled fails at its charge with the same code.
  std::vector<std::string> ids(32);
  std::vector<int> statuses(32, 0);
  std::vector<std::thread> clients;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    clients.emplace_back([&, i] {
      auto client = server.Client();
      const httplib::Headers headers = {{"Authorization", "Bearer " + rita}};
      httplib::Result result = client->Post(
          "/v1/requests", headers,
          R"({"dataset":"covid_testing","kind":"marginal","epsilon":0.125,"purpose":"load",)"
          R"("options":{"attributes":["result"]}})",
          "application/json");
      if (!result) return;
      statuses[i] = result->status;
      if (result->status == 202) ids[i] = json::parse(result->body)["id"];
      if (result->status == 409 &&
          json::parse(result->body)["error"]["code"] == "budget_exceeded") {
        ids[i] = "refused at submission";
      }
    });
  }
  for (std::thread& client : clients) client.join();
  int released = 0, over_budget = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    CAPTURE(statuses[i]);
    REQUIRE_FALSE(id.empty());
    if (id == "refused at submission") {
      ++over_budget;
      continue;
    }
    const json request = AwaitFinal(server, id, rita);
    if (request["state"] == "released") ++released;
    if (request["state"] == "failed" && request["error"]["code"] == "budget_exceeded") {
      ++over_budget;
    }
  }
  CHECK(released == 20);
  CHECK(over_budget == 12);
  const json verified = Call(server, "GET", "/v1/ledger/verify", deployment.token("olivia")).Json();
  CHECK(verified["ledger"]["ok"] == true);
  const json dataset = Call(server, "GET", "/v1/datasets", rita).Json()["datasets"].at(0);
  CHECK(dataset["spent_epsilon"].get<double>() == doctest::Approx(2.5).epsilon(1e-6));
  CHECK(server.Stop() == 0);
}
