// A complete Shopper Authorization callback, every field set (and one Amazon may add), for the
// request tests.
#pragma once

#include <string_view>

namespace jwo::testing {

inline constexpr std::string_view kCompleteAuthorizationRequest = R"({
    "storeId": "store-1",
    "shopperIdentity": {"id": "shopper-0000042"},
    "authorizedAmount": {"value": 50.00, "currencyCode": "USD"},
    "shopperInteraction": {
      "shoppingTripId": "5f1c2b7e-8a4d-4e1a-9c3b-1d2e3f4a5b6c",
      "gateAuthenticationEvent": {
        "id": "ev-1", "type": "CREDIT_CARD", "interactionType": "TAP",
        "timestamp": "2026-11-27T10:15:30.123Z", "location": "ENTRY",
        "data": {"gate": "g1", "lane": "2"}
      },
      "recommendation": {
        "shopperAuthorized": true,
        "authorizationConditions": [{"type": "ADJUST", "amount": {"value": 25.5, "currencyCode": "USD"}}],
        "shopperRisks": ["InvalidCard"]
      }
    },
    "someFutureField": {"anything": [1, 2, 3]}
  })";

}  // namespace jwo::testing
