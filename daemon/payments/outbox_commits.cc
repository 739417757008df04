#include "payments/outbox_commits.h"

#include "core/log.h"
#include "payments/operator_actions.h"
#include "store/codec.h"

namespace jwo::payments {
namespace {

using core::Status;
using core::StatusCode;

// The entry at `seq`, or nullopt when it is gone (GetOutbox's kNotFound).
core::Result<std::optional<store::OutboxEntry>> Load(const store::ReadTxn& txn, uint64_t seq) {
  auto e = GetOutbox(txn, seq);
  if (e.status().code() == StatusCode::kNotFound) return std::optional<store::OutboxEntry>();
  if (!e.ok()) return e.status();
  return std::optional<store::OutboxEntry>(std::move(*e));
}

Status Save(store::WriteTxn& txn, const store::OutboxEntry& e) {
  return txn.Put(store::Table::kOutbox, store::BigEndianKey(e.sequence), store::EncodeOutbox(e));
}

}  // namespace

Status CommitAttemptStart(store::WriteTxn& txn, uint64_t seq, int64_t now) {
  auto e = Load(txn, seq);
  if (!e.ok()) return e.status();
  if (!e->has_value()) return Status(StatusCode::kNotFound, "outbox entry withdrawn");
  store::OutboxEntry& entry = **e;
  if (!entry.live()) {
    return Status(StatusCode::kFailedPrecondition, "outbox entry is not live any more");
  }
  entry.attempt_started_ms = now;
  entry.attempts += 1;
  return Save(txn, entry);
}

core::Result<AnswerOutcome> CommitAnswer(store::WriteTxn& txn, const store::OutboxEntry& sent,
                                         int http_status, std::string_view body,
                                         const LifecyclePolicy& policy, int64_t now) {
  auto e = Load(txn, sent.sequence);
  if (!e.ok()) return e.status();
  if (!e->has_value()) {
    // Withdrawn while on the wire (an operator dropped it, or the pre-auth expired). A
    // Capture that succeeded still moved money: record it rather than lose it.
    const bool success = http_status >= 200 && http_status < 300;
    if (sent.operation == store::Operation::kCapture && success) {
      if (Status s = ApplyOrphanCapture(txn, sent, now); !s.ok()) return s;
    } else if (sent.operation == store::Operation::kRefund && success) {
      // The money went back: the refund is recorded even though its entry was given up
      // (ApplyAnswer consumes the entry, so it is put back for it within this transaction).
      if (Status s = Save(txn, sent); !s.ok()) return s;
      return ApplyAnswer(txn, sent, http_status, body, policy, now);
    }
    return AnswerOutcome{};
  }
  store::OutboxEntry& entry = **e;
  auto outcome = ApplyAnswer(txn, entry, http_status, body, policy, now);
  if (!outcome.ok()) return outcome.status();
  if (outcome->verdict == AnswerVerdict::kRetry) {
    if (sent.operation != store::Operation::kCapture)
      entry.attempts += 1;  // Captures count at start
    entry.last_error = outcome->detail;
    entry.attempt_started_ms = 0;  // answered: nothing of it is on the wire any more
    if (Status s = Save(txn, entry); !s.ok()) return s;
  }
  return outcome;
}

Status CommitNotProcessed(store::WriteTxn& txn, uint64_t seq, std::string_view error) {
  auto e = Load(txn, seq);
  if (!e.ok()) return e.status();
  if (!e->has_value()) return Status::Ok();
  store::OutboxEntry& entry = **e;
  entry.attempt_started_ms = 0;
  entry.last_error = std::string(error.substr(0, 1024));
  return Save(txn, entry);
}

Status HoldUnknownCapture(store::WriteTxn& txn, uint64_t seq, std::string_view why, int64_t now) {
  auto e = Load(txn, seq);
  if (!e.ok()) return e.status();
  if (!e->has_value()) return Status::Ok();
  store::OutboxEntry& entry = **e;
  entry.outcome_unknown = true;
  entry.last_error = "outcome unknown: " + std::string(why.substr(0, 1000));
  if (Status s = Save(txn, entry); !s.ok()) return s;
  auto trip = LoadTripHead(txn, entry.trip_id);
  if (!trip.ok()) return trip.status();
  trip->state = store::TripState::kCaptureUnknown;
  trip->Record(now, "capture_outcome_unknown", std::string(why.substr(0, 512)));
  core::LogError(
      "a Capture was sent and its answer never came; not sent again: check with Amazon and "
      "resolve (jwo-edgectl trip resolve TRIP captured AMOUNT | not-captured)",
      {{"trip", entry.trip_id}, {"seq", std::to_string(seq)}, {"why", std::string(why)}});
  return SaveTrip(txn, *trip);
}

Status RecoverStartedCapture(store::WriteTxn& txn, uint64_t seq, UnknownCapturePolicy policy,
                             int64_t now) {
  if (policy == UnknownCapturePolicy::kHold) {
    return HoldUnknownCapture(txn, seq, "the daemon stopped while the Capture was on the wire",
                              now);
  }
  auto e = Load(txn, seq);
  if (!e.ok()) return e.status();
  if (!e->has_value()) return Status::Ok();
  store::OutboxEntry& entry = **e;
  entry.attempt_started_ms = 0;
  entry.last_error =
      "outcome unknown after a restart; sent again (payments.unknown_capture: resend)";
  if (Status s = Save(txn, entry); !s.ok()) return s;
  auto trip = LoadTripHead(txn, entry.trip_id);
  if (!trip.ok()) return trip.status();
  trip->Record(now, "capture_resent_after_restart");
  return SaveTrip(txn, *trip);
}

}  // namespace jwo::payments
