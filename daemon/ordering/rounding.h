// Rounding: how the pricing engine turns an exact fraction of a minor unit into whole minor
// units (a weighed line's price, a percentage discount, a tax amount), and the catalog's
// rounding rule (mode and level, see docs/pricing.md "Rounding").
//
// All amounts the engine rounds are non-negative, so "half up" and "half away from zero" are
// the same thing here. Everything is pure; call it from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace jwo::ordering {

// 128-bit intermediate products: price (< 10^15) x quantity or rate (<= 10^13) does not fit in
// 64 bits. __extension__ keeps -Wpedantic quiet about the GCC/Clang builtin type.
__extension__ typedef __int128 Int128;

enum class RoundingMode {
  kHalfUp,    // 0.5 goes up: 2.5 -> 3, 3.5 -> 4 (the usual retail rule)
  kHalfEven,  // 0.5 goes to the even neighbour: 2.5 -> 2, 3.5 -> 4 (banker's rounding)
  kDown,      // any fraction is dropped: 2.9 -> 2
  kUp,        // any fraction goes up: 2.1 -> 3
};

// Where tax is rounded (discounts are always rounded per unit, weighed prices per line).
enum class RoundingLevel {
  kLine,   // each line's tax for each rate is rounded on its own
  kTotal,  // each rate's tax is rounded once on the sum of the lines, then shared back
};

struct RoundingRule {
  RoundingMode mode = RoundingMode::kHalfUp;
  RoundingLevel level = RoundingLevel::kLine;
};

// The catalog file's spelling: "half_up", "half_even", "down", "up"; "line", "total".
std::string_view RoundingModeName(RoundingMode mode);
std::string_view RoundingLevelName(RoundingLevel level);
// The mode or level with that exact name, or nullopt.
std::optional<RoundingMode> ParseRoundingMode(std::string_view name);
std::optional<RoundingLevel> ParseRoundingLevel(std::string_view name);

// numerator / denominator rounded to an integer with `mode`.
// REQUIRES: numerator >= 0, denominator > 0, and the rounded quotient fits in int64 (callers
// bound their operands by core::kMaxMinorUnits first).
int64_t RoundQuotient(Int128 numerator, Int128 denominator, RoundingMode mode);

// amount x ppm / 1,000,000 rounded with `mode`: a percentage of an amount, the percentage
// given in parts per million (6.25% is 62,500). REQUIRES: amount >= 0, 0 <= ppm.
int64_t ApplyPpm(int64_t amount, int64_t ppm, RoundingMode mode);

inline constexpr int64_t kPpmPerWhole = 1'000'000;

}  // namespace jwo::ordering
