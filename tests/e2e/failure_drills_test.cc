// Failure drills through the real `privet` binary (issue 13): a full disk at each write the
// release path makes, a read-only ledger, a ledger lock held past its timeout, and SIGKILL
// between the charge and the file writes. Each drill states its expected outcome and checks
// the invariants the officer relies on (docs/officer.md, "When something fails"):
//   - a refusal before the charge costs nothing: the ledger holds exactly what it held;
//   - a failure after the charge leaves the charge standing, with an incident and a "failed"
//     outcome;
//   - never a partial release: the output folder either holds a whole release that verifies
//     or does not exist, and no staging folder stays behind;
//   - the ledger verifies afterwards.
//
// Mechanisms. Writes are failed at exact points by tests/e2e/fault_injection_shim.cc, an
// LD_PRELOAD library built only for the tests (no hook in production code): ENOSPC from the
// chosen write(2)/pwrite(2)/rename(2), or SIGKILL at it. The shim reports each fault it injects,
// and every drill requires that report, so no drill passes without its fault. Where the test
// runs as root and may mount (CI does), a real size-limited tmpfs is filled to make the
// ledger's disk actually full and then remounted read-only; elsewhere those drills say why
// they are skipped.
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/process_support.h"
#include "tests/scratch_dir.h"

namespace privet::e2e {
namespace {

using nlohmann::json;
using privet::testing::ScratchDir;

// A registered covid_testing deployment in a scratch folder: ledger, key, and a marginal query
// as the release every drill makes (it stages two files and the attestation, like every
// release kind).
class DrillDeployment {
 public:
  // ledger_dir: where the ledger lives (a tmpfs mount for the disk drills), default the scratch
  // folder itself.
  explicit DrillDeployment(const fs::path& ledger_dir = {})
      : ledger_((ledger_dir.empty() ? dir_.path() : ledger_dir) / "ledger.db") {
    Must(Privet(dir_.path(), {"keygen", "--out", "keys"}));
    Must(Privet(dir_.path(),
                {"dataset", "register", "--config",
                 std::string(PRIVET_SOURCE_DIR) + "/configs/covid_testing.json", "--epsilon", "3",
                 "--delta", "1e-6", "--owner", "office"},
                Environment()));
  }

  const fs::path& root() const { return dir_.path(); }
  const fs::path& ledger() const { return ledger_; }
  fs::path report() const { return dir_ / "faults.txt"; }

  std::vector<std::string> Environment(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> environment = {"PRIVET_LEDGER=" + ledger_.string()};
    environment.insert(environment.end(), extra.begin(), extra.end());
    return environment;
  }

  // One marginal release into root/out with the given fault (shim variables, without the
  // PRIVET_FAULT_ prefix); no fault when empty.
  CommandResult Release(const std::string& out, const std::vector<std::string>& fault = {}) const {
    std::vector<std::string> extra;
    if (!fault.empty()) {
      // ASan (stage 2 of scripts/test) insists on coming first among the preloaded libraries;
      // the shim only wraps libc calls, so the order does not matter to it.
      extra = {"LD_PRELOAD=" + std::string(PRIVET_FAULT_SHIM),
               "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0",
               "PRIVET_FAULT_REPORT=" + report().string()};
      for (const auto& setting : fault) extra.push_back("PRIVET_FAULT_" + setting);
    }
    return Privet(
        dir_.path(),
        {"query", "marginal", "--dataset", "covid_testing", "--epsilon", "0.1", "--purpose",
         "drill", "--attrs", "gender", "--key", "keys/privet-signing.key", "--out", out},
        Environment(extra));
  }

  // `budget show --json` of the dataset (read-only).
  json Show() const {
    const CommandResult shown = Privet(
        dir_.path(), {"budget", "show", "--dataset", "covid_testing", "--json"}, Environment());
    REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
    return json::parse(shown.out);
  }

