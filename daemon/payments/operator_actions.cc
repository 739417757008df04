#include "payments/operator_actions.h"

#include <algorithm>

#include "core/ids.h"
#include "store/codec.h"

namespace jwo::payments {
namespace {

using core::Status;
using core::StatusCode;

bool IsReasonCode(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

// Operators retry and drop dead letters only: a live entry is sent anyway (and may be on the
// wire), and an unknown Capture is resolved with its trip.
Status OnlyDeadLetters(const store::OutboxEntry& e, std::string_view otherwise) {
  if (e.outcome_unknown) {
    return Status(StatusCode::kFailedPrecondition,
                  "this Capture has an unknown outcome: resolve its trip with `jwo-edgectl trip "
                  "resolve " +
                      e.trip_id + " captured AMOUNT | not-captured`");
  }
  if (!e.dead) {
    return Status(
        StatusCode::kFailedPrecondition,
        "entry " + std::to_string(e.sequence) + " is not a dead letter: " + std::string(otherwise));
  }
  return Status::Ok();
}

}  // namespace

int64_t PendingRefunds(const store::TripRecord& t) {
  int64_t pending = 0;
  for (const auto& r : t.refunds) {
    if (r.state == store::RefundState::kPending) pending += r.amount;
  }
  return pending;
}

int64_t RefundWindowEndMs(const store::TripRecord& t, uint32_t window_days) {
  const int64_t since = t.end_ms != 0 ? t.end_ms : t.created_ms;
  return since + int64_t{window_days} * 86'400'000;
}

core::Result<std::string> RequestRefund(store::WriteTxn& txn, std::string_view trip_id,
                                        int64_t amount, std::string_view reason_code,
                                        std::string_view actor, uint32_t window_days,
                                        const LifecyclePolicy& policy, int64_t now,
                                        const std::function<std::string()>& new_id) {
  auto trip = LoadTrip(txn, trip_id);
  if (!trip.ok()) return trip.status();
  store::TripRecord& t = *trip;
  if (!IsReasonCode(reason_code)) {
    return Status(StatusCode::kInvalidArgument,
                  "refund reason must be a code such as DAMAGED_ITEM ([A-Z_]+)");
  }
  if (t.state != store::TripState::kCaptured || t.captured <= 0) {
    return Status(StatusCode::kFailedPrecondition, "trip is " +
                                                       std::string(store::TripStateName(t.state)) +
                                                       ": only a captured trip can be refunded");
  }
  if (now > RefundWindowEndMs(t, window_days)) {
    return Status(
        StatusCode::kFailedPrecondition,
        "the refund window of " + std::to_string(window_days) + " days after the trip has passed");
  }
  const int64_t pending = PendingRefunds(t);
  const int64_t refundable = t.captured - t.refunded - pending;
  if (amount <= 0 || amount > refundable) {
    return Status(StatusCode::kOutOfRange,
                  "refund must be between 1 and " + std::to_string(refundable) +
                      " minor units (captured " + std::to_string(t.captured) + ", refunded " +
                      std::to_string(t.refunded) + ", pending " + std::to_string(pending) + ")");
  }
  store::RefundRecord r;
  r.refund_request_id = new_id();
  r.amount = amount;
  r.reason = std::string(reason_code);
  r.actor = std::string(actor);
  r.requested_ms = now;
  r.state = store::RefundState::kPending;
  t.refunds.push_back(r);
  t.Record(now, "refund_queued", std::to_string(amount) + " " + r.reason);
  if (auto s = Enqueue(txn, store::Operation::kRefund, t.trip_id, RefundBody(policy.store_id, t, r),
                       now);
      !s.ok()) {
    return s.status();
  }
  if (Status s = SaveTrip(txn, t); !s.ok()) return s;
  return r.refund_request_id;
}

core::Result<store::TripRecord> ResolveHeld(store::WriteTxn& txn, std::string_view trip_id,
                                            HeldAction action, std::string_view line,
                                            int64_t amount, std::string_view currency,
                                            std::string_view actor, const LifecyclePolicy& policy,
                                            int64_t now) {
  auto trip = LoadTrip(txn, trip_id);
  if (!trip.ok()) return trip.status();
  store::TripRecord& t = *trip;
  if (t.state != store::TripState::kHeld) {
    return Status(StatusCode::kFailedPrecondition,
                  "trip is " + std::string(store::TripStateName(t.state)) + ", not held");
  }
  if (action == HeldAction::kRelease) {
    t.Record(now, "released_by_operator", std::string(actor));
    t.unpriced.clear();
  } else {
    // Unpriced entries read "line <id> (<item>): <reason>".
    const std::string prefix = "line " + std::string(line) + " (";
    auto it = std::find_if(t.unpriced.begin(), t.unpriced.end(),
                           [&](const std::string& u) { return u.rfind(prefix, 0) == 0; });
    if (it == t.unpriced.end()) {
      return Status(StatusCode::kNotFound, "no unpriced line '" + std::string(line) + "'");
    }
    const size_t close = it->find(')');
    const std::string item = it->substr(prefix.size(), close - prefix.size());
    if (action == HeldAction::kPriceLine) {
      if (amount < 0) return Status(StatusCode::kOutOfRange, "a price cannot be negative");
      if (!currency.empty() && !t.currency.empty() && currency != t.currency) {
        return Status(StatusCode::kInvalidArgument, "trip is in " + t.currency);
      }
      if (t.currency.empty()) t.currency = std::string(currency);
      store::PricedLineRecord p;
      p.line_id = std::string(line);
      p.sku = item;
      p.name = "priced by " + std::string(actor);
      p.quantity = "1";
      p.unit_price = p.gross = p.total = amount;
      t.priced.push_back(p);
      t.subtotal += amount;
      t.total += amount;
      t.Record(now, "line_priced_by_operator", std::string(line) + " " + std::to_string(amount));
    } else {
      t.Record(now, "line_removed_by_operator", std::string(line));
    }
    t.unpriced.erase(it);
  }
  if (!t.unpriced.empty()) {
    if (Status s = SaveTrip(txn, t); !s.ok()) return s;
    return t;
  }
  // An all-removed cart has nothing to charge: StartTrip cancels the pre-auth.
  if (t.priced.empty()) t.cart.clear();
  if (!t.priced.empty() && t.total > 0 && t.currency.empty()) {
    return Status(StatusCode::kFailedPrecondition, "trip has no currency to charge in");
  }
  t.state = store::TripState::kAdjusting;
  if (Status s = StartTrip(txn, t, policy, now); !s.ok()) return s;
  return t;
}

core::Result<std::vector<store::TripRecord>> ListTrips(const store::ReadTxn& txn,
                                                       std::string_view state, size_t limit) {
  std::vector<store::TripRecord> out;
  Status error;
  Status s = txn.Scan(store::Table::kTrips, {}, [&](std::string_view, std::string_view v) {
    auto t = store::DecodeTrip(v);
    if (!t.ok()) {
      error = t.status();
      return false;
    }
    if (state.empty() || store::TripStateName(t->state) == state) out.push_back(std::move(*t));
    return true;
  });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.created_ms < b.created_ms; });
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<ptrdiff_t>(limit));
  return out;
}

