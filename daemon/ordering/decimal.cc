#include "ordering/decimal.h"

#include <cassert>

#include "core/money.h"

namespace jwo::ordering {
namespace {

bool AllDigits(std::string_view s) {
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

}  // namespace

core::Result<int64_t> ParseScaledDecimal(std::string_view text, int decimals) {
  assert(decimals >= 0 && decimals <= 6);
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || !AllDigits(whole) || !AllDigits(frac) ||
      (dot != std::string_view::npos && frac.empty())) {
    return core::InvalidArgument("'" + std::string(text) + "' is not a plain decimal number");
  }
  while (frac.size() > static_cast<size_t>(decimals) && frac.back() == '0') frac.remove_suffix(1);
  if (frac.size() > static_cast<size_t>(decimals)) {
    return core::Status(core::StatusCode::kOutOfRange,
                        "'" + std::string(text) + "' has more than " + std::to_string(decimals) +
                            " decimal places");
  }
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() + static_cast<size_t>(decimals) > 15) {
    return core::Status(core::StatusCode::kOutOfRange, "'" + std::string(text) + "' is too large");
  }
  int64_t value = 0;
  for (char ch : whole) value = value * 10 + (ch - '0');
  for (int i = 0; i < decimals; ++i) {
    value = value * 10 + (static_cast<size_t>(i) < frac.size() ? frac[i] - '0' : 0);
  }
  if (value > core::kMaxMinorUnits) {
    return core::Status(core::StatusCode::kOutOfRange, "'" + std::string(text) + "' is too large");
  }
  return value;
}

std::string FormatScaledDecimal(int64_t value, int decimals) {
  assert(value >= 0 && decimals >= 0 && decimals <= 6);
  std::string digits = std::to_string(value);
  const size_t exp = static_cast<size_t>(decimals);
  if (exp == 0) return digits;
  if (digits.size() <= exp) digits.insert(0, exp - digits.size() + 1, '0');
  digits.insert(digits.size() - exp, 1, '.');
  return digits;
}

core::Result<int64_t> ParsePercentPpm(std::string_view text) { return ParseScaledDecimal(text, 4); }

std::string FormatPercentPpm(int64_t ppm) {
  std::string text = FormatScaledDecimal(ppm, 4);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

}  // namespace jwo::ordering
