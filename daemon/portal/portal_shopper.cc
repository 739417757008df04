// The signed-in pages: account (balance, payoff, receipts), receipt, refund, re-send, payoff.
#include <algorithm>
#include <map>

#include "chain/chain_portal.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/time_format.h"
#include "ledger/ledger.h"
#include "mail/mail_outbox.h"
#include "mail/receipt.h"
#include "payments/lifecycle.h"
#include "payments/operator_actions.h"
#include "portal/portal_service.h"
#include "portal/portal_visit.h"

namespace jwo::portal {
namespace {

using core::Status;
using core::StatusCode;
using web::Escape;

constexpr size_t kMaxTripsShown = 200;

struct RefundReason {
  const char* code;
  const char* label;
};
constexpr RefundReason kRefundReasons[] = {
    {"ITEM_NOT_TAKEN", "I was charged for an item I did not take"},
    {"ITEM_DAMAGED", "An item was damaged or spoiled"},
    {"WRONG_PRICE", "I was charged the wrong price"},
    {"OTHER", "Something else"},
};

std::string Day(int64_t ms) { return core::FormatUtc(ms, "%Y-%m-%d"); }

std::string CauseText(store::DebtCause c) {
  switch (c) {
    case store::DebtCause::kDeclinedAdjust:
      return "The card was declined after the visit";
    case store::DebtCause::kPartialCapture:
      return "Part of the charge was declined";
    case store::DebtCause::kExpiredPreAuth:
      return "The card's hold expired before the charge";
    case store::DebtCause::kManual:
      return "Recorded by the store";
  }
  return "Open balance";
}

std::string TripStatusText(const store::TripRecord& t) {
  switch (t.state) {
    case store::TripState::kCaptured:
      return "Charged " + FormatAmount(t.captured, t.currency) +
             (t.refunded > 0 ? ", refunded " + FormatAmount(t.refunded, t.currency) : "");
    case store::TripState::kDeclined:
    case store::TripState::kExpired:
      return "Not charged: owed";
    case store::TripState::kCancelled:
      return "Nothing taken, nothing charged";
    default:
      return "Being processed";
  }
}

std::string Hidden(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + Escape(value) +
         "\">";
}

std::string Message(std::string_view message, bool error) {
  if (message.empty()) return {};
  return error ? "<p class=\"error\" role=\"alert\">" + Escape(message) + "</p>"
               : "<p class=\"notice\" role=\"status\">" + Escape(message) + "</p>";
}

}  // namespace

http::Response PortalService::Account(Visit& v, int status, std::string_view message, bool error) {
  if (v.session->kind == SessionKind::kReceipt) {
    return web::Redirect("/receipt?trip=" + v.session->trip_id);
  }
  std::vector<store::DebtRecord> debts;
  std::vector<store::TripRecord> trips;
  Status s = deps_.env->Read([&](const store::ReadTxn& txn) {
    for (const std::string& shopper : v.shopper_ids) {
      auto d = ledger::ListDebts(txn, shopper);
      if (!d.ok()) return d.status();
      for (auto& debt : *d) {
        if (debt.state == store::DebtState::kOpen) debts.push_back(std::move(debt));
      }
    }
    for (const store::IndexedTrip& it : v.trips) {
      auto t = payments::LoadTrip(txn, it.trip_id);
      if (t.ok()) trips.push_back(std::move(*t));
    }
    return Status::Ok();
  });
  if (!s.ok())
    return web::Html(503, web::Page(v.frame, "Please try again", Message(s.message(), true)));

  std::string h = Message(message, error);
  h += "<h2>Balance</h2>";
  std::map<std::string, int64_t> totals;
  for (const auto& d : debts) totals[std::string(d.amount.currency.Code())] += d.amount.minor;
  if (debts.empty()) {
    h += "<p class=\"notice\">You owe nothing. You are welcome to shop here.</p>";
  } else {
    h += "<p>Entry to the store is paused until this is paid.</p><table><caption class=\"hint\">"
         "What is owed, per visit</caption><thead><tr><th scope=\"col\">Date</th><th "
         "scope=\"col\">Store</th><th scope=\"col\">Why</th><th scope=\"col\" "
         "class=\"num\">Amount</th></tr></thead><tbody>";
    for (const auto& d : debts) {
      h += "<tr><td>" + Day(d.created_ms) + "</td><td>" + Escape(d.origin_store) + "</td><td>" +
           Escape(CauseText(d.cause)) + "</td><td class=\"num\">" +
           FormatAmount(d.amount.minor, d.amount.currency.Code()) + "</td></tr>";
    }
    h += "</tbody></table>";
    for (const auto& [currency, total] : totals) {
      const std::string id = RandomHex(16);  // the payoff's id: a resubmit finds the same payoff
      h += "<form method=\"post\" action=\"/payoff\" class=\"payoff\"><fieldset><legend>Pay " +
           FormatAmount(total, currency) + "</legend>" + Hidden("csrf", v.csrf) +
           Hidden("payoff", id) + Hidden("currency", currency) +
           Hidden("expected", std::to_string(total)) + "<label for=\"card-" + currency +
           "\">Card number</label><input id=\"card-" + currency +
           "\" name=\"card\" inputmode=\"numeric\" autocomplete=\"cc-number\" required "
           "aria-describedby=\"card-hint-" +
           currency + "\"><p class=\"hint\" id=\"card-hint-" + currency + "\">";
      if (deps_.processor->Name() == "sandbox") {
        h += "Sandbox: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, "
             "4000 0000 0000 3220 asks for a confirmation code (1234).";
      } else {
        h += "Your card is charged once; reloading this page never charges it again.";
      }
      h += "</p><button type=\"submit\">Pay " + FormatAmount(total, currency) +
           "</button></fieldset></form>";
    }
  }

  // Receipts, newest first, with the look-up filters.
  const std::string date = std::string(web::Field(v.query, "date"));
  const std::string last4 = std::string(web::Field(v.query, "last4"));
  const std::string trip_q = std::string(web::Field(v.query, "trip"));
  std::sort(trips.begin(), trips.end(),
            [](const auto& a, const auto& b) { return a.created_ms > b.created_ms; });
  h += "<h2>Visits and receipts</h2><form method=\"get\" action=\"/account\" "
       "class=\"lookup\"><fieldset><legend>Look up a receipt</legend>"
       "<label for=\"f-date\">Date</label><input id=\"f-date\" name=\"date\" type=\"date\" "
       "value=\"" +
       Escape(date) +
       "\"><label for=\"f-last4\">Card's last four digits</label><input "
       "id=\"f-last4\" name=\"last4\" inputmode=\"numeric\" maxlength=\"4\" value=\"" +
       Escape(last4) +
       "\"><label for=\"f-trip\">Trip id</label><input id=\"f-trip\" "
       "name=\"trip\" value=\"" +
       Escape(trip_q) +
       "\"><button type=\"submit\" "
       "class=\"secondary\">Look up</button></fieldset></form>";
  size_t shown = 0;
  std::string rows;
  for (const store::TripRecord& t : trips) {
    const int64_t when = t.start_ms != 0 ? t.start_ms : t.created_ms;
    if (!date.empty() && Day(when) != date) continue;
    if (!last4.empty() && mail::CardLastFour(t) != last4) continue;
    if (!trip_q.empty() && t.trip_id != trip_q) continue;
    if (++shown > kMaxTripsShown) break;
    rows += "<tr><td>" + Day(when) + "</td><td><a href=\"/receipt?trip=" + Escape(t.trip_id) +
            "\">" + Escape(t.trip_id) + "</a></td><td class=\"num\">" +
            FormatAmount(t.total, t.currency) + "</td><td>" + Escape(TripStatusText(t)) +
            "</td></tr>";
  }
  if (rows.empty()) {
    h += "<p>No visit matches.</p>";
  } else {
    h += "<table><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Receipt</th><th "
         "scope=\"col\" class=\"num\">Total</th><th scope=\"col\">Status</th></tr></thead><tbody>" +
         rows + "</tbody></table>";
  }
  return web::Html(status, web::Page(v.frame, "Your account", h));
}

http::Response PortalService::ReceiptPage(Visit& v, std::string_view trip_id, int status,
                                          std::string_view message, bool error) {
  const auto not_found = [&] {
    return web::Html(404, web::Page(v.frame, "No such receipt",
                                    "<p>There is no receipt with that id in your account.</p>"
                                    "<p><a href=\"/account\">Your account</a></p>"));
  };
  if (!TripVisible(v, trip_id)) return not_found();  // another shopper's trip: not found
  store::TripRecord t;
  Status s = deps_.env->Read([&](const store::ReadTxn& txn) {
    auto trip = payments::LoadTrip(txn, trip_id);
    if (!trip.ok()) return trip.status();
    t = std::move(*trip);
    return Status::Ok();
  });
  if (!s.ok()) return not_found();

  std::string h = Message(message, error);
  if (t.state == store::TripState::kCaptured && t.have_transactional_data) {
    mail::ReceiptOptions opts{deps_.store_name, ""};
    if (auto r = mail::RenderReceipt(t, opts); r.ok()) {
      h += "<pre class=\"receipt\" aria-label=\"Receipt\">" + Escape(r->text) + "</pre>";
    }
  } else {
    h += "<p>Visit of " + Day(t.start_ms != 0 ? t.start_ms : t.created_ms) + ", total " +
         FormatAmount(t.total, t.currency) + ": " + Escape(TripStatusText(t)) + ".</p>";
  }
  if (!t.refunds.empty()) {
    h += "<h2>Refunds</h2><table><thead><tr><th scope=\"col\">Asked on</th><th "
         "scope=\"col\">Reason</th><th scope=\"col\" class=\"num\">Amount</th><th "
         "scope=\"col\">Status</th></tr></thead><tbody>";
    for (const store::RefundRecord& r : t.refunds) {
      std::string state = r.state == store::RefundState::kDone     ? "Refunded"
                          : r.state == store::RefundState::kFailed ? "Not refunded: contact us"
                                                                   : "Requested";
      h += "<tr><td>" + Day(r.requested_ms) + "</td><td>" + Escape(r.reason) +
           "</td><td class=\"num\">" + FormatAmount(r.amount, t.currency) + "</td><td>" + state +
           "</td></tr>";
    }
    h += "</tbody></table>";
  }
  int64_t pending = payments::PendingRefunds(t);
  if (deps_.chain_serve) {  // requests sent to the store that its trip does not show yet
    std::string rows;
    (void)deps_.env->Read([&](const store::ReadTxn& txn) {
      auto sent = chain::RequestsOnTheirWay(txn, t);
      if (!sent.ok()) return sent.status();
      for (const chain::RefundRequest& q : *sent) {
        pending += q.amount;
        rows += "<tr><td>" + Day(q.at_ms) + "</td><td>" + Escape(q.reason) +
                "</td><td class=\"num\">" + FormatAmount(q.amount, t.currency) +
                "</td><td>Sent to the store</td></tr>";
      }
      return core::Status::Ok();
    });
    if (!rows.empty()) {
      h += "<h2>Refund requests on their way</h2><table><thead><tr><th scope=\"col\">Asked "
           "on</th><th scope=\"col\">Reason</th><th scope=\"col\" class=\"num\">Amount</th><th "
           "scope=\"col\">Status</th></tr></thead><tbody>" +
           rows + "</tbody></table>";
    }
  }
  const int64_t refundable = t.captured - t.refunded - pending;
  const int64_t window_end = payments::RefundWindowEndMs(t, deps_.refund_window_days);
  auto cur = core::FindCurrency(t.currency);
  if (t.state == store::TripState::kCaptured && refundable > 0 && cur && v.now <= window_end) {
    h += "<h2>Ask for a refund</h2><form method=\"post\" action=\"/refund\">" +
         Hidden("csrf", v.csrf) + Hidden("trip", t.trip_id) +
         "<label for=\"reason\">Reason</label><select id=\"reason\" name=\"reason\" required>";
    for (const RefundReason& r : kRefundReasons) {
      h += "<option value=\"" + std::string(r.code) + "\">" + r.label + "</option>";
    }
    h += "</select><label for=\"refund-amount\">Amount (" + t.currency +
         ")</label><input "
         "id=\"refund-amount\" name=\"amount\" inputmode=\"decimal\" required value=\"" +
         core::FormatMinorUnits(refundable, *cur) +
         "\" aria-describedby=\"refund-hint\">"
         "<p class=\"hint\" id=\"refund-hint\">Up to " +
         FormatAmount(refundable, t.currency) + ", until " + Day(window_end) +
         ".</p><button type=\"submit\">Ask for the refund</button>"
         "</form>";
  }
  if (t.receipt_complete && !t.shopper_email.empty()) {
    h += "<form method=\"post\" action=\"/receipt/resend\">" + Hidden("csrf", v.csrf) +
         Hidden("trip", t.trip_id) +
         "<button type=\"submit\" class=\"secondary\">E-mail this receipt again</button></form>";
  }
  if (v.session->kind == SessionKind::kShopper) {
    h += "<p><a href=\"/account\">All your visits</a></p>";
  }
  return web::Html(status, web::Page(v.frame, "Receipt " + t.trip_id, h));
}

http::Response PortalService::Resend(Visit& v) {
  const std::string trip_id(web::Field(v.form, "trip"));
  if (!TripVisible(v, trip_id)) return ReceiptPage(v, trip_id);
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    auto t = payments::LoadTrip(txn, trip_id);
    if (!t.ok()) return t.status();
    if (Status q = mail::QueueReceiptResend(txn, *t, v.now); !q.ok()) return q;
    t->Record(v.now, "receipt_resend_requested", "portal");
    return payments::SaveTrip(txn, *t);
  });
  if (!s.ok()) return ReceiptPage(v, trip_id, 409, s.message(), true);
  if (deps_.mail_changed) deps_.mail_changed();
  return ReceiptPage(v, trip_id, 200,
                     "A copy of this receipt is on its way to the address on file.");
}

