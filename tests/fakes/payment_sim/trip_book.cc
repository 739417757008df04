#include "tests/fakes/payment_sim/trip_book.h"

#include <boost/json.hpp>

namespace jwo::payment_sim {
namespace {

namespace json = boost::json;

std::string Text(const core::Money& m) {
  return core::FormatMinorUnits(m.minor, m.currency) + " " + std::string(m.currency.Code());
}

Breach MakeBreach(std::string rule, std::string detail) {
  return Breach{std::move(rule), std::move(detail)};
}

BookResult Refused(std::string rule, std::string detail) {
  BookResult r;
  r.breach = MakeBreach(std::move(rule), std::move(detail));
  return r;
}

BookResult Replayed() {
  BookResult r;
  r.replay = true;
  return r;
}

json::object MoneyJson(const core::Money& m) {
  return json::object{{"amount", core::FormatMinorUnits(m.minor, m.currency)},
                      {"code", m.currency.Code()},
                      {"minor", m.minor}};
}

json::value OptionalMoney(const std::optional<core::Money>& m) {
  return m ? json::value(MoneyJson(*m)) : json::value(nullptr);
}

json::object TripObject(const TripState& t) {
  json::array capture_amounts;
  for (const core::Money& m : t.captures) capture_amounts.push_back(MoneyJson(m));
  json::array refunds;
  for (const RefundRecord& r : t.refunds) {
    refunds.push_back(json::object{{"refundRequestId", r.request_id},
                                   {"amount", MoneyJson(r.amount)},
                                   {"refundReasonCode", r.reason}});
  }
  json::array reports;
  for (const StatusReport& r : t.status_reports) {
    reports.push_back(json::object{{"totalAmount", MoneyJson(r.total)},
                                   {"settledAmount", MoneyJson(r.settled)},
                                   {"paymentStatusTime", r.time}});
  }
  return json::object{{"storeId", t.store_id},
                      {"adjust_calls", t.adjust_calls},
                      {"last_adjust_status", t.last_adjust_status},
                      {"adjusted", OptionalMoney(t.last_adjust_amount)},
                      {"authorized", OptionalMoney(t.authorized)},
                      // A count, so a test can assert "captures <= 1" without knowing amounts.
                      {"captures", t.captures.size()},
                      {"capture_amounts", std::move(capture_amounts)},
                      {"capture_replays", t.capture_replays},
                      {"cancelled", t.cancelled},
                      {"cancel_calls", t.cancel_calls},
                      {"refunds", std::move(refunds)},
                      {"refund_replays", t.refund_replays},
                      {"refunded_minor", t.refunded_minor},
                      {"status_reports", std::move(reports)},
                      {"transactional_data_calls", t.transactional_data_calls}};
}

}  // namespace

TripState& TripBook::Touch(const ApiCall& call) {
  TripState& t = trips_[call.trip_id];
  t.store_id = call.store_id;
  return t;
}

std::optional<Breach> TripBook::CheckAdjust(const ApiCall& call) const {
  const TripState* t = Find(call.trip_id);
  if (t != nullptr && !t->captures.empty()) {
    return MakeBreach("adjust_after_capture",
                      "shopping trip " + call.trip_id + " was already captured");
  }
  return std::nullopt;
}

core::Money TripBook::ApplyAdjust(const ApiCall& call, AdjustOutcome outcome) {
  TripState& t = Touch(call);
  ++t.adjust_calls;
  t.last_adjust_status = AdjustOutcomeName(outcome);
  t.last_adjust_amount = call.amount;
  if (outcome == AdjustOutcome::kApproved) t.authorized = call.amount;
  if (t.authorized) return *t.authorized;
  return core::Money{0, call.amount.currency};
}

BookResult TripBook::Capture(const ApiCall& call, CaptureReplay replay) {
  const TripState* existing = Find(call.trip_id);
  std::optional<Breach> second;
  if (existing != nullptr) {
    if (existing->cancelled) {
      return Refused("capture_after_cancel", "shopping trip " + call.trip_id + " was cancelled");
    }
    if (!existing->captures.empty() && replay == CaptureReplay::kApply) {
      second = MakeBreach("second_capture",
                          "shopping trip " + call.trip_id + " was already captured for " +
                              Text(existing->captures.back()) + "; charged again");
    } else if (!existing->captures.empty()) {
      if (existing->captures.back() == call.amount) {
        ++trips_[call.trip_id].capture_replays;
        return Replayed();
      }
      return Refused("second_capture", "shopping trip " + call.trip_id +
                                           " was already captured for " +
                                           Text(existing->captures.back()));
    }
  }
  if (existing == nullptr || !existing->authorized) {
    return Refused("capture_without_approval",
                   "shopping trip " + call.trip_id + " has no approved charge");
  }
  const core::Money& authorized = *existing->authorized;
  if (!(authorized.currency == call.amount.currency)) {
    return Refused("capture_currency_mismatch",
                   "capture currency " + std::string(call.amount.currency.Code()) +
                       " differs from the authorized " + std::string(authorized.currency.Code()));
  }
  if (call.amount.minor > authorized.minor) {
    return Refused("capture_above_authorized", "capture of " + Text(call.amount) +
                                                   " exceeds the authorized " + Text(authorized));
  }
  Touch(call).captures.push_back(call.amount);
  BookResult applied;
  applied.violation = std::move(second);
  return applied;
}

BookResult TripBook::Cancel(const ApiCall& call) {
  const TripState* existing = Find(call.trip_id);
  if (existing != nullptr && !existing->captures.empty()) {
    return Refused("cancel_after_capture",
                   "shopping trip " + call.trip_id + " was already captured");
  }
  TripState& t = Touch(call);
  ++t.cancel_calls;
  if (t.cancelled) return Replayed();
  t.cancelled = true;
  return {};
}

BookResult TripBook::Refund(const ApiCall& call, std::string* answer_body) {
  if (auto seen = refund_ids_.find(call.refund_request_id); seen != refund_ids_.end()) {
    const auto& [trip, index] = seen->second;
    TripState& t = trips_[trip];
    const RefundRecord& r = t.refunds[index];
    std::string differs;
    if (trip != call.trip_id) differs = "shopping trip " + trip;
    if (!(r.amount == call.amount)) differs = "amount " + Text(r.amount);
    if (r.reason != call.refund_reason) differs = "reason " + r.reason;
    if (!differs.empty()) {
      return Refused("refund_id_reused",
                     "refundRequestId " + call.refund_request_id + " was used with " + differs);
    }
    ++t.refund_replays;
    *answer_body = r.answer_body;
    return Replayed();
  }
  const TripState* existing = Find(call.trip_id);
  core::Money captured{0, call.amount.currency};
  if (existing != nullptr && !existing->captures.empty()) {
    captured = existing->captures.front();
    for (size_t i = 1; i < existing->captures.size(); ++i) {
      captured.minor += existing->captures[i].minor;
    }
  }
  if (!(captured.currency == call.amount.currency)) {
    return Refused("refund_currency_mismatch",
                   "refund currency " + std::string(call.amount.currency.Code()) +
                       " differs from the captured " + std::string(captured.currency.Code()));
  }
  const int64_t refunded = existing != nullptr ? existing->refunded_minor : 0;
  if (call.amount.minor > captured.minor - refunded) {
    const core::Money refundable{captured.minor - refunded, captured.currency};
    return Refused("refund_above_refundable", "refund of " + Text(call.amount) +
                                                  " exceeds the refundable " + Text(refundable));
  }
  TripState& t = Touch(call);
  t.refunds.push_back(
      RefundRecord{call.refund_request_id, call.amount, call.refund_reason, *answer_body});
  t.refunded_minor += call.amount.minor;
  refund_ids_[call.refund_request_id] = {call.trip_id, t.refunds.size() - 1};
  return {};
}

void TripBook::ReportStatus(const ApiCall& call) {
  Touch(call).status_reports.push_back(
      StatusReport{call.total_amount, call.settled_amount, call.payment_status_time});
}

std::string TripBook::TransactionalData(const ApiCall& call) {
  TripState& t = Touch(call);
  ++t.transactional_data_calls;
  if (t.last_adjust_amount) return std::string(t.last_adjust_amount->currency.Code());
  return "USD";
}

const TripState* TripBook::Find(const std::string& trip) const {
  auto it = trips_.find(trip);
  return it == trips_.end() ? nullptr : &it->second;
}

void TripBook::Clear() {
  trips_.clear();
  refund_ids_.clear();
}

std::string TripBook::TripJson(const std::string& trip) const {
  const TripState* t = Find(trip);
  if (t == nullptr) return "";
  json::object o = TripObject(*t);
  o["shoppingTripId"] = trip;
  return json::serialize(o);
}

std::string TripBook::AllJson() const {
  json::object trips;
  for (const auto& [id, t] : trips_) trips[id] = TripObject(t);
  return json::serialize(json::object{{"trips", std::move(trips)}});
}

}  // namespace jwo::payment_sim
