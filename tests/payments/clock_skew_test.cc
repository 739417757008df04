#include "payments/clock_skew.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <thread>
#include <vector>

#include "core/time_format.h"

namespace jwo::payments {
namespace {

using Catch::Matchers::ContainsSubstring;
using Level = ClockSkewMonitor::Level;

// The Date header a server whose clock reads 2026-01-01T12:00:00Z sends.
constexpr std::string_view kServerDate = "Thu, 01 Jan 2026 12:00:00 GMT";
const int64_t kServerMs = *core::ParseIso8601("2026-01-01T12:00:00Z");
constexpr int64_t kSecond = 1000;

TEST_CASE("ParseImfFixdate reads RFC 7231 IMF-fixdate") {
  CHECK(*ParseImfFixdate("Sun, 06 Nov 1994 08:49:37 GMT") ==
        *core::ParseIso8601("1994-11-06T08:49:37Z"));
  CHECK(*ParseImfFixdate(kServerDate) == kServerMs);
  CHECK(*ParseImfFixdate("Mon, 29 Feb 2016 23:59:59 GMT") ==
        *core::ParseIso8601("2016-02-29T23:59:59Z"));
  // The grammar allows a leap second; it is counted into the next minute.
  CHECK(*ParseImfFixdate("Sat, 31 Dec 2016 23:59:60 GMT") ==
        *core::ParseIso8601("2017-01-01T00:00:00Z"));
}

TEST_CASE("ParseImfFixdate rejects other forms and impossible dates") {
  for (const char* bad : {
           "",
           "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850, obsolete
           "Sun Nov  6 08:49:37 1994",        // asctime, obsolete
           "Sun, 06 Nov 1994 08:49:37 UTC",
           "Sun, 6 Nov 1994 08:49:37 GMT",
           "Sun, 06 nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 94 08:49:37 GMT",
           "Xyz, 06 Nov 1994 08:49:37 GMT",
           "Sun 06 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 08:49:37 GMT ",
           "Sun, 06 Nov 1994 8:49:37 GMT",
           "Sun, 30 Feb 1994 08:49:37 GMT",
           "Sun, 00 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 24:00:00 GMT",
           "Sun, 06 Nov 1994 08:60:00 GMT",
           "Sun, 06 Nov 1994 08:49:61 GMT",
           "Sun, 06 Nov 1994 08:4a:37 GMT",
       }) {
    CAPTURE(bad);
    const core::Status s = ParseImfFixdate(bad).status();
    CHECK(s.code() == core::StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), ContainsSubstring("'" + std::string(bad) + "'"));
  }
}

TEST_CASE("ClockSkewMonitor measures server minus local time") {
  ClockSkewMonitor m;
  CHECK(!m.has_measurement());
  CHECK(m.skew_ms() == 0);
  CHECK(m.level() == Level::kNormal);

  m.Observe(kServerDate, kServerMs + 250);  // local clock a little ahead, or latency
  CHECK(m.has_measurement());
  CHECK(m.skew_ms() == -250);
  m.Observe(kServerDate, kServerMs - 90 * kSecond);  // local clock 90 s behind
  CHECK(m.skew_ms() == 90 * kSecond);
  m.Observe(kServerDate, kServerMs + 90 * kSecond);  // 90 s ahead
  CHECK(m.skew_ms() == -90 * kSecond);
}

TEST_CASE("ClockSkewMonitor changes level once per crossing, in both directions") {
  ClockSkewMonitor m;  // warn at 60 s, threshold 5 min
  for (int i = 0; i < 5; ++i) m.Observe(kServerDate, kServerMs - 61 * kSecond);
  CHECK(m.level() == Level::kWarning);
  CHECK(!m.over_threshold());
  CHECK(m.level_changes() == 1);

  for (int i = 0; i < 5; ++i) m.Observe(kServerDate, kServerMs - 302 * kSecond);
  CHECK(m.level() == Level::kOverThreshold);
  CHECK(m.over_threshold());
  CHECK(m.level_changes() == 2);

  // Local clock ahead instead of behind: still over.
  m.Observe(kServerDate, kServerMs + 302 * kSecond);
  CHECK(m.over_threshold());
  CHECK(m.level_changes() == 2);

  m.Observe(kServerDate, kServerMs + 120 * kSecond);
  CHECK(m.level() == Level::kWarning);
  m.Observe(kServerDate, kServerMs);
  CHECK(m.level() == Level::kNormal);
  CHECK(m.level_changes() == 4);

  // Straight from normal to over threshold is one change.
  m.Observe(kServerDate, kServerMs - 400 * kSecond);
  CHECK(m.level() == Level::kOverThreshold);
  CHECK(m.level_changes() == 5);
}

TEST_CASE("ClockSkewMonitor changes level only on a reading definite at 1 s resolution") {
  ClockSkewOptions o;
  o.warn_ms = 60 * kSecond;
  o.threshold_ms = 300 * kSecond;
  ClockSkewMonitor m(o);
  // The server wrote "12:00:00" anywhere in [12:00:00, 12:00:01). A local clock 59.5 s behind
  // reads 59.5 s..60.5 s of skew: not definitely past 60 s.
  m.Observe(kServerDate, kServerMs - 59'500);
  CHECK(m.level() == Level::kNormal);
  // Local 60.5 s ahead: the true skew is -60.5 s..-59.5 s. Not definite either.
  m.Observe(kServerDate, kServerMs + 60'500);
  CHECK(m.level() == Level::kNormal);
  m.Observe(kServerDate, kServerMs - 60 * kSecond);
  CHECK(m.level() == Level::kWarning);
  // Back down only once the reading is definitely within 60 s.
  m.Observe(kServerDate, kServerMs - 59'500);
  CHECK(m.level() == Level::kWarning);
  m.Observe(kServerDate, kServerMs - 58'999);
  CHECK(m.level() == Level::kNormal);
  CHECK(m.level_changes() == 2);
}

TEST_CASE("ClockSkewMonitor ignores a missing Date and counts a malformed one") {
  ClockSkewMonitor m;
  m.Observe("", kServerMs);
  CHECK(m.unparsed_dates() == 0);
  m.Observe("Sunday, 06-Nov-94 08:49:37 GMT", kServerMs);
  m.Observe("yesterday", kServerMs);
  CHECK(m.unparsed_dates() == 2);
  CHECK(!m.has_measurement());

  m.Observe(kServerDate, kServerMs - 400 * kSecond);
  REQUIRE(m.over_threshold());
  m.Observe("garbage", kServerMs);  // changes nothing
  CHECK(m.over_threshold());
  CHECK(m.skew_ms() == 400 * kSecond);
}

TEST_CASE("ClockSkewMonitor logs a crossing once when observed from many threads") {
  ClockSkewMonitor m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) m.Observe(kServerDate, kServerMs - 90 * kSecond);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(m.level() == Level::kWarning);
  CHECK(m.level_changes() == 1);
  CHECK(m.skew_ms() == 90 * kSecond);
}

TEST_CASE("ClockSkewLevelName names every level") {
  CHECK(ClockSkewLevelName(Level::kNormal) == "normal");
  CHECK(ClockSkewLevelName(Level::kWarning) == "warning");
  CHECK(ClockSkewLevelName(Level::kOverThreshold) == "over_threshold");
}

}  // namespace
}  // namespace jwo::payments
