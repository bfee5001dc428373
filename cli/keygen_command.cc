// `privet keygen`: creates the Ed25519 key pair that signs release attestations
// (audit/keys.h). The private key is written with mode 0600 and never overwritten.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "audit/keys.h"
#include "audit/release_attestation.h"
#include "cli/commands.h"

namespace privet::cli {
namespace {

void RunKeygen(const std::string& out_dir) {
  const audit::KeyPairFiles files = audit::GenerateKeyPair(out_dir);
  std::cout << "key id:      " << files.key_id << "\n"
            << "private key: " << files.private_key.string()
            << " (mode 0600: keep it secret; it signs every release)\n"
            << "public key:  " << files.public_key.string()
            << " (give it to auditors: privet verify ATTESTATION --key "
            << files.public_key.string() << ")\n";
}

}  // namespace

void AddKeygenCommand(CLI::App& app) {
  auto out_dir = std::make_shared<std::string>(
      std::filesystem::path(audit::kDefaultSigningKeyPath).parent_path().string());
  CLI::App* command =
      app.add_subcommand("keygen", "Create the Ed25519 key pair that signs release attestations");
  command
      ->add_option("--out", *out_dir,
                   "Directory for privet-signing.key and privet-signing.pub (created if "
                   "missing; existing keys are never overwritten)")
      ->capture_default_str();
  command->callback([out_dir] { RunKeygen(*out_dir); });
}

}  // namespace privet::cli
