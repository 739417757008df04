// Shopper Authorization request bodies for integration tests.
#pragma once

#include <string>

namespace jwo::testing {

// A valid request for `shopper` on `trip`, with `recommendation_json` (e.g.
// R"({"shopperAuthorized":true})") placed in shopperInteraction when non-empty.
inline std::string FaBody(const std::string& shopper, const std::string& trip = "trip-1",
                          const std::string& recommendation_json = "",
                          const std::string& store = "it-store") {
  std::string body = R"({"storeId":")" + store + R"(","shopperIdentity":{"id":")" + shopper +
                     R"("},"authorizedAmount":{"value":50.00,"currencyCode":"USD"},)"
                     R"("shopperInteraction":{"shoppingTripId":")" +
                     trip + R"(","gateAuthenticationEvent":{"id":"ev-)" + trip +
                     R"(","type":"CREDIT_CARD","interactionType":"TAP",)"
                     R"("timestamp":"2026-11-27T10:15:30Z","location":"ENTRY",)"
                     R"("data":{"gate":"g1","lane":"2"}})";
  if (!recommendation_json.empty()) body += R"(,"recommendation":)" + recommendation_json;
  body += "}}";
  return body;
}

inline constexpr const char* kFaPath = "/v1/fraudandabuse/shopperauthorization";

}  // namespace jwo::testing
