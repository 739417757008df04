// TripBook: what the simulated Payment Service knows about each shopping trip — the amount
// adjusted and authorised, captures, cancellation, refunds, reported payment status — and the
// lifecycle rules a correct client never breaks.
//
// Each operation either applies the call or, when the call breaks a rule, reports a Breach and
// changes nothing (the simulator answers 400 with the breach's detail and records a
// violation). One rule can instead be applied and still recorded: second_capture under
// CaptureReplay::kApply (script.h), where a second Capture is charged as a payment service
// without idempotent captures would charge it.
// Rules, by stable name:
//   adjust_after_capture       Adjust for a trip already captured
//   capture_after_cancel       Capture for a cancelled trip
//   second_capture             Capture for a trip already captured, with another amount (the
//                              same amount again is a replay: a retry whose answer was lost);
//                              under kApply any second Capture, applied as a second charge
//   capture_without_approval   Capture before any APPROVED Adjust
//   capture_currency_mismatch  Capture in another currency than the authorised amount
//   capture_above_authorized   Capture above the last APPROVED Adjust amount
//   cancel_after_capture       Cancel for a trip already captured
//   refund_id_reused           refundRequestId seen before with another trip, amount or reason
//   refund_currency_mismatch   Refund in another currency than the capture
//   refund_above_refundable    Refund above captured minus already refunded
//
// Thread safety: none; the simulator calls it under its own lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/money.h"
#include "tests/fakes/payment_sim/api_call.h"
#include "tests/fakes/payment_sim/script.h"

namespace jwo::payment_sim {

struct Breach {
  std::string rule;    // one of the names above
  std::string detail;  // the errorMsg answered, e.g. "capture of 20.00 USD exceeds ..."
};

struct RefundRecord {
  std::string request_id;
  core::Money amount;
  std::string reason;
  std::string answer_body;  // what was answered; a replay gets it again
};

struct StatusReport {
  core::Money total;
  core::Money settled;
  int64_t time = 0;  // paymentStatusTime as sent
};

struct TripState {
  std::string store_id;
  uint32_t adjust_calls = 0;  // Adjusts applied (not those refused)
  std::string last_adjust_status;
  std::optional<core::Money> last_adjust_amount;
  std::optional<core::Money> authorized;  // the amount of the last APPROVED Adjust
  std::vector<core::Money> captures;      // applied captures: one for a correct client
  uint32_t capture_replays = 0;           // identical Captures answered as replays (kNoop)
  bool cancelled = false;
  uint32_t cancel_calls = 0;
  std::vector<RefundRecord> refunds;
  uint32_t refund_replays = 0;
  int64_t refunded_minor = 0;
  std::vector<StatusReport> status_reports;
  uint32_t transactional_data_calls = 0;
};

// What an operation did. `breach` set: nothing changed.
struct BookResult {
  std::optional<Breach> breach;
  bool replay = false;  // the call repeats one already applied; nothing changed
  // Applied, yet a correct client never sends it: answered normally and recorded as a
  // violation (a second Capture under CaptureReplay::kApply).
  std::optional<Breach> violation;
};

class TripBook {
 public:
  // Adjust: a breach when the trip was captured; otherwise records the call with `outcome` and
  // returns the authorizedAmount to answer: the call's amount when APPROVED, else the amount
  // authorised so far (zero in the call's currency when none).
  std::optional<Breach> CheckAdjust(const ApiCall& call) const;
  core::Money ApplyAdjust(const ApiCall& call, AdjustOutcome outcome);

  // Capture: breaches capture_after_cancel, capture_without_approval, capture_currency_mismatch,
  // capture_above_authorized. A second Capture of a captured trip: under kNoop a replay when the
  // amount is the last one captured (counted in capture_replays), else a second_capture breach;
  // under kApply it passes the same checks as the first and is applied with a second_capture
  // `violation`.
  BookResult Capture(const ApiCall& call, CaptureReplay replay = CaptureReplay::kNoop);
  BookResult Cancel(const ApiCall& call);

  // Refund: a new refundRequestId is applied and `answer_body` stored with it; a repeat with
  // the same trip, amount and reason is a replay and `*answer_body` becomes the stored answer.
  BookResult Refund(const ApiCall& call, std::string* answer_body);

  void ReportStatus(const ApiCall& call);
  // Counts a Get Transactional Data call; returns the trip's currency code ("USD" when the trip
  // has none yet).
  std::string TransactionalData(const ApiCall& call);

  // The trip's state, or nullptr when no call for it was applied. Valid until the next change.
  const TripState* Find(const std::string& trip) const;
  size_t size() const { return trips_.size(); }
  void Clear();

  // JSON for the control API (money as {"amount": "15.99", "code": "USD", "minor": 1599}).
  // "captures" is the number of applied captures, "capture_amounts" their amounts.
  std::string TripJson(const std::string& trip) const;  // "" when unknown
  std::string AllJson() const;                          // {"trips": {"<id>": {...}, ...}}

 private:
  TripState& Touch(const ApiCall& call);

  std::map<std::string, TripState> trips_;
  // refundRequestId -> (trip, index in its refunds): ids are unique across trips.
  std::map<std::string, std::pair<std::string, size_t>> refund_ids_;
};

}  // namespace jwo::payment_sim
