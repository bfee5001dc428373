#include "engine/table/schema_time.h"

#include <chrono>
#include <cstdio>

namespace privet::engine {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  const std::chrono::sys_days days{std::chrono::year{year} / std::chrono::month{month} /
                                   std::chrono::day{day}};
  return days.time_since_epoch().count();
}

std::chrono::year_month_day CivilFromDays(std::int64_t days) {
  return std::chrono::year_month_day{
      std::chrono::sys_days{std::chrono::days{static_cast<int>(days)}}};
}

// Reads exactly `width` digits (width 4 for %Y, else 2; 1 or 2 digits accepted for
// month/day/hour fields so "3/7/2020" parses).
bool ReadNumber(std::string_view text, std::size_t& pos, int min_digits, int max_digits, int& out) {
  int digits = 0;
  int value = 0;
  while (digits < max_digits && pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    value = value * 10 + (text[pos] - '0');
    ++pos;
    ++digits;
  }
  if (digits < min_digits) return false;
  out = value;
  return true;
}

}  // namespace

std::string CheckTimeFormat(std::string_view format, bool datetime) {
  bool year = false, month = false, day = false;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 == format.size()) return "format ends with a lone %";
    const char spec = format[++i];
    switch (spec) {
      case 'Y':
        year = true;
        break;
      case 'm':
        month = true;
        break;
      case 'd':
        day = true;
        break;
      case '%':
        break;
      case 'H':
      case 'M':
      case 'S':
        if (!datetime) return std::string("%") + spec + " is a time field; use type datetime";
        break;
      default:
        return std::string("unsupported field %") + spec + " (use %Y %m %d %H %M %S %%)";
    }
  }
  if (!year || !month || !day) return "format must contain %Y, %m and %d";
  return "";
}

std::optional<std::int64_t> ParseTime(std::string_view text, std::string_view format,
                                      bool datetime) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      if (pos >= text.size() || text[pos] != format[i]) return std::nullopt;
      ++pos;
      continue;
    }
    const char spec = format[++i];
    bool ok = true;
    switch (spec) {
      case 'Y':
        ok = ReadNumber(text, pos, 4, 4, year);
        break;
      case 'm':
        ok = ReadNumber(text, pos, 1, 2, month);
        break;
      case 'd':
        ok = ReadNumber(text, pos, 1, 2, day);
        break;
      case 'H':
        ok = ReadNumber(text, pos, 1, 2, hour);
        break;
      case 'M':
        ok = ReadNumber(text, pos, 1, 2, minute);
        break;
      case 'S':
        ok = ReadNumber(text, pos, 1, 2, second);
        break;
      case '%':
        ok = pos < text.size() && text[pos] == '%';
        ++pos;
        break;
      default:
        return std::nullopt;
    }
    if (!ok) return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const std::int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (!datetime) return days;
  return days * kSecondsPerDay + hour * 3600 + minute * 60 + second;
}

std::string FormatTime(std::int64_t value, std::string_view format, bool datetime) {
  const std::int64_t days = datetime ? FloorDiv(value, kSecondsPerDay) : value;
  const std::int64_t seconds_of_day = datetime ? value - days * kSecondsPerDay : 0;
  const auto date = CivilFromDays(days);
  std::string out;
  char number[16];
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out.push_back(format[i]);
      continue;
    }
    const char spec = format[++i];
    int field = 0;
    int width = 2;
    switch (spec) {
      case 'Y':
        field = static_cast<int>(date.year());
        width = 4;
        break;
      case 'm':
        field = static_cast<int>(static_cast<unsigned>(date.month()));
        break;
      case 'd':
        field = static_cast<int>(static_cast<unsigned>(date.day()));
        break;
      case 'H':
        field = static_cast<int>(seconds_of_day / 3600);
        break;
      case 'M':
        field = static_cast<int>(seconds_of_day / 60 % 60);
        break;
      case 'S':
        field = static_cast<int>(seconds_of_day % 60);
        break;
      default:
        out.push_back(spec);
        continue;
    }
    std::snprintf(number, sizeof(number), "%0*d", width, field);
    out += number;
  }
  return out;
}

std::vector<std::int64_t> BucketStarts(std::int64_t min, std::int64_t max,
                                       TimeGranularity granularity, bool datetime) {
  std::vector<std::int64_t> starts{min};
  const std::int64_t unit = datetime ? kSecondsPerDay : 1;  // one day in the value's units
  const auto next_fixed = [&](std::int64_t step) {
    // Calendar-aligned: the next multiple of step after the previous start.
    return (FloorDiv(starts.back(), step) + 1) * step;
  };
  for (;;) {
    std::int64_t next = 0;
    switch (granularity) {
      case TimeGranularity::kMinute:
        next = next_fixed(60);
        break;
      case TimeGranularity::kHour:
        next = next_fixed(3600);
        break;
      case TimeGranularity::kDay:
        next = next_fixed(unit);
        break;
      case TimeGranularity::kWeek:
        next = starts.back() + 7 * unit;
        break;
      case TimeGranularity::kMonth:
      case TimeGranularity::kYear: {
        const auto date = CivilFromDays(datetime ? FloorDiv(starts.back(), unit) : starts.back());
        std::chrono::year_month_day first =
            granularity == TimeGranularity::kMonth
                ? std::chrono::year_month_day{date.year() / date.month() / 1} +
                      std::chrono::months{1}
                : std::chrono::year_month_day{(date.year() + std::chrono::years{1}) /
                                              std::chrono::January / 1};
        next = std::chrono::sys_days{first}.time_since_epoch().count() * unit;
        break;
      }
    }
    if (next > max) break;
    starts.push_back(next);
  }
  return starts;
}

std::string_view GranularityName(TimeGranularity granularity) {
  switch (granularity) {
    case TimeGranularity::kMinute:
      return "minute";
    case TimeGranularity::kHour:
      return "hour";
    case TimeGranularity::kDay:
      return "day";
    case TimeGranularity::kWeek:
      return "week";
    case TimeGranularity::kMonth:
      return "month";
    case TimeGranularity::kYear:
      return "year";
  }
  return "day";
}

std::optional<TimeGranularity> ParseGranularity(std::string_view name) {
  for (auto g : {TimeGranularity::kMinute, TimeGranularity::kHour, TimeGranularity::kDay,
                 TimeGranularity::kWeek, TimeGranularity::kMonth, TimeGranularity::kYear}) {
    if (GranularityName(g) == name) return g;
  }
  return std::nullopt;
}

}  // namespace privet::engine
