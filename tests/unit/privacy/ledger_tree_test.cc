// The ledger as a transparency log (privacy/ledger.h, "Transparency log"): its leaves are the
// entries' hashed bytes, its tree and proofs are RFC 9162's (privacy/merkle_tree.h), and a
// rewrite that recomputes the whole hash chain still changes the tree.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "privacy/canonical_json.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "privacy/merkle_tree.h"
#include "privacy/sha256.h"
#include "tests/ledger_rewrite.h"
#include "tests/ledger_test_support.h"

namespace privet::privacy {
namespace {

namespace fs = std::filesystem;

class TreeDir {
 public:
  TreeDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() / ("privet-ledger-tree-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TreeDir() { fs::remove_all(path_); }
  fs::path ledger() const { return path_ / "ledger.db"; }

 private:
  fs::path path_;
};

// entries: 1 ledger_init, 2 dataset_init, 3 registration, then charge/outcome pairs.
ChargeReceipt ChargeAndRelease(BudgetLedger& ledger, double epsilon) {
  const ChargeReceipt receipt = ledger.Charge(
      testing::RegisteredRequest(ledger, "d", {PrivacyEvent::Laplace(epsilon, "count")}));
  ledger.RecordOutcome(receipt.release_id, "released");
  return receipt;
}

TEST_CASE("Each leaf hashes the exact bytes whose sha256 is the entry hash") {
  TreeDir dir;
  auto ledger = BudgetLedger::Open(dir.ledger());
  testing::RegisterForTest(ledger, "d", Budget{3.0, 0.0, std::nullopt});
  ChargeAndRelease(ledger, 0.5);
  const std::vector<LedgerEntry> entries = ledger.Entries();
  const std::vector<MerkleHash> leaves = ledger.LeafHashes();
  REQUIRE(entries.size() == 5);
  REQUIRE(leaves.size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    CAPTURE(i);
    // The documented layout, spelled out: keys sorted, no whitespace, the body's canonical
    // JSON (as stored) and the previous hash.
    const std::string bytes = "{\"body\":" + CanonicalJson(entries[i].body) +
                              ",\"previous_hash\":\"" + entries[i].previous_hash + "\"}";
    CHECK(LeafBytes(entries[i].body, entries[i].previous_hash) == bytes);
    CHECK(Sha256Hex(bytes) == entries[i].entry_hash);
    CHECK(leaves[i] == HashLeaf(bytes));
  }
  // RFC 9162 section 2.1.1 by hand for the first trees.
  CHECK(ledger.TreeRoot(0) == EmptyTreeHash());
  CHECK(ledger.TreeRoot(1) == leaves[0]);
  CHECK(ledger.TreeRoot(2) == HashChildren(leaves[0], leaves[1]));
  CHECK(ledger.TreeRoot(3) == HashChildren(HashChildren(leaves[0], leaves[1]), leaves[2]));
}

TEST_CASE("A charge's receipt carries the tree right after it and the charge's inclusion") {
  TreeDir dir;
  auto ledger = BudgetLedger::Open(dir.ledger());
  testing::RegisterForTest(ledger, "d", Budget{3.0, 0.0, std::nullopt});
  std::vector<ChargeReceipt> receipts;
  for (int i = 0; i < 5; ++i) receipts.push_back(ChargeAndRelease(ledger, 0.25));
  for (const ChargeReceipt& receipt : receipts) {
    CAPTURE(receipt.entry_id);
    const auto size = static_cast<std::uint64_t>(receipt.entry_id);
    CHECK(Sha256Hex(receipt.entry_leaf) == receipt.entry_hash);
    CHECK(receipt.tree_root == ledger.TreeRoot(size));
    CHECK(receipt.inclusion_proof == ledger.TreeInclusionProof(size - 1, size));
    CHECK(VerifyInclusion(size - 1, size, HashLeaf(receipt.entry_leaf), receipt.inclusion_proof,
                          receipt.tree_root));
    // Later entries do not disturb it: the current tree extends the receipt's.
    const auto now = static_cast<std::uint64_t>(ledger.LeafHashes().size());
    CHECK(VerifyConsistency(size, now, receipt.tree_root, ledger.TreeRoot(now),
                            ledger.TreeConsistencyProof(size, now)));
  }
}

TEST_CASE("Consistency proofs verify between every pair of the ledger's tree sizes") {
  TreeDir dir;
  auto ledger = BudgetLedger::Open(dir.ledger());
  testing::RegisterForTest(ledger, "d", Budget{3.0, 0.0, std::nullopt});
  for (int i = 0; i < 4; ++i) ChargeAndRelease(ledger, 0.25);  // 11 entries
  const std::uint64_t n = ledger.LeafHashes().size();
  REQUIRE(n == 11);
  for (std::uint64_t m = 0; m <= n; ++m) {
    for (std::uint64_t k = m; k <= n; ++k) {
      CAPTURE(m);
      CAPTURE(k);
      CHECK(VerifyConsistency(m, k, ledger.TreeRoot(m), ledger.TreeRoot(k),
                              ledger.TreeConsistencyProof(m, k)));
    }
  }
  CHECK_THROWS_AS(ledger.TreeRoot(n + 1), InputError);
  CHECK_THROWS_AS(ledger.TreeInclusionProof(n, n), InputError);
  CHECK_THROWS_AS(ledger.TreeConsistencyProof(3, 2), InputError);
}

TEST_CASE("A rewrite that recomputes the chain passes the chain check but not the tree") {
  TreeDir dir;
  ChargeReceipt first;
  {
    auto ledger = BudgetLedger::Open(dir.ledger());
    testing::RegisterForTest(ledger, "d", Budget{3.0, 0.0, std::nullopt});
    first = ChargeAndRelease(ledger, 0.5);
    ChargeAndRelease(ledger, 0.5);
  }
  // The requester of the first charge is changed and every hash after it recomputed.
  testing::RewriteLedger(dir.ledger(), [](nlohmann::json& body) {
    if (body.value("entry_id", 0) == 4) body["requester"] = "mallory";
    return true;
  });
  const auto ledger = BudgetLedger::Open(dir.ledger(), LedgerOpenMode::kReadOnly);
  REQUIRE(ledger.VerifyChain().ok);  // the hash chain alone is fooled
  const auto size = static_cast<std::uint64_t>(first.entry_id);
  const auto now = static_cast<std::uint64_t>(ledger.LeafHashes().size());
  CHECK(ledger.TreeRoot(size) != first.tree_root);
  CHECK_FALSE(VerifyConsistency(size, now, first.tree_root, ledger.TreeRoot(now),
                                ledger.TreeConsistencyProof(size, now)));
}

TEST_CASE("The tree of a broken chain is refused") {
  TreeDir dir;
  {
    auto ledger = BudgetLedger::Open(dir.ledger());
    testing::RegisterForTest(ledger, "d", Budget{3.0, 0.0, std::nullopt});
    ChargeAndRelease(ledger, 0.5);
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(dir.ledger().c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "UPDATE entries SET body = replace(body, 'tester', 'mallory') "
                       "WHERE entry_id = 4",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  const auto ledger = BudgetLedger::Open(dir.ledger(), LedgerOpenMode::kReadOnly);
  CHECK_THROWS_AS(ledger.LeafHashes(), IntegrityError);
  CHECK_THROWS_AS(ledger.TreeRoot(2), IntegrityError);
}

}  // namespace
}  // namespace privet::privacy
