#include "payments/credentials_refresh.h"

#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/time_format.h"

namespace jwo::payments {
namespace {

using core::StatusCode;
using std::chrono::minutes;
using std::chrono::seconds;

const int64_t kT0 = *core::ParseIso8601("2026-01-01T00:00:00Z");
constexpr int64_t kMinute = 60'000;

// A credentials source whose next reply the test sets; counts its calls.
class FakeSource {
 public:
  void Reply(core::Result<AwsCredentials> r) {
    std::lock_guard lock(mu_);
    reply_ = std::move(r);
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  CredentialsFetch Fetch() {
    return [this] {
      std::lock_guard lock(mu_);
      ++calls_;
      return reply_;
    };
  }

 private:
  mutable std::mutex mu_;
  core::Result<AwsCredentials> reply_ = core::Status(StatusCode::kUnavailable, "no reply set");
  int calls_ = 0;
};

AwsCredentials Creds(std::string akid, int64_t expires_ms) {
  return {akid, "secret-" + akid, "token-" + akid, expires_ms};
}

RefreshOptions Options() {
  RefreshOptions o;
  o.refresh_margin = minutes(5);
  o.retry_base = seconds(1);
  o.retry_cap = seconds(4);
  o.clock_recheck = std::chrono::milliseconds(2);  // follows the FakeClock closely
  return o;
}

// Polls until `stats` shows `fetches` ended fetches or 10 s passed (a generous bound for a
// condition, not a timing assertion). Returns the last snapshot.
RefreshStats WaitForFetches(const RefreshingCredentials& r, uint64_t fetches) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  RefreshStats s = r.Stats();
  while (s.fetches < fetches && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    s = r.Stats();
  }
  return s;
}

TEST_CASE("RefreshingCredentials fetches at once, then refresh_margin before expiry") {
  FakeSource source;
  source.Reply(Creds("AKID1", kT0 + 60 * kMinute));
  core::FakeClock clock(kT0);
  RefreshingCredentials creds("test source", source.Fetch(), clock, Options());

  RefreshStats s = WaitForFetches(creds, 1);
  REQUIRE(s.fetches == 1);
  CHECK(s.cached);
  CHECK(s.failures == 0);
  CHECK(s.expires_unix_ms == kT0 + 60 * kMinute);
  CHECK(s.next_fetch_unix_ms == kT0 + 55 * kMinute);
  CHECK(creds.Get(kT0)->access_key_id == "AKID1");
  // Get decides validity by the time it is given and never fetches: valid up to expiry...
  CHECK(creds.Get(kT0 + 60 * kMinute - 1)->access_key_id == "AKID1");
  // ...then an error, although the refresh thread (at kT0 on its clock) has not run again.
  const core::Status expired = creds.Get(kT0 + 60 * kMinute).status();
  CHECK(expired.code() == StatusCode::kUnavailable);
  CHECK(expired.message() ==
        "AWS credentials from test source: credentials expired at 2026-01-01T01:00:00.000Z");
  CHECK(source.calls() == 1);

  source.Reply(Creds("AKID2", kT0 + 120 * kMinute));
  clock.Advance(minutes(55));
  s = WaitForFetches(creds, 2);
  CHECK(s.fetches == 2);
  CHECK(s.next_fetch_unix_ms == kT0 + 115 * kMinute);
  CHECK(creds.Get(kT0 + 60 * kMinute)->access_key_id == "AKID2");
}

TEST_CASE("RefreshingCredentials retries a failing source with capped exponential backoff") {
  FakeSource source;
  source.Reply(core::Status(StatusCode::kUnavailable, "endpoint down"));
  core::FakeClock clock(kT0);
  RefreshingCredentials creds("test source", source.Fetch(), clock, Options());

  RefreshStats s = WaitForFetches(creds, 1);
  REQUIRE(s.fetches == 1);
  CHECK(!s.cached);
  CHECK(s.consecutive_failures == 1);
  CHECK(s.next_fetch_unix_ms == kT0 + 1'000);
  const core::Status never = creds.Get(kT0).status();
  CHECK(never.code() == StatusCode::kUnavailable);
  CHECK(never.message() == "AWS credentials from test source: endpoint down");

  // 1 s, 2 s, 4 s, then capped at 4 s.
  for (const auto& [fetches, delay_ms] : {std::pair{2, 2'000}, {3, 4'000}, {4, 4'000}}) {
    CAPTURE(fetches);
    clock.Advance(std::chrono::milliseconds(s.next_fetch_unix_ms - clock.NowUnixMs()));
    s = WaitForFetches(creds, fetches);
    REQUIRE(s.fetches == static_cast<uint64_t>(fetches));
    CHECK(s.next_fetch_unix_ms == clock.NowUnixMs() + delay_ms);
  }
  CHECK(s.failures == 4);

  source.Reply(Creds("AKID1", kT0 + 60 * kMinute));
  clock.Advance(seconds(4));
  s = WaitForFetches(creds, 5);
  CHECK(s.consecutive_failures == 0);
  CHECK(s.failures == 4);
  CHECK(creds.Get(clock.NowUnixMs())->access_key_id == "AKID1");
}

TEST_CASE("RefreshingCredentials keeps serving valid credentials while refreshes fail") {
  FakeSource source;
  source.Reply(Creds("AKID1", kT0 + 60 * kMinute));
  core::FakeClock clock(kT0);
  RefreshingCredentials creds("test source", source.Fetch(), clock, Options());
  REQUIRE(WaitForFetches(creds, 1).cached);

  source.Reply(core::Status(StatusCode::kUnavailable, "endpoint down"));
  clock.Advance(minutes(55));
  REQUIRE(WaitForFetches(creds, 2).fetches == 2);
  CHECK(creds.Get(clock.NowUnixMs())->access_key_id == "AKID1");
  const core::Status expired = creds.Get(kT0 + 60 * kMinute).status();
  CHECK(expired.code() == StatusCode::kUnavailable);
  CHECK(expired.message() ==
        "AWS credentials from test source: credentials expired at 2026-01-01T01:00:00.000Z; "
        "last refresh failed: endpoint down");
}

TEST_CASE("RefreshingCredentials refreshes short-lived credentials halfway to expiry") {
  FakeSource source;
  source.Reply(Creds("AKID1", kT0 + 4 * kMinute));  // shorter than the 5-minute margin
  core::FakeClock clock(kT0);
  RefreshingCredentials creds("test source", source.Fetch(), clock, Options());
  const RefreshStats s = WaitForFetches(creds, 1);
  CHECK(s.next_fetch_unix_ms == kT0 + 2 * kMinute);
  CHECK(creds.Get(kT0)->access_key_id == "AKID1");
}

TEST_CASE("RefreshingCredentials refuses credentials that expired before they arrived") {
  FakeSource source;
  source.Reply(Creds("AKIDOLD", kT0));
  core::FakeClock clock(kT0);
  RefreshingCredentials creds("test source", source.Fetch(), clock, Options());
  const RefreshStats s = WaitForFetches(creds, 1);
  CHECK(!s.cached);
  CHECK(s.failures == 1);
  CHECK(creds.Get(kT0 - 1).status().message() ==
        "AWS credentials from test source: served credentials that expired at "
        "2026-01-01T00:00:00.000Z");
}

TEST_CASE("RefreshingCredentials keeps credentials without expiry, re-reading them") {
  FakeSource source;
  source.Reply(Creds("AKIDLONG", 0));
  core::FakeClock clock(kT0);
  RefreshingCredentials creds("test source", source.Fetch(), clock, Options());
  const RefreshStats s = WaitForFetches(creds, 1);
  CHECK(s.next_fetch_unix_ms == kT0 + 5 * kMinute);
  CHECK(creds.Get(kT0 + 1'000'000 * kMinute)->access_key_id == "AKIDLONG");
}

TEST_CASE("RefreshingCredentials' Get does not wait for a fetch in progress") {
  // The source blocks until released; meanwhile Get answers.
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false, released = false;
  core::FakeClock clock(kT0);
  RefreshingCredentials creds(
      "slow source",
      [&]() -> core::Result<AwsCredentials> {
        std::unique_lock lock(mu);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [&] { return released; });
        return Creds("AKID1", kT0 + 60 * kMinute);
      },
      clock, Options());
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, seconds(10), [&] { return entered; }));
  }
  CHECK(creds.Get(kT0).status().message() == "AWS credentials from slow source: not fetched yet");
  CHECK(creds.Stats().fetches == 0);
  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();
  CHECK(WaitForFetches(creds, 1).cached);
  CHECK(creds.Get(kT0)->access_key_id == "AKID1");
}

}  // namespace
}  // namespace jwo::payments
