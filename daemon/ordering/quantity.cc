#include "ordering/quantity.h"

#include <cctype>
#include <numeric>

#include "core/ascii.h"
#include "core/money.h"
#include "ordering/decimal.h"

namespace jwo::ordering {
namespace {

constexpr int kWeightDecimals = 3;
constexpr int64_t kThousandths = 1000;

struct UnitRow {
  WeightUnit unit;
  std::string_view name;
  int64_t nanograms;  // exact: 1 oz = 28.349523125 g, the smallest unit that keeps all integral
};
constexpr UnitRow kUnits[] = {
    {WeightUnit::kKilogram, "kg", 1'000'000'000'000},
    {WeightUnit::kGram, "g", 1'000'000'000},
    {WeightUnit::kPound, "lb", 453'592'370'000},
    {WeightUnit::kOunce, "oz", 28'349'523'125},
};

struct Alias {
  std::string_view text;
  WeightUnit unit;
};
constexpr Alias kWeightAliases[] = {
    {"kg", WeightUnit::kKilogram},
    {"kgs", WeightUnit::kKilogram},
    {"kilo", WeightUnit::kKilogram},
    {"kilos", WeightUnit::kKilogram},
    {"kilogram", WeightUnit::kKilogram},
    {"kilograms", WeightUnit::kKilogram},
    {"g", WeightUnit::kGram},
    {"gram", WeightUnit::kGram},
    {"grams", WeightUnit::kGram},
    {"lb", WeightUnit::kPound},
    {"lbs", WeightUnit::kPound},
    {"pound", WeightUnit::kPound},
    {"pounds", WeightUnit::kPound},
    {"oz", WeightUnit::kOunce},
    {"ounce", WeightUnit::kOunce},
    {"ounces", WeightUnit::kOunce},
};
constexpr std::string_view kCountUnits[] = {"",       "unit",  "units", "each", "ea",
                                            "item",   "items", "count", "ct",   "piece",
                                            "pieces", "pc",    "pcs"};

int64_t Nanograms(WeightUnit unit) {
  for (const UnitRow& row : kUnits) {
    if (row.unit == unit) return row.nanograms;
  }
  return kUnits[0].nanograms;
}

core::Status Invalid(std::string message) { return core::InvalidArgument(std::move(message)); }

}  // namespace

std::string_view WeightUnitName(WeightUnit unit) {
  for (const UnitRow& row : kUnits) {
    if (row.unit == unit) return row.name;
  }
  return "kg";
}

std::optional<WeightUnit> WeightUnitFromName(std::string_view name) {
  for (const UnitRow& row : kUnits) {
    if (row.name == name) return row.unit;
  }
  return std::nullopt;
}

std::optional<WeightUnit> ParseCartWeightUnit(std::string_view text) {
  const std::string lower = core::AsciiLowerCopy(text);
  for (const Alias& alias : kWeightAliases) {
    if (alias.text == lower) return alias.unit;
  }
  return std::nullopt;
}

bool IsCountUnit(std::string_view text) {
  const std::string lower = core::AsciiLowerCopy(text);
  for (std::string_view unit : kCountUnits) {
    if (unit == lower) return true;
  }
  return false;
}

core::Result<LineQuantity> ResolveQuantity(const CatalogItem& item, std::string_view value,
                                           std::string_view unit) {
  auto parsed = ParseScaledDecimal(value, kWeightDecimals);
  const std::string quoted = "'" + std::string(value) + "'";
  if (!parsed.ok()) {
    if (parsed.status().code() == core::StatusCode::kInvalidArgument) {
      return Invalid("quantity " + quoted + " is not a plain decimal number");
    }
    if (item.sold_by == SoldBy::kUnit) {
      return Invalid("quantity " + quoted + " is not a whole number of units");
    }
    return Invalid("quantity " + quoted + " has more than 3 decimal places");
  }
  if (*parsed == 0) return Invalid("quantity " + quoted + " must be greater than zero");
  LineQuantity q;
  q.thousandths = *parsed;
  if (item.sold_by == SoldBy::kUnit) {
    if (!IsCountUnit(unit)) {
      if (ParseCartWeightUnit(unit)) {
        return Invalid("quantity is in '" + std::string(unit) + "', but SKU " + item.sku +
                       " is sold by unit");
      }
      return Invalid("unknown quantity unit '" + std::string(unit) + "'");
    }
    if (q.thousandths % kThousandths != 0) {
      return Invalid("quantity " + quoted + " is not a whole number of units");
    }
    q.units = q.thousandths / kThousandths;
    q.text = std::to_string(q.units);
    q.unit = "unit";
    return q;
  }
  const std::optional<WeightUnit> catalog_unit = WeightUnitFromName(item.weight_unit);
  std::optional<WeightUnit> sent = catalog_unit;
  if (!unit.empty()) {
    sent = ParseCartWeightUnit(unit);
    if (!sent) {
      if (IsCountUnit(unit)) {
        return Invalid("quantity is in '" + std::string(unit) + "', but SKU " + item.sku +
                       " is sold by weight (" + item.weight_unit + ")");
      }
      return Invalid("unknown quantity unit '" + std::string(unit) + "'");
    }
  }
  if (!sent) return Invalid("SKU " + item.sku + " has no valid weight unit in the catalog");
  q.units = 1;
  q.text = FormatScaledDecimal(q.thousandths, kWeightDecimals);
  q.unit = std::string(WeightUnitName(*sent));
  return q;
}

core::Result<int64_t> GrossPrice(const CatalogItem& item, const LineQuantity& quantity,
                                 RoundingMode mode) {
  Int128 numerator = 0;
  Int128 denominator = 1;
  if (item.sold_by == SoldBy::kUnit) {
    numerator = static_cast<Int128>(item.unit_price_minor) * quantity.units;
  } else {
    // price x thousandths/1000 x (sent unit / catalog unit), the unit ratio reduced first so
    // the product stays far inside 128 bits (at most ~10^15 x 10^15 x 4.6 x 10^7).
    int64_t sent = Nanograms(WeightUnitFromName(quantity.unit).value_or(WeightUnit::kKilogram));
    int64_t own = Nanograms(WeightUnitFromName(item.weight_unit).value_or(WeightUnit::kKilogram));
    const int64_t common = std::gcd(sent, own);
    sent /= common;
    own /= common;
    numerator = static_cast<Int128>(item.unit_price_minor) * quantity.thousandths * sent;
    denominator = static_cast<Int128>(kThousandths) * own;
  }
  if (numerator / denominator >= core::kMaxMinorUnits) {
    return core::Status(
        core::StatusCode::kOutOfRange,
        "line amount for quantity '" + quantity.text + "' of SKU " + item.sku + " is too large");
  }
  return RoundQuotient(numerator, denominator, mode);
}

}  // namespace jwo::ordering
