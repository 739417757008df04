// LoadStats: what a load thread measured during one jwo-loadgen run — latency histograms,
// request and error counters, HTTP status and F&A outcome counts. "Recorded" requests are
// those due (open loop) or sent (closed loop) inside the measured window; warm-up requests
// are sent and answered but counted nowhere except `answered_in_window`.
//
// Thread-safety: none; each thread fills its own, the main thread merges them after join.
#pragma once

#include <array>
#include <cstdint>

#include "tests/bench/latency_histogram.h"

namespace jwo::bench {

struct LoadStats {
  // Due time (open loop) or send time (closed loop) to the last byte of the answer.
  LatencyHistogram latency;
  // Open loop: due time to the moment the request was written — the generator's own timer
  // lag plus waiting for a free connection. Already included in `latency`.
  LatencyHistogram send_delay;
  // Open loop: due time to the moment the event loop noticed it was due — the generator's
  // own lateness, which a sound measurement keeps far below the latencies it reports.
  LatencyHistogram schedule_lag;

  uint64_t scheduled = 0;           // recorded requests due (open) or started (closed)
  uint64_t sent = 0;                // of those, written to a socket
  uint64_t completed = 0;           // of those, answered
  uint64_t answered_in_window = 0;  // any answer whose last byte arrived in the window
  uint64_t http_errors = 0;         // recorded answers with a status outside 2xx
  uint64_t lost = 0;                // recorded requests whose connection failed before the answer
  uint64_t unfinished = 0;  // recorded requests unanswered (or unsent) at the drain deadline

  uint64_t connect_failures = 0;   // connect attempts refused or failed
  uint64_t connection_errors = 0;  // established connections reset, closed or failed
  uint64_t malformed = 0;          // responses that did not parse (connection then dropped)
  uint64_t reconnects = 0;         // connections opened again during the run

  // --count-outcomes: recorded 2xx answers by "APPROVED" / "DENIED" in the body.
  uint64_t approved = 0;
  uint64_t denied = 0;
  uint64_t other_outcome = 0;
  uint64_t expected_denied = 0;  // recorded answers whose shopper is in debt
  uint64_t mismatched = 0;       // in-debt shopper APPROVED, or other shopper DENIED

  std::array<uint64_t, 600> status_counts{};  // recorded answers by HTTP status
  uint64_t response_bytes_min = UINT64_MAX;   // recorded 2xx answers, headers included
  uint64_t response_bytes_max = 0;
  uint64_t body_bytes_min = UINT64_MAX;
  uint64_t body_bytes_max = 0;

  uint64_t window_ns = 0;  // the measured window, shortened if the run was interrupted

  // Adds `other`'s counters and histograms; the window is the longer of the two.
  void Merge(const LoadStats& other);
};

}  // namespace jwo::bench
