#include "tests/bench/load_stats.h"

#include <algorithm>

namespace jwo::bench {

void LoadStats::Merge(const LoadStats& other) {
  latency.Merge(other.latency);
  send_delay.Merge(other.send_delay);
  schedule_lag.Merge(other.schedule_lag);
  scheduled += other.scheduled;
  sent += other.sent;
  completed += other.completed;
  answered_in_window += other.answered_in_window;
  http_errors += other.http_errors;
  lost += other.lost;
  unfinished += other.unfinished;
  connect_failures += other.connect_failures;
  connection_errors += other.connection_errors;
  malformed += other.malformed;
  reconnects += other.reconnects;
  approved += other.approved;
  denied += other.denied;
  other_outcome += other.other_outcome;
  expected_denied += other.expected_denied;
  mismatched += other.mismatched;
  for (size_t i = 0; i < status_counts.size(); ++i) status_counts[i] += other.status_counts[i];
  response_bytes_min = std::min(response_bytes_min, other.response_bytes_min);
  response_bytes_max = std::max(response_bytes_max, other.response_bytes_max);
  body_bytes_min = std::min(body_bytes_min, other.body_bytes_min);
  body_bytes_max = std::max(body_bytes_max, other.body_bytes_max);
  window_ns = std::max(window_ns, other.window_ns);
}

}  // namespace jwo::bench
