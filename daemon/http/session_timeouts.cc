// The session's deadlines: one timer per connection, for the request timeout, the idle timeout
// and the closing linger (the state is in session_impl.h, the rest of the session in session.cc).
#include "http/session_impl.h"

#include <string>

namespace jwo::http {

using Clock = Session::Clock;

Clock::time_point Session::Deadline() const {
  switch (phase_) {
    case Phase::kHandshake:
      return request_start_ + request_timeout_;
    case Phase::kClosing:
      return closing_since_ + linger_;
    default:
      if (!answers_.empty()) return answers_.front().start + request_timeout_;
      if (request_active_) return request_start_ + request_timeout_;
      return idle_since_ + idle_timeout_;
  }
}

// One timer per session, re-armed lazily: most deadline changes only move it later, and those
// are picked up when it fires, so a request costs no timer operation in the common case.
void Session::ArmTimer(Clock::time_point deadline) {
  if (phase_ == Phase::kClosed) return;
  if (timer_pending_ && timer_expiry_ <= deadline) return;
  timer_pending_ = true;
  timer_expiry_ = deadline;
  const uint64_t generation = ++timer_generation_;
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
    self->OnTimer(ec, generation);
  });
}

void Session::OnTimer(const error_code& ec, uint64_t generation) {
  if (generation != timer_generation_) return;
  timer_pending_ = false;
  if (ec || phase_ == Phase::kClosed) return;
  const auto deadline = Deadline();
  if (Clock::now() < deadline) {
    ArmTimer(deadline);
    return;
  }
  OnTimeout();
}

void Session::OnTimeout() {
  switch (phase_) {
    case Phase::kHandshake:
      ServerCounters::Bump(counters_.tls_handshake_failures);
      CloseNow();
      return;
    case Phase::kOpen:
      break;
    default:
      CloseNow();
      return;
  }
  if (answers_.empty() && !request_active_) {
    ServerCounters::Bump(counters_.idle_timeouts);
    CloseNow();
    return;
  }
  ServerCounters::Bump(counters_.request_timeouts);
  if (answers_.empty() && !write_pending_ && skip_remaining_ == 0) {
    // The client is still sending its request: tell it why the connection ends.
    request_start_ = Clock::now();
    const uint32_t index = OpenAnswer(true, false, false);
    Answer(index, JsonError(408, "request not received within " +
                                     std::to_string(limits_.request_timeout_ms) + " ms"));
    ArmTimer(Deadline());
    return;
  }
  CloseNow();
}

}  // namespace jwo::http
