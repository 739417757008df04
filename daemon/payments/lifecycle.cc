#include "payments/lifecycle.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/json.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/money.h"
#include "ledger/ledger.h"
#include "mail/mail_outbox.h"
#include "store/codec.h"
#include "store/shopper_index.h"

namespace jwo::payments {
namespace {

namespace json = boost::json;
using core::Status;
using store::Operation;
using store::TripState;

std::string Quote(std::string_view s) { return core::JsonQuote(s); }

std::string MoneyJson(int64_t minor, const std::string& currency) {
  core::JsonWriter w;
  w.BeginObject().Key("amount");
  if (auto c = core::FindCurrency(currency)) {
    w.Money(minor, *c);
  } else {
    w.Int(minor);
  }
  w.Key("code").String(currency).EndObject();
  return w.Take();
}

std::string TripHead(const std::string& store_id, const store::TripRecord& t) {
  return R"({"storeId":)" + Quote(store_id) + R"(,"shoppingTripId":)" + Quote(t.trip_id);
}

bool IsShopperIdForIdentity(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  for (char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status QueueShopperIdentity(store::WriteTxn& txn, store::TripRecord& t,
                            const LifecyclePolicy& policy, int64_t now) {
  if (t.identity_requested || t.have_shopper_identity || !IsShopperIdForIdentity(t.shopper_id)) {
    return Status::Ok();
  }
  std::string body = R"({"storeId":)" + Quote(policy.store_id) + R"(,"shopperId":{"id":)" +
                     Quote(t.shopper_id) + "}}";
  if (auto s = Enqueue(txn, Operation::kGetShopperIdentity, t.trip_id, std::move(body), now);
      !s.ok()) {
    return s.status();
  }
  t.identity_requested = true;
  return Status::Ok();
}

namespace {

Status RecordDebt(store::WriteTxn& txn, store::TripRecord& t, int64_t amount,
                  store::DebtCause cause, const LifecyclePolicy& policy, int64_t now) {
  if (t.shopper_id.empty()) {
    // Nobody to charge later: keep the trip visible to operators instead of losing the amount.
    t.Record(now, "debt_unattributed", "no shopper id for this trip; " + std::to_string(amount));
    core::LogError("declined trip has no shopper to record the debt against",
                   {{"trip", t.trip_id}});
    return Status::Ok();
  }
  store::DebtRecord d;
  d.shopper_id = t.shopper_id;
  d.trip_id = t.trip_id;
  d.kind = store::DebtKindOf(cause);
  // An unknown code leaves the currency empty, and AddDebt refuses it (kInvalidArgument).
  d.amount = {amount, core::FindCurrency(t.currency).value_or(core::Currency{})};
  d.cause = cause;
  d.origin_store = policy.store_id;
  d.created_ms = now;
  Status s = ledger::AddDebt(txn, d, now);
  // The same kind for the same trip: this debt was recorded before. A debt of another kind
  // (an operator's manual one) has its own key and never lands here.
  if (s.code() == core::StatusCode::kAlreadyExists) return Status::Ok();
  if (s.ok()) t.Record(now, "debt_recorded", std::string(store::DebtCauseName(cause)));
  return s;
}

Status QueueAfterCapture(store::WriteTxn& txn, store::TripRecord& t, const LifecyclePolicy& policy,
                         int64_t now) {
  if (auto s = Enqueue(txn, Operation::kGetTransactionalData, t.trip_id,
                       TripHead(policy.store_id, t) + "}", now);
      !s.ok()) {
    return s.status();
  }
  return QueueShopperIdentity(txn, t, policy, now);
}

Status QueueReport(store::WriteTxn& txn, store::TripRecord& t, const LifecyclePolicy& policy,
                   int64_t settled, int64_t now) {
  if (!policy.report_payment_status) return Status::Ok();
  return Enqueue(txn, Operation::kReportPaymentStatus, t.trip_id,
                 PaymentStatusBody(policy.store_id, t, settled, now), now)
      .status();
}

}  // namespace

core::Result<int64_t> SentAmount(std::string_view sent_body, const store::TripRecord& t) {
  auto doc = core::ParseJson(sent_body);
  auto cur = core::FindCurrency(t.currency);
  const json::value* a = nullptr;
  if (doc.ok() && doc->is_object()) a = doc->get_object().if_contains("amount");
  if (!cur || a == nullptr || !a->is_object() || !a->get_object().if_contains("amount")) {
    // We built this body: an amount that cannot be read back means the stored entry is
    // damaged. Guessing (the trip total) could book the wrong money.
    return Status(core::StatusCode::kCorruption,
                  "the stored request of trip " + t.trip_id + " carries no readable amount");
  }
  auto minor = core::JsonToMinorUnits(a->get_object().at("amount"), *cur);
  if (!minor.ok()) {
    return Status(core::StatusCode::kCorruption,
                  "the stored request of trip " + t.trip_id + " has an unreadable amount");
  }
  return *minor;
}

namespace {

// An Adjust answer: {"status": ..., "authorizedAmount": {"amount": ..., "code": ...}}.
struct AdjustAnswer {
  std::string status;
  bool has_authorized = false;   // authorizedAmount present
  std::string authorized_error;  // why it cannot be used, when present but not usable
  int64_t authorized = 0;        // minor units of the trip's currency
};

bool ParseAdjust(std::string_view body, const std::string& currency, AdjustAnswer& out) {
  auto doc = core::ParseJson(body);
  if (!doc.ok() || !doc->is_object()) return false;
  const json::object& o = doc->get_object();
  const json::value* s = o.if_contains("status");
  if (s == nullptr || !s->is_string()) return false;
  out.status = std::string(s->get_string());
  const json::value* a = o.if_contains("authorizedAmount");
  if (a == nullptr || a->is_null()) return true;
  out.has_authorized = true;
  const json::object* ao = a->if_object();
  const json::value* amount = ao ? ao->if_contains("amount") : nullptr;
  const json::value* code = ao ? ao->if_contains("code") : nullptr;
  auto cur = core::FindCurrency(currency);
  if (amount == nullptr || !cur) {
    out.authorized_error = "authorizedAmount has no amount";
    return true;
  }
  if (code != nullptr && (!code->is_string() || code->get_string() != currency)) {
    out.authorized_error = "authorizedAmount is not in the trip's currency " + currency;
    return true;
  }
  auto minor = core::JsonToMinorUnits(*amount, *cur);
  if (!minor.ok()) {
    out.authorized_error = "authorizedAmount.amount is not readable: " + minor.status().message();
    return true;
  }
  if (*minor < 0) {
    out.authorized_error = "authorizedAmount is negative";
    return true;
  }
  out.authorized = *minor;
  return true;
}

AnswerOutcome Retry(RetryReason reason, std::string detail) {
  return AnswerOutcome{AnswerVerdict::kRetry, reason, std::move(detail)};
}

}  // namespace

void MarkRefundFailed(store::TripRecord& t, std::string_view sent_body) {
  auto doc = core::ParseJson(sent_body);
  if (!doc.ok() || !doc->is_object()) return;
  const json::value* id = doc->get_object().if_contains("refundRequestId");
  if (id == nullptr || !id->is_string()) return;
  for (store::RefundRecord& r : t.refunds) {
    if (r.refund_request_id == std::string_view(id->get_string()) &&
        r.state == store::RefundState::kPending) {
      r.state = store::RefundState::kFailed;
    }
  }
}

Status QueueDebtSettledReport(store::WriteTxn& txn, const store::DebtRecord& debt,
                              const LifecyclePolicy& policy, int64_t now_ms) {
  if (!policy.report_payment_status || debt.kind == store::DebtKind::kManual) return Status::Ok();
  auto trip = LoadTripHead(txn, debt.trip_id);
  if (!trip.ok()) {
    return trip.status().code() == core::StatusCode::kNotFound ? Status::Ok() : trip.status();
  }
  auto debts = ledger::ListTripDebts(txn, debt.shopper_id, debt.trip_id);
  if (!debts.ok()) return debts.status();
  int64_t settled = trip->captured;
  for (const store::DebtRecord& d : *debts) {
    if (d.kind != store::DebtKind::kManual && d.state == store::DebtState::kSettled &&
        d.amount.currency.Code() == trip->currency) {
      settled += d.amount.minor;
    }
  }
  return QueueReport(txn, *trip, policy, std::min(settled, trip->total), now_ms);
}

core::Result<uint64_t> Enqueue(store::WriteTxn& txn, Operation op, std::string_view trip_id,
                               std::string body, int64_t now_ms) {
  auto last = txn.Last(store::Table::kOutbox);
  if (!last.ok()) return last.status();
  store::OutboxEntry e;
  e.sequence = last->has_value() ? store::FromBigEndianKey((*last)->first) + 1 : 1;
  // Sequence numbers must never be reused, even after the newest entry was consumed:
  // meta.outbox_next remembers the high-water mark.
  auto mark = txn.Get(store::Table::kMeta, "outbox_next");
  if (!mark.ok()) return mark.status();
  if (mark->has_value()) e.sequence = std::max(e.sequence, store::FromBigEndianKey(**mark));
  e.operation = op;
  e.trip_id = std::string(trip_id);
  e.body = std::move(body);
  e.created_ms = now_ms;
  e.next_attempt_ms = now_ms;
  if (Status s =
          txn.Put(store::Table::kOutbox, store::BigEndianKey(e.sequence), store::EncodeOutbox(e));
      !s.ok()) {
    return s;
  }
  if (Status s = txn.Put(store::Table::kMeta, "outbox_next", store::BigEndianKey(e.sequence + 1));
      !s.ok()) {
    return s;
  }
  return e.sequence;
}

Status StartTrip(store::WriteTxn& txn, store::TripRecord& t, const LifecyclePolicy& policy,
                 int64_t now) {
  if (t.state == TripState::kHeld) return SaveTrip(txn, t);
  if (t.total == 0) {
    // An empty cart (total 0), or one whose promotions bring it to zero, releases the pre-auth.
    // (The total, not the lines: a trip's lines may be held as stored text, see SaveTrip.)
    t.state = TripState::kCancelling;
    t.Record(now, "cancel_queued");
    if (auto s = Enqueue(txn, Operation::kCancel, t.trip_id, CancelBody(policy.store_id, t), now);
        !s.ok()) {
      return s.status();
    }
    return SaveTrip(txn, t);
  }
  t.state = TripState::kAdjusting;
  t.Record(now, "adjust_queued", std::to_string(t.total) + " " + t.currency);
  if (auto s = Enqueue(txn, Operation::kAdjust, t.trip_id, AdjustBody(policy.store_id, t), now);
      !s.ok()) {
    return s.status();
  }
  return SaveTrip(txn, t);
}

std::string_view RetryReasonName(RetryReason r) {
  switch (r) {
    case RetryReason::kNone:
      return "none";
    case RetryReason::kTransport:
      return "transport";
    case RetryReason::kThrottled:
      return "throttled";
    case RetryReason::kServiceUnavailable:
      return "service_unavailable";
    case RetryReason::kServerError:
      return "server_error";
    case RetryReason::kAuthRefused:
      return "auth_refused";
    case RetryReason::kRequestTimeout:
      return "request_timeout";
    case RetryReason::kPending:
      return "pending";
    case RetryReason::kUnreadableAnswer:
      return "unreadable_answer";
    case RetryReason::kUnknownStatus:
      return "unknown_status";
    case RetryReason::kOutcomeUnknown:
      return "outcome_unknown";
    case RetryReason::kStoreBusy:
      return "store_busy";
  }
  return "unknown";
}

namespace {

// Queues the Capture of `amount` (> 0) after an Adjust answer and books `debt` (>= 0) of the
// total as the shopper's debt with `cause`.
Status CaptureAfterAdjust(store::WriteTxn& txn, store::TripRecord& t, int64_t amount, int64_t debt,
                          store::DebtCause cause, const LifecyclePolicy& policy, int64_t now) {
  if (debt > 0) {
    if (Status s = RecordDebt(txn, t, debt, cause, policy, now); !s.ok()) return s;
  }
  t.state = TripState::kCapturing;
  if (auto e = Enqueue(txn, Operation::kCapture, t.trip_id, CaptureBody(policy.store_id, t, amount),
                       now);
      !e.ok()) {
    return e.status();
  }
  // A shopper who owes part of the trip signs in to the portal with Amazon's address for them
  // (queued after the payment call, which matters more).
  return debt > 0 ? QueueShopperIdentity(txn, t, policy, now) : Status::Ok();
}

// Nothing is captured: the trip is declined, its total is the shopper's debt, and the outcome
// is reported (settled 0) where the policy asks for it.
Status DeclineAll(store::WriteTxn& txn, store::TripRecord& t, const LifecyclePolicy& policy,
                  int64_t now) {
  t.state = TripState::kDeclined;
  if (Status s = RecordDebt(txn, t, t.total, store::DebtCause::kDeclinedAdjust, policy, now);
      !s.ok()) {
    return s;
  }
  if (Status s = QueueReport(txn, t, policy, 0, now); !s.ok()) return s;
  // The shopper signs in to the portal to pay with the address Amazon has for them.
  return QueueShopperIdentity(txn, t, policy, now);
}

core::Result<AnswerOutcome> DeadLetter(store::WriteTxn& txn, const store::OutboxEntry& e,
                                       store::TripRecord& t, const std::string& detail,
                                       int64_t now) {
  store::OutboxEntry dead = e;
  dead.dead = true;
  dead.last_error = detail;
  dead.attempt_started_ms = 0;
  if (Status s = txn.Put(store::Table::kOutbox, store::BigEndianKey(e.sequence),
                         store::EncodeOutbox(dead));
      !s.ok()) {
    return s;
  }
  // A refund keeps its amount reserved while its entry exists, dead or not: an operator may
  // still retry it, and freeing it now would let a second refund of the same money be queued.
  if (e.operation != Operation::kRefund && !store::IsTerminal(t.state) &&
      t.state != TripState::kCaptureUnknown) {
    t.state = TripState::kAttention;
  }
  t.Record(now, std::string(store::OperationName(e.operation)) + "_dead_letter", detail);
  if (Status s = SaveTrip(txn, t); !s.ok()) return s;
  return AnswerOutcome{AnswerVerdict::kDeadLetter, RetryReason::kNone, detail};
}

}  // namespace

core::Result<AnswerOutcome> ApplyAnswer(store::WriteTxn& txn, const store::OutboxEntry& e,
                                        int http_status, std::string_view body,
                                        const LifecyclePolicy& policy, int64_t now) {
  auto trip = LoadTripHead(txn, e.trip_id);
  if (!trip.ok()) return trip.status();
  store::TripRecord& t = *trip;
  const std::string http = "HTTP " + std::to_string(http_status);

  if (http_status == 429) return Retry(RetryReason::kThrottled, http);
  if (http_status == 503) return Retry(RetryReason::kServiceUnavailable, http);
  if (http_status >= 500) return Retry(RetryReason::kServerError, http);
  if (http_status == 401 || http_status == 403) return Retry(RetryReason::kAuthRefused, http);
  if (http_status == 408) return Retry(RetryReason::kRequestTimeout, http);
  if (http_status < 200 || http_status > 299) {
    const std::string detail = http + ": " + std::string(body.substr(0, 512));
    return DeadLetter(txn, e, t, detail, now);
  }

  switch (e.operation) {
    case Operation::kAdjust: {
      AdjustAnswer a;
      if (!ParseAdjust(body, t.currency, a)) {
        return Retry(RetryReason::kUnreadableAnswer, "Adjust answer is not {\"status\": ...}");
      }
      if (a.status == "PENDING") return Retry(RetryReason::kPending, "Adjust PENDING");
      if (a.status == "APPROVED") {
        // An approval we cannot read the amount of cannot be captured safely (too much is
        // refused, too little loses money): an operator decides.
        if (!a.has_authorized || !a.authorized_error.empty()) {
          const std::string detail =
              "Adjust APPROVED, but " +
              (a.has_authorized ? a.authorized_error : std::string("without authorizedAmount"));
          return DeadLetter(txn, e, t, detail, now);
        }
        t.authorized = a.authorized;
        t.Record(now, "adjust_approved", std::to_string(t.authorized));
        if (t.authorized == 0) {
          // Nothing to capture (Capture refuses 0): the whole amount is owed.
          t.Record(now, "nothing_authorized");
          if (Status s = DeclineAll(txn, t, policy, now); !s.ok()) return s;
        } else {
          int64_t amount = t.total;
          int64_t debt = 0;
          if (t.authorized < t.total && policy.partial_capture) {
            amount = t.authorized;
            debt = t.total - t.authorized;
          }
          if (Status s = CaptureAfterAdjust(txn, t, amount, debt, store::DebtCause::kPartialCapture,
                                            policy, now);
              !s.ok()) {
            return s;
          }
        }
      } else if (a.status == "DECLINED") {
        // A declined increase may leave an earlier authorization standing (docs/payments.md,
        // "to confirm"): capture what is authorized and book only the rest as debt.
        const int64_t standing =
            a.has_authorized && a.authorized_error.empty() ? std::min(a.authorized, t.total) : 0;
        t.authorized = standing;
        t.Record(now, "adjust_declined", std::to_string(standing) + " still authorized");
        if (!a.authorized_error.empty()) {
          core::LogWarning("declined Adjust with an unusable authorizedAmount; nothing captured",
                           {{"trip", t.trip_id}, {"error", a.authorized_error}});
        }
        if (standing > 0 && policy.partial_capture) {
          if (Status s = CaptureAfterAdjust(txn, t, standing, t.total - standing,
                                            store::DebtCause::kDeclinedAdjust, policy, now);
              !s.ok()) {
            return s;
          }
        } else {
          if (Status s = DeclineAll(txn, t, policy, now); !s.ok()) return s;
        }
      } else {
        return Retry(RetryReason::kUnknownStatus,
                     "Adjust answered unknown status '" + a.status + "'");
      }
      break;
    }
    case Operation::kCapture: {
      auto amount = SentAmount(e.body, t);
      if (!amount.ok()) return amount.status();
      t.captured = *amount;
      t.state = TripState::kCaptured;
      t.Record(now, "captured", std::to_string(*amount));
      if (Status s = QueueAfterCapture(txn, t, policy, now); !s.ok()) return s;
      if (Status s = QueueReport(txn, t, policy, *amount, now); !s.ok()) return s;
      break;
    }
    case Operation::kCancel:
      t.state = TripState::kCancelled;
      t.Record(now, "cancelled");
      break;
    case Operation::kRefund: {
      std::string refund_id;
      if (auto sent = core::ParseJson(e.body); sent.ok() && sent->is_object()) {
        if (const json::value* id = sent->get_object().if_contains("refundRequestId");
            id != nullptr && id->is_string()) {
          refund_id = std::string(id->get_string());
        }
      }
      store::RefundRecord* r = nullptr;
      for (store::RefundRecord& candidate : t.refunds) {
        if (candidate.refund_request_id == refund_id) r = &candidate;
      }
      if (r == nullptr)
        return Status(core::StatusCode::kCorruption,
                      "refund answer for a refund the trip does not know");
      // Answered before (an operator retried a done refund).
      if (r->state == store::RefundState::kDone) break;
      if (r->state != store::RefundState::kPending) {
        // The money went back although the refund had been given up: record the truth.
        core::LogError("a refund that was given up was carried out; recorded on the trip",
                       {{"trip", t.trip_id}, {"refund", refund_id}});
        t.Record(now, "refund_succeeded_after_failure", refund_id);
      }
      r->state = store::RefundState::kDone;
      t.refunded += r->amount;
      auto doc = core::ParseJson(body);
      if (doc.ok() && doc->is_object()) {
        if (const json::value* id = doc->get_object().if_contains("reconciliationId");
            id != nullptr && id->is_string()) {
          r->reconciliation_id = std::string(id->get_string());
        }
      }
      t.Record(now, "refunded", std::to_string(r->amount));
      break;
    }
    case Operation::kReportPaymentStatus:
      t.Record(now, "payment_status_reported", std::string(body.substr(0, 128)));
      break;
    case Operation::kGetTransactionalData:
      t.transactional_data = std::string(body);
      t.have_transactional_data = true;
      t.Record(now, "transactional_data");
      break;
    case Operation::kGetShopperIdentity: {
      auto doc = core::ParseJson(body);
      if (doc.ok() && doc->is_object()) {
        if (const json::value* m = doc->get_object().if_contains("shopperEmail");
            m != nullptr && m->is_string()) {
          t.shopper_email = std::string(m->get_string());
        }
      }
      t.have_shopper_identity = true;
      t.Record(now, "shopper_identity");
      break;
    }
  }
  // Get Shopper Identity is asked only for an id it accepts (QueueAfterCapture).
  const bool identity_done = t.have_shopper_identity || !IsShopperIdForIdentity(t.shopper_id);
  t.receipt_complete = t.have_transactional_data && identity_done;
  if (policy.queue_receipts) {
    // Idempotent (one outbox entry per trip): a repeated answer queues nothing more.
    auto queued = mail::QueueReceipt(txn, t, now);
    if (!queued.ok()) return queued.status();
    if (*queued) t.Record(now, "receipt_queued");
  }
  if (Status s = txn.Delete(store::Table::kOutbox, store::BigEndianKey(e.sequence)); !s.ok()) {
    return s;
  }
  // The portal finds the trip by the shopper's address and, once its receipt can be shown, by
  // its date (store/shopper_index.h).
  if (Status s = store::IndexTrip(txn, t); !s.ok()) return s;
  if (Status s = SaveTrip(txn, t); !s.ok()) return s;
  return AnswerOutcome{};
}

Status ApplyOrphanCapture(store::WriteTxn& txn, const store::OutboxEntry& sent, int64_t now) {
  auto trip = LoadTripHead(txn, sent.trip_id);
  if (!trip.ok()) return trip.status();
  store::TripRecord& t = *trip;
  auto amount = SentAmount(sent.body, t);
  if (!amount.ok()) return amount.status();
  if (t.captured == 0) t.captured = *amount;
  if (!t.shopper_id.empty()) {
    auto debts = ledger::ListTripDebts(txn, t.shopper_id, t.trip_id);
    if (!debts.ok()) return debts.status();
    for (const store::DebtRecord& d : *debts) {
      if (d.kind == store::DebtKind::kExpired && d.state == store::DebtState::kOpen) {
        if (Status s =
                ledger::CloseDebt(txn, t.shopper_id, t.trip_id, store::DebtKind::kExpired,
                                  store::DebtState::kSettled, "captured-after-withdrawal", now);
            !s.ok()) {
          return s;
        }
      }
    }
  }
  t.state = TripState::kAttention;
  t.Record(now, "capture_applied_after_withdrawal", std::to_string(*amount));
  core::LogError("a withdrawn Capture succeeded; recorded on the trip, which needs review",
                 {{"trip", t.trip_id}});
  return SaveTrip(txn, t);
}

std::string AdjustBody(const std::string& store_id, const store::TripRecord& t) {
  return TripHead(store_id, t) + R"(,"amount":)" + MoneyJson(t.total, t.currency) + "}";
}

std::string CaptureBody(const std::string& store_id, const store::TripRecord& t, int64_t amount) {
  return TripHead(store_id, t) + R"(,"amount":)" + MoneyJson(amount, t.currency) + "}";
}

std::string CancelBody(const std::string& store_id, const store::TripRecord& t) {
  return TripHead(store_id, t) + "}";
}

std::string RefundBody(const std::string& store_id, const store::TripRecord& t,
                       const store::RefundRecord& r) {
  return TripHead(store_id, t) + R"(,"amount":)" + MoneyJson(r.amount, t.currency) +
         R"(,"refundRequestId":)" + Quote(r.refund_request_id) + R"(,"refundReasonCode":)" +
         Quote(r.reason) + "}";
}

std::string PaymentStatusBody(const std::string& store_id, const store::TripRecord& t,
                              int64_t settled, int64_t at_ms) {
  return TripHead(store_id, t) + R"(,"totalAmount":)" + MoneyJson(t.total, t.currency) +
         R"(,"settledAmount":)" + MoneyJson(settled, t.currency) + R"(,"paymentStatusTime":)" +
         std::to_string(at_ms) + "}";
}

}  // namespace jwo::payments
