// Amazon's charge-calculation precision cases (test plan section 7c), one worked example each.
// Every expected figure is computed by hand in the comment above it; amounts are in cents.
#include "ordering/pricing.h"

#include <catch2/catch_test_macros.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "pricing_test_util.h"

namespace jwo::ordering {
namespace {

using testing::CheckInvariants;
using testing::DiscountBy;
using testing::Line;
using testing::LoadCatalog;
using testing::Sku;
using testing::TaxOf;

// The tax table of every example: state 6.25% and city 2% on general goods, a 0.75% meals tax
// on top for prepared food, groceries exempt, plus a state-only and an untaxed category.
constexpr std::string_view kTaxes = R"(
taxes:
  rates:
    state: {percent: 6.25}
    city: {percent: 2}
    meals: {percent: 0.75}
  categories:
    general: [state, city]
    state_only: [state]
    prepared_food: [state, city, meals]
    grocery: exempt
    untaxed: exempt
)";

std::string Yaml(std::string_view body, std::string_view mode = "half_up",
                 std::string_view level = "line") {
  return "currency: USD\nrounding: {mode: " + std::string(mode) + ", level: " + std::string(level) +
         "}\n" + std::string(kTaxes) + std::string(body);
}

PricedCart Price(const std::string& yaml, const std::vector<CartLine>& lines) {
  const auto catalog = LoadCatalog(yaml);
  PricedCart cart = PriceCart(*catalog, lines);
  INFO(cart.unpriced.size() << " unpriced lines");
  REQUIRE(cart.complete());
  CheckInvariants(cart);
  return cart;
}

TEST_CASE("7c decimal rounding: a weight's price rounds once, per line, by the configured mode") {
  const std::string items = R"(
items:
  - {sku: CHEESE, name: Cheddar, price: 8.20, sold_by: weight, weight_unit: lb, tax_category: grocery}
  - {sku: COFFEE, name: Coffee beans, price: 24.00, sold_by: weight, weight_unit: kg, tax_category: grocery}
)";
  // 820 x 0.125 lb = 102.5 exactly: the half goes up (103), to the even neighbour (102), is
  // dropped (102) or always goes up (103).
  const std::vector<CartLine> half = {Sku("CHEESE", "0.125", "lb")};
  CHECK(Price(Yaml(items, "half_up"), half).total_minor == 103);
  CHECK(Price(Yaml(items, "half_even"), half).total_minor == 102);
  CHECK(Price(Yaml(items, "down"), half).total_minor == 102);
  CHECK(Price(Yaml(items, "up"), half).total_minor == 103);
  // 820 x 0.135 = 110.7: nearest is 111 in both nearest modes; down gives 110.
  const std::vector<CartLine> not_half = {Sku("CHEESE", "0.135", "lb")};
  CHECK(Price(Yaml(items, "half_even"), not_half).total_minor == 111);
  CHECK(Price(Yaml(items, "down"), not_half).total_minor == 110);
  // A weight sent in another unit converts exactly: 1 lb = 0.45359237 kg, so
  // 2400 x 0.45359237 = 1088.621688 -> 1089; 8 oz = 0.5 lb = 0.226796185 kg,
  // 2400 x 0.226796185 = 544.310844 -> 544.
  const PricedCart lb = Price(Yaml(items), {Sku("COFFEE", "1.0", "lb"), Sku("COFFEE", "8", "oz")});
  CHECK(Line(lb, 0).gross_minor == 1089);
  CHECK(Line(lb, 0).quantity == "1.000");
  CHECK(Line(lb, 0).quantity_unit == "lb");
  CHECK(Line(lb, 1).gross_minor == 544);
  CHECK(lb.total_minor == 1633);
}

TEST_CASE("7c decimal rounding: tax rounds per line or once per cart") {
  const std::string items = R"(
items:
  - {sku: GUM, name: Gum, price: 0.99, tax_category: state_only}
)";
  const std::vector<CartLine> cart = {Sku("GUM", "1"), Sku("GUM", "1"), Sku("GUM", "1")};
  // Line level: 99 x 6.25% = 6.1875 -> 6 on each line; tax 18, total 297 + 18 = 315.
  const PricedCart line = Price(Yaml(items, "half_up", "line"), cart);
  CHECK(line.tax_minor == 18);
  CHECK(line.total_minor == 315);
  // Total level: 297 x 6.25% = 18.5625 -> 19. The lines' floors (6, 6, 6) leave 1 cent,
  // which goes to the largest remainder (all .1875: the first line): 7, 6, 6.
  const PricedCart total = Price(Yaml(items, "half_up", "total"), cart);
  CHECK(total.tax_minor == 19);
  CHECK(total.total_minor == 316);
  CHECK(Line(total, 0).tax_minor == 7);
  CHECK(Line(total, 1).tax_minor == 6);
  CHECK(Line(total, 2).tax_minor == 6);
}

