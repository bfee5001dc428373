// server/auth_failure_limiter.h with a fake clock: the limit per address within the window, and
// the bound on memory that a flood of distinct addresses cannot push past.
#include "server/auth_failure_limiter.h"

#include <doctest/doctest.h>

#include <string>

namespace {

using privet::server::AuthFailureLimiter;
using Clock = AuthFailureLimiter::Clock;

struct FakeClock {
  Clock::time_point now{};
  void Advance(Clock::duration by) { now += by; }
};

AuthFailureLimiter Limiter(FakeClock& clock, std::size_t limit, std::size_t max_clients) {
  return AuthFailureLimiter(limit, std::chrono::seconds(60), max_clients,
                            [&clock] { return clock.now; });
}

}  // namespace

TEST_CASE("auth limiter: blocks at the limit within the window and lets go after it") {
  FakeClock clock;
  AuthFailureLimiter limiter = Limiter(clock, 3, 100);
  for (int i = 0; i < 2; ++i) limiter.RecordFailure("10.0.0.1");
  CHECK_FALSE(limiter.Blocked("10.0.0.1"));
  limiter.RecordFailure("10.0.0.1");
  CHECK(limiter.Blocked("10.0.0.1"));
  CHECK_FALSE(limiter.Blocked("10.0.0.2"));  // per address
  clock.Advance(std::chrono::seconds(59));
  CHECK(limiter.Blocked("10.0.0.1"));
  clock.Advance(std::chrono::seconds(2));  // the failures are older than the window now
  CHECK_FALSE(limiter.Blocked("10.0.0.1"));
  CHECK(limiter.tracked() == 0);  // and the address is forgotten
}

TEST_CASE("auth limiter: a flood of distinct addresses cannot grow the table past its bound") {
  FakeClock clock;
  constexpr std::size_t kMax = 1000;
  AuthFailureLimiter limiter = Limiter(clock, 5, kMax);
  for (int i = 0; i < 5; ++i) limiter.RecordFailure("guesser");
  REQUIRE(limiter.Blocked("guesser"));
  // 200k distinct addresses, each failing once, all within one window.
  std::size_t largest = 0;
  for (int i = 0; i < 200'000; ++i) {
    limiter.RecordFailure("flood-" + std::to_string(i));
    largest = std::max(largest, limiter.tracked());
    if (i % 1000 == 0) clock.Advance(std::chrono::milliseconds(1));
  }
  CHECK(largest <= kMax);
  CHECK(limiter.tracked() == kMax);
  // The least recently failed address was the first to go; the newest ones are all still kept.
  CHECK_FALSE(limiter.Blocked("guesser"));
  for (int i = 0; i < 5; ++i) limiter.RecordFailure("flood-199999");
  CHECK(limiter.Blocked("flood-199999"));
}

TEST_CASE("auth limiter: expired addresses are dropped before a live one is evicted") {
  FakeClock clock;
  AuthFailureLimiter limiter = Limiter(clock, 2, 3);
  limiter.RecordFailure("old-1");
  limiter.RecordFailure("old-2");
  clock.Advance(std::chrono::seconds(30));
  limiter.RecordFailure("live");
  limiter.RecordFailure("live");
  REQUIRE(limiter.Blocked("live"));
  clock.Advance(std::chrono::seconds(31));  // old-1 and old-2 have expired, live has not
  limiter.RecordFailure("new-1");
  limiter.RecordFailure("new-2");
  CHECK(limiter.tracked() == 3);
  CHECK(limiter.Blocked("live"));  // kept: the expired ones made the room
  // Refailing moves an address to the back of the eviction order.
  limiter.RecordFailure("new-1");
  limiter.RecordFailure("new-3");   // full, nothing expired: evicts the least recently failed
  CHECK(limiter.Blocked("new-1"));  // two failures, most recent: kept
  CHECK_FALSE(limiter.Blocked("live"));
  CHECK(limiter.tracked() == 3);
}
