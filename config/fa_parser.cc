// Parses `fa:`: the F&A strategy, fail mode, debt thresholds and recommendation rules.
#include "config/section_parsers.h"

#include "core/money.h"

namespace jwo::config::internal {
namespace {

// More fractional digits than the currency has, after dropping trailing zeros (which carry
// no value, as in ParseMinorUnits).
bool HasTooManyDecimals(std::string_view text, const core::Currency& currency) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return false;
  std::string_view frac = text.substr(dot + 1);
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  return frac.size() > static_cast<size_t>(currency.exponent);
}

// One `CUR: amount` entry. The amount is the scalar's text exactly as written, parsed with
// ParseMinorUnits: going through a double would turn 0.29 into 0.28999... and round.
bool ReadAmount(Reader& reader, const Fields::Entry& entry, int64_t* out) {
  const auto currency = core::FindCurrency(entry.key);
  if (!currency) {
    reader.Fail(entry.key_at, "unknown currency code; use an ISO 4217 code such as USD or EUR",
                entry.key);
    return false;
  }
  if (!entry.value.node.IsScalar()) {
    reader.Fail(entry.value, "must be a decimal amount such as 0.01");
    return false;
  }
  const std::string& text = entry.value.node.Scalar();
  auto minor = core::ParseMinorUnits(text, *currency);
  if (!minor.ok()) {
    if (minor.status().code() == core::StatusCode::kInvalidArgument) {
      reader.Fail(entry.value, "must be a plain decimal amount such as 0.01", text);
    } else if (HasTooManyDecimals(text, *currency)) {
      reader.Fail(
          entry.value,
          "too many decimal places: " + entry.key + " has " + std::to_string(currency->exponent),
          text);
    } else {
      reader.Fail(entry.value,
                  "too large: at most " + core::FormatMinorUnits(core::kMaxMinorUnits, *currency),
                  text);
    }
    return false;
  }
  if (*minor <= 0) {
    reader.Fail(entry.value, "must be greater than zero", text);
    return false;
  }
  *out = *minor;
  return true;
}

void ReadAmounts(Reader& reader, const Value& value, std::map<std::string, int64_t>* out) {
  auto fields = reader.OpenMap(value);
  if (!fields) return;
  for (const Fields::Entry& entry : fields->entries) {
    int64_t minor = 0;
    if (ReadAmount(reader, entry, &minor)) (*out)[entry.key] = minor;
  }
}

struct RuleKey {
  std::string_view key;
  RuleAction RecommendationRules::*member;
};

constexpr RuleKey kRuleKeys[] = {
    {"approved_clear", &RecommendationRules::approved_clear},
    {"approved_owes", &RecommendationRules::approved_owes},
    {"denied_clear", &RecommendationRules::denied_clear},
    {"denied_owes", &RecommendationRules::denied_owes},
    {"absent_clear", &RecommendationRules::absent_clear},
    {"absent_owes", &RecommendationRules::absent_owes},
};

void ParseRules(Reader& reader, const Value& value, RecommendationRules* out) {
  auto fields = reader.Map(value, {"approved_clear", "approved_owes", "denied_clear", "denied_owes",
                                   "absent_clear", "absent_owes", "adjust_amounts"});
  if (!fields) return;
  const Value* first_adjust = nullptr;
  for (const RuleKey& rule : kRuleKeys) {
    const Value* v = fields->Find(rule.key);
    if (v == nullptr) continue;
    if (reader.Enum(*v, kRuleActionNames, &(out->*rule.member)) &&
        out->*rule.member == RuleAction::kAdjust && first_adjust == nullptr) {
      first_adjust = v;
    }
  }
  const Value* amounts = fields->Find("adjust_amounts");
  if (amounts != nullptr) ReadAmounts(reader, *amounts, &out->adjust_amounts);
  // An ADJUST condition without an amount would have nothing to send, so a rule naming
  // `adjust` needs at least one currency's amount. A value that is not a mapping has had its
  // own error already.
  const bool amounts_missing = amounts == nullptr || amounts->node.IsNull() ||
                               (amounts->node.IsMap() && amounts->node.size() == 0);
  if (first_adjust != nullptr && amounts_missing) {
    Value at = *first_adjust;
    at.path = ChildPath(value.path, "adjust_amounts");
    reader.Fail(at, "must give an amount for at least one currency when a rule is adjust (" +
                        first_adjust->path + " is)");
  }
}

}  // namespace

void ParseFa(Reader& reader, const Value& value, FaConfig* out) {
  auto fields = reader.Map(value, {"strategy", "fail_mode", "thresholds", "recommendation_rules"});
  if (!fields) return;
  reader.OptionalEnum(*fields, "strategy", kStrategyNames, &out->strategy);
  reader.OptionalEnum(*fields, "fail_mode", kFailModeNames, &out->fail_mode);
  if (const Value* v = fields->Find("thresholds")) ReadAmounts(reader, *v, &out->thresholds);
  if (const Value* v = fields->Find("recommendation_rules")) ParseRules(reader, *v, &out->rules);
}

}  // namespace jwo::config::internal
