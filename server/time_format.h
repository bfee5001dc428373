// The current time as the ledger writes it: UTC, ISO 8601, whole seconds ("2026-12-02T03:12:00Z").
#ifndef PRIVET_SERVER_TIME_FORMAT_H_
#define PRIVET_SERVER_TIME_FORMAT_H_

#include <ctime>
#include <string>

namespace privet::server {

inline std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace privet::server

#endif  // PRIVET_SERVER_TIME_FORMAT_H_