http::Response PortalService::Refund(Visit& v) {
  const std::string trip_id(web::Field(v.form, "trip"));
  if (!TripVisible(v, trip_id)) return ReceiptPage(v, trip_id);
  const std::string reason(web::Field(v.form, "reason"));
  if (!deps_.chain_serve && !deps_.payment_policy) {
    return ReceiptPage(v, trip_id, 503, "Refunds cannot be requested here.", true);
  }
  if (std::none_of(std::begin(kRefundReasons), std::end(kRefundReasons),
                   [&](const RefundReason& r) { return reason == r.code; })) {
    return ReceiptPage(v, trip_id, 400, "Choose a reason from the list.", true);
  }
  std::string problem;
  int problem_status = 400;
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    problem.clear();
    auto t = payments::LoadTrip(txn, trip_id);
    if (!t.ok()) return t.status();
    auto cur = core::FindCurrency(t->currency);
    auto minor = cur ? core::ParseMinorUnits(web::Field(v.form, "amount"), *cur)
                     : core::Result<int64_t>(Status(StatusCode::kInvalidArgument, "currency"));
    if (!minor.ok()) {
      problem = "Enter the amount like 4.99.";
      return Status::Ok();
    }
    if (deps_.chain_serve) {
      // The trip's store runs the refund (and has the last word on what is refundable); this
      // checks what it can against the store's latest copy, so the shopper hears at once.
      int64_t pending = payments::PendingRefunds(*t);
      auto sent = chain::RequestsOnTheirWay(txn, *t);
      if (!sent.ok()) return sent.status();
      for (const auto& q : *sent) pending += q.amount;
      problem_status = 409;
      if (t->state != store::TripState::kCaptured ||
          v.now > payments::RefundWindowEndMs(*t, deps_.refund_window_days)) {
        problem =
            "This visit can no longer be refunded here (the refund window has passed, "
            "or it was not charged). Please contact the store.";
        return Status::Ok();
      }
      if (*minor <= 0 || *minor > t->captured - t->refunded - pending) {
        problem = "That is more than can be refunded for this visit.";
        return Status::Ok();
      }
      chain::RefundRequest q{core::NewUuidV4(), t->store_id, trip_id, *minor, reason, v.now};
      if (Status qs = chain::QueueRefundRequest(txn, q); !qs.ok()) return qs;
      return ledger::AppendAudit(txn, {0, v.now, "portal", "refund.request", t->shopper_id,
                                       "trip " + trip_id + " amount " + std::to_string(*minor) +
                                           " request " + q.id + " to store " + t->store_id,
                                       reason})
          .status();
    }
    auto id = payments::RequestRefund(txn, trip_id, *minor, reason, "portal",
                                      deps_.refund_window_days, deps_.payment_policy(), v.now);
    if (!id.ok()) {
      problem_status = 409;
      switch (id.status().code()) {
        case StatusCode::kOutOfRange:
          problem = "That is more than can be refunded for this visit.";
          break;
        case StatusCode::kFailedPrecondition:
          problem =
              "This visit can no longer be refunded here (the refund window has passed, "
              "or it was not charged). Please contact the store.";
          break;
        default:
          return id.status();
      }
      return Status::Ok();
    }
    auto audit = ledger::AppendAudit(
        txn, {0, v.now, "portal", "refund.request", t->shopper_id,
              "trip " + trip_id + " amount " + std::to_string(*minor) + " refund " + *id, reason});
    return audit.status();
  });
  if (!s.ok())
    return ReceiptPage(v, trip_id, 503, "Something went wrong; nothing was changed.", true);
  if (!problem.empty()) return ReceiptPage(v, trip_id, problem_status, problem, true);
  {
    std::lock_guard lock(mutex_);
    ++stats_.refunds_requested;
  }
  if (deps_.outbox_changed) deps_.outbox_changed();
  if (deps_.chain_changed) deps_.chain_changed();
  return ReceiptPage(v, trip_id, 200,
                     "Your refund is requested. It goes back to the card you paid with; the status "
                     "below changes once the payment service confirms it.");
}

