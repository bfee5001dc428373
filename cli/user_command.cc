// `privet user add|revoke|list`: the service's principals in <deployment>/users.db
// (server/user_store.h). `add` prints the new token once; only its SHA-256 is kept.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "server/deployment.h"
#include "server/user_store.h"

namespace privet::cli {
namespace {

struct UserOptions {
  std::string deployment;
  std::string name;
  std::string role;
};

void AddDeploymentOption(CLI::App& command, UserOptions* options) {
  command.add_option("--deployment", options->deployment, "The deployment folder")->required();
}

}  // namespace

void AddUserCommand(CLI::App& app) {
  CLI::App* user = app.add_subcommand("user", "Manage the service's users (privacy officer)");
  user->require_subcommand(1);

  auto add = std::make_shared<UserOptions>();
  CLI::App* add_command = user->add_subcommand("add", "Add a user; prints their bearer token once");
  add_command->add_option("name", add->name, "User name ([A-Za-z0-9_.-], 1 to 64)")->required();
  add_command->add_option("--role", add->role, "officer, researcher or auditor")->required();
  AddDeploymentOption(*add_command, add.get());
  add_command->callback([add] {
    const server::Role role = server::ParseRole(add->role);
    server::UserStore users(server::OpenDeployment(add->deployment).users(), /*create=*/true);
    const std::string token = users.Add(add->name, role);
    std::cerr << "user " << add->name << " (" << server::RoleName(role)
              << "): token below, shown once (only its SHA-256 is stored)\n";
    std::cout << token << "\n";
  });

  auto revoke = std::make_shared<UserOptions>();
  CLI::App* revoke_command = user->add_subcommand("revoke", "Withdraw a user's token");
  revoke_command->add_option("name", revoke->name, "User name")->required();
  AddDeploymentOption(*revoke_command, revoke.get());
  revoke_command->callback([revoke] {
    server::UserStore users(server::OpenDeployment(revoke->deployment).users(), /*create=*/false);
    users.Revoke(revoke->name);
    std::cout << "user " << revoke->name << ": token revoked\n";
  });

  auto list = std::make_shared<UserOptions>();
  CLI::App* list_command = user->add_subcommand("list", "List users, roles and revocations");
  AddDeploymentOption(*list_command, list.get());
  list_command->callback([list] {
    server::UserStore users(server::OpenDeployment(list->deployment).users(), /*create=*/false);
    for (const server::UserRecord& record : users.List()) {
      std::cout << record.name << "  " << server::RoleName(record.role) << "  added "
                << record.created;
      if (record.revoked) std::cout << "  revoked " << *record.revoked;
      std::cout << "\n";
    }
  });
}

}  // namespace privet::cli
