#include "fa/policy.h"

namespace jwo::fa {
namespace {

using store::Outcome;

constexpr std::string_view kBadDebt = "BadDebt";

Decision Approve(Reason reason) { return Decision{Outcome::kApproved, reason, {}, {}}; }

Decision Deny(Reason reason, std::vector<std::string> risks = {}) {
  return Decision{Outcome::kDenied, reason, std::move(risks), {}};
}

Decision FollowAmazon(const Recommendation& rec) {
  if (rec.shopper_authorized) {
    Decision d = Approve(Reason::kAmazonApproved);
    if (!rec.conditions.empty()) d.adjust_amount = rec.conditions.front().amount;
    return d;
  }
  return Deny(Reason::kAmazonDenied, rec.risks);
}

Decision ApplyRule(config::RuleAction action, const AuthorizationRequest& req, bool owes,
                   const config::FaConfig& fa) {
  const auto& rec = req.recommendation;
  switch (action) {
    case config::RuleAction::kFollow:
      if (rec) return FollowAmazon(*rec);
      return owes ? Deny(Reason::kOpenDebt, {std::string(kBadDebt)})
                  : Approve(Reason::kLedgerClear);
    case config::RuleAction::kApprove:
      return Approve(Reason::kRuleApprove);
    case config::RuleAction::kDeny:
      if (owes) return Deny(Reason::kRuleDeny, {std::string(kBadDebt)});
      return Deny(Reason::kRuleDeny, rec ? rec->risks : std::vector<std::string>{});
    case config::RuleAction::kAdjust: {
      if (!req.authorized_amount) return Deny(Reason::kAdjustUnconfigured);
      const core::Currency& currency = req.authorized_amount->currency;
      auto it = fa.rules.adjust_amounts.find(std::string(currency.Code()));
      if (it == fa.rules.adjust_amounts.end()) return Deny(Reason::kAdjustUnconfigured);
      Decision d = Approve(Reason::kRuleAdjust);
      d.adjust_amount = core::Money{it->second, currency};
      return d;
    }
  }
  return Deny(Reason::kRuleDeny);
}

}  // namespace

std::string_view ReasonName(Reason r) {
  switch (r) {
    case Reason::kLedgerClear:
      return "ledger_clear";
    case Reason::kOpenDebt:
      return "open_debt";
    case Reason::kOverrideAllow:
      return "override_allow";
    case Reason::kOverrideBlock:
      return "override_block";
    case Reason::kStoreUnavailable:
      return "store_unavailable";
    case Reason::kAmazonApproved:
      return "amazon_approved";
    case Reason::kAmazonDenied:
      return "amazon_denied";
    case Reason::kRuleApprove:
      return "rule_approve";
    case Reason::kRuleDeny:
      return "rule_deny";
    case Reason::kRuleAdjust:
      return "rule_adjust";
    case Reason::kAdjustUnconfigured:
      return "adjust_unconfigured";
  }
  return "unknown";
}

bool OwesAtThreshold(const store::ShopperRecord& shopper, const config::FaConfig& fa) {
  for (const core::Money& b : shopper.open_debt) {
    auto it = fa.thresholds.find(std::string(b.currency.Code()));
    const int64_t threshold = it == fa.thresholds.end() ? 1 : it->second;
    if (b.minor >= threshold) return true;
  }
  return false;
}

Decision Decide(const AuthorizationRequest& req, const LedgerView& ledger,
                const config::FaConfig& fa) {
  if (!ledger.readable) {
    return fa.fail_mode == config::FailMode::kApprove ? Approve(Reason::kStoreUnavailable)
                                                      : Deny(Reason::kStoreUnavailable);
  }
  if (ledger.shopper != nullptr) {
    switch (ledger.shopper->EffectiveOverride()) {
      case store::Override::kAlwaysAllow:
        return Approve(Reason::kOverrideAllow);
      case store::Override::kAlwaysBlock:
        return Deny(Reason::kOverrideBlock);
      case store::Override::kNone:
        break;
    }
  }
  const bool owes = ledger.shopper != nullptr && OwesAtThreshold(*ledger.shopper, fa);
  if (fa.strategy == config::Strategy::kRetailerManaged) {
    return owes ? Deny(Reason::kOpenDebt, {std::string(kBadDebt)}) : Approve(Reason::kLedgerClear);
  }
  const auto& rules = fa.rules;
  config::RuleAction action;
  if (!req.recommendation) {
    action = owes ? rules.absent_owes : rules.absent_clear;
  } else if (req.recommendation->shopper_authorized) {
    action = owes ? rules.approved_owes : rules.approved_clear;
  } else {
    action = owes ? rules.denied_owes : rules.denied_clear;
  }
  return ApplyRule(action, req, owes, fa);
}

}  // namespace jwo::fa
