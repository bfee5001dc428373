// Calendar arithmetic for date/datetime attributes: parsing and formatting with a small
// strftime-like format, and bucket boundaries. Proleptic Gregorian calendar, no time zones
// (a timestamp is taken on the data's own clock), no leap seconds: the std::chrono civil
// calendar of C++20.
#ifndef PRIVET_ENGINE_TABLE_SCHEMA_TIME_H_
#define PRIVET_ENGINE_TABLE_SCHEMA_TIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/table/schema.h"

namespace privet::engine {

inline constexpr std::string_view kDefaultDateFormat = "%Y-%m-%d";
inline constexpr std::string_view kDefaultDatetimeFormat = "%Y-%m-%d %H:%M:%S";

// Checks that a format uses only %Y %m %d %H %M %S %% and literals, and (for a date) no time
// fields, and that it has Y, m and d. Returns an error text, empty when fine.
std::string CheckTimeFormat(std::string_view format, bool datetime);

// Parses `text` with `format`: days since 1970-01-01 (date) or seconds since
// 1970-01-01 00:00:00 (datetime; missing %H/%M/%S fields are 0). nullopt if it does not match
// exactly or names an impossible date (2021-02-29).
std::optional<std::int64_t> ParseTime(std::string_view text, std::string_view format,
                                      bool datetime);
// The inverse of ParseTime.
std::string FormatTime(std::int64_t value, std::string_view format, bool datetime);

// Bucket starts for [min, max]: the first bucket starts at min, the others at the calendar
// boundaries (minute/hour/day/month/year) after it, or every 7 days from min for weeks.
std::vector<std::int64_t> BucketStarts(std::int64_t min, std::int64_t max,
                                       TimeGranularity granularity, bool datetime);

std::string_view GranularityName(TimeGranularity granularity);
std::optional<TimeGranularity> ParseGranularity(std::string_view name);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_SCHEMA_TIME_H_
