#include "fa/policy.h"

#include <catch2/catch_test_macros.hpp>
#include <set>

using namespace jwo;
using store::Outcome;

namespace {

config::FaConfig Retailer() {
  config::FaConfig fa;
  fa.strategy = config::Strategy::kRetailerManaged;
  fa.thresholds = {{"USD", 1000}};  // deny at 10.00 USD
  return fa;
}

config::FaConfig Amazon() {
  config::FaConfig fa = Retailer();
  fa.strategy = config::Strategy::kAmazonRecommendation;
  fa.rules.adjust_amounts = {{"USD", 2500}};
  return fa;
}

fa::AuthorizationRequest Request(std::optional<bool> amazon_approves = std::nullopt) {
  fa::AuthorizationRequest r;
  r.store_id = "s";
  r.shopper_id = "x";
  r.trip_id = "t";
  r.authorized_amount = core::Money{5000, *core::FindCurrency("USD")};
  if (amazon_approves) {
    r.recommendation = fa::Recommendation{*amazon_approves, {}, {}};
    if (!*amazon_approves) r.recommendation->risks = {"CustomerFraud"};
  }
  return r;
}

store::ShopperRecord Owing(int64_t usd) {
  store::ShopperRecord s;
  if (usd > 0) s.open_debt = {{usd, *core::FindCurrency("USD")}};
  return s;
}

}  // namespace

TEST_CASE("retailer_managed: debt at or above the threshold denies") {
  const auto fa = Retailer();
  const auto unknown = fa::Decide(Request(), {true, nullptr}, fa);
  CHECK(unknown.outcome == Outcome::kApproved);
  CHECK(unknown.reason == fa::Reason::kLedgerClear);

  auto below = Owing(999);
  CHECK(fa::Decide(Request(), {true, &below}, fa).outcome == Outcome::kApproved);
  auto at = Owing(1000);
  const auto denied = fa::Decide(Request(), {true, &at}, fa);
  CHECK(denied.outcome == Outcome::kDenied);
  CHECK(denied.reason == fa::Reason::kOpenDebt);
  CHECK(denied.risks == std::vector<std::string>{"BadDebt"});
}

TEST_CASE("a currency without a threshold denies on any open debt") {
  auto fa = Retailer();
  store::ShopperRecord s;
  s.open_debt = {{1, *core::FindCurrency("EUR")}};
  CHECK(fa::Decide(Request(), {true, &s}, fa).outcome == Outcome::kDenied);
}

TEST_CASE("retailer_managed ignores Amazon's recommendation") {
  const auto fa = Retailer();
  CHECK(fa::Decide(Request(false), {true, nullptr}, fa).outcome == Outcome::kApproved);
  auto owes = Owing(5000);
  CHECK(fa::Decide(Request(true), {true, &owes}, fa).outcome == Outcome::kDenied);
}

TEST_CASE("overrides win over debt and over Amazon") {
  for (const auto& fa : {Retailer(), Amazon()}) {
    auto s = Owing(99999);
    s.override_mode = store::Override::kAlwaysAllow;
    auto d = fa::Decide(Request(false), {true, &s}, fa);
    CHECK(d.outcome == Outcome::kApproved);
    CHECK(d.reason == fa::Reason::kOverrideAllow);
    store::ShopperRecord clean;
    clean.override_mode = store::Override::kAlwaysBlock;
    d = fa::Decide(Request(true), {true, &clean}, fa);
    CHECK(d.outcome == Outcome::kDenied);
    CHECK(d.reason == fa::Reason::kOverrideBlock);
  }
}

TEST_CASE("an unreadable store follows the fail mode") {
  auto fa = Retailer();
  fa.fail_mode = config::FailMode::kDeny;
  auto d = fa::Decide(Request(), {false, nullptr}, fa);
  CHECK(d.outcome == Outcome::kDenied);
  CHECK(d.reason == fa::Reason::kStoreUnavailable);
  fa.fail_mode = config::FailMode::kApprove;
  CHECK(fa::Decide(Request(), {false, nullptr}, fa).outcome == Outcome::kApproved);
}

TEST_CASE("amazon_recommendation: default rules follow Amazon unless the ledger owes") {
  const auto fa = Amazon();
  auto d = fa::Decide(Request(true), {true, nullptr}, fa);
  CHECK(d.outcome == Outcome::kApproved);
  CHECK(d.reason == fa::Reason::kAmazonApproved);
  d = fa::Decide(Request(false), {true, nullptr}, fa);
  CHECK(d.outcome == Outcome::kDenied);
  CHECK(d.reason == fa::Reason::kAmazonDenied);
  CHECK(d.risks == std::vector<std::string>{"CustomerFraud"});
  auto owes = Owing(1000);
  d = fa::Decide(Request(true), {true, &owes}, fa);
  CHECK(d.outcome == Outcome::kDenied);
  CHECK(d.reason == fa::Reason::kRuleDeny);
  CHECK(d.risks == std::vector<std::string>{"BadDebt"});
  // No recommendation in the request: absent_* rules (approve when clear, deny when owing).
  CHECK(fa::Decide(Request(), {true, nullptr}, fa).reason == fa::Reason::kRuleApprove);
  CHECK(fa::Decide(Request(), {true, &owes}, fa).outcome == Outcome::kDenied);
}

TEST_CASE("amazon_recommendation: Amazon's ADJUST condition is passed on when followed") {
  auto req = Request(true);
  req.recommendation->conditions.push_back({core::Money{1234, *core::FindCurrency("USD")}});
  auto d = fa::Decide(req, {true, nullptr}, Amazon());
  CHECK(d.outcome == Outcome::kApproved);
  REQUIRE(d.adjust_amount);
  CHECK(d.adjust_amount->minor == 1234);
}

TEST_CASE("amazon_recommendation: override Amazon to accept, to deny, or to adjust") {
  auto fa = Amazon();
  fa.rules.denied_clear = config::RuleAction::kApprove;
  auto d = fa::Decide(Request(false), {true, nullptr}, fa);
  CHECK(d.outcome == Outcome::kApproved);
  CHECK(d.reason == fa::Reason::kRuleApprove);

  fa.rules.approved_clear = config::RuleAction::kDeny;
  d = fa::Decide(Request(true), {true, nullptr}, fa);
  CHECK(d.outcome == Outcome::kDenied);
  CHECK(d.reason == fa::Reason::kRuleDeny);

  fa.rules.approved_owes = config::RuleAction::kAdjust;
  auto owes = Owing(1500);
  d = fa::Decide(Request(true), {true, &owes}, fa);
  CHECK(d.outcome == Outcome::kApproved);
  CHECK(d.reason == fa::Reason::kRuleAdjust);
  REQUIRE(d.adjust_amount);
  CHECK(d.adjust_amount->minor == 2500);
  CHECK(d.adjust_amount->currency.Code() == "USD");

  auto eur = Request(true);
  eur.authorized_amount = core::Money{5000, *core::FindCurrency("EUR")};
  d = fa::Decide(eur, {true, &owes}, fa);
  CHECK(d.outcome == Outcome::kDenied);
  CHECK(d.reason == fa::Reason::kAdjustUnconfigured);
}

TEST_CASE("every reason has a distinct metric name") {
  std::set<std::string_view> names;
  for (int r = 0; r < fa::kReasonCount; ++r) {
    auto n = fa::ReasonName(static_cast<fa::Reason>(r));
    CHECK(n != "unknown");
    names.insert(n);
  }
  CHECK(names.size() == fa::kReasonCount);
}