TEST_CASE("7c percentage discount: 15% off, computed and rounded per unit") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: SHIRT, name: T-shirt, price: 19.99, tax_category: untaxed}
  - {sku: SOCKS, name: Socks, price: 4.95, tax_category: untaxed}
promotions:
  - {id: apparel-15, type: percent_off, percent: 15, skus: [SHIRT, SOCKS], priority: 1}
)");
  const PricedCart cart = Price(yaml, {Sku("SHIRT", "2"), Sku("SOCKS", "3")});
  // SHIRT: 1999 x 15% = 299.85 -> 300 per unit; 2 units: discount 600, net 3998 - 600 = 3398.
  CHECK(Line(cart, 0).gross_minor == 3998);
  CHECK(Line(cart, 0).discount_minor == 600);
  CHECK(Line(cart, 0).net_minor == 3398);
  // SOCKS: 495 x 15% = 74.25 -> 74 per unit; 3 units: discount 222, net 1485 - 222 = 1263.
  CHECK(Line(cart, 1).discount_minor == 222);
  CHECK(DiscountBy(Line(cart, 1), "apparel-15") == 222);
  CHECK(Line(cart, 1).net_minor == 1263);
  // Cart: subtotal 3998 + 1485 = 5483, discount 822, no tax, total 4661.
  CHECK(cart.subtotal_minor == 5483);
  CHECK(cart.discount_minor == 822);
  CHECK(cart.total_minor == 4661);
}

TEST_CASE("7c fixed-amount discount: $2.00 off each unit, $1.00 off a weighed line") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: CEREAL, name: Cereal, price: 4.49, tax_category: untaxed}
  - {sku: GRAPES, name: Grapes, price: 2.99, sold_by: weight, weight_unit: lb, tax_category: untaxed}
promotions:
  - {id: cereal-2-off, type: amount_off, amount: 2.00, skus: [CEREAL], priority: 1}
  - {id: grapes-1-off, type: amount_off, amount: 1.00, skus: [GRAPES], priority: 1}
)");
  const PricedCart cart = Price(yaml, {Sku("CEREAL", "3"), Sku("GRAPES", "1.500", "lb")});
  // CEREAL: 3 x 449 = 1347; 200 off each unit = 600; net 747.
  CHECK(Line(cart, 0).gross_minor == 1347);
  CHECK(Line(cart, 0).discount_minor == 600);
  CHECK(Line(cart, 0).net_minor == 747);
  // GRAPES: 299 x 1.5 = 448.5 -> 449; a weighed line is one unit: 100 off; net 349.
  CHECK(Line(cart, 1).gross_minor == 449);
  CHECK(Line(cart, 1).discount_minor == 100);
  // Cart: 1347 + 449 = 1796 - 700 = 1096.
  CHECK(cart.subtotal_minor == 1796);
  CHECK(cart.discount_minor == 700);
  CHECK(cart.total_minor == 1096);
}

TEST_CASE("7c BOGO: buy one get one free, the cheaper unit of each pair is free") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: CHIPS-BBQ, name: BBQ chips, price: 4.49, tax_category: untaxed}
  - {sku: CHIPS-CLASSIC, name: Classic chips, price: 3.99, tax_category: untaxed}
promotions:
  - {id: chips-bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [CHIPS-BBQ, CHIPS-CLASSIC], priority: 1}
)");
  const PricedCart cart = Price(yaml, {Sku("CHIPS-BBQ", "1"), Sku("CHIPS-CLASSIC", "2")});
  // Units, dearest first: 449, 399, 399. One pair (449 bought, 399 free); the last 399 has no
  // partner and pays in full. CHIPS-BBQ: no discount. CHIPS-CLASSIC: 399 off, net 798 - 399.
  CHECK(Line(cart, 0).discount_minor == 0);
  CHECK(Line(cart, 0).promotions.empty());
  CHECK(Line(cart, 1).discount_minor == 399);
  CHECK(Line(cart, 1).net_minor == 399);
  // Cart: 449 + 798 = 1247 - 399 = 848.
  CHECK(cart.subtotal_minor == 1247);
  CHECK(cart.total_minor == 848);
}

