// The Shopper Authorization request (POST /v1/fraudandabuse/shopperauthorization), parsed
// and validated against the rules in docs/api.md.
//
// Parsing is a pure function: any thread. Unknown fields are ignored (Amazon adds fields
// without notice); every rule that fails produces kInvalidArgument whose message names the
// field by its JSON path, e.g. "shopperInteraction.shoppingTripId must match ^[0-9a-zA-Z_-]+$".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/money.h"
#include "core/status.h"

namespace jwo::fa {

struct AdjustCondition {
  core::Money amount;  // the pre-authorisation amount to use instead
};

struct Recommendation {
  bool shopper_authorized = false;
  std::vector<AdjustCondition> conditions;  // authorizationConditions of type ADJUST
  std::vector<std::string> risks;           // shopperRisks, e.g. "BadDebt"
};

struct GateEvent {
  std::string id;
  std::string type;                                       // e.g. CREDIT_CARD
  std::string interaction_type;                           // e.g. TAP
  int64_t timestamp_ms = 0;                               // 0 when absent
  std::string location;                                   // e.g. ENTRY
  std::vector<std::pair<std::string, std::string>> data;  // gate/lane hints, as sent
};

struct AuthorizationRequest {
  std::string store_id;
  std::string shopper_id;
  std::optional<core::Money> authorized_amount;
  std::string trip_id;
  std::optional<GateEvent> gate_event;
  std::optional<Recommendation> recommendation;

  // The value of gateAuthenticationEvent.data[key], or "" when absent.
  std::string_view GateData(std::string_view key) const;
};

// The most JSON values a request body may hold (the callback has fewer than 100): bounds what
// a hostile body makes the parsing thread hold. Past it: "body has more than 4096 JSON values".
inline constexpr size_t kMaxJsonValues = 4096;

// Parses and validates a request body. Errors: kInvalidArgument naming the field and rule.
core::Result<AuthorizationRequest> ParseAuthorizationRequest(std::string_view body);
// The same into `out`, reusing its strings' storage (the gate path keeps one per thread). On an
// error `out` holds part of the request: read nothing from it.
core::Status ParseAuthorizationRequest(std::string_view body, AuthorizationRequest& out);

}  // namespace jwo::fa
