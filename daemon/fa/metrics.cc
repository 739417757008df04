#include "fa/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace jwo::fa {

FaMetrics::FaMetrics(prometheus::Registry& registry) {
  auto& family = prometheus::BuildCounter()
                     .Name("jwo_fa_decisions_total")
                     .Help("Gate decisions by outcome and reason")
                     .Register(registry);
  for (int o = 0; o < 2; ++o) {
    for (int r = 0; r < kReasonCount; ++r) {
      decisions[static_cast<size_t>(o)][static_cast<size_t>(r)] =
          &family.Add({{"outcome", o == 0 ? "approved" : "denied"},
                       {"reason", std::string(ReasonName(static_cast<Reason>(r)))}});
    }
  }
  auto& rejected = prometheus::BuildCounter()
                       .Name("jwo_fa_rejected_requests_total")
                       .Help("Shopper authorization requests answered with an error")
                       .Register(registry);
  bad_requests = &rejected.Add({{"status", "400"}});
  unknown_store = &rejected.Add({{"status", "404"}});
  store_errors = &prometheus::BuildCounter()
                      .Name("jwo_fa_store_errors_total")
                      .Help("Ledger reads that failed; the configured fail mode decided")
                      .Register(registry)
                      .Add({});
  latency =
      &prometheus::BuildHistogram()
           .Name("jwo_fa_decision_seconds")
           .Help("Time from request body to serialized answer on the decision path")
           .Register(registry)
           .Add({}, prometheus::Histogram::BucketBoundaries{5e-6, 10e-6, 20e-6, 50e-6, 100e-6,
                                                            200e-6, 500e-6, 1e-3, 5e-3, 20e-3});
}

void FaMetrics::CountDecision(const Decision& d) {
  const size_t o = d.outcome == store::Outcome::kApproved ? 0 : 1;
  decisions[o][static_cast<size_t>(d.reason)]->Increment();
}

}  // namespace jwo::fa
