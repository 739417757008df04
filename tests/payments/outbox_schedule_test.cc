#include "payments/outbox_schedule.h"

#include <catch2/catch_test_macros.hpp>

using namespace jwo;
using payments::AttemptOutcome;
using payments::ClassifyAttempt;
using payments::CommitKind;
using payments::OutboundResult;
using payments::OutboxSchedule;
using payments::RetryReason;
using payments::TransportOutcome;
using payments::UnknownCapturePolicy;
using store::Operation;

namespace {

store::OutboxEntry Entry(uint64_t seq, Operation op, const std::string& trip, int64_t due = 0) {
  store::OutboxEntry e;
  e.sequence = seq;
  e.operation = op;
  e.trip_id = trip;
  e.body = "{}";
  e.next_attempt_ms = due;
  return e;
}

OutboundResult Answer(int status) {
  OutboundResult r;
  r.outcome = TransportOutcome::kResponse;
  r.status = status;
  r.request_may_have_been_sent = r.request_fully_written = true;
  return r;
}

OutboundResult Broken(TransportOutcome how, bool fully_written) {
  OutboundResult r;
  r.outcome = how;
  r.request_may_have_been_sent = fully_written;
  r.request_fully_written = fully_written;
  r.error = "broken";
  return r;
}

// Loads `rows` into a fresh schedule as the first scan after a start does.
OutboxSchedule Loaded(std::vector<store::OutboxEntry> rows,
                      UnknownCapturePolicy policy = UnknownCapturePolicy::kHold,
                      std::vector<store::OutboxEntry>* recovered = nullptr) {
  payments::ScheduleOptions o;
  o.unknown_capture = policy;
  o.max_in_flight = 4;
  OutboxSchedule s(o, 42);
  auto r = s.Merge(s.BeginScan(true), std::move(rows));
  if (recovered != nullptr) *recovered = r;
  return s;
}

std::vector<uint64_t> Due(OutboxSchedule& s, int64_t now) {
  int64_t next = now + 60'000;
  std::vector<uint64_t> out;
  for (const auto& d : s.TakeDue(now, &next)) out.push_back(d.entry.sequence);
  return out;
}

}  // namespace

TEST_CASE("attempt outcomes: not processed, answered, unknown") {
  CHECK(ClassifyAttempt(Answer(200)) == AttemptOutcome::kAnswered);
  CHECK(ClassifyAttempt(Answer(400)) == AttemptOutcome::kAnswered);
  CHECK(ClassifyAttempt(Answer(404)) == AttemptOutcome::kAnswered);
  for (int s : {429, 503, 401, 403, 408}) {
    INFO(s);
    CHECK(ClassifyAttempt(Answer(s)) == AttemptOutcome::kNotProcessed);
  }
  for (int s : {500, 502, 504}) {
    INFO(s);
    CHECK(ClassifyAttempt(Answer(s)) == AttemptOutcome::kUnknown);
  }
  CHECK(ClassifyAttempt(Broken(TransportOutcome::kConnectFailed, false)) ==
        AttemptOutcome::kNotProcessed);
  CHECK(ClassifyAttempt(Broken(TransportOutcome::kTlsFailed, false)) ==
        AttemptOutcome::kNotProcessed);
  CHECK(ClassifyAttempt(Broken(TransportOutcome::kQueueFull, false)) ==
        AttemptOutcome::kNotProcessed);
  // Broken off before the last byte: the server cannot have acted on half a request.
  CHECK(ClassifyAttempt(Broken(TransportOutcome::kConnectionLost, false)) ==
        AttemptOutcome::kNotProcessed);
  CHECK(ClassifyAttempt(Broken(TransportOutcome::kTimeout, false)) ==
        AttemptOutcome::kNotProcessed);
  CHECK(ClassifyAttempt(Broken(TransportOutcome::kTimeout, true)) == AttemptOutcome::kUnknown);
  CHECK(ClassifyAttempt(Broken(TransportOutcome::kConnectionLost, true)) ==
        AttemptOutcome::kUnknown);
  CHECK(ClassifyAttempt(Broken(TransportOutcome::kStopped, true)) == AttemptOutcome::kUnknown);
}