TEST_CASE("7c BOGO: buy two get one half price") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: SOUP, name: Soup, price: 2.00, tax_category: untaxed}
promotions:
  - {id: soup-b2g1, type: buy_x_get_y, buy: 2, get: 1, get_percent_off: 50, skus: [SOUP], priority: 1}
)");
  // 7 units make two groups of 3 (the 7th has no group); each group's third unit is 50% off:
  // 2 x 100 = 200 off; 1400 - 200 = 1200.
  const PricedCart cart = Price(yaml, {Sku("SOUP", "7")});
  CHECK(cart.discount_minor == 200);
  CHECK(cart.total_minor == 1200);
}

TEST_CASE("7c stacked promotions: stacking order, compounding, exclusivity") {
  const std::string items = R"(
items:
  - {sku: SODA, name: Soda, price: 1.50, tax_category: untaxed}
  - {sku: CHIPS, name: Chips, price: 3.00, tax_category: untaxed}
  - {sku: LAMP, name: Lamp, price: 10.00, tax_category: untaxed}
)";
  SECTION("a BOGO, then 10% off on what is left to pay") {
    const PricedCart cart = Price(Yaml(std::string(items) + R"(
promotions:
  - {id: soda-bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [SODA], priority: 10}
  - {id: ten-off, type: percent_off, percent: 10, skus: [SODA, CHIPS], priority: 20}
)"),
                                  {Sku("SODA", "4"), Sku("CHIPS", "1")});
    // SODA 4 x 150 = 600: BOGO frees 2 units (300). 10% then applies to the 2 paid units
    // (15 each = 30); the free units, at 0, take nothing. Discount 330, net 270.
    CHECK(DiscountBy(Line(cart, 0), "soda-bogo") == 300);
    CHECK(DiscountBy(Line(cart, 0), "ten-off") == 30);
    CHECK(Line(cart, 0).net_minor == 270);
    // CHIPS 300: 10% = 30, net 270. Cart: 900 - 360 = 540.
    CHECK(Line(cart, 1).discount_minor == 30);
    CHECK(cart.total_minor == 540);
  }
  SECTION("an exclusive BOGO keeps the 10% off its units") {
    const PricedCart cart = Price(Yaml(std::string(items) + R"(
promotions:
  - {id: soda-bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [SODA], priority: 10, exclusive: true}
  - {id: ten-off, type: percent_off, percent: 10, skus: [SODA, CHIPS], priority: 20}
)"),
                                  {Sku("SODA", "4"), Sku("CHIPS", "1")});
    // All 4 soda units are in BOGO pairs, which the exclusive deal closes to other promotions:
    // SODA discount 300, net 300. CHIPS still 30 off. Cart: 900 - 330 = 570.
    CHECK(Line(cart, 0).discount_minor == 300);
    CHECK(DiscountBy(Line(cart, 0), "ten-off") == 0);
    CHECK(Line(cart, 1).discount_minor == 30);
    CHECK(cart.total_minor == 570);
  }
  SECTION("two percentages compound in stacking order") {
    const PricedCart cart = Price(Yaml(std::string(items) + R"(
promotions:
  - {id: ten, type: percent_off, percent: 10, skus: [LAMP], priority: 2}
  - {id: twenty, type: percent_off, percent: 20, skus: [LAMP], priority: 1}
)"),
                                  {Sku("LAMP", "1")});
    // twenty first: 1000 x 20% = 200 -> 800; then ten: 800 x 10% = 80 -> 720. Discount 280
    // (28%, not 30%).
    CHECK(DiscountBy(Line(cart, 0), "twenty") == 200);
    CHECK(DiscountBy(Line(cart, 0), "ten") == 80);
    CHECK(Line(cart, 0).promotions.front().id == "twenty");
    CHECK(cart.total_minor == 720);
  }
  SECTION("the order decides: $1 off then half price, or half price then $1 off") {
    const std::string promotions = R"(
promotions:
  - {id: dollar, type: amount_off, amount: 1.00, skus: [LAMP], priority: DOLLAR}
  - {id: half, type: percent_off, percent: 50, skus: [LAMP], priority: HALF}
)";
    auto with = [&](const char* dollar, const char* half) {
      std::string p = promotions;
      p.replace(p.find("DOLLAR"), 6, dollar);
      p.replace(p.find("HALF"), 4, half);
      return Price(Yaml(std::string(items) + p), {Sku("LAMP", "1")}).total_minor;
    };
    // $1 first: 1000 - 100 = 900, half of it off -> 450.
    CHECK(with("1", "2") == 450);
    // Half first: 1000 - 500 = 500, then $1 off -> 400.
    CHECK(with("2", "1") == 400);
  }
}

