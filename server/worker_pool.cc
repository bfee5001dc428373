#include "server/worker_pool.h"

#include "privacy/errors.h"
#include "release/query_release.h"
#include "release/synthesize_release.h"
#include "server/request_options.h"

namespace privet::server {

WorkerPool::WorkerPool(DeploymentPaths deployment, RequestStore& requests, int workers)
    : deployment_(std::move(deployment)), requests_(requests), count_(workers) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start() {
  for (int i = 0; i < count_; ++i) threads_.emplace_back([this] { Loop(); });
}

void WorkerPool::Notify() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
  }
  wake_.notify_all();
}

void WorkerPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void WorkerPool::Loop() {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (stopping_) return;
      seen = generation_;
    }
    for (;;) {
      std::optional<StoredRequest> request;
      try {
        request = requests_.ClaimNext();
      } catch (const StorageError&) {
        break;  // requests.db busy beyond its timeout: try again at the next wake-up
      }
      if (!request) break;
      Execute(*request);
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
  }
}

namespace {

// The public code of a release error. release/ guarantees its messages name only public
// things (request fields, the registration) or, once the data was opened, only the incident's
// class and id (release/release_pipeline.h), so the message can go to the requester.
std::string ErrorCode(const Error& error) {
  if (dynamic_cast<const BudgetExceeded*>(&error) != nullptr) return "budget_exceeded";
  if (dynamic_cast<const UsageError*>(&error) != nullptr) return "refused";
  if (dynamic_cast<const InputError*>(&error) != nullptr) return "refused";
  if (dynamic_cast<const IntegrityError*>(&error) != nullptr) return "integrity";
  if (dynamic_cast<const StorageError*>(&error) != nullptr) return "storage";
  if (dynamic_cast<const CryptoError*>(&error) != nullptr) return "crypto";
  return "internal";
}

}  // namespace

void WorkerPool::Execute(const StoredRequest& stored) {
  release::ReleaseRequest request;
  request.dataset_id = stored.dataset_id;
  request.epsilon = stored.epsilon;
  request.delta = stored.delta;
  request.purpose = stored.purpose;
  request.requester = stored.requester;
  request.approved_by = stored.decided_by.value_or("");
  request.out = deployment_.releases() / stored.id;
  const release::Deployment deployment = deployment_.ForRelease();
  try {
    std::filesystem::create_directories(deployment_.releases());
    release::ReleaseResult result;
    if (stored.kind == "synthesize") {
      result = release::Synthesize(deployment, request, SynthesizeOptionsFromJson(stored.options));
    } else if (stored.kind == "marginal") {
      result = release::QueryMarginal(deployment, request, QueryOptionsFromJson(stored.options));
    } else {
      result = release::QueryCorrelation(deployment, request, QueryOptionsFromJson(stored.options));
    }
    std::vector<std::string> files;
    for (const auto& file : result.files) files.push_back(file.filename().string());
    nlohmann::json summary = result.ToJson();
    summary["files"] = files;  // names only: the custodian's folders are not the requester's
    summary.erase("out_dir");
    requests_.MarkReleased(stored.id, result.receipt.release_id, files, summary);
  } catch (const Error& error) {
    requests_.MarkFailed(stored.id, ErrorCode(error), error.what());
  } catch (const std::exception&) {
    requests_.MarkFailed(stored.id, "internal",
                         "internal error; the privacy officer's incident log has the details");
  }
}

}  // namespace privet::server