core::Result<std::vector<store::OutboxEntry>> ListOutbox(const store::ReadTxn& txn, bool dead_only,
                                                         size_t limit) {
  std::vector<store::OutboxEntry> out;
  Status error;
  Status s = txn.Scan(store::Table::kOutbox, {}, [&](std::string_view k, std::string_view v) {
    auto e = store::DecodeOutbox(k, v);
    if (!e.ok()) {
      error = e.status();
      return false;
    }
    if (!dead_only || e->dead) out.push_back(std::move(*e));
    return out.size() < limit;
  });
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  return out;
}

core::Result<store::OutboxEntry> GetOutbox(const store::ReadTxn& txn, uint64_t sequence) {
  const std::string key = store::BigEndianKey(sequence);
  auto bytes = txn.Get(store::Table::kOutbox, key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) {
    return Status(StatusCode::kNotFound, "no outbox entry " + std::to_string(sequence));
  }
  return store::DecodeOutbox(key, **bytes);
}

core::Result<store::TripRecord> ResolveUnknownCapture(store::WriteTxn& txn,
                                                      std::string_view trip_id,
                                                      std::optional<int64_t> captured,
                                                      std::string_view actor,
                                                      const LifecyclePolicy& policy, int64_t now) {
  auto trip = LoadTrip(txn, trip_id);
  if (!trip.ok()) return trip.status();
  store::TripRecord& t = *trip;
  if (t.state != store::TripState::kCaptureUnknown) {
    return Status(
        StatusCode::kFailedPrecondition,
        "trip is " + std::string(store::TripStateName(t.state)) + ", not capture_unknown");
  }
  std::optional<store::OutboxEntry> held;
  Status decode = Status::Ok();
  Status scan = txn.Scan(store::Table::kOutbox, {}, [&](std::string_view k, std::string_view v) {
    auto e = store::DecodeOutbox(k, v);
    if (!e.ok()) {
      decode = e.status();
      return false;
    }
    if (e->trip_id == trip_id && e->operation == store::Operation::kCapture) held = std::move(*e);
    return !held.has_value();
  });
  if (!scan.ok()) return scan;
  if (!decode.ok()) return decode;
  if (!held) {
    return Status(StatusCode::kCorruption, "trip is capture_unknown but has no Capture entry");
  }
  auto sent = SentAmount(held->body, t);
  if (!sent.ok()) return sent.status();
  const std::string key = store::BigEndianKey(held->sequence);
  if (captured.has_value()) {
    if (*captured != *sent) {
      return Status(StatusCode::kInvalidArgument,
                    "the Capture of this trip was for " + std::to_string(*sent) +
                        " minor units; a Capture is all or nothing, so Amazon captured that or "
                        "nothing (got " +
                        std::to_string(*captured) + ")");
    }
    // As if the answer had come: the same transition, the same follow-up calls.
    if (auto applied = ApplyAnswer(txn, *held, 200, "", policy, now); !applied.ok()) {
      return applied.status();
    }
    auto after = LoadTrip(txn, trip_id);
    if (!after.ok()) return after.status();
    after->Record(now, "capture_confirmed_by_operator", std::string(actor));
    if (Status s = SaveTrip(txn, *after); !s.ok()) return s;
    return *after;
  }
  held->outcome_unknown = false;
  held->attempt_started_ms = 0;
  held->next_attempt_ms = now;
  held->last_error = "resolved not-captured by " + std::string(actor);
  if (Status s = txn.Put(store::Table::kOutbox, key, store::EncodeOutbox(*held)); !s.ok()) return s;
  t.state = store::TripState::kCapturing;
  t.Record(now, "capture_denied_by_operator", std::string(actor) + "; Capture sent once more");
  if (Status s = SaveTrip(txn, t); !s.ok()) return s;
  return t;
}

