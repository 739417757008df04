// Promotion: one discount rule of the catalog (what it takes off, which items it targets, where
// it stands in the stacking order, whether it combines, how often it applies per trip).
//
// docs/pricing.md "Promotions" gives the exact semantics of each type; promotion_engine.h
// applies them. A Promotion is a plain immutable value once loaded; read it from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jwo::ordering {

struct CatalogItem;

enum class PromotionType {
  kPercentOff,  // `percent_ppm` off each targeted unit (a weighed line counts as one unit)
  kAmountOff,   // `amount_minor` off each targeted unit, never more than the unit's net
  kBuyXGetY,    // in each group of buy+get units, the `get` cheapest are `percent_ppm` off
  kMultiBuy,    // each group of `group_size` units costs `amount_minor` together
};

// "percent_off", "amount_off", "buy_x_get_y", "multi_buy".
std::string_view PromotionTypeName(PromotionType type);
std::optional<PromotionType> ParsePromotionType(std::string_view name);

struct Promotion {
  std::string id;    // unique in the catalog; reported on every line it discounts
  std::string name;  // for receipts; the id when the file gives none
  PromotionType type = PromotionType::kPercentOff;
  // Targets: an item qualifies when its SKU or its tax category is listed. Both sorted.
  std::vector<std::string> skus;
  std::vector<std::string> tax_categories;
  int64_t priority = 0;    // stacking order: smaller applies first; ties keep file order
  bool exclusive = false;  // uses only untouched units, and no later promotion touches them
  int64_t max_per_trip =
      0;  // applications per trip (units, or groups for the group types); 0 = no limit
  int64_t percent_ppm = 0;   // percent_off; buy_x_get_y: off each "get" unit (1,000,000 = free)
  int64_t amount_minor = 0;  // amount_off: off each unit; multi_buy: the price of one group
  int64_t buy = 0;           // buy_x_get_y
  int64_t get = 0;           // buy_x_get_y
  int64_t group_size = 0;    // multi_buy: units per group (>= 2)

  // True when `item` is one of this promotion's targets.
  bool Targets(const CatalogItem& item) const;
  // Group types count units and ignore weighed lines.
  bool CountsUnits() const {
    return type == PromotionType::kBuyXGetY || type == PromotionType::kMultiBuy;
  }
};

// What one promotion took off one priced line.
struct AppliedPromotion {
  std::string id;
  int64_t discount_minor = 0;  // > 0
};

}  // namespace jwo::ordering
