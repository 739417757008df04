#include "payments/credentials_refresh.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/log.h"
#include "core/time_format.h"

namespace jwo::payments {
namespace {

std::string ExpiryText(int64_t expires_unix_ms) {
  return expires_unix_ms == 0 ? "never" : core::FormatIso8601(expires_unix_ms);
}

}  // namespace

RefreshingCredentials::RefreshingCredentials(std::string source, CredentialsFetch fetch,
                                             const core::Clock& clock, RefreshOptions options)
    : source_(std::move(source)),
      fetch_(std::move(fetch)),
      clock_(clock),
      options_(options),
      thread_([this] { Run(); }) {}

RefreshingCredentials::~RefreshingCredentials() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

core::Result<AwsCredentials> RefreshingCredentials::Get(int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (cached_ && (cached_->expires_unix_ms == 0 || now_ms < cached_->expires_unix_ms)) {
    return *cached_;
  }
  const core::StatusCode code =
      last_error_.ok() ? core::StatusCode::kUnavailable : last_error_.code();
  std::string message = "AWS credentials from " + source_ + ": ";
  if (cached_) {
    message += "credentials expired at " + core::FormatIso8601(cached_->expires_unix_ms);
    if (!last_error_.ok()) message += "; last refresh failed: " + last_error_.message();
  } else if (!last_error_.ok()) {
    message += last_error_.message();
  } else {
    message += "not fetched yet";
  }
  return core::Status(code, std::move(message));
}

RefreshStats RefreshingCredentials::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void RefreshingCredentials::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const int64_t now = clock_.NowUnixMs();
    if (now < stats_.next_fetch_unix_ms) {
      const int64_t wait_ms =
          std::min<int64_t>(stats_.next_fetch_unix_ms - now, options_.clock_recheck.count());
      wake_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stopping_; });
      continue;
    }
    lock.unlock();
    core::Result<AwsCredentials> fetched = fetch_();
    Record(std::move(fetched), clock_.NowUnixMs());
    lock.lock();
  }
}

void RefreshingCredentials::Record(core::Result<AwsCredentials> fetched, int64_t now_ms) {
  if (fetched.ok() && fetched->expires_unix_ms != 0 && now_ms >= fetched->expires_unix_ms) {
    fetched = core::Status(
        core::StatusCode::kUnavailable,
        "served credentials that expired at " + core::FormatIso8601(fetched->expires_unix_ms));
  }
  RefreshStats after;
  std::string current;  // the credentials still in use after a failure: "" when none
  {
    std::lock_guard lock(mu_);
    ++stats_.fetches;
    if (fetched.ok()) {
      cached_ = *fetched;
      last_error_ = core::Status::Ok();
      stats_.cached = true;
      stats_.expires_unix_ms = fetched->expires_unix_ms;
      stats_.consecutive_failures = 0;
      stats_.next_fetch_unix_ms = NextAfterSuccess(now_ms, fetched->expires_unix_ms);
    } else {
      last_error_ = fetched.status();
      ++stats_.failures;
      ++stats_.consecutive_failures;
      stats_.next_fetch_unix_ms = now_ms + RetryDelayMs(stats_.consecutive_failures);
      if (cached_ && (cached_->expires_unix_ms == 0 || now_ms < cached_->expires_unix_ms)) {
        current = ExpiryText(cached_->expires_unix_ms);
      }
    }
    after = stats_;
  }
  // Logged without the lock, so Get never waits for a log write.
  if (fetched.ok()) {
    core::LogInfo("AWS credentials refreshed",
                  {{"source", source_},
                   {"expires", ExpiryText(after.expires_unix_ms)},
                   {"next_refresh", core::FormatIso8601(after.next_fetch_unix_ms)}});
  } else if (!current.empty()) {
    core::LogWarning(
        "refreshing AWS credentials failed; the current ones stay in use until they expire",
        {{"source", source_},
         {"error", fetched.status().message()},
         {"consecutive_failures", std::to_string(after.consecutive_failures)},
         {"expires", current},
         {"next_attempt", core::FormatIso8601(after.next_fetch_unix_ms)}});
  } else {
    core::LogWarning(
        "refreshing AWS credentials failed; requests go out unsigned until a refresh succeeds",
        {{"source", source_},
         {"error", fetched.status().message()},
         {"consecutive_failures", std::to_string(after.consecutive_failures)},
         {"next_attempt", core::FormatIso8601(after.next_fetch_unix_ms)}});
  }
}

int64_t RefreshingCredentials::NextAfterSuccess(int64_t now_ms, int64_t expires_ms) const {
  const int64_t margin = options_.refresh_margin.count();
  if (expires_ms == 0) return now_ms + margin;
  if (expires_ms - margin > now_ms) return expires_ms - margin;
  // Credentials that live shorter than the margin: refresh halfway to expiry rather than at
  // once, so a source that keeps serving them is not asked in a tight loop.
  return now_ms + std::max<int64_t>((expires_ms - now_ms) / 2, options_.retry_base.count());
}

int64_t RefreshingCredentials::RetryDelayMs(uint32_t consecutive_failures) const {
  // No jitter: one process asks one (usually local) endpoint, there is no herd to spread.
  const int shift = static_cast<int>(std::min<uint32_t>(consecutive_failures - 1, 20));
  return std::min<int64_t>(options_.retry_cap.count(), options_.retry_base.count() << shift);
}

}  // namespace jwo::payments
