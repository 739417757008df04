#include "ordering/pricing.h"

#include <cassert>

#include "ordering/promotion_engine.h"
#include "ordering/quantity.h"
#include "ordering/tax.h"

namespace jwo::ordering {
namespace {

// Finds the item a line names, or says what was tried.
core::Result<const CatalogItem*> Resolve(const Catalog& catalog, const CartLine& line) {
  const CatalogItem* item = nullptr;
  std::string tried;
  if (line.item_type == "SKU") {
    item = catalog.FindSku(line.item_id);
    if (item == nullptr) item = catalog.FindUpc(line.item_id);
    tried = "unknown SKU '" + line.item_id + "'";
  } else if (line.item_type == "SCANCODE") {
    item = catalog.FindUpc(line.item_id);
    tried = "unknown scan code '" + line.item_id + "'";
  } else {
    return core::InvalidArgument("item type '" + line.item_type +
                                 "' is not understood (expected SKU or SCANCODE)");
  }
  for (size_t i = 0; item == nullptr && i < line.upcs.size(); ++i) {
    item = catalog.FindUpc(line.upcs[i]);
  }
  if (item != nullptr) return item;
  if (!line.upcs.empty()) {
    tried += " (also tried UPC";
    for (size_t i = 0; i < line.upcs.size(); ++i) tried += (i ? ", '" : " '") + line.upcs[i] + "'";
    tried += ")";
  }
  return core::NotFound(std::move(tried));
}

// Room the line needs under the cart's ceiling: its gross plus the most tax it could carry,
// so that no total can pass core::kMaxMinorUnits.
int64_t Ceiling(int64_t gross, int64_t tax_ppm) {
  return gross +
         RoundQuotient(static_cast<Int128>(gross) * tax_ppm, kPpmPerWhole, RoundingMode::kUp);
}

}  // namespace

PricedCart PriceCart(const Catalog& catalog, std::span<const CartLine> lines) {
  PricedCart cart;
  cart.currency = catalog.currency();
  const RoundingRule& rule = catalog.rounding();
  const TaxTable& table = catalog.taxes();

  std::vector<PromotableLine> promotable;
  std::vector<const TaxCategory*> categories;
  cart.lines.reserve(lines.size());
  promotable.reserve(lines.size());
  categories.reserve(lines.size());
  int64_t room = core::kMaxMinorUnits;
  for (size_t i = 0; i < lines.size(); ++i) {
    const CartLine& in = lines[i];
    const auto unpriced = [&](std::string reason) {
      cart.unpriced.push_back({i, in.line_id, in.item_id, std::move(reason)});
    };
    auto item = Resolve(catalog, in);
    if (!item.ok()) {
      unpriced(item.status().message());
      continue;
    }
    const CatalogItem& it = **item;
    auto quantity = ResolveQuantity(it, in.quantity, in.quantity_unit);
    if (!quantity.ok()) {
      unpriced(quantity.status().message());
      continue;
    }
    auto gross = GrossPrice(it, *quantity, rule.mode);
    if (!gross.ok()) {
      unpriced(gross.status().message());
      continue;
    }
    const TaxCategory* category = table.FindCategory(it.tax_category);
    assert(category != nullptr);
    const int64_t needed = Ceiling(*gross, table.CombinedPpm(*category));
    if (needed > room) {
      unpriced("the cart's total would exceed " +
               core::FormatMinorUnits(core::kMaxMinorUnits, cart.currency));
      continue;
    }
    room -= needed;

    PricedLine out;
    out.index = i;
    out.line_id = in.line_id;
    out.item_id = in.item_id;
    out.sku = it.sku;
    out.name = it.name;
    out.quantity = quantity->text;
    out.quantity_unit = quantity->unit;
    out.tax_category = it.tax_category;
    out.unit_price_minor = it.unit_price_minor;
    out.gross_minor = *gross;
    cart.lines.push_back(std::move(out));
    const bool weighed = it.sold_by == SoldBy::kWeight;
    promotable.push_back(
        {&it, weighed ? 1 : quantity->units, weighed ? *gross : it.unit_price_minor});
    categories.push_back(category);
  }

  auto applied = ApplyPromotions(catalog.promotions(), rule.mode, promotable);
  std::vector<TaxableLine> taxable;
  taxable.reserve(cart.lines.size());
  for (size_t k = 0; k < cart.lines.size(); ++k) {
    PricedLine& line = cart.lines[k];
    line.promotions = std::move(applied[k]);
    for (const AppliedPromotion& p : line.promotions) line.discount_minor += p.discount_minor;
    assert(line.discount_minor <= line.gross_minor);
    line.net_minor = line.gross_minor - line.discount_minor;
    taxable.push_back({line.net_minor, categories[k]});
  }

  const auto taxes = ComputeTaxes(table, rule, taxable);
  std::vector<int64_t> per_rate(table.rates.size(), 0);
  for (size_t k = 0; k < cart.lines.size(); ++k) {
    PricedLine& line = cart.lines[k];
    const std::vector<size_t>& rates = categories[k]->rates;
    line.taxes.reserve(rates.size());
    for (size_t r = 0; r < rates.size(); ++r) {
      line.taxes.emplace_back(table.rates[rates[r]].id, taxes[k][r]);
      line.tax_minor += taxes[k][r];
      per_rate[rates[r]] += taxes[k][r];
    }
    line.total_minor = line.net_minor + line.tax_minor;
    cart.subtotal_minor += line.gross_minor;
    cart.discount_minor += line.discount_minor;
    cart.tax_minor += line.tax_minor;
  }
  for (size_t r = 0; r < per_rate.size(); ++r) {
    if (per_rate[r] > 0) cart.taxes.emplace_back(table.rates[r].id, per_rate[r]);
  }
  cart.total_minor = cart.subtotal_minor - cart.discount_minor + cart.tax_minor;
  assert(cart.total_minor >= 0 && cart.total_minor <= core::kMaxMinorUnits);
  return cart;
}

}  // namespace jwo::ordering
