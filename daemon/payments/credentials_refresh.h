// RefreshingCredentials: a CredentialsProvider whose Get never does I/O.
//
// The signer asks for credentials at every send, on the HTTP client's I/O thread; a provider
// that fetched there (IMDS: three HTTP round trips, up to seconds when the endpoint is slow)
// would stall every connection that thread serves. So a thread of this object's own fetches
// ahead of expiry and Get only copies the cached result.
//
// Schedule, on `clock`'s wall-clock time: the first fetch at construction; after a success, the
// next at expiry - refresh_margin (when that is already past because the credentials live
// shorter than the margin: after half their remaining life, at least retry_base later;
// credentials without expiry are fetched again every refresh_margin); after a failure, retry
// after retry_base, doubling per consecutive failure up to retry_cap. Failures are logged as
// warnings. Credentials already expired when fetched count as a failure.
//
// Thread safety: Get and Stats may be called from any thread at once. They take a mutex that
// is never held during a fetch, so they do not wait for one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/status.h"
#include "payments/credentials.h"

namespace jwo::payments {

inline constexpr std::chrono::milliseconds kDefaultRefreshMargin = std::chrono::minutes(5);

// How RefreshingCredentials schedules its fetches.
struct RefreshOptions {
  // Fetch this long before the cached credentials' expiry, so a slow or failing endpoint has
  // time to recover before signing runs out of keys.
  std::chrono::milliseconds refresh_margin = kDefaultRefreshMargin;
  // After a failed fetch, retry after retry_base, doubling per consecutive failure up to
  // retry_cap.
  std::chrono::milliseconds retry_base = std::chrono::seconds(1);
  std::chrono::milliseconds retry_cap = std::chrono::seconds(60);
  // The refresh thread reads the clock again at least this often while it waits. Expiry is
  // wall-clock time, but a wait is measured on the steady clock: this bounds how late a refresh
  // comes after the wall clock steps forward (NTP, resume from suspend), and lets tests drive
  // the schedule with a core::FakeClock.
  std::chrono::milliseconds clock_recheck = std::chrono::seconds(10);
};

// Fetches fresh credentials from the source, blocking as long as that takes. Called only on
// the refresh thread, never concurrently with itself.
using CredentialsFetch = std::function<core::Result<AwsCredentials>()>;

struct RefreshStats {
  uint64_t fetches = 0;               // fetches ended, successful or not
  uint64_t failures = 0;              // fetches that failed, in total
  uint32_t consecutive_failures = 0;  // since the last success
  bool cached = false;                // credentials were fetched at least once
  int64_t expires_unix_ms = 0;        // of the cached credentials (0: no expiry, or none cached)
  int64_t next_fetch_unix_ms = 0;     // when the thread fetches next, on `clock`
};

class RefreshingCredentials final : public CredentialsProvider {
 public:
  // Starts the refresh thread, which fetches at once. `source` names the source in messages
  // ("IMDS http://127.0.0.1:9911"). `clock` must outlive this object.
  RefreshingCredentials(std::string source, CredentialsFetch fetch, const core::Clock& clock,
                        RefreshOptions options = {});
  // Stops the thread; waits for a fetch in progress to end.
  ~RefreshingCredentials() override;
  RefreshingCredentials(const RefreshingCredentials&) = delete;
  RefreshingCredentials& operator=(const RefreshingCredentials&) = delete;

  // The cached credentials when they are valid at `now_ms` (do not expire, or expire after
  // it). Otherwise an error, with the code of the last failure when there was one, else
  // kUnavailable, and a message "AWS credentials from <source>: " followed by which case
  // holds: "not fetched yet"; "<last failure>" (never fetched successfully); "credentials
  // expired at <time>; last refresh failed: <last failure>"; "credentials expired at <time>"
  // (the refresh is due or under way). Never does I/O and never waits for a fetch.
  core::Result<AwsCredentials> Get(int64_t now_ms) override;

  // A consistent snapshot, for metrics and tests.
  RefreshStats Stats() const;

 private:
  void Run();
  // Records the outcome of a fetch that ended at `now_ms` and schedules the next one; then
  // logs it, without the lock. REQUIRES: mu_ not held.
  void Record(core::Result<AwsCredentials> fetched, int64_t now_ms);
  int64_t NextAfterSuccess(int64_t now_ms, int64_t expires_ms) const;
  int64_t RetryDelayMs(uint32_t consecutive_failures) const;

  const std::string source_;
  const CredentialsFetch fetch_;
  const core::Clock& clock_;
  const RefreshOptions options_;

  mutable std::mutex mu_;  // never held across fetch_()
  std::condition_variable wake_;
  bool stopping_ = false;                 // guarded by mu_
  std::optional<AwsCredentials> cached_;  // guarded by mu_
  core::Status last_error_;               // guarded by mu_; OK after a success
  RefreshStats stats_;                    // guarded by mu_

  std::thread thread_;  // last: started once every other member is initialized
};

// The daemon's IMDS provider: a RefreshingCredentials over
// FetchImdsCredentials(endpoint_url, timeout). A thread of its own fetches at once, then
// `options.refresh_margin` before each expiry, retrying with backoff on failure, on `clock`'s
// time. Get(now_ms) never does I/O and never blocks on a fetch: it returns the cached
// credentials while they are valid at `now_ms`, else kUnavailable (not fetched yet, or expired
// and the refreshes since failed: the last failure's message) or that failure's
// kInvalidArgument for a malformed URL. `clock` must outlive the provider; destroying the
// provider waits for a fetch in progress (at most 3 x `timeout`). Returned as the concrete
// type so the owner can read Stats() for metrics.
std::unique_ptr<RefreshingCredentials> MakeImdsProvider(
    std::string endpoint_url, const core::Clock& clock,
    std::chrono::milliseconds timeout = std::chrono::seconds(2), RefreshOptions options = {});

}  // namespace jwo::payments
