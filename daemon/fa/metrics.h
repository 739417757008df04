// The gate decision's Prometheus metrics, updated on the connection threads without a lock or a
// shared cache line (core::ShardedCounter, core::ShardedHistogram) and turned into metric
// families only when /metrics is scraped (MetricsExporter::AddCollectable).
//
// Thread safety: every member may be updated from any thread; Collect from any thread.
#pragma once

#include <prometheus/collectable.h>

#include <array>

#include "core/sharded_counter.h"
#include "fa/policy.h"

namespace jwo::fa {

class FaMetrics : public prometheus::Collectable {
 public:
  FaMetrics();

  // decisions[outcome-1][reason]: jwo_fa_decisions_total{outcome,reason}.
  std::array<std::array<core::ShardedCounter, kReasonCount>, 2> decisions;
  core::ShardedCounter bad_requests;   // 400: jwo_fa_rejected_requests_total{status="400"}
  core::ShardedCounter unknown_store;  // 404: jwo_fa_rejected_requests_total{status="404"}
  core::ShardedCounter store_errors;   // ledger read failed: fail mode decided
  core::ShardedHistogram latency;      // seconds, parse to serialized answer

  void CountDecision(const Decision& d);

  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace jwo::fa
