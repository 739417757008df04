#include "ordering/promotion.h"

#include <algorithm>

#include "ordering/catalog.h"

namespace jwo::ordering {
namespace {

struct TypeName {
  std::string_view name;
  PromotionType type;
};
constexpr TypeName kTypes[] = {
    {"percent_off", PromotionType::kPercentOff},
    {"amount_off", PromotionType::kAmountOff},
    {"buy_x_get_y", PromotionType::kBuyXGetY},
    {"multi_buy", PromotionType::kMultiBuy},
};

}  // namespace

std::string_view PromotionTypeName(PromotionType type) {
  for (const auto& row : kTypes) {
    if (row.type == type) return row.name;
  }
  return "percent_off";
}

std::optional<PromotionType> ParsePromotionType(std::string_view name) {
  for (const auto& row : kTypes) {
    if (row.name == name) return row.type;
  }
  return std::nullopt;
}

bool Promotion::Targets(const CatalogItem& item) const {
  return std::binary_search(skus.begin(), skus.end(), item.sku) ||
         std::binary_search(tax_categories.begin(), tax_categories.end(), item.tax_category);
}

}  // namespace jwo::ordering
