// The one place that writes the Shopper Authorization answer, so its field names can follow
// Amazon's connector specification when it is confirmed (api/amazon-jwo.md: "Response").
//
//   {"status":"APPROVED"}
//   {"status":"DENIED","shopperRisks":["BadDebt"]}
//   {"status":"APPROVED","authorizationConditions":[{"type":"ADJUST",
//                                                    "amount":{"value":25.00,"currencyCode":"USD"}}]}
//
// Pure function; any thread.
#pragma once

#include <string>

#include "fa/policy.h"

namespace jwo::fa {

std::string SerializeDecision(const Decision& decision);

}  // namespace jwo::fa
