#include "fa/metrics.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <catch2/catch_test_macros.hpp>
#include <sstream>
#include <thread>

namespace jwo::fa {
namespace {

std::string Exposition(const FaMetrics& m) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, m.Collect());
  return out.str();
}

TEST_CASE("the gate metrics are exposed with their names, labels and counts at scrape time") {
  FaMetrics m;
  Decision approved;
  approved.outcome = store::Outcome::kApproved;
  approved.reason = Reason::kLedgerClear;
  Decision denied;
  denied.outcome = store::Outcome::kDenied;
  denied.reason = Reason::kOpenDebt;
  // From two threads, as two connection threads would.
  std::thread other([&] {
    m.CountDecision(approved);
    m.latency.Observe(3e-6);
  });
  m.CountDecision(approved);
  m.CountDecision(denied);
  m.bad_requests.Add();
  m.store_errors.Add();
  m.latency.Observe(150e-6);
  other.join();

  const std::string text = Exposition(m);
  INFO(text);
  CHECK(text.find("# TYPE jwo_fa_decisions_total counter") != std::string::npos);
  CHECK(text.find("jwo_fa_decisions_total{outcome=\"approved\",reason=\"ledger_clear\"} 2") !=
        std::string::npos);
  CHECK(text.find("jwo_fa_decisions_total{outcome=\"denied\",reason=\"open_debt\"} 1") !=
        std::string::npos);
  CHECK(text.find("jwo_fa_decisions_total{outcome=\"denied\",reason=\"ledger_clear\"} 0") !=
        std::string::npos);
  CHECK(text.find("jwo_fa_rejected_requests_total{status=\"400\"} 1") != std::string::npos);
  CHECK(text.find("jwo_fa_rejected_requests_total{status=\"404\"} 0") != std::string::npos);
  CHECK(text.find("jwo_fa_store_errors_total 1") != std::string::npos);
  CHECK(text.find("# TYPE jwo_fa_decision_seconds histogram") != std::string::npos);
  CHECK(text.find("jwo_fa_decision_seconds_count 2") != std::string::npos);
  CHECK(text.find("jwo_fa_decision_seconds_bucket{le=\"5e-06\"} 1") != std::string::npos);
  CHECK(text.find("jwo_fa_decision_seconds_bucket{le=\"0.0002\"} 2") != std::string::npos);
  CHECK(text.find("jwo_fa_decision_seconds_bucket{le=\"+Inf\"} 2") != std::string::npos);
}

}  // namespace
}  // namespace jwo::fa
