// The Create Purchases request (POST /v1/order/purchases), parsed and validated.
//
// Every rule of Amazon's validation cases 3.1–3.35 (docs/ordering.md lists them) produces
// kInvalidArgument naming the field by its JSON path, e.g.
// "cartItems[2].quantity.value must be a decimal number of at most 10 characters". Unknown
// fields are ignored. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/trip_record.h"

namespace jwo::ordering {

struct AuthEvent {
  std::string id;
  int64_t timestamp_ms = 0;  // 0 when absent
  std::string location;      // ENTRY | MANUAL_IN_STORE
  std::string payload_type;  // FINANCIAL | SCAN_CODE
  std::string scan_result_id;
};

struct PurchaseRequest {
  std::string request_id;
  std::string trip_id;  // idempotentShoppingTripId: Amazon's shopping trip id
  std::string store_id;
  int64_t start_ms = 0, end_ms = 0;
  std::vector<AuthEvent> auth_events;
  std::vector<store::CartLineRecord> cart;  // as sent; may be empty
  std::string shopper_id;                   // optional
  std::string device_id;                    // optional
  std::string payment_source_id;            // optional
};

// The most JSON values a Create Purchases body may hold (kInvalidArgument "body has more than
// 1048576 JSON values" past it): a 10,000-line cart, the most a request may have, is about
// 150,000, and each value costs the parse 56 bytes while it runs.
inline constexpr size_t kMaxPurchaseJsonValues = size_t{1} << 20;

core::Result<PurchaseRequest> ParsePurchaseRequest(std::string_view body);

// Hex SHA-256 over a canonical form of the cart (line order kept, fields length-prefixed), so
// a repeated delivery with a different cart is detected.
std::string CartDigest(const std::vector<store::CartLineRecord>& cart);

}  // namespace jwo::ordering
