// `privet verify`: checks a release's attestation (audit/verify.h) and prints what was
// released, when, by whom, at what cost and what is left, then every check. Exit 0 only if
// every check passed; otherwise the IntegrityError exit code with the first failure on
// stderr.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/keys.h"
#include "audit/parent_check.h"
#include "audit/verify.h"
#include "cli/commands.h"
#include "privacy/errors.h"

namespace privet::cli {
namespace {

struct VerifyArguments {
  std::string attestation;
  std::string public_key;
  std::string ledger;
  std::string parent;
  bool json = false;
  bool allow_test = false;
  std::vector<std::string> files;
};

void RunVerify(const VerifyArguments& arguments) {
  const audit::VerifyingKey key = audit::LoadPublicKey(arguments.public_key);
  std::optional<std::filesystem::path> ledger;
  if (!arguments.ledger.empty()) ledger = arguments.ledger;
  const std::vector<std::filesystem::path> files(arguments.files.begin(), arguments.files.end());
  audit::VerificationReport report =
      audit::VerifyAttestation(arguments.attestation, key, ledger, files);
  if (!arguments.parent.empty()) {
    audit::VerifyParentRelease(arguments.parent, key, ledger, report);
  }
  audit::CheckReleaseMode(report, arguments.allow_test);
  if (arguments.json) {
    std::cout << report.ToJson().dump(2) << "\n";
  } else {
    std::cout << report.ToText();
  }
  std::cout.flush();
  if (const audit::VerificationCheck* failure = report.FirstFailure()) {
    throw IntegrityError("verification FAILED: " + failure->name + ": " + failure->detail);
  }
}

}  // namespace

void AddVerifyCommand(CLI::App& app) {
  auto arguments = std::make_shared<VerifyArguments>();
  CLI::App* command = app.add_subcommand(
      "verify",
      "Verify a release's attestation: signature, key, file digests, consistency and "
      "(with --ledger) the budget ledger");
  command->add_option("attestation", arguments->attestation, "attestation.dsse.json to check")
      ->required();
  command->add_option("--key", arguments->public_key, "Signer's public key (PEM)")->required();
  command->add_option("--ledger", arguments->ledger,
                      "Budget ledger to check the release against (optional)");
  command->add_option("--parent", arguments->parent,
                      "For a model sample: the attestation of the release it was sampled "
                      "from, verified too and matched to the sample's parent digests");
  command->add_flag("--json", arguments->json, "Print the report as JSON");
  command->add_flag("--allow-test", arguments->allow_test,
                    "Accept a test release (seeded noise or a test ledger); the verdict says "
                    "TEST RELEASE");
  command->add_option("files", arguments->files,
                      "Released files to check (default: the files beside the attestation)");
  command->callback([arguments] { RunVerify(*arguments); });
}

}  // namespace privet::cli
