#include "tests/fakes/payment_sim/api_call.h"

#include <boost/json.hpp>

#include "core/ids.h"
#include "core/json.h"

namespace jwo::payment_sim {
namespace {

namespace json = boost::json;
using core::Status;

constexpr size_t kMaxIdLength = 255;

Status Invalid(std::string_view path, std::string_view rule) {
  return core::InvalidArgument(std::string(path) + " " + std::string(rule));
}

std::string Join(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

// Reads obj[key] as a required, non-blank string of at most `max_len` characters.
Status RequiredString(const json::object& obj, std::string_view parent, std::string_view key,
                      size_t max_len, std::string& out) {
  const std::string path = Join(parent, key);
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return Invalid(path, "is required");
  if (!v->is_string()) return Invalid(path, "must be a string");
  const std::string_view s(v->get_string().data(), v->get_string().size());
  if (IsBlank(s)) return Invalid(path, "must not be empty or whitespace");
  if (s.size() > max_len) {
    return Invalid(path, "must be at most " + std::to_string(max_len) + " characters");
  }
  out.assign(s);
  return Status::Ok();
}

Status RequiredObject(const json::object& obj, std::string_view key, const json::object*& out) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return Invalid(key, "is required");
  if (!v->is_object()) return Invalid(key, "must be an object");
  out = &v->get_object();
  return Status::Ok();
}

bool IsShopperIdToken(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return !s.empty();
}

bool IsReasonCode(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Status StoreAndTrip(const json::object& obj, bool with_trip, ApiCall& call) {
  if (Status s = RequiredString(obj, "", "storeId", kMaxIdLength, call.store_id); !s.ok()) {
    return s;
  }
  if (!core::IsIdToken(call.store_id, true))
    return Invalid("storeId", "must match ^[0-9a-zA-Z_-]*$");
  if (!with_trip) return Status::Ok();
  if (Status s = RequiredString(obj, "", "shoppingTripId", kMaxIdLength, call.trip_id); !s.ok()) {
    return s;
  }
  if (!core::IsIdToken(call.trip_id)) {
    return Invalid("shoppingTripId", "must match ^[0-9a-zA-Z_-]+$");
  }
  return Status::Ok();
}

// {"amount": <number>, "code": "USD"} under obj[key], exact to the currency's minor unit.
Status MoneyField(const json::object& obj, std::string_view key, core::Money& out) {
  const json::object* money = nullptr;
  if (Status s = RequiredObject(obj, key, money); !s.ok()) return s;
  std::string code;
  if (Status s = RequiredString(*money, key, "code", 3, code); !s.ok()) return s;
  const std::string code_path = Join(key, "code");
  for (char c : code) {
    if (c < 'A' || c > 'Z') return Invalid(code_path, "must match ^[A-Z]{3}$");
  }
  if (code.size() != 3) return Invalid(code_path, "must match ^[A-Z]{3}$");
  const auto currency = core::FindCurrency(code);
  if (!currency) return Invalid(code_path, "must be an ISO 4217 currency code");
  const std::string amount_path = Join(key, "amount");
  const json::value* amount = money->if_contains("amount");
  if (amount == nullptr || amount->is_null()) return Invalid(amount_path, "is required");
  auto minor = core::JsonToMinorUnits(*amount, *currency);
  if (!minor.ok()) return Invalid(amount_path, minor.status().message());
  out = core::Money{*minor, *currency};
  return Status::Ok();
}

Status Positive(std::string_view key, const core::Money& m) {
  if (m.minor <= 0) return Invalid(Join(key, "amount"), "must be greater than zero");
  return Status::Ok();
}

Status ParseFields(const json::object& obj, ApiCall& call) {
  switch (call.api) {
    case Api::kCancel:
    case Api::kTransactionalData:
      return StoreAndTrip(obj, true, call);
    case Api::kAdjust: {
      if (Status s = StoreAndTrip(obj, true, call); !s.ok()) return s;
      if (Status s = MoneyField(obj, "amount", call.amount); !s.ok()) return s;
      if (call.amount.minor < 0) return Invalid("amount.amount", "must not be negative");
      return Status::Ok();
    }
    case Api::kCapture: {
      if (Status s = StoreAndTrip(obj, true, call); !s.ok()) return s;
      if (Status s = MoneyField(obj, "amount", call.amount); !s.ok()) return s;
      return Positive("amount", call.amount);
    }
    case Api::kRefund: {
      if (Status s = StoreAndTrip(obj, true, call); !s.ok()) return s;
      if (Status s = MoneyField(obj, "amount", call.amount); !s.ok()) return s;
      if (Status s = Positive("amount", call.amount); !s.ok()) return s;
      if (Status s = RequiredString(obj, "", "refundRequestId", 36, call.refund_request_id);
          !s.ok()) {
        return s;
      }
      if (!core::IsUuid(call.refund_request_id))
        return Invalid("refundRequestId", "must be a UUID");
      if (Status s = RequiredString(obj, "", "refundReasonCode", 64, call.refund_reason); !s.ok()) {
        return s;
      }
      if (!IsReasonCode(call.refund_reason)) {
        return Invalid("refundReasonCode", "must match ^[A-Z0-9_]{1,64}$");
      }
      return Status::Ok();
    }
    case Api::kPaymentStatus: {
      if (Status s = StoreAndTrip(obj, true, call); !s.ok()) return s;
      if (Status s = MoneyField(obj, "totalAmount", call.total_amount); !s.ok()) return s;
      if (Status s = MoneyField(obj, "settledAmount", call.settled_amount); !s.ok()) return s;
      if (call.total_amount.minor < 0) return Invalid("totalAmount.amount", "must not be negative");
      if (call.settled_amount.minor < 0) {
        return Invalid("settledAmount.amount", "must not be negative");
      }
      if (!(call.settled_amount.currency == call.total_amount.currency)) {
        return Invalid("settledAmount.code", "must equal totalAmount.code");
      }
      if (call.settled_amount.minor > call.total_amount.minor) {
        return Invalid("settledAmount", "must not exceed totalAmount");
      }
      const json::value* time = obj.if_contains("paymentStatusTime");
      if (time == nullptr || time->is_null()) return Invalid("paymentStatusTime", "is required");
      if (time->is_int64() && time->get_int64() >= 0) {
        call.payment_status_time = time->get_int64();
      } else if (time->is_uint64()) {
        return Invalid("paymentStatusTime", "is too large");
      } else {
        return Invalid("paymentStatusTime", "must be a non-negative integer");
      }
      return Status::Ok();
    }
    case Api::kShopperIdentity: {
      if (Status s = StoreAndTrip(obj, false, call); !s.ok()) return s;
      const json::object* shopper = nullptr;
      if (Status s = RequiredObject(obj, "shopperId", shopper); !s.ok()) return s;
      if (Status s = RequiredString(*shopper, "shopperId", "id", kMaxIdLength, call.shopper_id);
          !s.ok()) {
        return s;
      }
      if (!IsShopperIdToken(call.shopper_id)) {
        return Invalid("shopperId.id", "must match ^[0-9a-zA-Z_.-]+$");
      }
      return Status::Ok();
    }
  }
  return core::InvalidArgument("unknown API");
}

}  // namespace

std::string_view ApiName(Api api) {
  switch (api) {
    case Api::kAdjust:
      return "adjust";
    case Api::kCancel:
      return "cancel";
    case Api::kCapture:
      return "capture";
    case Api::kRefund:
      return "refund";
    case Api::kPaymentStatus:
      return "payment-status";
    case Api::kTransactionalData:
      return "transactional-data";
    case Api::kShopperIdentity:
      return "shopper-identity";
  }
  return "unknown";
}

std::string_view ApiPath(Api api) {
  switch (api) {
    case Api::kAdjust:
      return "/v1/adjust/charge";
    case Api::kCancel:
      return "/v1/cancel/charge";
    case Api::kCapture:
      return "/v1/capture/charge";
    case Api::kRefund:
      return "/v1/refund";
    case Api::kPaymentStatus:
      return "/v1/feedback/payment-status";
    case Api::kTransactionalData:
      return "/v1/payment/transactional-data";
    case Api::kShopperIdentity:
      return "/v1/identity/shopper";
  }
  return "";
}

std::optional<Api> ApiFromName(std::string_view name) {
  for (Api api : kAllApis) {
    if (ApiName(api) == name) return api;
  }
  return std::nullopt;
}

core::Result<ApiCall> ParseApiCall(Api api, std::string_view body) {
  if (IsBlank(body)) return core::InvalidArgument("request body is empty");
  auto parsed = core::ParseJson(body);
  if (!parsed.ok()) {
    return core::InvalidArgument("request body is not valid JSON: " + parsed.status().message());
  }
  if (!parsed->is_object()) return core::InvalidArgument("request body must be a JSON object");
  ApiCall call;
  call.api = api;
  if (Status s = ParseFields(parsed->get_object(), call); !s.ok()) return s;
  return call;
}

}  // namespace jwo::payment_sim