  // The release's status in the ledger ("charged", "released", "failed"), or "" if absent.
  std::string Status(const std::string& release_id) const {
    const json shown = Show();  // named: a temporary would end before the loop body
    for (const auto& release : shown["releases"]) {
      if (release["release_id"] == release_id) return release["status"];
    }
    return "";
  }

  void RequireLedgerVerifies() const {
    const CommandResult verified = Privet(dir_.path(), {"ledger", "verify"}, Environment());
    CHECK_MESSAGE(verified.exit_code == 0, verified.out << verified.err);
  }

  // The faults the shim injected, one line each ("<op> <path>").
  std::vector<std::string> Faults() const { return Lines(ReadFile(report())); }

  // True when nothing of the release `out` is left: no folder and no staging folder.
  bool NothingLeft(const std::string& out) const {
    if (fs::exists(dir_ / out)) return false;
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      if (entry.path().filename().string().rfind("." + out + ".partial-", 0) == 0) return false;
    }
    return true;
  }

  // The release in `out` is whole: its attestation verifies against the key and the ledger.
  void RequireWholeRelease(const std::string& out) const {
    const CommandResult verified = Privet(dir_.path(),
                                          {"verify", out + "/attestation.dsse.json", "--key",
                                           "keys/privet-signing.pub", "--ledger", ledger_.string()},
                                          Environment());
    CHECK_MESSAGE(verified.exit_code == 0, verified.out << verified.err);
  }

  std::size_t Incidents() const {
    const CommandResult listed =
        Privet(dir_.path(), {"incidents", "list", "--json"}, Environment());
    REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
    return json::parse(listed.out).size();
  }

 private:
  static void Must(const CommandResult& result) {
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  }

