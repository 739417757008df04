// Exact fixed-point decimals for the numbers pricing reads that are not money: quantities
// (thousandths of a unit or of a weight unit) and percentages (parts per million).
//
// Text is parsed digit by digit, never through a double, so "0.455" is exactly 455
// thousandths and "8.875" percent exactly 88,750 ppm. Pure functions; call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace jwo::ordering {

// Parses "12", "12.5", "0.455" (digits, at most one '.', digits on both sides of it) into the
// integer value x 10^decimals. Trailing fractional zeros carry no value and are accepted past
// `decimals` ("2.0000" with 3 decimals is 2000).
// Fails with kInvalidArgument for anything else (signs, exponents, spaces, empty text) and
// kOutOfRange for more significant fractional digits than `decimals` or a scaled value above
// 10^15 - 1. REQUIRES: 0 <= decimals <= 6.
core::Result<int64_t> ParseScaledDecimal(std::string_view text, int decimals);

// Prints value / 10^decimals with exactly `decimals` fractional digits: (455, 3) -> "0.455",
// (2000, 3) -> "2.000", (7, 0) -> "7". REQUIRES: value >= 0, 0 <= decimals <= 6.
std::string FormatScaledDecimal(int64_t value, int decimals);

// A percentage in parts per million, as written in the catalog: "6.25" -> 62,500. At most four
// decimals (one ppm). Fails like ParseScaledDecimal.
core::Result<int64_t> ParsePercentPpm(std::string_view text);

// 62,500 -> "6.25"; trailing zeros dropped. REQUIRES: ppm >= 0.
std::string FormatPercentPpm(int64_t ppm);

}  // namespace jwo::ordering
