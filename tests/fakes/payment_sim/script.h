// Script: a change to the simulator's behaviour, written as JSON. The same document is read
// from --script at start and from POST /_sim/script at run time; docs/payment-simulator.md
// shows the format with examples.
//
//   {
//     "default_adjust": "APPROVED",
//     "trips": [{"trip": "T1", "adjust": ["PENDING", "APPROVED"]}],
//     "unknown_trips": ["T9"],
//     "faults": [{"api": "adjust", "kind": "429", "retry_after": 2, "count": 3}],
//     "outage_seconds": 30,
//     "unknown_shoppers": ["S9"], "all_shoppers_unknown": false,
//     "shopper_email_domain": "example.test",
//     "payment_status": "Accepted", "refund_answer": "empty", "seed": 7,
//     "capture_replay": "noop"
//   }
//
// Every key is optional; a key present replaces that setting (lists of trips, unknown trips and
// unknown shoppers add to what is there, faults are appended). Unknown keys are errors: a typo
// in a test's script must not pass silently.
//
// Thread safety: pure functions and plain values; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tests/fakes/payment_sim/api_call.h"

namespace jwo::payment_sim {

enum class AdjustOutcome { kApproved, kDeclined, kPending };

// "APPROVED", "DECLINED", "PENDING".
std::string_view AdjustOutcomeName(AdjustOutcome outcome);

enum class FaultKind {
  kThrottle,     // "429": 429 with Retry-After
  kServerError,  // "500"
  kUnavailable,  // "503"
  kSlow,         // "slow": answer normally after delay_ms
  kDrop,         // "drop": close the connection unanswered; the request has no effect
  kDropAfter,    // "drop_after": apply the request, then close unanswered (a lost answer)
};

// "429", "500", "503", "slow", "drop", "drop_after".
std::string_view FaultKindName(FaultKind kind);

// What a second Capture for an already captured trip does (trip_book.h).
enum class CaptureReplay {
  // "noop": the same amount again is a replay (a retry whose answer was lost): answered 200,
  // nothing changes; another amount is refused as second_capture.
  kNoop,
  // "apply": any second Capture is a second charge, as a payment service without idempotent
  // captures would make it: applied, answered 200, and recorded as a second_capture violation.
  // Tests use it to prove the client never resends a Capture whose answer it lost.
  kApply,
};

// "noop", "apply".
std::string_view CaptureReplayName(CaptureReplay mode);

// The longest scripted delay of a slow answer: 10 minutes.
inline constexpr int64_t kMaxDelayMs = 10 * 60 * 1000;

struct FaultRule {
  std::optional<Api> api;  // nullopt: every API ("api": "*" or absent)
  std::string trip;        // empty: every trip; else only requests for this trip
  FaultKind kind = FaultKind::kServerError;
  // Fires on the next `count` matching requests; -1: no limit. With `probability` < 1 each
  // matching request fires with that probability (and counts only when it fires).
  int64_t count = -1;
  double probability = 1.0;
  int64_t retry_after_s = 1;  // kThrottle: the Retry-After header
  int64_t delay_ms = 0;       // kSlow; at most kMaxDelayMs
};

struct TripScript {
  std::string trip;
  // Adjust outcomes in call order; the last one repeats. Never empty.
  std::vector<AdjustOutcome> adjust;
};

struct Script {
  std::optional<AdjustOutcome> default_adjust;
  std::vector<TripScript> trips;
  std::vector<std::string> unknown_trips;
  std::vector<FaultRule> faults;
  std::optional<int64_t> outage_ms;  // from "outage_seconds"; 0 ends an outage
  std::vector<std::string> unknown_shoppers;
  std::optional<bool> all_shoppers_unknown;
  std::optional<std::string> shopper_email_domain;
  std::optional<std::string> payment_status;     // "Accepted" or "Rejected"
  std::optional<bool> refund_reconciliation_id;  // "refund_answer": "reconciliation" | "empty"
  std::optional<uint64_t> seed;                  // for probabilistic faults
  std::optional<CaptureReplay> capture_replay;
};

// Parses a script document. kInvalidArgument naming the key (by JSON path, e.g.
// "faults[1].kind") and what is wrong: not JSON, not an object, an unknown key, a value of the
// wrong type or out of range (probability outside [0, 1], a negative count, delay or
// outage, a delay above kMaxDelayMs, an empty adjust list, an unknown outcome, kind, API name or
// capture_replay value, a trip id that is not ^[0-9a-zA-Z_-]+$).
core::Result<Script> ParseScript(std::string_view text);

}  // namespace jwo::payment_sim