TEST_CASE("a Capture is sent only after its start is committed, and held when unanswered") {
  auto s = Loaded({Entry(1, Operation::kCapture, "t")});
  int64_t next = 1'000'000;
  auto due = s.TakeDue(0, &next);
  REQUIRE(due.size() == 1);
  CHECK(due[0].start_commit);
  // Regression: the dispatcher sent the same Capture 14 times when its answers were lost.
  const auto plan = s.Plan(1, Broken(TransportOutcome::kTimeout, true));
  CHECK(plan.outcome == AttemptOutcome::kUnknown);
  CHECK(plan.commit == CommitKind::kHoldUnknownCapture);
  s.Finish(1, OutboxSchedule::Verdict::kHeld, RetryReason::kOutcomeUnknown, 0, "", "lost");
  CHECK(Due(s, 10'000'000).empty());
  CHECK(s.Stats(0).unknown_captures == 1);
  CHECK(s.Stats(0).queued == 0);
}

TEST_CASE("under unknown_capture: resend the unanswered Capture goes again") {
  auto s = Loaded({Entry(1, Operation::kCapture, "t")}, UnknownCapturePolicy::kResend);
  REQUIRE(Due(s, 0) == std::vector<uint64_t>{1});
  const auto plan = s.Plan(1, Broken(TransportOutcome::kConnectionLost, true));
  CHECK(plan.commit == CommitKind::kClearAttempt);
  CHECK(plan.reason == RetryReason::kOutcomeUnknown);
  s.Finish(1, OutboxSchedule::Verdict::kRetry, plan.reason, 0, "", plan.error);
  CHECK(Due(s, 10'000'000) == std::vector<uint64_t>{1});
}

TEST_CASE("every other call is repeated after an unknown outcome; a 5xx goes to the lifecycle") {
  for (Operation op :
       {Operation::kAdjust, Operation::kCancel, Operation::kRefund, Operation::kReportPaymentStatus,
        Operation::kGetTransactionalData, Operation::kGetShopperIdentity}) {
    auto s = Loaded({Entry(1, op, "t")});
    REQUIRE(Due(s, 0).size() == 1);
    CHECK(s.Plan(1, Broken(TransportOutcome::kTimeout, true)).commit == CommitKind::kNothing);
    CHECK(s.Plan(1, Broken(TransportOutcome::kTimeout, true)).reason ==
          RetryReason::kOutcomeUnknown);
    CHECK(s.Plan(1, Answer(500)).commit == CommitKind::kApplyAnswer);
    CHECK(s.Plan(1, Answer(200)).commit == CommitKind::kApplyAnswer);
  }
}

TEST_CASE("a Capture refused before processing clears its mark; a 500 is unknown") {
  auto s = Loaded({Entry(1, Operation::kCapture, "t")});
  REQUIRE(Due(s, 0).size() == 1);
  CHECK(s.Plan(1, Broken(TransportOutcome::kConnectFailed, false)).commit ==
        CommitKind::kClearAttempt);
  CHECK(s.Plan(1, Answer(429)).commit == CommitKind::kApplyAnswer);
  CHECK(s.Plan(1, Answer(503)).commit == CommitKind::kApplyAnswer);
  CHECK(s.Plan(1, Answer(500)).commit == CommitKind::kHoldUnknownCapture);
  CHECK(s.Plan(1, Answer(504)).commit == CommitKind::kHoldUnknownCapture);
  // Stopping before any byte left: nothing to record, nothing happened.
  CHECK(s.Plan(1, Broken(TransportOutcome::kStopped, false)).commit == CommitKind::kNothing);
}

TEST_CASE("a Capture found started at start-up is recovered, never sent") {
  auto capture = Entry(7, Operation::kCapture, "t");
  capture.attempt_started_ms = 1234;
  std::vector<store::OutboxEntry> recovered;
  auto s =
      Loaded({capture, Entry(8, Operation::kAdjust, "u")}, UnknownCapturePolicy::kHold, &recovered);
  REQUIRE(recovered.size() == 1);
  CHECK(recovered[0].sequence == 7);
  CHECK(Due(s, 0) == std::vector<uint64_t>{8});  // 7 waits for its recovery commit
  s.Finish(7, OutboxSchedule::Verdict::kHeld, RetryReason::kOutcomeUnknown, 0, "", "crash");
  CHECK(Due(s, 10'000'000).empty());
  // A later scan does not bring it back.
  capture.outcome_unknown = true;
  CHECK(s.Merge(s.BeginScan(true), {capture, Entry(8, Operation::kAdjust, "u")}).empty());
  CHECK(s.Stats(0).unknown_captures == 1);
}

