// The workers that run approved requests, each through release/ (release/synthesize_release.h,
// release/query_release.h): the charge-before-release order, refusals and incidents are
// release/'s, unchanged. Workers take requests from requests.db (RequestStore::ClaimNext), so
// a request approved while every worker is busy waits there, and survives a restart.
#ifndef PRIVET_SERVER_WORKER_POOL_H_
#define PRIVET_SERVER_WORKER_POOL_H_

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "server/deployment.h"
#include "server/request_store.h"

namespace privet::server {

class WorkerPool {
 public:
  WorkerPool(DeploymentPaths deployment, RequestStore& requests, int workers);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts the threads; they pick up requests approved before the start too.
  void Start();
  // Wakes the workers (a request was approved).
  void Notify();
  // Lets running releases finish, then joins the threads.
  void Stop();

 private:
  void Loop();
  void Execute(const StoredRequest& request);

  DeploymentPaths deployment_;
  RequestStore& requests_;
  int count_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;  // bumped by Notify, so no wake-up is lost
  std::vector<std::thread> threads_;
};

}  // namespace privet::server

#endif  // PRIVET_SERVER_WORKER_POOL_H_
