// Money: an amount in integer minor units of an ISO 4217 currency (architecture.md §6).
//
// Amounts are parsed from decimal text exactly ("15.99" USD -> 1599); text with more fractional
// digits than the currency has is rejected, never rounded. Nothing here uses floating point.
// All functions are pure and may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace jwo::core {

struct Currency {
  char code[4] = {0, 0, 0, 0};  // three upper-case letters and a NUL
  int exponent = 2;             // number of fractional digits of the minor unit (JPY 0, KWD 3)

  std::string_view Code() const { return {code, 3}; }
  friend bool operator==(const Currency& a, const Currency& b) { return a.Code() == b.Code(); }
};

// The ISO 4217 currency with this code, or nullopt when `code` is not an active ISO 4217 code.
std::optional<Currency> FindCurrency(std::string_view code);

// Largest magnitude accepted for any amount, in minor units: 10^15 - 1. Keeps every sum of a
// realistic number of amounts far from int64 overflow and every amount exactly representable
// as a JSON number with 15 significant digits.
inline constexpr int64_t kMaxMinorUnits = 999'999'999'999'999;

struct Money {
  int64_t minor = 0;
  Currency currency;

  friend bool operator==(const Money& a, const Money& b) {
    return a.minor == b.minor && a.currency == b.currency;
  }
};

// Parses a plain decimal ("15.99", "-0.5", "1500", "1e2" is NOT accepted) into minor units of
// `currency`. Returns kInvalidArgument for malformed text, kOutOfRange for more fractional
// digits than the currency allows or a magnitude above kMaxMinorUnits.
Result<int64_t> ParseMinorUnits(std::string_view text, const Currency& currency);

// Prints minor units as a plain decimal with exactly the currency's digits: 1599 USD -> "15.99",
// 1500 JPY -> "1500", -5 USD -> "-0.05".
std::string FormatMinorUnits(int64_t minor, const Currency& currency);

}  // namespace jwo::core
