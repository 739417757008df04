#include "config/enum_names.h"

#include <catch2/catch_test_macros.hpp>
#include <set>

namespace jwo::config {
namespace {

// Walks a table: every row's name maps back to its value and names are unique.
template <typename E, size_t N, typename NameFn>
void CheckTable(const EnumName<E> (&table)[N], NameFn name_of) {
  std::set<std::string_view> names;
  for (const auto& row : table) {
    CHECK(name_of(row.value) == row.name);
    CHECK(names.insert(row.name).second);
  }
}

TEST_CASE("every enumerator has one unique YAML name") {
  CheckTable(kLogLevelNames, LogLevelName);
  CheckTable(kLogTargetNames, LogTargetName);
  CheckTable(kApiNames, ApiName);
  CheckTable(kStrategyNames, StrategyName);
  CheckTable(kFailModeNames, FailModeName);
  CheckTable(kRuleActionNames, RuleActionName);
  CHECK(std::size(kLogLevelNames) == 4);
  CHECK(std::size(kLogTargetNames) == 3);
  CHECK(std::size(kApiNames) == 5);
  CHECK(std::size(kStrategyNames) == 2);
  CHECK(std::size(kFailModeNames) == 2);
  CHECK(std::size(kRuleActionNames) == 4);
}

TEST_CASE("names are the ones the YAML uses") {
  CHECK(ApiName(Api::kShopperAuthorization) == "shopper_authorization");
  CHECK(StrategyName(Strategy::kAmazonRecommendation) == "amazon_recommendation");
  CHECK(RuleActionName(RuleAction::kAdjust) == "adjust");
  CHECK(LogTargetName(LogTarget::kJournald) == "journald");
}

}  // namespace
}  // namespace jwo::config