http::Response PortalService::StartPayoff(Visit& v) {
  if (v.session->kind != SessionKind::kShopper) return web::Redirect("/");
  const std::string id(web::Field(v.form, "payoff"));
  const std::string currency(web::Field(v.form, "currency"));
  int64_t expected = 0;
  try {
    expected = std::stoll(std::string(web::Field(v.form, "expected")));
  } catch (...) {
    return Account(v, 400, "The payment form is incomplete; nothing was charged.", true);
  }
  auto p = payoffs_.Begin(id, v.session->email_hash, v.shopper_ids, currency, expected);
  if (!p.ok()) {
    const bool ours = p.status().code() == StatusCode::kFailedPrecondition ||
                      p.status().code() == StatusCode::kInvalidArgument ||
                      p.status().code() == StatusCode::kNotFound;
    return Account(v, ours ? 409 : 503,
                   ours ? p.status().message() + ". Nothing was charged."
                        : "Something went wrong; nothing was charged.",
                   true);
  }
  auto charged = payoffs_.Charge(*p, std::string(web::Field(v.form, "card")));
  if (!charged.ok()) {
    if (charged.status().code() == StatusCode::kInvalidArgument) {
      return Account(v, 400, charged.status().message() + ". Nothing was charged.", true);
    }
    return Account(v, 503,
                   "Something went wrong; we are checking whether the payment went "
                   "through. Nothing is charged twice.",
                   true);
  }
  {
    std::lock_guard lock(mutex_);
    if (charged->state == PayoffState::kSettled) ++stats_.payoffs_settled;
    if (charged->state == PayoffState::kDeclined) ++stats_.payoffs_declined;
  }
  return web::Redirect("/payoff?id=" + charged->id);
}

