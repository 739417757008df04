// Clock: the injectable source of wall-clock and monotonic time.
//
// Production code takes a `const Clock&` so tests can pin time (FakeClock). SystemClock and
// FakeClock are safe to read from any thread; FakeClock::Set/Advance may race with readers only
// in the sense that a reader sees the old or the new value.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace jwo::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (UTC wall clock): for records and timestamps.
  virtual int64_t NowUnixMs() const = 0;
  // Nanoseconds of a monotonic clock: for durations, deadlines and latency.
  virtual int64_t MonotonicNs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowUnixMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t MonotonicNs() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_ms = 1'767'225'600'000) : unix_ms_(unix_ms) {}
  int64_t NowUnixMs() const override { return unix_ms_.load(); }
  int64_t MonotonicNs() const override { return mono_ns_.load(); }
  void Advance(std::chrono::milliseconds d) {
    unix_ms_ += d.count();
    mono_ns_ += d.count() * 1'000'000;
  }

 private:
  std::atomic<int64_t> unix_ms_;
  std::atomic<int64_t> mono_ns_{0};
};

}  // namespace jwo::core
