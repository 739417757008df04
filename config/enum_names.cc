#include "config/enum_names.h"

#include <cassert>

namespace jwo::config {
namespace {

template <typename E, size_t N>
std::string_view Lookup(const EnumName<E> (&table)[N], E value) {
  for (const auto& row : table) {
    if (row.value == value) return row.name;
  }
  assert(false && "enumerator missing from its name table");
  return "unknown";
}

}  // namespace

std::string_view LogLevelName(LogLevel value) { return Lookup(kLogLevelNames, value); }
std::string_view LogTargetName(LogTarget value) { return Lookup(kLogTargetNames, value); }
std::string_view ApiName(Api value) { return Lookup(kApiNames, value); }
std::string_view StrategyName(Strategy value) { return Lookup(kStrategyNames, value); }
std::string_view FailModeName(FailMode value) { return Lookup(kFailModeNames, value); }
std::string_view RuleActionName(RuleAction value) { return Lookup(kRuleActionNames, value); }

}  // namespace jwo::config