TEST_CASE("7c promotion limits: max_per_trip caps groups and units") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: WATER, name: Water, price: 2.50, tax_category: untaxed}
  - {sku: CANDLE, name: Candle, price: 8.00, tax_category: untaxed}
promotions:
  - {id: water-bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [WATER], priority: 1, max_per_trip: 1}
  - {id: candle-half, type: percent_off, percent: 50, skus: [CANDLE], priority: 1, max_per_trip: 2}
)");
  // WATER x 6 could make 3 free units; the limit allows one pair: 250 off, net 1500 - 250.
  // CANDLE x 1 and x 2 (same price, earlier line first): 50% on two units only, one on each
  // line: 400 + 400. Third candle pays 800.
  const PricedCart cart = Price(yaml, {Sku("WATER", "6"), Sku("CANDLE", "1"), Sku("CANDLE", "2")});
  CHECK(Line(cart, 0).discount_minor == 250);
  CHECK(Line(cart, 0).net_minor == 1250);
  CHECK(Line(cart, 1).discount_minor == 400);
  CHECK(Line(cart, 2).discount_minor == 400);
  CHECK(Line(cart, 2).net_minor == 1200);
  // Cart: 1500 + 800 + 1600 = 3900 - 1050 = 2850.
  CHECK(cart.subtotal_minor == 3900);
  CHECK(cart.discount_minor == 1050);
  CHECK(cart.total_minor == 2850);
}

TEST_CASE("7c standard sales tax: 6.25% on each line, rounded by the mode") {
  const std::string items = R"(
items:
  - {sku: LAMP, name: Lamp, price: 10.00, tax_category: state_only}
  - {sku: BULB, name: Bulb, price: 3.49, tax_category: state_only}
)";
  const std::vector<CartLine> lines = {Sku("LAMP", "1"), Sku("BULB", "1")};
  // LAMP: 1000 x 6.25% = 62.5 -> 63 half up, 62 half even. BULB: 349 x 6.25% = 21.8125 -> 22.
  const PricedCart up = Price(Yaml(items, "half_up"), lines);
  CHECK(TaxOf(Line(up, 0), "state") == 63);
  CHECK(TaxOf(Line(up, 1), "state") == 22);
  // Cart: 1349 + 85 = 1434.
  CHECK(up.tax_minor == 85);
  CHECK(up.total_minor == 1434);
  const PricedCart even = Price(Yaml(items, "half_even"), lines);
  CHECK(TaxOf(Line(even, 0), "state") == 62);
  CHECK(even.total_minor == 1433);
}

TEST_CASE("7c tax-exempt items: an exempt category carries no tax at all") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: MILK, name: Milk, price: 4.29, tax_category: grocery}
  - {sku: SOAP, name: Soap, price: 3.99, tax_category: state_only}
)");
  const PricedCart cart = Price(yaml, {Sku("MILK", "1"), Sku("SOAP", "1")});
  // MILK: exempt, no rates. SOAP: 399 x 6.25% = 24.9375 -> 25. Cart: 828 + 25 = 853.
  CHECK(Line(cart, 0).tax_minor == 0);
  CHECK(Line(cart, 0).taxes.empty());
  CHECK(Line(cart, 1).tax_minor == 25);
  CHECK(cart.tax_minor == 25);
  CHECK(cart.total_minor == 853);
  REQUIRE(cart.taxes.size() == 1);
  CHECK(cart.taxes[0] == std::pair<std::string, int64_t>{"state", 25});
}

