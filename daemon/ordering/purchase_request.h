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

core::Result<PurchaseRequest> ParsePurchaseRequest(std::string_view body);

// Hex SHA-256 over a canonical form of the cart (line order kept, fields length-prefixed), so
// a repeated delivery with a different cart is detected.
std::string CartDigest(const std::vector<store::CartLineRecord>& cart);

}  // namespace jwo::ordering
