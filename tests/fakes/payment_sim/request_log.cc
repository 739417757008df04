#include "tests/fakes/payment_sim/request_log.h"

#include <boost/json.hpp>
#include <map>

#include "core/time_format.h"

namespace jwo::payment_sim {
namespace {

namespace json = boost::json;

json::object RecordObject(const RecordedRequest& r) {
  json::array headers;
  for (const auto& [name, value] : r.headers) headers.push_back(json::array{name, value});
  json::object o{{"seq", r.seq},
                 {"time", core::FormatIso8601(r.time_ms)},
                 {"api", r.api},
                 {"method", r.method},
                 {"target", r.target},
                 {"peer", r.peer},
                 {"trip", r.trip},
                 {"store", r.store},
                 {"body", r.body},
                 {"headers", std::move(headers)},
                 {"signature", json::object{{"ok", r.signature_ok}, {"error", r.signature_error}}},
                 {"status", r.status},
                 {"answer", r.answer},
                 {"fault", r.fault},
                 {"delay_ms", r.delay_ms},
                 {"dropped", r.dropped}};
  if (!r.violation.empty()) {
    o["violation"] = json::object{{"rule", r.violation}, {"detail", r.violation_detail}};
  }
  return o;
}

}  // namespace

uint64_t RequestLog::Add(RecordedRequest record) {
  record.seq = next_seq_++;
  records_.push_back(std::move(record));
  while (records_.size() > max_records_) {
    records_.pop_front();
    ++discarded_;
  }
  return records_.back().seq;
}

void RequestLog::AddViolation(Violation violation) {
  violations_.push_back(std::move(violation));
  while (violations_.size() > max_records_) {
    violations_.pop_front();
    ++discarded_violations_;
  }
}

void RequestLog::Clear() {
  records_.clear();
  violations_.clear();
  discarded_ = 0;
  discarded_violations_ = 0;
}

std::string RequestLog::RequestsJson(const RecordFilter& filter) const {
  json::array out;
  for (const RecordedRequest& r : records_) {
    if (r.seq <= filter.after_seq) continue;
    if (!filter.api.empty() && r.api != filter.api) continue;
    if (!filter.trip.empty() && r.trip != filter.trip) continue;
    out.push_back(RecordObject(r));
  }
  return json::serialize(json::object{
      {"requests", std::move(out)}, {"last_seq", last_seq()}, {"discarded", discarded_}});
}

std::string RequestLog::ViolationsJson() const {
  json::array out;
  for (const Violation& v : violations_) {
    out.push_back(json::object{{"seq", v.seq},
                               {"time", core::FormatIso8601(v.time_ms)},
                               {"api", v.api},
                               {"trip", v.trip},
                               {"rule", v.rule},
                               {"detail", v.detail}});
  }
  return json::serialize(
      json::object{{"violations", std::move(out)}, {"discarded", discarded_violations_}});
}

std::string RequestLog::SummaryJson() const {
  std::map<std::string, std::map<std::string, uint64_t>> by_api;
  uint64_t bad_signatures = 0;
  for (const RecordedRequest& r : records_) {
    if (!r.signature_ok && r.fault != "outage") ++bad_signatures;
    const std::string answer = r.dropped ? "dropped" : std::to_string(r.status);
    ++by_api[r.api.empty() ? r.target : r.api][answer];
  }
  json::object apis;
  for (const auto& [api, answers] : by_api) {
    json::object counts;
    for (const auto& [answer, n] : answers) counts[answer] = n;
    apis[api] = std::move(counts);
  }
  return json::serialize(json::object{{"requests", records_.size()},
                                      {"discarded", discarded_},
                                      {"last_seq", last_seq()},
                                      {"bad_signatures", bad_signatures},
                                      {"violations", violations_.size()},
                                      {"by_api", std::move(apis)}});
}

}  // namespace jwo::payment_sim
