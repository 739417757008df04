// ClockSkewMonitor: how far this machine's clock is from the Payment Service's, measured from
// the `Date` header of its responses.
//
// Why it matters: a SigV4 signature carries its signing time (X-Amz-Date), and AWS refuses a
// request whose time is more than 5 minutes from its own. A gate whose clock drifts that far
// stops settling payments, and the only symptom would be 403s. The monitor sees the drift
// coming: it warns once the skew passes `warn_ms` (default 60 s) and reports over_threshold()
// from `threshold_ms` (default 5 minutes) on.
//
// Signing keeps using the local clock; the measured skew is never added to X-Amz-Date. Why:
// the local clock also stamps receipts, ledger records, outbox retries and the
// pre-authorisation expiry watch, so a wrong clock is wrong everywhere and only fixing it (NTP)
// helps; signing with a corrected time would hide the fault from the one peer that notices it
// while everything else stays wrong. A correction from this header would also be coarse (1 s
// resolution plus network latency), and would let a bad Date (a misbehaving proxy or
// simulator) move every signature's time. So the monitor only alerts, and its log lines tell
// the operator to fix time synchronisation.
//
// Resolution: IMF-fixdate has whole seconds, so the server's time when it wrote the header was
// in [Date, Date + 1 s), and later still by the time the response reached us. skew_ms() reports
// Date - local time at receipt; the true offset is in [skew_ms(), skew_ms() + 1000) plus the
// one-way latency. Levels change only on a definite reading: up when that whole interval is
// past a limit, back down when it is entirely inside it, so a skew that hovers at a limit is
// not reported on every response.
//
// Thread safety: every member may be called from any thread at once (Observe from several I/O
// threads; the getters from the metrics exporter). Observe takes a mutex only when the level
// changes (to change it and log that once); the getters read atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "core/status.h"

namespace jwo::payments {

// Parses an HTTP date in the IMF-fixdate form of RFC 7231 7.1.1.1 ("Sun, 06 Nov 1994 08:49:37
// GMT": exactly that layout, English day and month abbreviations, GMT). Returns milliseconds
// since the epoch, or kInvalidArgument naming the text when it is not an IMF-fixdate or not a
// real date (Feb 30, 25:00:00). The obsolete RFC 850 and asctime forms are rejected: no server
// has sent them since HTTP/1.1, and here a rejected date only means no measurement. The day
// name is checked for being a day name, not against the date.
core::Result<int64_t> ParseImfFixdate(std::string_view text);

struct ClockSkewOptions {
  int64_t warn_ms = 60'000;           // log a warning from this skew on
  int64_t threshold_ms = 5 * 60'000;  // AWS refuses SigV4 requests from this skew on
};

class ClockSkewMonitor {
 public:
  enum class Level {
    kNormal,         // no measurement yet, or within warn_ms
    kWarning,        // beyond warn_ms
    kOverThreshold,  // beyond threshold_ms: signed requests are being refused
  };

  // REQUIRES: 0 < options.warn_ms <= options.threshold_ms.
  explicit ClockSkewMonitor(ClockSkewOptions options = {});

  // Records one response's `Date` header, received at `local_now_ms` (the local clock, ms
  // since the epoch). A valid date sets skew_ms() and may change level(): each change is
  // logged once, naming the skew and the NTP remedy (core::LogWarning on reaching kWarning,
  // core::LogError on reaching kOverThreshold, core::LogInfo on coming back down).
  // An empty header is ignored; a malformed one is counted in unparsed_dates(), the first
  // one is logged as a warning, and nothing else changes.
  void Observe(std::string_view date_header, int64_t local_now_ms);

  // The last measured skew, server minus local, in milliseconds (see Resolution above); 0
  // before the first valid Date.
  int64_t skew_ms() const { return skew_ms_.load(std::memory_order_relaxed); }
  bool has_measurement() const { return measured_.load(std::memory_order_relaxed); }
  Level level() const { return level_.load(std::memory_order_relaxed); }
  bool over_threshold() const { return level() == Level::kOverThreshold; }
  // How often level() has changed (each change logged once).
  uint64_t level_changes() const { return level_changes_.load(std::memory_order_relaxed); }
  // Date headers that were not an IMF-fixdate.
  uint64_t unparsed_dates() const { return unparsed_.load(std::memory_order_relaxed); }

 private:
  Level LevelOf(int64_t magnitude_ms) const;

  const ClockSkewOptions options_;
  std::mutex mu_;  // serializes level changes, so each crossing is logged once
  std::atomic<int64_t> skew_ms_{0};
  std::atomic<bool> measured_{false};
  std::atomic<Level> level_{Level::kNormal};
  std::atomic<uint64_t> level_changes_{0};
  std::atomic<uint64_t> unparsed_{0};
};

// Stable lower-case name of a level ("normal", "warning", "over_threshold"), for logs and
// metrics.
std::string_view ClockSkewLevelName(ClockSkewMonitor::Level level);

}  // namespace jwo::payments
