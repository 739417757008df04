// The control API's payment commands: trips (show, list, resolve a held cart), refunds, and
// the outbox's dead letters.
#include <charconv>

#include "admin/control_api.h"
#include "admin/control_util.h"
#include "core/log.h"
#include "core/money.h"
#include "core/time_format.h"
#include "ledger/ledger.h"
#include "mail/mail_outbox.h"
#include "payments/operator_actions.h"
#include "store/records.h"

namespace jwo::admin {
namespace {

using namespace internal;

json::object TripSummary(const store::TripRecord& t) {
  return json::object{{"trip", t.trip_id},
                      {"state", std::string(store::TripStateName(t.state))},
                      {"total", FormatAmount(t.total, t.currency)},
                      {"currency", t.currency},
                      {"purchase", t.purchase_id},
                      {"created", core::FormatIso8601(t.created_ms)}};
}

json::object TripJson(const store::TripRecord& t) {
  json::object o = TripSummary(t);
  o["shopper"] = t.shopper_id;  // operators see the id; logs only see pseudonyms
  o["subtotal"] = FormatAmount(t.subtotal, t.currency);
  o["discount"] = FormatAmount(t.discount, t.currency);
  o["tax"] = FormatAmount(t.tax, t.currency);
  o["authorized"] = FormatAmount(t.authorized, t.currency);
  o["captured"] = FormatAmount(t.captured, t.currency);
  o["refunded"] = FormatAmount(t.refunded, t.currency);
  json::array lines;
  for (const auto& l : t.priced) {
    lines.push_back(json::object{{"line", l.line_id},
                                 {"sku", l.sku},
                                 {"name", l.name},
                                 {"quantity", l.quantity},
                                 {"total", FormatAmount(l.total, t.currency)}});
  }
  o["lines"] = lines;
  json::array unpriced;
  for (const auto& u : t.unpriced) unpriced.emplace_back(u);
  o["unpriced"] = unpriced;
  json::array refunds;
  for (const auto& r : t.refunds) {
    refunds.push_back(json::object{{"refund_request_id", r.refund_request_id},
                                   {"amount", FormatAmount(r.amount, t.currency)},
                                   {"reason", r.reason},
                                   {"state", std::string(store::RefundStateName(r.state))},
                                   {"by", r.actor}});
  }
  o["refunds"] = refunds;
  o["receipt_complete"] = t.receipt_complete;
  json::array history;
  for (const auto& h : t.history) {
    history.push_back(json::object{
        {"at", core::FormatIso8601(h.at_ms)}, {"event", h.event}, {"detail", h.detail}});
  }
  o["history"] = history;
  return o;
}

json::object OutboxJson(const store::OutboxEntry& e, bool with_body) {
  json::object o{{"seq", e.sequence},
                 {"operation", std::string(store::OperationName(e.operation))},
                 {"trip", e.trip_id},
                 {"attempts", e.attempts},
                 {"dead", e.dead},
                 {"outcome_unknown", e.outcome_unknown},
                 {"created", core::FormatIso8601(e.created_ms)},
                 {"next_attempt", core::FormatIso8601(e.next_attempt_ms)},
                 {"last_error", e.last_error}};
  if (with_body) o["body"] = e.body;
  return o;
}

// The currency amounts for `trip` are read in: the trip's; a trip held before any catalog was
// loaded has none yet, and the operator names it (`given`, --currency), which must agree with
// the trip's when the trip has one. A trip that cannot be read is an error, never a guess.
core::Currency TripCurrency(store::Env& env, const std::string& trip, const std::string& given) {
  std::string currency;
  Check(env.Read([&](const store::ReadTxn& txn) {
    auto t = payments::LoadTrip(txn, trip);
    if (!t.ok()) return t.status();
    currency = t->currency;
    return Status::Ok();
  }));
  if (!given.empty() && !currency.empty() && given != currency) {
    Fail(StatusCode::kInvalidArgument, "trip " + trip + " is in " + currency + ", not " + given);
  }
  if (currency.empty()) currency = given;
  if (currency.empty()) {
    Fail(StatusCode::kFailedPrecondition,
         "trip " + trip +
             " has no currency (no catalog was loaded when it was priced): give it with "
             "--currency");
  }
  auto cur = core::FindCurrency(currency);
  if (!cur) Fail(StatusCode::kInvalidArgument, "unknown currency '" + currency + "'");
  return *cur;
}

uint64_t Sequence(const json::object& req) {
  const std::string text = Arg(req, "seq");
  uint64_t seq = 0;
  if (std::from_chars(text.data(), text.data() + text.size(), seq).ec != std::errc{} || seq == 0) {
    Fail(StatusCode::kInvalidArgument, "seq must be a positive number, got '" + text + "'");
  }
  return seq;
}

}  // namespace

json::object ControlApi::DispatchPayments(const std::string& command, const json::object& req,
                                          const std::string& actor) {
  store::Env* env = deps_.env->load();
  if (env == nullptr) Fail(StatusCode::kUnavailable, "the store is not open");
  if (!deps_.payment_policy) {
    Fail(StatusCode::kFailedPrecondition, "payments are not configured (payments: section)");
  }
  const payments::LifecyclePolicy policy = deps_.payment_policy();
  const int64_t now = deps_.clock->NowUnixMs();
  const std::shared_ptr<const config::Config> config_snapshot =
      deps_.config->Current();  // held for this request
  const config::Config& cfg = *config_snapshot;

  auto audited = [&](const std::string& action, const std::string& shopper,
                     const std::string& detail, const std::string& reason,
                     const std::function<Status(store::WriteTxn&)>& change) {
    if (reason.empty()) Fail(StatusCode::kInvalidArgument, "a reason is required for " + action);
    Check(env->Write([&](store::WriteTxn& txn) {
      if (Status s = change(txn); !s.ok()) return s;
      return ledger::AppendAudit(txn, {0, now, actor, action, shopper, detail, reason}).status();
    }));
    core::LogInfo("operator change", {{"action", action}, {"actor", actor}, {"detail", detail}});
    if (deps_.outbox_changed) deps_.outbox_changed();
  };

  if (command == "trip.show") {
    const std::string trip = IdArg(req, "trip", core::CheckTripId);
    json::object out;
    Check(env->Read([&](const store::ReadTxn& txn) {
      auto t = payments::LoadTrip(txn, trip);
      if (!t.ok()) return t.status();
      out = TripJson(*t);
      json::array events;
      Status decode = Status::Ok();
      Status scan = txn.Scan(store::Table::kGateEvents, store::DebtKeyPrefix(trip),
                             [&](std::string_view k, std::string_view v) {
                               auto e = store::DecodeGateEvent(k, v);
                               if (!e.ok()) {
                                 decode = e.status();
                                 return false;
                               }
                               events.push_back(json::object{{"at", core::FormatIso8601(e->at_ms)},
                                                             {"gate", e->gate},
                                                             {"lane", e->lane},
                                                             {"event", e->event},
                                                             {"detail", e->detail}});
                               return true;
                             });
      out["gate_events"] = events;
      return scan.ok() ? decode : scan;
    }));
    return out;
  }
  if (command == "trip.resend-receipt") {
    const std::string trip = IdArg(req, "trip", core::CheckTripId);
    const std::string reason = Arg(req, "reason", false);
    audited(command, "", "trip " + trip, reason, [&](store::WriteTxn& txn) {
      auto t = payments::LoadTrip(txn, trip);
      if (!t.ok()) return t.status();
      // The shopper may ask 3 times a day in the portal; an operator up to 10.
      if (Status q = mail::QueueReceiptResend(txn, *t, now, 10); !q.ok()) return q;
      t->Record(now, "receipt_resend_requested", actor);
      return payments::SaveTrip(txn, *t);
    });
    return json::object{{"trip", trip}, {"queued", true}};
  }
  if (command == "trip.list") {
    const std::string state = Arg(req, "state", false);
    const std::string limit_text = Arg(req, "limit", false);
    size_t limit = 200;
    if (!limit_text.empty() &&
        (std::from_chars(limit_text.data(), limit_text.data() + limit_text.size(), limit).ec !=
             std::errc{} ||
         limit == 0)) {
      Fail(StatusCode::kInvalidArgument, "limit must be a positive number");
    }
    json::array list;
    Check(env->Read([&](const store::ReadTxn& txn) {
      auto trips = payments::ListTrips(txn, state, limit);
      if (!trips.ok()) return trips.status();
      for (const auto& t : *trips) list.push_back(TripSummary(t));
      return Status::Ok();
    }));
    return json::object{{"trips", list}};
  }
  if (command == "trip.resolve") {
    const std::string trip = IdArg(req, "trip", core::CheckTripId);
    const std::string action = Arg(req, "action");
    const std::string reason = ReasonArg(req, command);
    // Amounts are read in the trip's currency; a trip that cannot be read is an error, not a
    // guess. A trip held before any catalog was loaded has no currency yet: the operator
    // names it (--currency), and it must agree with the trip's when the trip has one.
    auto trip_currency = [&]() { return TripCurrency(*env, trip, Arg(req, "currency", false)); };
    if (action == "captured" || action == "not-captured") {
      std::optional<int64_t> amount;
      if (action == "captured") {
        auto parsed = core::ParseMinorUnits(Arg(req, "amount"), trip_currency());
        Check(parsed.status());
        amount = *parsed;
      }
      json::object out;
      audited("trip.resolve", "", trip + " " + action + " " + Arg(req, "amount", false), reason,
              [&](store::WriteTxn& txn) {
                auto t = payments::ResolveUnknownCapture(txn, trip, amount, actor, policy, now);
                if (!t.ok()) return t.status();
                out = TripSummary(*t);
                return Status::Ok();
              });
      return out;
    }
    payments::HeldAction how;
    std::string line;
    std::string currency;
    int64_t amount = 0;
    if (action == "release") {
      how = payments::HeldAction::kRelease;
    } else if (action == "remove-line") {
      how = payments::HeldAction::kRemoveLine;
      line = Arg(req, "line");
    } else if (action == "price-line") {
      how = payments::HeldAction::kPriceLine;
      line = Arg(req, "line");
      const core::Currency cur = trip_currency();
      currency = std::string(cur.Code());
      auto parsed = core::ParseMinorUnits(Arg(req, "amount"), cur);
      Check(parsed.status());
      amount = *parsed;
    } else {
      Fail(StatusCode::kInvalidArgument,
           "action must be price-line, remove-line, release, captured or not-captured, got '" +
               action + "'");
    }
    json::object out;
    audited("trip.resolve", "", trip + " " + action + " " + line, reason,
            [&](store::WriteTxn& txn) {
              auto t =
                  payments::ResolveHeld(txn, trip, how, line, amount, currency, actor, policy, now);
              if (!t.ok()) return t.status();
              out = TripSummary(*t);
              return Status::Ok();
            });
    return out;
  }
  if (command == "refund") {
    const std::string trip = IdArg(req, "trip", core::CheckTripId);
    const std::string text = Arg(req, "amount");
    const std::string reason_code = IdArg(req, "reason_code", core::CheckStoreId);
    const std::string reason = ReasonArg(req, command);
    const core::Currency cur = TripCurrency(*env, trip, "");
    const std::string currency(cur.Code());
    auto amount = core::ParseMinorUnits(text, cur);
    Check(amount.status());
    std::string refund_id;
    audited("refund", "", trip + " " + currency + " " + text + " " + reason_code, reason,
            [&](store::WriteTxn& txn) {
              auto id = payments::RequestRefund(txn, trip, *amount, reason_code, actor,
                                                cfg.payments.refund_window_days, policy, now);
              if (!id.ok()) return id.status();
              refund_id = *id;
              return Status::Ok();
            });
    return json::object{{"trip", trip}, {"refund_request_id", refund_id}, {"amount", text}};
  }
  if (command == "outbox.list") {
    const bool dead_only = Arg(req, "dead", false) == "true";
    json::array list;
    Check(env->Read([&](const store::ReadTxn& txn) {
      auto entries = payments::ListOutbox(txn, dead_only, 500);
      if (!entries.ok()) return entries.status();
      for (const auto& e : *entries) list.push_back(OutboxJson(e, false));
      return Status::Ok();
    }));
    return json::object{{"entries", list}};
  }
  if (command == "outbox.show") {
    const uint64_t seq = Sequence(req);
    json::object out;
    Check(env->Read([&](const store::ReadTxn& txn) {
      auto e = payments::GetOutbox(txn, seq);
      if (!e.ok()) return e.status();
      out = OutboxJson(*e, true);
      return Status::Ok();
    }));
    return out;
  }
  if (command == "outbox.retry" || command == "outbox.drop") {
    const uint64_t seq = Sequence(req);
    const std::string reason = ReasonArg(req, command);
    audited(command, "", "seq " + std::to_string(seq), reason, [&](store::WriteTxn& txn) {
      return command == "outbox.retry" ? payments::RetryOutbox(txn, seq, now)
                                       : payments::DropOutbox(txn, seq, actor, now);
    });
    return json::object{{"seq", seq}, {"done", command == "outbox.retry" ? "retry" : "dropped"}};
  }
  Fail(StatusCode::kInvalidArgument, "unknown command '" + command + "'");
}

}  // namespace jwo::admin
