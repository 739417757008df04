#include "core/time_format.h"

#include <ctime>

#include <chrono>
#include <cstdio>

namespace jwo::core {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

Status Bad(std::string_view text, const char* why) {
  return InvalidArgument("'" + std::string(text) + "' is not an ISO 8601 date-time: " + why);
}

}  // namespace

Result<int64_t> ParseIso8601(std::string_view text) {
  int y, mo, d, h, mi, s;
  if (!Digits(text, 0, 4, y) || text.size() < 19 || text[4] != '-' || !Digits(text, 5, 2, mo) ||
      text[7] != '-' || !Digits(text, 8, 2, d)) {
    return Bad(text, "expected YYYY-MM-DD");
  }
  if (text[10] != 'T' && text[10] != 't') return Bad(text, "expected 'T' after the date");
  if (!Digits(text, 11, 2, h) || text[13] != ':' || !Digits(text, 14, 2, mi) || text[16] != ':' ||
      !Digits(text, 17, 2, s)) {
    return Bad(text, "expected hh:mm:ss");
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return Bad(text, "no such date");
  if (h > 23 || mi > 59 || s > 60) return Bad(text, "time out of range");
  size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n < 3) millis = millis * 10 + (text[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0 || n > 9) return Bad(text, "fractional seconds need 1 to 9 digits");
    for (size_t k = n; k < 3; ++k) millis *= 10;
  }
  if (pos >= text.size()) return Bad(text, "missing time zone (Z or +hh:mm)");
  int offset_min = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!Digits(text, pos + 1, 2, oh)) return Bad(text, "bad zone offset");
    size_t mpos = pos + 3;
    if (mpos < text.size() && text[mpos] == ':') ++mpos;
    if (!Digits(text, mpos, 2, om) || oh > 23 || om > 59) return Bad(text, "bad zone offset");
    offset_min = sign * (oh * 60 + om);
    pos = mpos + 2;
  } else {
    return Bad(text, "missing time zone (Z or +hh:mm)");
  }
  if (pos != text.size()) return Bad(text, "unexpected characters after the zone");
  const int64_t days = sys_days{ymd}.time_since_epoch().count();
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
  return secs * 1000 + millis;
}

std::string FormatIso8601(int64_t unix_ms) {
  using namespace std::chrono;
  const int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  const int ms = static_cast<int>(unix_ms - secs * 1000);
  const sys_days days{std::chrono::days{secs >= 0 ? secs / 86400 : (secs - 86399) / 86400}};
  const int64_t sod = secs - days.time_since_epoch().count() * 86400;
  const year_month_day ymd{days};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(sod / 3600), int(sod / 60 % 60),
                int(sod % 60), ms);
  return buf;
}

std::string FormatUtc(int64_t unix_ms, const char* format) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[128];
  const size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace jwo::core
