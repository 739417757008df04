#include "payments/clock_skew.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>
#include <cstdlib>
#include <string>

#include "core/log.h"
#include "core/time_format.h"

namespace jwo::payments {
namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"Mon", "Tue", "Wed", "Thu",
                                                       "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The decimal value of text[at, at + n), or -1 unless all n characters are digits.
int Digits(std::string_view text, size_t at, size_t n) {
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// The skew range a reading stands for: the server wrote Date somewhere in its second, so the
// offset is in [raw, raw + 1000]. Up-moves use the smallest magnitude in that range, down-moves
// the largest, so only a definite reading changes the level.
int64_t SmallestMagnitude(int64_t raw_ms) {
  if (raw_ms >= 0) return raw_ms;
  return std::max<int64_t>(0, -(raw_ms + 1000));
}
int64_t LargestMagnitude(int64_t raw_ms) {
  return std::max(std::llabs(raw_ms), std::llabs(raw_ms + 1000));
}

std::string Seconds(int64_t ms) {
  return std::to_string(ms / 1000) + "." + std::to_string(std::llabs(ms) % 1000 / 100) + " s";
}

}  // namespace

core::Result<int64_t> ParseImfFixdate(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return core::InvalidArgument("Date '" + std::string(text) + "' is not an IMF-fixdate (" +
                                 std::string(why) + ")");
  };
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  //  0    5  8   12   17 20 23 26
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return bad("expected the layout 'Sun, 06 Nov 1994 08:49:37 GMT'");
  }
  if (std::find(kDayNames.begin(), kDayNames.end(), text.substr(0, 3)) == kDayNames.end()) {
    return bad("unknown day name");
  }
  const auto month = std::find(kMonthNames.begin(), kMonthNames.end(), text.substr(8, 3));
  if (month == kMonthNames.end()) return bad("unknown month name");
  const int day = Digits(text, 5, 2);
  const int year = Digits(text, 12, 4);
  const int hour = Digits(text, 17, 2);
  const int minute = Digits(text, 20, 2);
  const int second = Digits(text, 23, 2);
  if (day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0) return bad("not a number");
  using namespace std::chrono;
  const year_month_day date{
      std::chrono::year(year),
      std::chrono::month(static_cast<unsigned>(month - kMonthNames.begin()) + 1),
      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return bad("no such day");
  // Second 60 is a leap second, which the grammar allows; it counts into the next minute.
  if (hour > 23 || minute > 59 || second > 60) return bad("no such time of day");
  const sys_seconds t = sys_days(date) + hours(hour) + minutes(minute) + seconds(second);
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

ClockSkewMonitor::ClockSkewMonitor(ClockSkewOptions options) : options_(options) {
  assert(options_.warn_ms > 0 && options_.warn_ms <= options_.threshold_ms);
}

ClockSkewMonitor::Level ClockSkewMonitor::LevelOf(int64_t magnitude_ms) const {
  if (magnitude_ms >= options_.threshold_ms) return Level::kOverThreshold;
  if (magnitude_ms >= options_.warn_ms) return Level::kWarning;
  return Level::kNormal;
}

void ClockSkewMonitor::Observe(std::string_view date_header, int64_t local_now_ms) {
  if (date_header.empty()) return;
  const core::Result<int64_t> server_ms = ParseImfFixdate(date_header);
  if (!server_ms.ok()) {
    // Once: a peer that sends such dates sends them on every response.
    if (unparsed_.fetch_add(1, std::memory_order_relaxed) == 0) {
      core::LogWarning("Payment Service Date header not understood; clock skew is not measured",
                       {{"error", server_ms.status().message()}});
    }
    return;
  }
  const int64_t raw = *server_ms - local_now_ms;
  skew_ms_.store(raw, std::memory_order_relaxed);
  measured_.store(true, std::memory_order_relaxed);

  const Level up = LevelOf(SmallestMagnitude(raw));
  const Level down = LevelOf(LargestMagnitude(raw));
  const auto next_from = [&](Level current) {
    if (up > current) return up;
    if (down < current) return down;
    return current;
  };
  // Fast path without the lock: nearly every response leaves the level as it is.
  if (const Level seen = level(); next_from(seen) == seen) return;

  std::lock_guard lock(mu_);
  const Level current = level();
  const Level next = next_from(current);
  if (next == current) return;  // another thread made this change first
  level_.store(next, std::memory_order_relaxed);
  level_changes_.fetch_add(1, std::memory_order_relaxed);
  // Logged under the lock so that two crossings are logged in the order they happened; this
  // happens once per crossing, not per response.
  const std::initializer_list<core::LogField> fields = {
      {"skew_ms", std::to_string(raw)},
      {"server_date", std::string(date_header)},
      {"local_time", core::FormatIso8601(local_now_ms)},
      {"warn_at", Seconds(options_.warn_ms)},
      {"refused_at", Seconds(options_.threshold_ms)}};
  if (next == Level::kOverThreshold) {
    core::LogError(
        "this clock is off from the Payment Service's by more than AWS allows for a signature; "
        "payment calls are refused until time synchronisation (NTP) is fixed",
        fields);
  } else if (next > current) {
    core::LogWarning(
        "this clock is drifting from the Payment Service's; check time synchronisation (NTP) "
        "before it reaches the limit where payment calls are refused",
        fields);
  } else {
    core::LogInfo(next == Level::kNormal
                      ? "this clock agrees with the Payment Service's again"
                      : "this clock is back within the signature limit, but still drifting",
                  fields);
  }
}

std::string_view ClockSkewLevelName(ClockSkewMonitor::Level level) {
  switch (level) {
    case ClockSkewMonitor::Level::kNormal:
      return "normal";
    case ClockSkewMonitor::Level::kWarning:
      return "warning";
    case ClockSkewMonitor::Level::kOverThreshold:
      return "over_threshold";
  }
  return "unknown";
}

}  // namespace jwo::payments