  ScratchDir dir_;
  fs::path ledger_;
};

// "released release-N of dataset ..." -> "release-N".
std::string ReleaseIdOf(const std::string& out) {
  const auto start = out.find("release-");
  if (start == std::string::npos) return "";
  return out.substr(start, out.find(' ', start) - start);
}

// A refusal before the charge: the ledger holds exactly what it held.
void RequireNothingCharged(const DrillDeployment& deployment, const json& before) {
  const json after = deployment.Show();
  CHECK(after["releases"].size() == before["releases"].size());
  CHECK(after["spent"] == before["spent"]);
}

// A failure after the charge: one more release, charged, with a "failed" outcome and an
// incident; and nothing of it on disk.
void RequireFailedAfterCharge(const DrillDeployment& deployment, const json& before,
                              const CommandResult& ran, std::size_t incidents_before) {
  CHECK(ran.exit_code == 7);  // StorageError: "the release could not be stored"
  CHECK(ran.out.empty());
  CHECK(ran.err.find("stays charged") != std::string::npos);
  const json after = deployment.Show();
  REQUIRE(after["releases"].size() == before["releases"].size() + 1);
  CHECK(after["releases"].back()["status"] == "failed");
  CHECK(after["spent"]["epsilon"].get<double>() > before["spent"]["epsilon"].get<double>());
  CHECK(deployment.Incidents() == incidents_before + 1);
}

TEST_CASE("drill: disk full at the charge refuses the release and charges nothing") {
  DrillDeployment deployment;
  const json before = deployment.Show();
  // The charge is the release's first write to the ledger's WAL.
  const CommandResult ran = deployment.Release("out", {"MATCH=ledger.db-wal"});
  REQUIRE(!deployment.Faults().empty());
  CHECK(ran.exit_code == 7);
  CHECK(ran.out.empty());
  RequireNothingCharged(deployment, before);
  CHECK(deployment.NothingLeft("out"));
  deployment.RequireLedgerVerifies();
}

// A fault after the charge, in the staging folder or at the rename into place: the charge
// stands with a failed outcome and an incident, nothing of the release is left, and the ledger
// verifies. Every fault the shim reports was in the staging folder.
void RequireDrillFailsAfterCharge(const std::vector<std::string>& fault) {
  DrillDeployment deployment;
  const json before = deployment.Show();
  const std::size_t incidents = deployment.Incidents();
  const CommandResult ran = deployment.Release("out", fault);
  const auto faults = deployment.Faults();
  REQUIRE(!faults.empty());
  for (const auto& line : faults) CHECK(line.find(".out.partial-") != std::string::npos);
  RequireFailedAfterCharge(deployment, before, ran, incidents);
  CHECK(deployment.NothingLeft("out"));
  deployment.RequireLedgerVerifies();
}

TEST_CASE("drill: disk full at each staged file leaves the charge standing, nothing released") {
  // The two files of a marginal and the attestation, each written into the staging folder.
  for (const std::string file : {"/marginal.csv", "/marginal.json", "/attestation.dsse.json"}) {
    CAPTURE(file);
    RequireDrillFailsAfterCharge({"MATCH=" + file});
  }
}

TEST_CASE("drill: a failed rename into place leaves the charge standing, nothing released") {
  RequireDrillFailsAfterCharge({"OP=rename", "MATCH=.out.partial-"});
}

// Defect 3's regression test: the charge and the files commit, then writing the "released"
// outcome fails (every ledger write after the rename): the release is reported as released,
// exit 0, never as a failure that would invite the requester to pay again. The outcome is
// written the next time a release opens the ledger, from the committed, verified files.
TEST_CASE("drill: disk full at the outcome still reports the release; the next open writes it") {
  DrillDeployment deployment;
  const json before = deployment.Show();
  const CommandResult ran = deployment.Release("out", {"MATCH=ledger.db-wal", "AFTER=rename"});
  REQUIRE(!deployment.Faults().empty());
  CHECK_MESSAGE(ran.exit_code == 0, ran.err);
  const std::string release_id = ReleaseIdOf(ran.out);
  REQUIRE(!release_id.empty());
  CHECK(ran.out.find("released " + release_id) != std::string::npos);
  deployment.RequireWholeRelease("out");
  CHECK(deployment.Status(release_id) == "charged");  // true: the outcome could not be written
  CHECK(deployment.Show()["releases"].size() == before["releases"].size() + 1);
  deployment.RequireLedgerVerifies();

  // The next release opens the ledger and completes the outcome first.
  const CommandResult next = deployment.Release("next");
  REQUIRE_MESSAGE(next.exit_code == 0, next.err);
  CHECK(deployment.Status(release_id) == "released");
  CHECK(deployment.Status(ReleaseIdOf(next.out)) == "released");
  deployment.RequireLedgerVerifies();
}

// SIGKILL right after the charge committed, at the first file write: the charge stands (the
// spend is never lost), nothing was released, and the next release cleans the staging folder.
TEST_CASE("drill: SIGKILL between the charge and the file writes") {
  DrillDeployment deployment;
  const json before = deployment.Show();
  const CommandResult ran = deployment.Release("out", {"MATCH=.out.partial-", "ACTION=sigkill"});
  REQUIRE(!deployment.Faults().empty());
  CHECK(ran.exit_code == 128 + SIGKILL);  // as the shell reports a child killed by SIGKILL
  const json after = deployment.Show();
  REQUIRE(after["releases"].size() == before["releases"].size() + 1);
  CHECK(after["releases"].back()["status"] == "charged");
  CHECK_FALSE(fs::exists(deployment.root() / "out" / "attestation.dsse.json"));
  CHECK_FALSE(fs::exists(deployment.root() / "out" / "marginal.csv"));
  deployment.RequireLedgerVerifies();

  // The killed release's output folder is taken over by the next release into it, and its
  // staging folder (unattested files) is removed.
  const CommandResult next = deployment.Release("out");
  REQUIRE_MESSAGE(next.exit_code == 0, next.err);
  for (const auto& entry : fs::directory_iterator(deployment.root())) {
    CHECK(entry.path().filename().string().find(".partial-") == std::string::npos);
  }
  deployment.RequireWholeRelease("out");
  CHECK(deployment.Status(ReleaseIdOf(next.out)) == "released");
}

// Holds the ledger's write lock (BEGIN IMMEDIATE) until destroyed, as a stuck writer would.
class HeldLock {
 public:
  explicit HeldLock(const fs::path& ledger) {
    REQUIRE(sqlite3_open_v2(ledger.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~HeldLock() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }
  HeldLock(const HeldLock&) = delete;
  HeldLock& operator=(const HeldLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

// The ledger's busy timeout (60 s, privacy/ledger.h) passes while another process holds the
// write lock: the release is refused with "retry", nothing is charged, nothing written; once
// the lock goes, the same request succeeds. (This drill waits out the real timeout.)
TEST_CASE("drill: a ledger lock held past its timeout refuses the release for free") {
  DrillDeployment deployment;
  const json before = deployment.Show();
  {
    HeldLock lock(deployment.ledger());
    const CommandResult ran = deployment.Release("out");
    CHECK(ran.exit_code == 7);
    CHECK(ran.err.find("stayed locked") != std::string::npos);
    CHECK(ran.err.find("retry") != std::string::npos);
    CHECK(ran.out.empty());
    CHECK(deployment.NothingLeft("out"));
  }
  RequireNothingCharged(deployment, before);
  deployment.RequireLedgerVerifies();
  const CommandResult retried = deployment.Release("out");
  CHECK_MESSAGE(retried.exit_code == 0, retried.err);
  deployment.RequireWholeRelease("out");
}

// A size-limited tmpfs mounted for the duration of a drill; unmounted on destruction.
class Tmpfs {
 public:
  Tmpfs(const fs::path& where, const std::string& size) : where_(where) {
    fs::create_directories(where_);
    mounted_ = ::getuid() == 0 &&
               ::mount("tmpfs", where_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;
  bool mounted() const { return mounted_; }
  bool RemountReadOnly() {
    return ::mount("tmpfs", where_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
  }

 private:
  fs::path where_;
  bool mounted_ = false;
};

// Fills the file system holding `folder` with a file "filler" until a write fails (ENOSPC).
void FillDisk(const fs::path& folder) {
  std::ofstream filler(folder / "filler", std::ios::binary);
  const std::string block(4096, 'x');
  while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
  }
}

// A release on a full or read-only ledger disk: exit 7 (the environment), nothing written,
// nothing charged, and the ledger still verifies.
void RequireRefusedForTheDisk(const DrillDeployment& deployment, const json& before) {
  const CommandResult ran = deployment.Release("out");
  CHECK(ran.exit_code == 7);
  CHECK(ran.out.empty());
  CHECK(deployment.NothingLeft("out"));
  RequireNothingCharged(deployment, before);
  deployment.RequireLedgerVerifies();
}

TEST_CASE("drill (tmpfs): the ledger's disk really full, then read-only") {
  ScratchDir mount_parent;
  Tmpfs tmpfs(mount_parent / "ledger-disk", "8m");
  if (!tmpfs.mounted()) {
    MESSAGE("SKIPPED: the tmpfs drills need root and permission to mount (uid "
            << ::getuid() << "); the shim drills above cover the same writes");
    return;
  }
  DrillDeployment deployment(mount_parent / "ledger-disk");
  const json before = deployment.Show();

  SUBCASE("full: refused before anything is released, nothing charged") {
    FillDisk(mount_parent / "ledger-disk");
    RequireRefusedForTheDisk(deployment, before);
    fs::remove(mount_parent / "ledger-disk" / "filler");
    const CommandResult retried = deployment.Release("out");
    CHECK_MESSAGE(retried.exit_code == 0, retried.err);
  }
  SUBCASE("read-only: refused, nothing charged; verify and show still work") {
    REQUIRE(tmpfs.RemountReadOnly());
    RequireRefusedForTheDisk(deployment, before);
  }
}

}  // namespace
}  // namespace privet::e2e