Status RetryOutbox(store::WriteTxn& txn, uint64_t sequence, int64_t now) {
  auto e = GetOutbox(txn, sequence);
  if (!e.ok()) return e.status();
  if (Status s = OnlyDeadLetters(*e, "it is sent anyway"); !s.ok()) return s;
  e->dead = false;
  e->attempts = 0;
  e->next_attempt_ms = now;
  e->attempt_started_ms = 0;
  if (Status s =
          txn.Put(store::Table::kOutbox, store::BigEndianKey(sequence), store::EncodeOutbox(*e));
      !s.ok()) {
    return s;
  }
  auto trip = LoadTrip(txn, e->trip_id);
  if (!trip.ok()) return trip.status();
  if (trip->state == store::TripState::kAttention) {
    // Back to the state that waits for this call.
    trip->state = e->operation == store::Operation::kAdjust    ? store::TripState::kAdjusting
                  : e->operation == store::Operation::kCapture ? store::TripState::kCapturing
                  : e->operation == store::Operation::kCancel  ? store::TripState::kCancelling
                                                               : trip->state;
  }
  trip->Record(now, "dead_letter_retried", std::string(store::OperationName(e->operation)));
  return SaveTrip(txn, *trip);
}

Status DropOutbox(store::WriteTxn& txn, uint64_t sequence, std::string_view actor, int64_t now) {
  auto e = GetOutbox(txn, sequence);
  if (!e.ok()) return e.status();
  if (Status s = OnlyDeadLetters(*e, "it may be on the wire, and its answer would be lost");
      !s.ok()) {
    return s;
  }
  if (Status s = txn.Delete(store::Table::kOutbox, store::BigEndianKey(sequence)); !s.ok()) {
    return s;
  }
  auto trip = LoadTrip(txn, e->trip_id);
  if (!trip.ok()) return trip.status();
  if (e->operation == store::Operation::kRefund) MarkRefundFailed(*trip, e->body);
  trip->Record(now, "outbox_entry_dropped",
               std::string(store::OperationName(e->operation)) + " by " + std::string(actor));
  return SaveTrip(txn, *trip);
}

}  // namespace jwo::payments
