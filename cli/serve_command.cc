// `privet serve --deployment DIR`: runs the custodian service (server/service.h) in the
// foreground until SIGINT or SIGTERM, then lets running releases finish and exits 0.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "server/deployment.h"
#include "server/service.h"

namespace privet::cli {
namespace {

void RunServe(const std::string& deployment_dir) {
  // Block the stop signals in every thread the service starts; one thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const server::DeploymentPaths deployment = server::OpenDeployment(deployment_dir);
  std::unique_ptr<server::Service> service = server::Service::Start(deployment);
  for (const std::string& note : service->startup_notes()) {
    std::cerr << "privet serve: " << note << "\n";
  }
  std::cout << "privet serve: listening on https://" << service->address() << ":" << service->port()
            << " (deployment " << deployment.root.string() << ")" << std::endl;
  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    service->Stop();
  });
  service->Run();
  // Run() also returns when listening fails; wake the waiter so it can be joined.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  std::cerr << "privet serve: stopped\n";
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto deployment = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "serve", "Run the custodian service over HTTPS (docs/api.md; the officer's host)");
  command->add_option("--deployment", *deployment, "The deployment folder (docs/api.md)")
      ->required();
  command->callback([deployment] { RunServe(*deployment); });
}

}  // namespace privet::cli