TEST_CASE("7c multiple tax rates: each rate computed and rounded on its own") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: BOOTS, name: Boots, price: 20.00, tax_category: general}
  - {sku: SANDWICH, name: Sandwich, price: 6.99, tax_category: prepared_food}
  - {sku: GUM, name: Gum, price: 0.30, tax_category: general}
)");
  const PricedCart cart = Price(yaml, {Sku("BOOTS", "1"), Sku("SANDWICH", "1"), Sku("GUM", "1")});
  // BOOTS 2000: state 6.25% = 125, city 2% = 40; tax 165.
  CHECK(TaxOf(Line(cart, 0), "state") == 125);
  CHECK(TaxOf(Line(cart, 0), "city") == 40);
  CHECK(Line(cart, 0).tax_minor == 165);
  // SANDWICH 699: state 43.6875 -> 44, city 13.98 -> 14, meals 0.75% 5.2425 -> 5; tax 63.
  CHECK(TaxOf(Line(cart, 1), "state") == 44);
  CHECK(TaxOf(Line(cart, 1), "city") == 14);
  CHECK(TaxOf(Line(cart, 1), "meals") == 5);
  CHECK(Line(cart, 1).tax_minor == 63);
  // GUM 30: state 1.875 -> 2, city 0.6 -> 1; tax 3 (one combined 8.25% would give 2.475 -> 2).
  CHECK(Line(cart, 2).tax_minor == 3);
  // Cart: 2729 + 231 = 2960; per rate: state 171, city 55, meals 5.
  CHECK(cart.subtotal_minor == 2729);
  CHECK(cart.tax_minor == 231);
  CHECK(cart.total_minor == 2960);
  const std::vector<std::pair<std::string, int64_t>> rates = {
      {"state", 171}, {"city", 55}, {"meals", 5}};
  CHECK(cart.taxes == rates);
}

TEST_CASE("7c tax on discounted items: tax is charged on the net price") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: JACKET, name: Jacket, price: 50.00, tax_category: general}
  - {sku: SODA, name: Soda, price: 1.50, tax_category: general}
promotions:
  - {id: jacket-20, type: percent_off, percent: 20, skus: [JACKET], priority: 1}
  - {id: soda-bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [SODA], priority: 1}
)");
  const PricedCart cart = Price(yaml, {Sku("JACKET", "1"), Sku("SODA", "2")});
  // JACKET: 5000 - 20% (1000) = 4000; state 250, city 80: tax 330 (not 312.5 + 100 on 5000).
  CHECK(Line(cart, 0).net_minor == 4000);
  CHECK(TaxOf(Line(cart, 0), "state") == 250);
  CHECK(TaxOf(Line(cart, 0), "city") == 80);
  // SODA: 300 - 150 free = 150; state 9.375 -> 9, city 3: tax 12; the free unit pays none.
  CHECK(Line(cart, 1).net_minor == 150);
  CHECK(Line(cart, 1).tax_minor == 12);
  // Cart: 5300 - 1150 + 342 = 4492.
  CHECK(cart.subtotal_minor == 5300);
  CHECK(cart.discount_minor == 1150);
  CHECK(cart.tax_minor == 342);
  CHECK(cart.total_minor == 4492);
}

TEST_CASE("7c total formula: total = subtotal - discount + tax") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: COFFEE, name: Coffee, price: 3.00, tax_category: general}
  - {sku: BAGEL, name: Bagel, price: 1.25, tax_category: grocery}
  - {sku: MUFFIN, name: Muffin, price: 2.50, tax_category: prepared_food}
promotions:
  - {id: bagels-4-for-4, type: multi_buy, quantity: 4, price: 4.00, skus: [BAGEL], priority: 1}
  - {id: muffin-50c, type: amount_off, amount: 0.50, skus: [MUFFIN], priority: 2}
)");
  const PricedCart cart = Price(yaml, {Sku("COFFEE", "2"), Sku("BAGEL", "4"), Sku("MUFFIN", "1")});
  // COFFEE 600, no discount; state 37.5 -> 38, city 12: tax 50; line total 650.
  CHECK(Line(cart, 0).tax_minor == 50);
  CHECK(Line(cart, 0).total_minor == 650);
  // BAGEL 4 x 125 = 500 -> one group for 400: 100 off (25 a bagel); exempt; line total 400.
  CHECK(Line(cart, 1).discount_minor == 100);
  CHECK(Line(cart, 1).total_minor == 400);
  // MUFFIN 250 - 50 = 200; state 12.5 -> 13, city 4, meals 1.5 -> 2: tax 19; line total 219.
  CHECK(Line(cart, 2).tax_minor == 19);
  CHECK(Line(cart, 2).total_minor == 219);
  // Cart: subtotal 1350 - discount 150 + tax 69 = 1269 = 650 + 400 + 219.
  CHECK(cart.subtotal_minor == 1350);
  CHECK(cart.discount_minor == 150);
  CHECK(cart.tax_minor == 69);
  CHECK(cart.total_minor == 1269);
}

