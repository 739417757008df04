// Quantity: what one cart line's quantity means for the catalog item it names, and the line's
// gross price from it.
//
// Amazon sends the quantity as a string ("1.0", "2", "0.455") with a unit. An item sold by unit
// needs a whole, positive number of units; an item sold by weight takes up to three decimals
// of its weight unit. Weights sent in another unit are converted with exact factors (the
// international pound is 0.45359237 kg by definition, the ounce 1/16 lb), so no conversion
// ever rounds before the price does. Pure functions; call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ordering/catalog.h"
#include "ordering/rounding.h"

namespace jwo::ordering {

enum class WeightUnit { kKilogram, kGram, kPound, kOunce };

// "kg", "g", "lb", "oz": the catalog's spelling and the one printed on priced lines.
std::string_view WeightUnitName(WeightUnit unit);
// The unit with exactly that catalog spelling, or nullopt.
std::optional<WeightUnit> WeightUnitFromName(std::string_view name);
// A unit as a cart may spell it, case-insensitively: "kg", "KG", "kilogram(s)", "kilo(s)",
// "g", "gram(s)", "lb", "lbs", "pound(s)", "oz", "ounce(s)". nullopt for anything else.
std::optional<WeightUnit> ParseCartWeightUnit(std::string_view text);
// True for the spellings of "a count of items", case-insensitively: "" (no unit), "unit(s)",
// "each", "ea", "item(s)", "count", "ct", "piece(s)", "pc", "pcs".
bool IsCountUnit(std::string_view text);

struct LineQuantity {
  int64_t units = 0;  // sold by unit: the number of units; sold by weight: 1 (the line is one lot)
  int64_t thousandths = 0;  // the quantity as sent, in thousandths of `unit`
  std::string text;         // normalized: "2" for units, "0.455" (three decimals) for weights
  std::string unit;         // "unit", or the weight unit of `text` ("kg", "lb", ...)
};

// The quantity of a line naming `item`, from the value and unit as sent.
// On success: the normalized quantity. A weighed line sent without a unit is taken to be in
// the catalog's unit for the item.
// Fails with kInvalidArgument, the message saying why (it becomes the unpriced line's reason):
//   - the value is not a plain decimal, or is zero;
//   - sold by unit: the value is not whole ("1.5"), or the unit is a weight or unknown;
//   - sold by weight: more than three decimals, or the unit is a count or unknown.
core::Result<LineQuantity> ResolveQuantity(const CatalogItem& item, std::string_view value,
                                           std::string_view unit);

// The line's gross price: unit price x units, or unit price x weight (converted to the
// catalog's unit) rounded with `mode`.
// Fails with kOutOfRange when the amount would exceed core::kMaxMinorUnits.
// REQUIRES: `quantity` came from ResolveQuantity for `item`.
core::Result<int64_t> GrossPrice(const CatalogItem& item, const LineQuantity& quantity,
                                 RoundingMode mode);

}  // namespace jwo::ordering
