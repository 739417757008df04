// The YAML spelling of every configuration enum, one table per enum.
//
// The loader parses with these tables and the daemon logs with them, so a value reads the same
// in the file, in `--check-config` messages and in the journal. All data is constant; use it
// from any thread.
#pragma once

#include <string_view>

#include "config/config.h"

namespace jwo::config {

template <typename E>
struct EnumName {
  std::string_view name;
  E value;
};

inline constexpr EnumName<LogLevel> kLogLevelNames[] = {
    {"debug", LogLevel::kDebug},
    {"info", LogLevel::kInfo},
    {"warning", LogLevel::kWarning},
    {"error", LogLevel::kError},
};
inline constexpr EnumName<LogTarget> kLogTargetNames[] = {
    {"auto", LogTarget::kAuto},
    {"journald", LogTarget::kJournald},
    {"stderr", LogTarget::kStderr},
};
inline constexpr EnumName<Api> kApiNames[] = {
    {"shopper_authorization", Api::kShopperAuthorization},
    {"health", Api::kHealth},
    {"metrics", Api::kMetrics},
    {"purchases", Api::kPurchases},
    {"portal", Api::kPortal},
};
inline constexpr EnumName<LedgerPortal> kLedgerPortalNames[] = {
    {"off", LedgerPortal::kOff},
    {"publish", LedgerPortal::kPublish},
    {"serve", LedgerPortal::kServe},
};
inline constexpr EnumName<CredentialsSource> kCredentialsSourceNames[] = {
    {"file", CredentialsSource::kFile},
    {"environment", CredentialsSource::kEnvironment},
    {"imds", CredentialsSource::kImds},
};
inline constexpr EnumName<ReportPaymentStatus> kReportPaymentStatusNames[] = {
    {"auto", ReportPaymentStatus::kAuto},
    {"always", ReportPaymentStatus::kAlways},
    {"never", ReportPaymentStatus::kNever},
};
inline constexpr EnumName<UnknownCapture> kUnknownCaptureNames[] = {
    {"hold", UnknownCapture::kHold},
    {"resend", UnknownCapture::kResend},
};
inline constexpr EnumName<Strategy> kStrategyNames[] = {
    {"retailer_managed", Strategy::kRetailerManaged},
    {"amazon_recommendation", Strategy::kAmazonRecommendation},
};
inline constexpr EnumName<FailMode> kFailModeNames[] = {
    {"approve", FailMode::kApprove},
    {"deny", FailMode::kDeny},
};
inline constexpr EnumName<RuleAction> kRuleActionNames[] = {
    {"follow", RuleAction::kFollow},
    {"approve", RuleAction::kApprove},
    {"deny", RuleAction::kDeny},
    {"adjust", RuleAction::kAdjust},
};

// The YAML name of `value`, e.g. ApiName(Api::kMetrics) == "metrics". Never empty: every
// enumerator has a row in its table.
std::string_view LogLevelName(LogLevel value);
std::string_view LogTargetName(LogTarget value);
std::string_view ApiName(Api value);
std::string_view StrategyName(Strategy value);
std::string_view FailModeName(FailMode value);
std::string_view RuleActionName(RuleAction value);

}  // namespace jwo::config
