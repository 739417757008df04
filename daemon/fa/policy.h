// The gate decision: a pure function of the request, what the local ledger says about the
// shopper, and the F&A configuration (docs/gate-decision.md has the full table).
//
// No I/O, no locks, no allocation beyond the result: any thread, and trivially testable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "fa/request.h"
#include "store/records.h"

namespace jwo::fa {

// Why a decision came out the way it did. Stable names: they are metric labels and audit
// values.
enum class Reason {
  kLedgerClear,         // retailer_managed: no debt at or above the threshold
  kOpenDebt,            // open debt at or above the threshold
  kOverrideAllow,       // operator set "always allow"
  kOverrideBlock,       // operator set "always block"
  kStoreUnavailable,    // the ledger could not be read: the configured fail mode decided
  kAmazonApproved,      // amazon_recommendation, rule "follow", Amazon approved
  kAmazonDenied,        // amazon_recommendation, rule "follow", Amazon denied
  kRuleApprove,         // amazon_recommendation, rule "approve"
  kRuleDeny,            // amazon_recommendation, rule "deny"
  kRuleAdjust,          // amazon_recommendation, rule "adjust" (admitted with a new pre-auth)
  kAdjustUnconfigured,  // rule "adjust" but no adjust amount for the currency: denied
};
inline constexpr int kReasonCount = 11;
std::string_view ReasonName(Reason r);

// What the ledger read found.
struct LedgerView {
  bool readable = true;                           // false: the store could not be read
  const store::ShopperRecord* shopper = nullptr;  // null: shopper unknown (no debt, no override)
};

struct Decision {
  store::Outcome outcome = store::Outcome::kApproved;
  Reason reason = Reason::kLedgerClear;
  std::vector<std::string> risks;            // shopperRisks for a denial
  std::optional<core::Money> adjust_amount;  // ADJUST condition for an admission
};

// True when any currency's open debt meets its threshold (a currency without a configured
// threshold: any open debt).
bool OwesAtThreshold(const store::ShopperRecord& shopper, const config::FaConfig& fa);

Decision Decide(const AuthorizationRequest& request, const LedgerView& ledger,
                const config::FaConfig& fa);

}  // namespace jwo::fa
