// The promotion engine: applies the catalog's promotions, in stacking order, to the units of a
// priced cart and says what each promotion took off each line.
//
// Rules (docs/pricing.md "Promotions" explains them with examples):
//   - Promotions apply one after another in the catalog's stacking order; each sees the units'
//     net prices left by the ones before it, so percentages compound.
//   - A promotion takes eligible units from the most expensive down (ties: earlier line first).
//     Units whose net is already zero are never eligible.
//   - An exclusive promotion takes only units no earlier promotion used, and no later promotion
//     may use the units it took. Non-exclusive promotions stack on the same units.
//   - max_per_trip caps applications: units for percent_off/amount_off, groups otherwise.
//   - Discounts are computed per unit, rounded with the catalog's mode, and never exceed the
//     unit's net, so no line and no cart goes below zero.
// Pure function; call from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ordering/catalog.h"
#include "ordering/promotion.h"
#include "ordering/rounding.h"

namespace jwo::ordering {

// One priced line as the engine sees it.
struct PromotableLine {
  const CatalogItem* item = nullptr;  // REQUIRES: not null
  int64_t units = 1;                  // sold by unit: the count; sold by weight: 1
  int64_t unit_price_minor = 0;       // per unit; for a weighed line, the line's gross
};

// result[i] lists, in stacking order, the promotions that took something off line i and how
// much. The discounts of a line never add up to more than units x unit_price_minor.
// REQUIRES: `promotions` in stacking order (Catalog::promotions()), each line's
// units x unit_price_minor <= core::kMaxMinorUnits.
std::vector<std::vector<AppliedPromotion>> ApplyPromotions(std::span<const Promotion> promotions,
                                                           RoundingMode mode,
                                                           std::span<const PromotableLine> lines);

}  // namespace jwo::ordering
