#include "ordering/rounding.h"

#include <cassert>

namespace jwo::ordering {
namespace {

struct ModeName {
  std::string_view name;
  RoundingMode mode;
};
constexpr ModeName kModes[] = {
    {"half_up", RoundingMode::kHalfUp},
    {"half_even", RoundingMode::kHalfEven},
    {"down", RoundingMode::kDown},
    {"up", RoundingMode::kUp},
};

}  // namespace

std::string_view RoundingModeName(RoundingMode mode) {
  for (const auto& row : kModes) {
    if (row.mode == mode) return row.name;
  }
  return "half_up";
}

std::string_view RoundingLevelName(RoundingLevel level) {
  return level == RoundingLevel::kLine ? "line" : "total";
}

std::optional<RoundingMode> ParseRoundingMode(std::string_view name) {
  for (const auto& row : kModes) {
    if (row.name == name) return row.mode;
  }
  return std::nullopt;
}

std::optional<RoundingLevel> ParseRoundingLevel(std::string_view name) {
  if (name == "line") return RoundingLevel::kLine;
  if (name == "total") return RoundingLevel::kTotal;
  return std::nullopt;
}

int64_t RoundQuotient(Int128 numerator, Int128 denominator, RoundingMode mode) {
  assert(numerator >= 0 && denominator > 0);
  Int128 quotient = numerator / denominator;
  const Int128 remainder = numerator % denominator;
  if (remainder != 0) {
    // Compare 2r with d rather than r with d/2: d may be odd.
    const Int128 twice = remainder * 2;
    switch (mode) {
      case RoundingMode::kHalfUp:
        if (twice >= denominator) ++quotient;
        break;
      case RoundingMode::kHalfEven:
        if (twice > denominator || (twice == denominator && quotient % 2 != 0)) ++quotient;
        break;
      case RoundingMode::kDown:
        break;
      case RoundingMode::kUp:
        ++quotient;
        break;
    }
  }
  return static_cast<int64_t>(quotient);
}

int64_t ApplyPpm(int64_t amount, int64_t ppm, RoundingMode mode) {
  return RoundQuotient(static_cast<Int128>(amount) * ppm, kPpmPerWhole, mode);
}

}  // namespace jwo::ordering
