// RequestLog: what the simulator received and answered, and the protocol violations it saw,
// kept for tests to assert on (GET /_sim/requests, GET /_sim/violations).
//
// Bounded: past `max_records` requests the oldest are discarded (and counted), so a
// long-running simulator's memory stays flat. Violations are few by nature and bounded the
// same way. Sequence numbers keep counting across discards, so a reader can ask for everything
// after the last number it saw.
//
// Thread safety: none; the simulator calls it under its own lock.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "http/message.h"

namespace jwo::payment_sim {

struct RecordedRequest {
  uint64_t seq = 0;     // set by Add: 1, 2, ...
  int64_t time_ms = 0;  // Unix epoch milliseconds of receipt
  std::string api;      // "adjust", ...; "" for a path that is no API
  std::string method;
  std::string target;
  std::string peer;
  std::string trip;   // shoppingTripId when the body had one
  std::string store;  // storeId when the body had one
  std::string body;
  http::HeaderList headers;
  bool signature_ok = false;
  std::string signature_error;  // why the signature was refused
  // What was answered. dropped: the connection was closed instead (status 0 unless the
  // request was applied first, see `fault`).
  int status = 0;
  std::string answer;
  std::string fault;  // "", "429", "500", "503", "slow", "drop", "drop_after", "outage"
  int64_t delay_ms = 0;
  bool dropped = false;
  std::string violation;         // the rule broken, if any
  std::string violation_detail;  // its errorMsg
};

struct Violation {
  uint64_t seq = 0;  // the request's sequence number
  int64_t time_ms = 0;
  std::string api;
  std::string trip;
  std::string rule;
  std::string detail;
};

// Which records a reader wants; empty fields match everything.
struct RecordFilter {
  uint64_t after_seq = 0;
  std::string api;
  std::string trip;
};

class RequestLog {
 public:
  // REQUIRES: max_records >= 1.
  explicit RequestLog(size_t max_records) : max_records_(max_records) {}

  // Stores the record (assigning its seq) and returns the seq.
  uint64_t Add(RecordedRequest record);
  void AddViolation(Violation violation);
  void Clear();

  // {"requests": [...], "last_seq": N, "discarded": N}; each record with its fields, the body
  // as text and the headers as [[name, value], ...].
  std::string RequestsJson(const RecordFilter& filter) const;
  // {"violations": [...], "discarded": N}.
  std::string ViolationsJson() const;

  // Counts per API and answer ({"adjust": {"200": 3, "dropped": 1}, ...}), with totals of
  // requests, signature failures and violations: GET /_sim/summary.
  std::string SummaryJson() const;

  uint64_t last_seq() const { return next_seq_ - 1; }
  size_t violation_count() const { return violations_.size(); }
  const std::deque<RecordedRequest>& records() const { return records_; }
  const std::deque<Violation>& violations() const { return violations_; }

 private:
  size_t max_records_;
  uint64_t next_seq_ = 1;
  uint64_t discarded_ = 0;
  uint64_t discarded_violations_ = 0;
  std::deque<RecordedRequest> records_;
  std::deque<Violation> violations_;
};

}  // namespace jwo::payment_sim
