#include "fa/metrics.h"

#include <prometheus/metric_family.h>

#include <limits>
#include <string>

namespace jwo::fa {
namespace {

prometheus::ClientMetric CounterMetric(const core::ShardedCounter& c,
                                       std::vector<prometheus::ClientMetric::Label> labels) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = static_cast<double>(c.Value());
  return m;
}

}  // namespace

FaMetrics::FaMetrics()
    : latency({5e-6, 10e-6, 20e-6, 50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 5e-3, 20e-3}) {}

void FaMetrics::CountDecision(const Decision& d) {
  const size_t o = d.outcome == store::Outcome::kApproved ? 0 : 1;
  decisions[o][static_cast<size_t>(d.reason)].Add();
}

std::vector<prometheus::MetricFamily> FaMetrics::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  prometheus::MetricFamily& d = out.emplace_back();
  d.name = "jwo_fa_decisions_total";
  d.help = "Gate decisions by outcome and reason";
  d.type = prometheus::MetricType::Counter;
  for (size_t o = 0; o < 2; ++o) {
    for (size_t r = 0; r < kReasonCount; ++r) {
      d.metric.push_back(CounterMetric(
          decisions[o][r], {{"outcome", o == 0 ? "approved" : "denied"},
                            {"reason", std::string(ReasonName(static_cast<Reason>(r)))}}));
    }
  }
  prometheus::MetricFamily& rejected = out.emplace_back();
  rejected.name = "jwo_fa_rejected_requests_total";
  rejected.help = "Shopper authorization requests answered with an error";
  rejected.type = prometheus::MetricType::Counter;
  rejected.metric.push_back(CounterMetric(bad_requests, {{"status", "400"}}));
  rejected.metric.push_back(CounterMetric(unknown_store, {{"status", "404"}}));
  prometheus::MetricFamily& errors = out.emplace_back();
  errors.name = "jwo_fa_store_errors_total";
  errors.help = "Ledger reads that failed; the configured fail mode decided";
  errors.type = prometheus::MetricType::Counter;
  errors.metric.push_back(CounterMetric(store_errors, {}));

  prometheus::MetricFamily& seconds = out.emplace_back();
  seconds.name = "jwo_fa_decision_seconds";
  seconds.help = "Time from request body to serialized answer on the decision path";
  seconds.type = prometheus::MetricType::Histogram;
  const core::ShardedHistogram::Snapshot h = latency.Read();
  prometheus::ClientMetric& m = seconds.metric.emplace_back();
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = h.sum;
  for (size_t i = 0; i < h.cumulative.size(); ++i) {
    m.histogram.bucket.push_back({h.cumulative[i], i < h.upper_bounds.size()
                                                       ? h.upper_bounds[i]
                                                       : std::numeric_limits<double>::infinity()});
  }
  return out;
}

}  // namespace jwo::fa
