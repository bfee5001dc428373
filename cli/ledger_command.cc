// `privet ledger init|verify|export|head|consistency`: create the budget ledger, check its hash
// chain and Merkle tree, hand an auditor the whole ledger as JSON, publish a signed tree head,
// and check an attested tree head against the current tree (privacy/ledger.h documents the
// hash and leaf recipes, docs/auditor.md the auditor's use).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include "audit/dsse.h"
#include "audit/keys.h"
#include "audit/ledger_tree.h"
#include "audit/release_record.h"
#include "audit/statement.h"
#include "audit/tree_head.h"
#include "cli/commands.h"
#include "cli/ledger_path.h"
#include "privacy/deployment_secret.h"
#include "privacy/errors.h"
#include "privacy/ledger.h"

namespace privet::cli {
namespace {

struct LedgerOptions {
  bool json = false;
  bool test_only = false;
  bool signed_head = false;
  std::string ledger;
  std::string key;   // head: the signing key; consistency: the public key
  std::string from;  // consistency: the attestation
};

void RunInit(const LedgerOptions& options) {
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto mode =
      options.test_only ? privacy::LedgerMode::kTest : privacy::LedgerMode::kProduction;
  const auto ledger = privacy::BudgetLedger::Create(path, mode);
  std::cout << "created " << privacy::LedgerModeName(mode) << " ledger " << path.string()
            << " (deployment secret " << privacy::DeploymentSecretPath(path).string()
            << ", mode 0600)\n";
  if (options.test_only) {
    std::cout << "TEST LEDGER: seeded noise is allowed and every release is marked "
                 "TEST RELEASE; never release real data from it\n";
  }
}

void RunVerify(const LedgerOptions& options) {
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kReadOnly);
  // One pass over the entries: the chain's verdict and the tree's leaves together (a ledger
  // with a 38 MB entry took two full passes here, bench/results/2026-12-02-vm-ledger.md).
  privacy::VerifyResult result;
  const std::vector<privacy::MerkleHash> leaves = ledger.VerifiedLeafHashes(result);
  if (!result.ok) {
    throw IntegrityError("ledger " + path.string() + ": " + result.message +
                         "; the ledger was altered after it was written");
  }
  std::cout << "ledger " << path.string() << " (" << privacy::LedgerModeName(ledger.Mode())
            << "): " << result.message << "\n"
            << "head " << result.head_hash << "\n"
            << "tree size " << result.entries_checked << ", root "
            << privacy::HashToHex(privacy::TreeHash(leaves)) << "\n";
}

void RunHead(const LedgerOptions& options) {
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kReadOnly);
  if (!options.signed_head) {
    const std::vector<privacy::MerkleHash> leaves = ledger.LeafHashes();
    const nlohmann::json head = {{"tree_size", leaves.size()},
                                 {"root_hash", privacy::HashToHex(privacy::TreeHash(leaves))}};
    std::cout << head.dump(2) << "\n";
    return;
  }
  if (options.key.empty()) throw UsageError("ledger head --signed needs --key (the signing key)");
  const audit::SigningKey key = audit::LoadPrivateKey(options.key);
  std::cout << audit::ToJson(audit::SignLedgerHead(ledger, key, audit::UtcNowIso8601())).dump(2)
            << "\n";
}

// The tree head of a release's attestation (once the envelope's signature verified), or a
// signed head as `ledger head --signed` prints it; either way the head's signature verified.
audit::SignedTreeHead AttestedTreeHead(const std::filesystem::path& attestation,
                                       const audit::VerifyingKey& key) {
  std::ifstream in(attestation, std::ios::binary);
  if (!in) throw InputError("cannot read attestation " + attestation.string());
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A head published by `privet ledger head --signed` is a JSON object with a tree_size;
  // an attestation is a DSSE envelope.
  const nlohmann::json parsed = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("tree_size")) {
    const audit::SignedTreeHead head = audit::TreeHeadFromJson(parsed);
    if (audit::VerifyTreeHead(head, key) != audit::TreeHeadCheck::kValid) {
      throw IntegrityError("the tree head in " + attestation.string() +
                           " does not verify with key " + key.key_id());
    }
    return head;
  }
  const audit::Envelope envelope = audit::ParseEnvelope(bytes);
  if (audit::VerifyEnvelope(envelope, key) != audit::EnvelopeCheck::kValid) {
    throw IntegrityError("attestation " + attestation.string() + " is not signed by key " +
                         key.key_id());
  }
  const audit::Statement statement = audit::ParseStatement(envelope.payload);
  if (statement.predicate_type != audit::kReleasePredicateType) {
    throw InputError("attestation " + attestation.string() + " is no privet release");
  }
  const audit::ReleaseRecord record = audit::ParsePredicate(statement.predicate);
  if (!record.ledger || !record.ledger->tree_head) {
    throw InputError("attestation " + attestation.string() +
                     " carries no ledger tree head (a model sample, or an attestation older "
                     "than the ledger's tree: check it with `privet verify --ledger`)");
  }
  const audit::SignedTreeHead& head = *record.ledger->tree_head;
  if (audit::VerifyTreeHead(head, key) != audit::TreeHeadCheck::kValid) {
    throw IntegrityError("the tree head in " + attestation.string() + " does not verify with key " +
                         key.key_id());
  }
  return head;
}

