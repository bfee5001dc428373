// Requests per second of `privet serve`'s status (GET /v1/requests/{id}) and plan
// (POST /v1/plan) endpoints: CLIENTS threads, each with one keep-alive TLS connection, call
// the endpoint for SECONDS; the total count over the elapsed time is printed. Every call goes
// through the whole path (rate limit, token lookup, policy, handler, fdatasync'ed access log).
//   serve_bench URL_PORT TOKEN_FILE CACERT REQUEST_ID DATASET SECONDS CLIENTS
// bench/serve_bench.sh sets up a deployment and runs it.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

double Measure(int port, const std::string& token, const std::string& cacert, double seconds,
               int clients, const std::string& method, const std::string& path,
               const std::string& body) {
  std::atomic<long> done{0}, failed{0};
  const auto start = std::chrono::steady_clock::now();
  const auto stop = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&] {
      httplib::SSLClient client("127.0.0.1", port);
      client.set_ca_cert_path(cacert.c_str());
      client.enable_server_certificate_verification(true);
      client.set_keep_alive(true);
      const httplib::Headers headers = {{"Authorization", "Bearer " + token}};
      while (std::chrono::steady_clock::now() < stop) {
        httplib::Result result = method == "GET"
                                     ? client.Get(path.c_str(), headers)
                                     : client.Post(path.c_str(), headers, body, "application/json");
        (result && result->status == 200 ? done : failed)++;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed > 0) std::cerr << method << " " << path << ": " << failed << " calls failed\n";
  return static_cast<double>(done) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr << "usage: serve_bench PORT TOKEN_FILE CACERT REQUEST_ID DATASET SECONDS CLIENTS\n";
    return 2;
  }
  const int port = std::stoi(argv[1]);
  std::string token;
  std::ifstream(argv[2]) >> token;
  const std::string cacert = argv[3], id = argv[4], dataset = argv[5];
  const double seconds = std::stod(argv[6]);
  const int clients = std::stoi(argv[7]);
  const double status =
      Measure(port, token, cacert, seconds, clients, "GET", "/v1/requests/" + id, "");
  const double plan = Measure(port, token, cacert, seconds, clients, "POST", "/v1/plan",
                              R"({"dataset":")" + dataset + R"(","epsilon":1})");
  std::cout << "clients " << clients << ", " << seconds << " s each\n"
            << "GET /v1/requests/{id}: " << status << " requests/s\n"
            << "POST /v1/plan: " << plan << " requests/s\n";
  return 0;
}