TEST_CASE("an operator's not-captured revives the held Capture at the next scan") {
  auto s = Loaded({Entry(1, Operation::kCapture, "t")});
  REQUIRE(Due(s, 0).size() == 1);
  s.Finish(1, OutboxSchedule::Verdict::kHeld, RetryReason::kOutcomeUnknown, 0, "", "lost");
  CHECK(Due(s, 0).empty());
  s.Merge(s.BeginScan(true), {Entry(1, Operation::kCapture, "t", 5)});  // live again, due at 5
  CHECK(Due(s, 5) == std::vector<uint64_t>{1});
}

TEST_CASE("per-trip order, the in-flight bound and backoff") {
  auto s = Loaded({Entry(1, Operation::kAdjust, "a"), Entry(2, Operation::kAdjust, "b"),
                   Entry(3, Operation::kCapture, "a"), Entry(4, Operation::kAdjust, "c"),
                   Entry(5, Operation::kAdjust, "d"), Entry(6, Operation::kAdjust, "e")});
  // Only the oldest entry of a trip; at most 4 on the wire.
  CHECK(Due(s, 0) == std::vector<uint64_t>{1, 2, 4, 5});
  CHECK(Due(s, 0).empty());
  s.Finish(1, OutboxSchedule::Verdict::kDone, RetryReason::kNone, 0, "", "");
  CHECK(Due(s, 0) == std::vector<uint64_t>{3});
  s.Finish(2, OutboxSchedule::Verdict::kRetry, RetryReason::kServerError, 0, "", "HTTP 500");
  s.Finish(4, OutboxSchedule::Verdict::kRetry, RetryReason::kPending, 0, "", "PENDING");
  s.Finish(5, OutboxSchedule::Verdict::kRetry, RetryReason::kThrottled, 0, "30", "HTTP 429");
  CHECK(Due(s, 0) == std::vector<uint64_t>{6});
  // Backoff: a first retry within [base/2, base]; PENDING after pending_retry_ms; Retry-After
  // as a floor.
  CHECK(s.Find(2)->next_attempt_ms >= 500);
  CHECK(s.Find(2)->next_attempt_ms <= 1000);
  CHECK(s.Find(4)->next_attempt_ms == 5000);
  CHECK(s.Find(5)->next_attempt_ms == 30'000);
  CHECK(s.Find(2)->attempts == 1);
}

TEST_CASE("retry jitter is a function of the seed") {
  auto run = [](uint64_t seed) {
    payments::ScheduleOptions o;
    OutboxSchedule s(o, seed);
    s.Merge(s.BeginScan(true), {Entry(1, Operation::kAdjust, "a")});
    std::vector<int64_t> times;
    for (int i = 0; i < 5; ++i) {
      int64_t next = 1LL << 60;
      REQUIRE(s.TakeDue(1LL << 50, &next).size() == 1);
      s.Finish(1, OutboxSchedule::Verdict::kRetry, RetryReason::kServerError, 0, "", "");
      times.push_back(s.Find(1)->next_attempt_ms);
      s.Merge(s.BeginScan(false), {});
    }
    return times;
  };
  CHECK(run(7) == run(7));
  CHECK(run(7) != run(8));
}

TEST_CASE("an expiry forgets the trip's withdrawn calls at once") {
  auto s = Loaded({Entry(1, Operation::kCapture, "t"), Entry(2, Operation::kRefund, "t"),
                   Entry(3, Operation::kAdjust, "u")});
  CHECK_FALSE(s.TripBusy("t"));
  REQUIRE(s.MarkExpiring("t"));
  CHECK_FALSE(s.MarkExpiring("t"));
  CHECK(Due(s, 0) == std::vector<uint64_t>{3});  // nothing of t while its expiry commits
  s.Expired("t");
  // Regression: the withdrawn Capture stayed in memory until the next rescan and could be
  // sent once after the expiry had turned the trip into debt.
  CHECK(Due(s, 0) == std::vector<uint64_t>{2});
  CHECK(s.TripBusy("t"));
}

TEST_CASE("a snapshot older than an answer does not bring the answered entry back") {
  auto s = Loaded({Entry(1, Operation::kAdjust, "a")});
  const auto range = s.BeginScan(true);  // snapshot taken ...
  REQUIRE(Due(s, 0).size() == 1);
  s.Finish(1, OutboxSchedule::Verdict::kDone, RetryReason::kNone, 0, "", "");  // ... answer
  s.Merge(range, {Entry(1, Operation::kAdjust, "a")});  // ... the old snapshot arrives
  CHECK(Due(s, 0).empty());
}