void RunConsistency(const LedgerOptions& options) {
  if (options.key.empty()) throw UsageError("ledger consistency needs --key (the public key)");
  const audit::VerifyingKey key = audit::LoadPublicKey(options.key);
  const audit::SignedTreeHead head = AttestedTreeHead(options.from, key);
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kReadOnly);
  const audit::TreeConsistency result = audit::CheckTreeConsistency(ledger, head);
  if (options.json) {
    std::cout << result.ToJson().dump(2) << "\n";
  } else {
    std::cout << (result.ok ? "CONSISTENT: " : "INCONSISTENT: ") << result.detail << "\n"
              << "attested: size " << result.old_size << ", root " << result.old_root << "\n"
              << "ledger:   size " << result.new_size << ", root " << result.new_root << "\n";
  }
  std::cout.flush();
  if (!result.ok) {
    throw IntegrityError("ledger " + path.string() + " is inconsistent with " + options.from +
                         ": " + result.detail);
  }
}

void RunExport(const LedgerOptions& options) {
  if (!options.json) {
    throw UsageError("ledger export: choose the output format with --json");
  }
  const std::filesystem::path path = ResolveLedgerPath(options.ledger);
  const auto ledger = privacy::BudgetLedger::Open(path, privacy::LedgerOpenMode::kReadOnly);
  std::cout << ledger.Export().dump(2) << "\n";
}

}  // namespace

void AddLedgerCommand(CLI::App& app) {
  CLI::App* ledger = app.add_subcommand("ledger", "Create, verify or export the budget ledger");
  ledger->require_subcommand(1);

  auto init_options = std::make_shared<LedgerOptions>();
  CLI::App* init = ledger->add_subcommand(
      "init", "Create a ledger and its deployment secret (production unless --test-only)");
  init->add_flag("--test-only", init_options->test_only,
                 "A test ledger: seeded noise allowed, every release marked TEST RELEASE");
  AddLedgerOption(*init, &init_options->ledger);
  init->callback([init_options] { RunInit(*init_options); });

  auto verify_options = std::make_shared<LedgerOptions>();
  CLI::App* verify = ledger->add_subcommand(
      "verify",
      "Recompute the hash chain and the Merkle tree; fail naming the first altered or missing "
      "entry");
  AddLedgerOption(*verify, &verify_options->ledger);
  verify->callback([verify_options] { RunVerify(*verify_options); });

  auto head_options = std::make_shared<LedgerOptions>();
  CLI::App* head = ledger->add_subcommand(
      "head", "Print the ledger's current tree head (size, root) as JSON; --signed signs it");
  head->add_flag("--signed", head_options->signed_head,
                 "Sign the head with the deployment's key, for auditors to keep");
  head->add_option("--key", head_options->key, "The deployment's signing key (with --signed)");
  AddLedgerOption(*head, &head_options->ledger);
  head->callback([head_options] { RunHead(*head_options); });

  auto consistency_options = std::make_shared<LedgerOptions>();
  CLI::App* consistency = ledger->add_subcommand(
      "consistency",
      "Check that the ledger still holds, unchanged, every entry an attestation's tree head "
      "covers (RFC 9162 consistency proof)");
  consistency
      ->add_option("--from", consistency_options->from,
                   "A release's attestation, or a head from `ledger head --signed`")
      ->required();
  consistency->add_option("--key", consistency_options->key, "Signer's public key (PEM)")
      ->required();
  consistency->add_flag("--json", consistency_options->json, "JSON output");
  AddLedgerOption(*consistency, &consistency_options->ledger);
  consistency->callback([consistency_options] { RunConsistency(*consistency_options); });

  auto export_options = std::make_shared<LedgerOptions>();
  CLI::App* export_command = ledger->add_subcommand(
      "export", "Print every entry with its hashes, and each dataset's status, for auditors");
  export_command->add_flag("--json", export_options->json, "JSON output (the only format)");
  AddLedgerOption(*export_command, &export_options->ledger);
  export_command->callback([export_options] { RunExport(*export_options); });
}

}  // namespace privet::cli
