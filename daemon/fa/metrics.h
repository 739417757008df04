// The gate decision's Prometheus metrics. Built once at start; every member may be updated
// from any thread (prometheus-cpp counters are atomic; its histogram takes a short mutex of
// its own, shared by I/O threads only, never by the store writer).
#pragma once

#include <array>

#include "fa/policy.h"

namespace prometheus {
class Registry;
class Counter;
class Histogram;
}  // namespace prometheus

namespace jwo::fa {

struct FaMetrics {
  explicit FaMetrics(prometheus::Registry& registry);

  // decisions[outcome-1][reason]: pre-resolved so the hot path does no label lookup.
  std::array<std::array<prometheus::Counter*, kReasonCount>, 2> decisions{};
  prometheus::Counter* bad_requests = nullptr;   // 400
  prometheus::Counter* unknown_store = nullptr;  // 404
  prometheus::Counter* store_errors = nullptr;   // ledger read failed: fail mode decided
  prometheus::Histogram* latency = nullptr;      // seconds, parse to serialized answer

  void CountDecision(const Decision& d);
};

}  // namespace jwo::fa
