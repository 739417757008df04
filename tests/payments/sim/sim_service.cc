#include "tests/payments/sim/sim_service.h"

#include <boost/json.hpp>

#include "core/json.h"
#include "core/money.h"

namespace jwo::sim {
namespace {

namespace json = boost::json;

std::string Amount(int64_t minor, const std::string& currency) {
  return R"({"amount":)" + core::MinorUnitsToJsonNumber(minor, *core::FindCurrency(currency)) +
         R"(,"code":")" + currency + "\"}";
}

// The minor units of body[field] = {"amount": ..., "code": ...}; nullopt when absent or bad.
std::optional<int64_t> ReadAmount(const json::object& body, std::string_view field,
                                  const std::string& currency) {
  const json::value* m = body.if_contains(field);
  if (m == nullptr || !m->is_object()) return std::nullopt;
  const json::value* a = m->get_object().if_contains("amount");
  const json::value* c = m->get_object().if_contains("code");
  if (a == nullptr || c == nullptr || !c->is_string() || c->get_string() != currency) {
    return std::nullopt;
  }
  auto minor = core::JsonToMinorUnits(*a, *core::FindCurrency(currency));
  if (!minor.ok()) return std::nullopt;
  return *minor;
}

}  // namespace

ServiceAnswer SimService::Apply(store::Operation op, const std::string& text) {
  auto doc = core::ParseJson(text);
  const std::string name(store::OperationName(op));
  auto refuse = [&](const std::string& why) {
    violations_.push_back(name + ": " + why + ": " + text.substr(0, 200));
    return ServiceAnswer{400, R"({"errorMsg":")" + why + "\"}"};
  };
  if (!doc.ok() || !doc->is_object()) return refuse("body is not a JSON object");
  const json::object& body = doc->get_object();
  std::string trip_id;
  if (const json::value* t = body.if_contains("shoppingTripId"); t && t->is_string()) {
    trip_id = std::string(t->get_string());
  }
  if (op == store::Operation::kGetShopperIdentity) {
    return ServiceAnswer{200, R"({"shopperEmail":"shopper@example.test"})"};
  }
  if (trip_id.empty()) return refuse("shoppingTripId is required");
  ServiceTrip& t = trips_[trip_id];
  switch (op) {
    case store::Operation::kAdjust: {
      auto total = ReadAmount(body, "amount", currency_);
      if (!total || *total <= 0) return refuse("amount must be positive");
      if (!t.captures.empty() || t.cancelled) return refuse("Adjust after the trip was settled");
      ++t.adjust_calls;
      if (t.card.pending_first > 0) {
        --t.card.pending_first;
        return ServiceAnswer{200, R"({"status":"PENDING"})"};
      }
      if (t.card.declined) {
        const int64_t standing =
            t.card.authorize_cap > 0 ? std::min(t.card.authorize_cap, *total) : 0;
        t.authorized = standing;
        return ServiceAnswer{
            200, R"({"status":"DECLINED","authorizedAmount":)" + Amount(standing, currency_) + "}"};
      }
      t.authorized = t.card.authorize_cap >= 0 ? std::min(t.card.authorize_cap, *total) : *total;
      return ServiceAnswer{200, R"({"status":"APPROVED","authorizedAmount":)" +
                                    Amount(t.authorized, currency_) + "}"};
    }
    case store::Operation::kCapture: {
      auto amount = ReadAmount(body, "amount", currency_);
      if (!amount || *amount <= 0) return refuse("Capture amount must be positive");
      if (*amount > t.authorized) return refuse("Capture above the authorization");
      // Applied every time: a second Capture is a second charge (checked by the simulation).
      t.captures.push_back(*amount);
      return ServiceAnswer{200, ""};
    }
    case store::Operation::kCancel:
      if (!t.captures.empty()) return refuse("Cancel after a Capture");
      t.cancelled = true;
      return ServiceAnswer{200, ""};
    case store::Operation::kRefund: {
      auto amount = ReadAmount(body, "amount", currency_);
      const json::value* id = body.if_contains("refundRequestId");
      if (!amount || *amount <= 0 || id == nullptr || !id->is_string()) {
        return refuse("refund needs amount and refundRequestId");
      }
      const std::string rid(id->get_string());
      if (refused_.count(rid)) return ServiceAnswer{400, R"({"errorMsg":"BadRequestException"})"};
      if (t.refunds.count(rid))
        return ServiceAnswer{200, R"({"reconciliationId":"r-)" + rid + "\"}"};
      int64_t captured = 0;
      for (int64_t c : t.captures) captured += c;
      if (t.refunded + *amount > captured) return refuse("refund above what was captured");
      t.refunds[rid] = *amount;
      t.refunded += *amount;
      return ServiceAnswer{200, R"({"reconciliationId":"r-)" + rid + "\"}"};
    }
    case store::Operation::kReportPaymentStatus:
      return ServiceAnswer{200, R"({"status":"Accepted"})"};
    case store::Operation::kGetTransactionalData:
      return ServiceAnswer{200,
                           R"({"brand":"VISA","tail":"4242","currency":")" + currency_ + "\"}"};
    case store::Operation::kGetShopperIdentity:
      break;
  }
  return ServiceAnswer{200, "{}"};
}

}  // namespace jwo::sim
