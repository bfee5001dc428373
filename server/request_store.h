// The service's request queue (requests.db in the deployment). A request moves
//   pending --approve--> approved --worker--> running --> released | failed
//   pending --deny--> denied
// and starts as approved when the approval policy lets it run at once. Only released
// requests have downloadable files, and only those the release itself listed.
#ifndef PRIVET_SERVER_REQUEST_STORE_H_
#define PRIVET_SERVER_REQUEST_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace privet::server {

struct StoredRequest {
  std::string id;         // "req-" + 16 hex digits from the CSPRNG
  std::string requester;  // the authenticated user who submitted it, never a body field
  std::string kind;       // "synthesize", "marginal", "correlation"
  std::string dataset_id;
  double epsilon = 0;
  std::optional<double> delta;
  std::string purpose;
  nlohmann::json options = nlohmann::json::object();
  std::string state;  // pending, approved, running, released, failed, denied
  std::string created, updated;
  std::optional<std::string> decided_by;  // the officer who approved or denied, or "policy"
  std::optional<std::string> decision_note;
  std::optional<std::string> release_id;
  std::vector<std::string> files;  // file names of the release (attestation last)
  nlohmann::json result;           // release::ReleaseResult::ToJson(), once released
  std::optional<std::string> error_code, error_message;  // once failed

  // What the API shows (every field above).
  nlohmann::json ToJson() const;
};

class RequestStore {
 public:
  explicit RequestStore(const std::filesystem::path& path);
  ~RequestStore();
  RequestStore(const RequestStore&) = delete;
  RequestStore& operator=(const RequestStore&) = delete;

  // Stores a new request (id, times set here) in state "approved" when approved_by is given,
  // else "pending". Returns it.
  StoredRequest Create(StoredRequest request, const std::optional<std::string>& approved_by);
  std::optional<StoredRequest> Find(const std::string& id) const;
  // Newest first; requester / state narrow the list when given.
  std::vector<StoredRequest> List(const std::optional<std::string>& requester,
                                  const std::optional<std::string>& state) const;
  // pending -> approved or denied, recording the officer. False if it was not pending.
  bool Decide(const std::string& id, bool approve, const std::string& officer,
              const std::string& note);
  // Atomically moves the oldest approved request to running and returns it.
  std::optional<StoredRequest> ClaimNext();
  void MarkReleased(const std::string& id, const std::string& release_id,
                    const std::vector<std::string>& files, const nlohmann::json& result);
  void MarkFailed(const std::string& id, const std::string& code, const std::string& message);
  // At start: every request left "running" by a stopped or killed service becomes failed with
  // the given message. Returns them as they were.
  std::vector<StoredRequest> FailInterrupted(const std::string& message);

  // The approval policy's auto-approve epsilon, if the officer set one.
  std::optional<double> AutoApproveEpsilon() const;
  void SetAutoApproveEpsilon(double epsilon, const std::string& officer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace privet::server

#endif  // PRIVET_SERVER_REQUEST_STORE_H_