TEST_CASE("7c negative total prevention: discounts stop at zero") {
  const std::string yaml = Yaml(R"(
items:
  - {sku: GUM, name: Gum, price: 0.99, tax_category: general}
  - {sku: LAMP, name: Lamp, price: 10.00, tax_category: general}
promotions:
  - {id: five-off-gum, type: amount_off, amount: 5.00, skus: [GUM], priority: 1}
  - {id: sixty-a, type: percent_off, percent: 60, skus: [LAMP], priority: 1}
  - {id: sixty-b, type: percent_off, percent: 60, skus: [LAMP], priority: 2}
  - {id: five-off-lamp, type: amount_off, amount: 5.00, skus: [LAMP], priority: 3}
)");
  const PricedCart cart = Price(yaml, {Sku("GUM", "1"), Sku("LAMP", "1")});
  // GUM 99: $5.00 off is capped at 99; net 0, tax 0.
  CHECK(Line(cart, 0).discount_minor == 99);
  CHECK(Line(cart, 0).total_minor == 0);
  // LAMP 1000: 60% -> 400, 60% -> 160, $5.00 capped at 160 -> 0; tax on 0 is 0.
  CHECK(DiscountBy(Line(cart, 1), "sixty-a") == 600);
  CHECK(DiscountBy(Line(cart, 1), "sixty-b") == 240);
  CHECK(DiscountBy(Line(cart, 1), "five-off-lamp") == 160);
  CHECK(Line(cart, 1).total_minor == 0);
  // Cart: 1099 - 1099 + 0 = 0, never below.
  CHECK(cart.discount_minor == 1099);
  CHECK(cart.total_minor == 0);
}

TEST_CASE("7c large cart: 1,000 lines price exactly") {
  const std::string items = R"(
items:
  - {sku: A, name: Item A, price: 1.99, tax_category: state_only}
  - {sku: B, name: Item B, price: 0.50, tax_category: untaxed}
promotions:
  - {id: b-3-for-1, type: multi_buy, quantity: 3, price: 1.00, skus: [B], priority: 1}
)";
  // Lines 0-499: one A each; lines 500-999: two B each.
  std::vector<CartLine> lines;
  for (int i = 0; i < 1000; ++i) lines.push_back(i < 500 ? Sku("A", "1") : Sku("B", "2"));
  // A: 500 x 199 = 99500; tax per line 199 x 6.25% = 12.4375 -> 12, x 500 = 6000.
  // B: 500 x 2 x 50 = 50000; 1000 units = 333 groups of 3 (one unit left over), each
  // 150 -> 100: 333 x 50 = 16650 off.
  // Cart: 149500 - 16650 + 6000 = 138850.
  const PricedCart line = Price(Yaml(items, "half_up", "line"), lines);
  CHECK(line.lines.size() == 1000);
  CHECK(line.subtotal_minor == 149500);
  CHECK(line.discount_minor == 16650);
  CHECK(line.tax_minor == 6000);
  CHECK(line.total_minor == 138850);
  CHECK(Line(line, 0).tax_minor == 12);
  CHECK(Line(line, 999).discount_minor + Line(line, 998).discount_minor > 0);
  // Total level: 99500 x 6.25% = 6218.75 -> 6219, i.e. 219 cents above the lines' floors of
  // 12; remainders are all equal, so lines 0-218 carry 13 and lines 219-499 carry 12.
  // Cart: 149500 - 16650 + 6219 = 139069.
  const PricedCart total = Price(Yaml(items, "half_up", "total"), lines);
  CHECK(total.tax_minor == 6219);
  CHECK(total.total_minor == 139069);
  CHECK(Line(total, 0).tax_minor == 13);
  CHECK(Line(total, 218).tax_minor == 13);
  CHECK(Line(total, 219).tax_minor == 12);
  CHECK(Line(total, 499).tax_minor == 12);
}

}  // namespace
}  // namespace jwo::ordering