http::Response PortalService::ConfirmPayoff(Visit& v) {
  if (v.session->kind != SessionKind::kShopper) return web::Redirect("/");
  const std::string id(web::Field(v.form, "payoff"));
  std::optional<Payoff> p;
  (void)deps_.env->Read([&](const store::ReadTxn& txn) {
    auto r = ReadPayoff(txn, id);
    if (r.ok()) p = std::move(*r);
    return Status::Ok();
  });
  if (!p || p->email_hash != v.session->email_hash) return PayoffPage(v);
  auto done = payoffs_.Confirm(*p, web::Field(v.form, "answer"));
  if (done.ok()) {
    std::lock_guard lock(mutex_);
    if (done->state == PayoffState::kSettled) ++stats_.payoffs_settled;
    if (done->state == PayoffState::kDeclined) ++stats_.payoffs_declined;
  }
  return web::Redirect("/payoff?id=" + id);
}

http::Response PortalService::PayoffPage(Visit& v) {
  std::string id(web::Field(v.form, "payoff"));
  if (id.empty()) id = std::string(web::Field(v.query, "id"));
  std::optional<Payoff> p;
  (void)deps_.env->Read([&](const store::ReadTxn& txn) {
    auto r = ReadPayoff(txn, id);
    if (r.ok()) p = std::move(*r);
    return Status::Ok();
  });
  if (!p || v.session->kind != SessionKind::kShopper || p->email_hash != v.session->email_hash) {
    return web::Html(
        404, web::Page(v.frame, "No such payment", "<p><a href=\"/account\">Your account</a></p>"));
  }
  const std::string amount = FormatAmount(p->amount, p->currency);
  std::string h;
  std::string title;
  switch (p->state) {
    case PayoffState::kSettled: {
      title = "Thank you — paid";
      const bool via_amazon = deps_.payment_policy && deps_.payment_policy().report_payment_status;
      h = "<p class=\"notice\" role=\"status\">" + amount + " was charged to the card ending " +
          Escape(p->last4) + ". Your balance is paid.</p><p><strong>Access restored:</strong> " +
          (via_amazon ? "we have told the payment service; tap your card at the gate as usual "
                        "(it may take a few minutes to reach every gate)."
                      : "tap your card at the gate as usual.") +
          "</p><p class=\"hint\">Reference " + Escape(p->id) + "</p>";
      break;
    }
    case PayoffState::kActionRequired:
      title = "Confirm the payment";
      h = "<p>Your bank asks you to confirm the payment of " + amount +
          ".</p><form "
          "method=\"post\" action=\"/payoff/confirm\">" +
          Hidden("csrf", v.csrf) + Hidden("payoff", p->id) +
          "<label for=\"answer\">Confirmation code from your bank</label>"
          "<input id=\"answer\" name=\"answer\" inputmode=\"numeric\" "
          "autocomplete=\"one-time-code\" "
          "required aria-describedby=\"answer-hint\"><p class=\"hint\" id=\"answer-hint\">" +
          std::string(deps_.processor->Name() == "sandbox" ? "Sandbox: 1234 confirms." : "") +
          "</p><button type=\"submit\">Confirm</button></form>";
      break;
    case PayoffState::kDeclined:
    case PayoffState::kFailed:
      title = "The payment did not go through";
      h = "<p class=\"error\" role=\"alert\">" +
          Escape(p->message.empty() ? "The card was declined." : p->message) +
          " Nothing was charged.</p><p><a href=\"/account\">Try another card</a></p>";
      break;
    case PayoffState::kCharging:
      title = "Checking your payment";
      h = "<p role=\"status\">We are confirming the payment of " + amount +
          " with the card "
          "processor. <a href=\"/payoff?id=" +
          Escape(p->id) +
          "\">Reload</a> in a minute. "
          "Your card is never charged twice.</p>";
      break;
  }
  return web::Html(200, web::Page(v.frame, title, h));
}

}  // namespace jwo::portal
