#include "server/auth_failure_limiter.h"

#include <algorithm>

namespace privet::server {

AuthFailureLimiter::AuthFailureLimiter(std::size_t limit, Clock::duration window,
                                       std::size_t max_clients,
                                       std::function<Clock::time_point()> now)
    : limit_(std::max<std::size_t>(limit, 1)),
      window_(window),
      max_clients_(std::max<std::size_t>(max_clients, 1)),
      now_(std::move(now)) {}

void AuthFailureLimiter::Prune(std::deque<Clock::time_point>& failures,
                               Clock::time_point now) const {
  const Clock::time_point cutoff = now - window_;
  while (!failures.empty() && failures.front() < cutoff) failures.pop_front();
}

void AuthFailureLimiter::Erase(std::unordered_map<std::string, Entry>::iterator it) {
  order_.erase(it->second.order);
  clients_.erase(it);
}

bool AuthFailureLimiter::Blocked(const std::string& client) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return false;
  Prune(it->second.failures, now_());
  if (it->second.failures.empty()) {
    Erase(it);
    return false;
  }
  return it->second.failures.size() >= limit_;
}

void AuthFailureLimiter::MakeRoom(Clock::time_point now) {
  // Least recently failed first: once one address has an unexpired failure, every address after
  // it in the order has one too, so the expired ones are a prefix.
  while (!order_.empty()) {
    auto it = clients_.find(order_.front());
    Prune(it->second.failures, now);
    if (!it->second.failures.empty()) break;
    Erase(it);
  }
  while (clients_.size() >= max_clients_) Erase(clients_.find(order_.front()));
}

void AuthFailureLimiter::RecordFailure(const std::string& client) {
  std::lock_guard<std::mutex> lock(mutex_);
  const Clock::time_point now = now_();
  auto it = clients_.find(client);
  if (it == clients_.end()) {
    MakeRoom(now);
    order_.push_back(client);
    it = clients_.emplace(client, Entry{{}, std::prev(order_.end())}).first;
  } else {
    order_.splice(order_.end(), order_, it->second.order);  // now the most recent
  }
  std::deque<Clock::time_point>& failures = it->second.failures;
  Prune(failures, now);
  failures.push_back(now);
  while (failures.size() > limit_) failures.pop_front();
}

std::size_t AuthFailureLimiter::tracked() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return clients_.size();
}

}  // namespace privet::server
