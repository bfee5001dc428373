// The access log's hash chain (server/access_log.h): appends verify, and any edit, removal or
// reordering of a line is reported at the line where the chain breaks.
#include "server/access_log.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/sha256.h"

namespace privet::server {
namespace {

namespace fs = std::filesystem;

struct TempLog {
  fs::path path =
      fs::temp_directory_path() / ("privet-access-log-test-" + std::to_string(::getpid()) + ".log");
  TempLog() { fs::remove(path); }
  ~TempLog() { fs::remove(path); }
};

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void WriteLines(const fs::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& line : lines) out << line << "\n";
}

void AppendThree(const fs::path& path) {
  AccessLog log(path);
  log.Append({"127.0.0.1", "rita", "researcher", "GET", "/v1/datasets", 200, std::nullopt});
  log.Append(
      {"127.0.0.1", std::nullopt, std::nullopt, "GET", "/v1/datasets", 401, "unauthenticated"});
  log.Append({"10.0.0.2", "olivia", "officer", "PUT", "/v1/policy", 200, std::nullopt});
}

TEST_CASE("access log: the chain verifies, and each line's hash is the documented recipe") {
  TempLog temp;
  AppendThree(temp.path);
  const AccessLogCheck check = AccessLog::Verify(temp.path);
  CHECK(check.ok);
  CHECK(check.lines == 3);
  // Recompute line 1 by hand: sha256(CanonicalJson({"body", "previous_hash"})).
  nlohmann::json first = nlohmann::json::parse(ReadLines(temp.path).at(0));
  const std::string hash = first["hash"];
  CHECK(first["previous_hash"] == std::string(64, '0'));
  first.erase("hash");
  first.erase("previous_hash");
  CHECK(Sha256Hex(CanonicalJson({{"body", first}, {"previous_hash", std::string(64, '0')}})) ==
        hash);
  // A reopened log continues the chain.
  {
    AccessLog reopened(temp.path);
    reopened.Append({"127.0.0.1", "audrey", "auditor", "GET", "/v1/public-key", 200, {}});
  }
  CHECK(AccessLog::Verify(temp.path).lines == 4);
  CHECK(AccessLog::Verify(temp.path).ok);
}

TEST_CASE("access log: an edited, removed or reordered line breaks the chain") {
  TempLog temp;
  AppendThree(temp.path);
  const std::vector<std::string> lines = ReadLines(temp.path);

  SUBCASE("edited status") {
    std::vector<std::string> edited = lines;
    const auto at = edited[1].find("401");
    REQUIRE(at != std::string::npos);
    edited[1].replace(at, 3, "200");
    WriteLines(temp.path, edited);
    const AccessLogCheck check = AccessLog::Verify(temp.path);
    CHECK_FALSE(check.ok);
    CHECK(check.message.find("line 2") != std::string::npos);
  }
  SUBCASE("removed middle line") {
    WriteLines(temp.path, {lines[0], lines[2]});
    CHECK_FALSE(AccessLog::Verify(temp.path).ok);
  }
  SUBCASE("reordered lines") {
    WriteLines(temp.path, {lines[1], lines[0], lines[2]});
    CHECK_FALSE(AccessLog::Verify(temp.path).ok);
  }
  SUBCASE("a line that is not JSON") {
    WriteLines(temp.path, {lines[0], "garbage", lines[2]});
    CHECK_FALSE(AccessLog::Verify(temp.path).ok);
  }
  // A broken log is never appended to.
  CHECK_THROWS_AS(AccessLog{temp.path}, IntegrityError);
}


// Lines 1..count written by hand with the documented recipe (no fdatasync per line, so the
// test can cross several checkpoints quickly).
void WriteChain(const fs::path& path, std::int64_t count) {
  std::ofstream out(path, std::ios::trunc);
  std::string previous(64, '0');
  for (std::int64_t seq = 1; seq <= count; ++seq) {
    nlohmann::json body = {{"seq", seq},        {"time", "2026-12-02T00:00:00Z"},
                           {"client", "::1"},   {"user", nullptr},
                           {"role", nullptr},   {"method", "GET"},
                           {"path", "/v1/x"},   {"status", 401},
                           {"code", "unauthenticated"}};
    const std::string hash =
        Sha256Hex(CanonicalJson({{"body", body}, {"previous_hash", previous}}));
    body["previous_hash"] = previous;
    body["hash"] = hash;
    out << body.dump() << "\n";
    previous = hash;
  }
}

std::vector<std::int64_t> Seqs(const nlohmann::json& lines) {
  std::vector<std::int64_t> seqs;
  for (const auto& line : lines) seqs.push_back(line["seq"].get<std::int64_t>());
  return seqs;
}

TEST_CASE("access log: pages are contiguous across checkpoints, before and after an append") {
  TempLog temp;
  constexpr std::int64_t kEvery = AccessLog::kCheckpointEvery;
  WriteChain(temp.path, 2 * kEvery);
  AccessLog log(temp.path);
  REQUIRE(log.size() == 2 * kEvery);
  CHECK(Seqs(log.Page(0, 3)) == std::vector<std::int64_t>{1, 2, 3});
  CHECK(Seqs(log.Page(kEvery - 1, 3)) ==
        std::vector<std::int64_t>{kEvery, kEvery + 1, kEvery + 2});
  CHECK(Seqs(log.Page(kEvery, 2)) == std::vector<std::int64_t>{kEvery + 1, kEvery + 2});
  CHECK(Seqs(log.Page(2 * kEvery - 2, 10)) ==
        std::vector<std::int64_t>{2 * kEvery - 1, 2 * kEvery});
  CHECK(log.Page(2 * kEvery, 10).empty());
  CHECK(log.Page(0, 0).empty());
  // The append starts a new checkpoint (line 2 * kEvery + 1): the page after it reads from it.
  log.Append({"127.0.0.1", "olivia", "officer", "GET", "/v1/access-log", 200, std::nullopt});
  const nlohmann::json last = log.Page(2 * kEvery, 10);
  REQUIRE(last.size() == 1);
  CHECK(last[0]["seq"] == 2 * kEvery + 1);
  CHECK(last[0]["user"] == "olivia");
  // Walking every page of 700 gives every line once, in order.
  std::vector<std::int64_t> all;
  for (std::int64_t after = 0; after < log.size(); after = all.back()) {
    const std::vector<std::int64_t> page = Seqs(log.Page(after, 700));
    REQUIRE_FALSE(page.empty());
    all.insert(all.end(), page.begin(), page.end());
  }
  REQUIRE(static_cast<std::int64_t>(all.size()) == 2 * kEvery + 1);
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i] == static_cast<std::int64_t>(i) + 1);
  // A reopened log finds the same checkpoints from the file.
  AccessLog reopened(temp.path);
  CHECK(Seqs(reopened.Page(2 * kEvery, 1)) == std::vector<std::int64_t>{2 * kEvery + 1});
  CHECK(Seqs(reopened.Page(kEvery + 5, 1)) == std::vector<std::int64_t>{kEvery + 6});
}

}  // namespace
}  // namespace privet::server
