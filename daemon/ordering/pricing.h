// PriceCart: the pricing engine. Turns the cart lines of a Create Purchases request into priced
// lines and cart totals with the catalog's items, promotions, taxes and rounding rule.
//
// Order of work (docs/pricing.md "How a cart is priced"):
//   1. each line: find the item (SKU, scan code, external identifiers), read the quantity,
//      gross = unit price x quantity (a weight's price rounded per line);
//   2. promotions in stacking order (promotion_engine.h) -> discount, net = gross - discount;
//   3. taxes on each line's net (tax.h), rounded at line or total level;
//   4. subtotal = sum of gross, discount = sum of discounts, tax = sum of taxes,
//      total = subtotal - discount + tax.
// Everything is integer minor units; no total is ever negative.
//
// Thread safety: PriceCart is a pure function of its arguments; call it from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/money.h"
#include "ordering/catalog.h"
#include "ordering/promotion.h"

namespace jwo::ordering {

// One cart item as Create Purchases sends it (already validated for presence and length).
struct CartLine {
  std::string line_id;            // lineItemId, or "" (then messages use the position)
  std::string item_id;            // cartItems[].id
  std::string item_type;          // "SKU" or "SCANCODE"
  std::string quantity;           // quantity.value as sent: "1.0", "2", "0.455"
  std::string quantity_unit;      // quantity.unit as sent; may be empty
  std::vector<std::string> upcs;  // externalIdentifiers of type UPC, in request order
};

struct PricedLine {
  size_t index = 0;     // position of the line in the request
  std::string line_id;  // as sent
  std::string item_id;  // as sent
  std::string sku;      // the catalog item it resolved to
  std::string name;
  std::string quantity;       // normalized: "2", or "0.455" for a weight
  std::string quantity_unit;  // "unit", or the weight unit of `quantity` ("kg", "lb", ...)
  std::string tax_category;
  int64_t unit_price_minor = 0;              // per unit or per catalog weight unit
  int64_t gross_minor = 0;                   // unit price x quantity
  int64_t discount_minor = 0;                // sum of `promotions`; <= gross
  int64_t net_minor = 0;                     // gross - discount; >= 0
  int64_t tax_minor = 0;                     // sum of `taxes`
  int64_t total_minor = 0;                   // net + tax
  std::vector<AppliedPromotion> promotions;  // in stacking order, only those that took something
  std::vector<std::pair<std::string, int64_t>> taxes;  // rate id -> amount, every rate of the
                                                       // category (empty when exempt)
};

// A line the engine could not price; the cart is then a bad cart (held, not charged).
struct UnpricedLine {
  size_t index = 0;  // position of the line in the request
  std::string line_id;
  std::string item_id;
  // Why, for the operator: "unknown SKU 'X' (also tried UPC 0123...)", "quantity '1.5' is not
  // a whole number of units", "quantity is in 'kg', but SKU X is sold by unit", ...
  std::string reason;
};

struct PricedCart {
  core::Currency currency;
  std::vector<PricedLine> lines;       // the priced lines, in request order
  std::vector<UnpricedLine> unpriced;  // in request order; non-empty means a bad cart
  int64_t subtotal_minor = 0;          // sum of lines' gross
  int64_t discount_minor = 0;          // sum of lines' discount
  int64_t tax_minor = 0;               // sum of lines' tax
  int64_t total_minor = 0;             // subtotal - discount + tax; never < 0
  std::vector<std::pair<std::string, int64_t>> taxes;  // rate id -> cart amount, catalog order,
                                                       // rates with a non-zero amount only

  bool complete() const { return unpriced.empty(); }
};

// Prices `lines` with `catalog`. Never fails and never drops a line: a line that cannot be
// priced goes to `unpriced` with its reason, and the others are priced as if it were absent
// (promotions and taxes see only priced lines). Reasons for an unpriced line:
//   - the item is not in the catalog: SKU type looks up the SKU, then the scan codes, then the
//     external identifiers; SCANCODE type looks up the scan codes, then the external
//     identifiers; any other type is not understood;
//   - the quantity does not fit the item (see quantity.h: ResolveQuantity);
//   - the line's amount, or the cart's, would exceed core::kMaxMinorUnits.
// An empty cart prices to all-zero totals.
PricedCart PriceCart(const Catalog& catalog, std::span<const CartLine> lines);

}  // namespace jwo::ordering
