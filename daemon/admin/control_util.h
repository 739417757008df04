// Helpers shared by the control API's command files (internal to admin/).
//
// A failed command is carried as a CommandError exception only inside ControlApi::Dispatch
// and the functions it calls, and turned into an {"ok": false} answer by ControlApi::Handle;
// it keeps each command a straight line of "get argument or fail". Nothing else throws it.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/money.h"
#include "core/status.h"

namespace jwo::admin::internal {

namespace json = boost::json;
using core::Status;
using core::StatusCode;

struct CommandError {
  Status status;
};

[[noreturn]] inline void Fail(StatusCode code, std::string message) {
  throw CommandError{Status(code, std::move(message))};
}

inline void Check(const Status& s) {
  if (!s.ok()) throw CommandError{s};
}

inline std::string Arg(const json::object& req, std::string_view key, bool required = true) {
  const json::value* v = req.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) Fail(StatusCode::kInvalidArgument, "missing argument '" + std::string(key) + "'");
    return {};
  }
  if (!v->is_string()) {
    Fail(StatusCode::kInvalidArgument, "argument '" + std::string(key) + "' must be a string");
  }
  return std::string(v->get_string());
}

// The string argument `key` checked by a core/ids validator (core::CheckShopperId, ...): the same
// rule the HTTP APIs apply. An absent optional argument is "" and not checked.
inline std::string IdArg(const json::object& req, std::string_view key,
                         std::string_view (*check)(std::string_view), bool required = true) {
  std::string value = Arg(req, key, required);
  if (!required && value.empty()) return value;
  if (const std::string_view rule = check(value); !rule.empty()) {
    Fail(StatusCode::kInvalidArgument, "argument '" + std::string(key) + "' " + std::string(rule));
  }
  return value;
}

// The operator's reason, required for every command that changes state: 1 to 1024 bytes of
// text (core::CheckReason).
inline std::string ReasonArg(const json::object& req, std::string_view action) {
  const json::value* v = req.if_contains("reason");
  if (v == nullptr || v->is_null() || (v->is_string() && v->get_string().empty())) {
    Fail(StatusCode::kInvalidArgument, "a reason is required for " + std::string(action));
  }
  return IdArg(req, "reason", core::CheckReason);
}

// Minor units as a decimal in the currency's digits ("12.50"); the raw number for a currency
// this build does not know (stored records only hold valid codes, so this is a safety net).
inline std::string FormatAmount(int64_t minor, const std::string& currency) {
  auto c = core::FindCurrency(currency);
  return c ? core::FormatMinorUnits(minor, *c) : std::to_string(minor);
}

}  // namespace jwo::admin::internal
