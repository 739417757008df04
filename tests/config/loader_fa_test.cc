#include "config/loader.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "config_test_util.h"

namespace jwo::config {
namespace {

using Catch::Matchers::StartsWith;
using testing::Describe;
using testing::LoadMinimalWith;
using testing::SoleError;

LoadResult WithThreshold(const std::string& entry) {
  return LoadMinimalWith("fa:\n  thresholds:\n    " + entry + "\n");
}

TEST_CASE("fa strategy and fail mode are read") {
  const LoadResult r =
      LoadMinimalWith("fa: {strategy: amazon_recommendation, fail_mode: approve}\n");
  REQUIRE(r.ok());
  CHECK(r.config->fa.strategy == Strategy::kAmazonRecommendation);
  CHECK(r.config->fa.fail_mode == FailMode::kApprove);
}

TEST_CASE("thresholds are parsed exactly in the currency's minor units") {
  const LoadResult r = LoadMinimalWith(
      "fa:\n  thresholds:\n    USD: 0.29\n    EUR: \"10\"\n    JPY: 500\n    KWD: 1.005\n"
      "    GBP: 0.10\n");
  INFO(Describe(r));
  REQUIRE(r.ok());
  const auto& t = r.config->fa.thresholds;
  CHECK(t.at("USD") == 29);  // 0.29 as a double is 0.28999...; exact parsing keeps 29
  CHECK(t.at("EUR") == 1000);
  CHECK(t.at("JPY") == 500);
  CHECK(t.at("KWD") == 1005);
  CHECK(t.at("GBP") == 10);
}

TEST_CASE("an unknown currency code points at the key") {
  const ConfigError e = SoleError(WithThreshold("XYZ: 1.00"));
  CHECK(e.key == "fa.thresholds.XYZ");
  CHECK(e.line == 8);
  CHECK(e.column == 5);
  CHECK_THAT(e.rule, StartsWith("unknown currency code"));
  CHECK(e.found == "XYZ");
  CHECK(SoleError(WithThreshold("usd: 1.00")).found == "usd");
}

TEST_CASE("an amount with more decimals than its currency is rejected, not rounded") {
  const ConfigError e = SoleError(WithThreshold("USD: 0.001"));
  CHECK(e.key == "fa.thresholds.USD");
  CHECK(e.ToString() ==
        "/etc/jwo/test.yaml:8:10: fa.thresholds.USD: too many decimal places: USD has 2 "
        "(found \"0.001\")");
  CHECK(SoleError(WithThreshold("JPY: 1.5")).rule == "too many decimal places: JPY has 0");
  CHECK(WithThreshold("USD: 0.010").ok());  // trailing zeros carry no value
}

TEST_CASE("thresholds must be positive plain decimals within range") {
  CHECK(SoleError(WithThreshold("USD: -1.00")).rule == "must be greater than zero");
  CHECK(SoleError(WithThreshold("USD: 0")).rule == "must be greater than zero");
  CHECK(SoleError(WithThreshold("USD: 1e2")).rule == "must be a plain decimal amount such as 0.01");
  CHECK(SoleError(WithThreshold("USD: ten")).found == "ten");
  CHECK(SoleError(WithThreshold("USD: [1]")).rule == "must be a decimal amount such as 0.01");
  CHECK(SoleError(WithThreshold("USD: 10000000000000.00")).rule ==
        "too large: at most 9999999999999.99");
  CHECK(WithThreshold("USD: 9999999999999.99").ok());
  CHECK_THAT(SoleError(LoadMinimalWith("fa: {thresholds: [USD]}\n")).rule,
             StartsWith("must be a mapping"));
}

TEST_CASE("recommendation rules are read") {
  const LoadResult r = LoadMinimalWith(R"(
fa:
  strategy: amazon_recommendation
  recommendation_rules:
    approved_clear: approve
    approved_owes: adjust
    denied_clear: deny
    denied_owes: follow
    absent_clear: deny
    absent_owes: approve
    adjust_amounts: {USD: 25.00, JPY: 3000}
)");
  INFO(Describe(r));
  REQUIRE(r.ok());
  const RecommendationRules& rules = r.config->fa.rules;
  CHECK(rules.approved_clear == RuleAction::kApprove);
  CHECK(rules.approved_owes == RuleAction::kAdjust);
  CHECK(rules.denied_clear == RuleAction::kDeny);
  CHECK(rules.denied_owes == RuleAction::kFollow);
  CHECK(rules.absent_clear == RuleAction::kDeny);
  CHECK(rules.absent_owes == RuleAction::kApprove);
  CHECK(rules.adjust_amounts == std::map<std::string, int64_t>{{"JPY", 3000}, {"USD", 2500}});
}

TEST_CASE("unset recommendation rules keep their defaults") {
  const LoadResult r = LoadMinimalWith("fa: {recommendation_rules: {denied_clear: deny}}\n");
  REQUIRE(r.ok());
  const RecommendationRules& rules = r.config->fa.rules;
  CHECK(rules.denied_clear == RuleAction::kDeny);
  CHECK(rules.approved_clear == RuleAction::kFollow);
  CHECK(rules.absent_clear == RuleAction::kApprove);
  CHECK(rules.absent_owes == RuleAction::kDeny);
}

TEST_CASE("a rule of adjust needs adjust amounts") {
  const LoadResult r = LoadMinimalWith("fa:\n  recommendation_rules:\n    absent_owes: adjust\n");
  const ConfigError e = SoleError(r);
  INFO(Describe(r));
  CHECK(e.key == "fa.recommendation_rules.adjust_amounts");
  CHECK(e.line == 8);
  CHECK(e.rule ==
        "must give an amount for at least one currency when a rule is adjust "
        "(fa.recommendation_rules.absent_owes is)");
  CHECK(SoleError(LoadMinimalWith(
                      "fa: {recommendation_rules: {absent_owes: adjust, adjust_amounts: {}}}\n"))
            .key == "fa.recommendation_rules.adjust_amounts");
}

TEST_CASE("bad rule actions and adjust amounts are reported") {
  const LoadResult r = LoadMinimalWith(
      "fa:\n  recommendation_rules:\n    approved_owes: reject\n"
      "    adjust_amounts: {USD: 0.001, ABC: 1}\n");
  INFO(Describe(r));
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].rule == "must be one of follow, approve, deny, adjust");
  CHECK(r.errors[1].key == "fa.recommendation_rules.adjust_amounts.USD");
  CHECK(r.errors[2].key == "fa.recommendation_rules.adjust_amounts.ABC");
}

}  // namespace
}  // namespace jwo::config
