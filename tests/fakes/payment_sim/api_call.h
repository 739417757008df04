// ApiCall: one request to one of the seven Payment Service APIs, parsed and validated the way
// Amazon documents them (../shared/api/amazon-jwo.md, "Amazon's per-API test pages").
//
// The simulator answers every rule broken here with 400 {"errorMsg": ...} naming the field, as
// the Payment Service does. Unknown fields are ignored, as Amazon's conventions require.
//
// Thread safety: pure functions and plain values; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/money.h"
#include "core/status.h"

namespace jwo::payment_sim {

enum class Api {
  kAdjust,             // POST /v1/adjust/charge
  kCancel,             // POST /v1/cancel/charge
  kCapture,            // POST /v1/capture/charge
  kRefund,             // POST /v1/refund
  kPaymentStatus,      // POST /v1/feedback/payment-status
  kTransactionalData,  // POST /v1/payment/transactional-data
  kShopperIdentity,    // POST /v1/identity/shopper
};

inline constexpr Api kAllApis[] = {Api::kAdjust,         Api::kCancel,
                                   Api::kCapture,        Api::kRefund,
                                   Api::kPaymentStatus,  Api::kTransactionalData,
                                   Api::kShopperIdentity};

// The short name used in scripts and records: "adjust", "cancel", "capture", "refund",
// "payment-status", "transactional-data", "shopper-identity".
std::string_view ApiName(Api api);
// The request path, e.g. "/v1/adjust/charge".
std::string_view ApiPath(Api api);
// The API with this short name, or nullopt.
std::optional<Api> ApiFromName(std::string_view name);

struct ApiCall {
  Api api = Api::kAdjust;
  std::string store_id;
  std::string trip_id;              // empty only for Get Shopper Identity
  core::Money amount;               // Adjust (the cart total, >= 0), Capture and Refund (> 0)
  std::string refund_request_id;    // Refund: a UUID, the idempotency key
  std::string refund_reason;        // Refund: refundReasonCode, e.g. DAMAGED_ITEM
  core::Money total_amount;         // Report Payment Status
  core::Money settled_amount;       // Report Payment Status: 0 <= settled <= total
  int64_t payment_status_time = 0;  // Report Payment Status: paymentStatusTime as sent
  std::string shopper_id;           // Get Shopper Identity: shopperId.id
};

// Parses `body` as a request to `api`. Returns the call, or kInvalidArgument whose message is
// the errorMsg to answer, naming the field by its JSON path and the rule it broke:
//   body empty, not JSON or not an object; a required field missing or null; a field of the
//   wrong type; an empty or whitespace-only string; storeId (1-255, ^[0-9a-zA-Z_-]*$),
//   shoppingTripId (1-255, ^[0-9a-zA-Z_-]+$), shopperId.id (1-255, ^[0-9a-zA-Z_.-]+$);
//   a money object without `amount` or `code`, a code that is not ^[A-Z]{3}$ or not an ISO 4217
//   currency, an amount with more decimals than the currency has; an Adjust amount below zero,
//   a Capture or Refund amount of zero or less; refundRequestId not a UUID; refundReasonCode not
//   ^[A-Z0-9_]{1,64}$; paymentStatusTime not a non-negative integer; settledAmount in another
//   currency than totalAmount, negative, or above it.
core::Result<ApiCall> ParseApiCall(Api api, std::string_view body);

}  // namespace jwo::payment_sim
