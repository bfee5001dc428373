// The failed-authentication rate limit (docs/api.md, "Users, tokens and roles"): a client
// address that made `limit` failed authentications within the last `window` is blocked until
// the oldest of them leaves the window.
//
// Memory is bounded: at most `max_clients` addresses are tracked. A new address arriving when
// the table is full first drops every address whose failures have all expired, then, if still
// full, the address whose latest failure is oldest (least recently failed). So a flood of
// distinct addresses (which an attacker on a large network can make) costs O(max_clients)
// memory, never more; the price is that such a flood can push an older address out early. An
// attacker who controls that many addresses can spread guesses over them anyway; the bound on
// guesses per address holds for every address still tracked. Each address keeps at most
// `limit` timestamps (older ones cannot change the answer).
#ifndef PRIVET_SERVER_AUTH_FAILURE_LIMITER_H_
#define PRIVET_SERVER_AUTH_FAILURE_LIMITER_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace privet::server {

class AuthFailureLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // `now` is the time source (tests pass a fake one). limit >= 1, max_clients >= 1.
  AuthFailureLimiter(std::size_t limit, Clock::duration window, std::size_t max_clients,
                     std::function<Clock::time_point()> now = &Clock::now);

  // True while `client` has `limit` failures within the window.
  bool Blocked(const std::string& client);
  void RecordFailure(const std::string& client);

  // Addresses tracked now (at most max_clients).
  std::size_t tracked() const;

 private:
  struct Entry {
    std::deque<Clock::time_point> failures;  // oldest first, at most limit_
    std::list<std::string>::iterator order;  // position in order_
  };
  void Prune(std::deque<Clock::time_point>& failures, Clock::time_point now) const;
  void MakeRoom(Clock::time_point now);
  void Erase(std::unordered_map<std::string, Entry>::iterator it);

  std::size_t limit_;
  Clock::duration window_;
  std::size_t max_clients_;
  std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> clients_;
  std::list<std::string> order_;  // least recently failed first
};

}  // namespace privet::server

#endif  // PRIVET_SERVER_AUTH_FAILURE_LIMITER_H_
