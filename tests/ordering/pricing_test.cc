#include "ordering/pricing.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "pricing_test_util.h"

namespace jwo::ordering {
namespace {

using Catch::Matchers::ContainsSubstring;
using testing::CheckInvariants;
using testing::Line;
using testing::LoadCatalog;
using testing::Scan;
using testing::Sku;

constexpr std::string_view kCatalog = R"(currency: USD
taxes:
  rates: {state: 6.25}
  categories: {general: [state], grocery: exempt}
items:
  - {sku: COLA, upcs: ["049000028911"], name: Cola, price: 1.49, tax_category: general}
  - {sku: "4011", name: SKU that looks like a PLU, price: 9.99, tax_category: general}
  - {sku: BANANAS, upcs: ["4011"], name: Bananas, price: 0.59, sold_by: weight, weight_unit: lb, tax_category: grocery}
  - {sku: DEAR, name: Dear, price: 1000000000000.00, tax_category: general}
)";

std::shared_ptr<const Catalog> TheCatalog() { return LoadCatalog(kCatalog); }

TEST_CASE("an empty cart prices to zero") {
  const PricedCart cart = PriceCart(*TheCatalog(), {});
  CHECK(cart.complete());
  CHECK(cart.lines.empty());
  CHECK(cart.total_minor == 0);
  CHECK(cart.currency.Code() == "USD");
  CheckInvariants(cart);
}

TEST_CASE("a priced line carries what a receipt needs") {
  CartLine line = Sku("COLA", "2.0", "unit");
  line.line_id = "L1";
  const PricedCart cart = PriceCart(*TheCatalog(), {&line, 1});
  REQUIRE(cart.complete());
  const PricedLine& l = Line(cart, 0);
  CHECK(l.line_id == "L1");
  CHECK(l.item_id == "COLA");
  CHECK(l.sku == "COLA");
  CHECK(l.name == "Cola");
  CHECK(l.quantity == "2");
  CHECK(l.quantity_unit == "unit");
  CHECK(l.tax_category == "general");
  CHECK(l.unit_price_minor == 149);
  CHECK(l.gross_minor == 298);
  // 298 x 6.25% = 18.625 -> 19.
  CHECK(l.tax_minor == 19);
  CHECK(l.total_minor == 317);
  CHECK(cart.taxes == std::vector<std::pair<std::string, int64_t>>{{"state", 19}});
}

TEST_CASE("items are found by SKU, scan code or external identifier") {
  const auto catalog = TheCatalog();
  SECTION("SKU type looks up the SKU first") {
    const std::vector<CartLine> lines = {Sku("4011", "1")};
    CHECK(Line(PriceCart(*catalog, lines), 0).sku == "4011");
  }
  SECTION("SKU type falls back to scan codes") {
    const std::vector<CartLine> lines = {Sku("49000028911", "1")};
    CHECK(Line(PriceCart(*catalog, lines), 0).sku == "COLA");
  }
  SECTION("SCANCODE type looks up scan codes only") {
    const std::vector<CartLine> lines = {Scan("4011", "0.5", "lb"), Scan("COLA", "1")};
    const PricedCart cart = PriceCart(*catalog, lines);
    CHECK(Line(cart, 0).sku == "BANANAS");
    REQUIRE(cart.unpriced.size() == 1);
    CHECK(cart.unpriced[0].reason == "unknown scan code 'COLA'");
  }
  SECTION("external identifiers are tried in order when the id is unknown") {
    CartLine line = Sku("NEW-SKU", "1");
    line.upcs = {"000000000000", "0049000028911"};
    CHECK(Line(PriceCart(*catalog, {&line, 1}), 0).sku == "COLA");
  }
}

TEST_CASE("an unknown item is reported precisely and the rest of the cart is priced") {
  CartLine unknown = Sku("NOPE", "1");
  unknown.line_id = "L2";
  unknown.upcs = {"123", "456"};
  CartLine odd_type = Sku("COLA", "1");
  odd_type.item_type = "PLU";
  const std::vector<CartLine> lines = {Sku("COLA", "1"),
                                       unknown,
                                       Sku("BANANAS", "1.5", "kg"),
                                       odd_type,
                                       Sku("COLA", "1.5"),
                                       Sku("BANANAS", "1", "each")};
  const PricedCart cart = PriceCart(*TheCatalog(), lines);
  CHECK_FALSE(cart.complete());
  REQUIRE(cart.lines.size() == 2);
  CHECK(cart.lines[0].index == 0);
  CHECK(cart.lines[1].index == 2);
  // 1.5 kg of 0.59/lb bananas: 1.5 kg = 3.306933... lb -> 195.109... -> 195.
  CHECK(cart.lines[1].gross_minor == 195);
  CHECK(cart.lines[1].quantity == "1.500");
  CHECK(cart.lines[1].quantity_unit == "kg");
  REQUIRE(cart.unpriced.size() == 4);
  CHECK(cart.unpriced[0].index == 1);
  CHECK(cart.unpriced[0].line_id == "L2");
  CHECK(cart.unpriced[0].item_id == "NOPE");
  CHECK(cart.unpriced[0].reason == "unknown SKU 'NOPE' (also tried UPC '123', '456')");
  CHECK(cart.unpriced[1].index == 3);
  CHECK_THAT(cart.unpriced[1].reason, ContainsSubstring("item type 'PLU' is not understood"));
  CHECK(cart.unpriced[2].reason == "quantity '1.5' is not a whole number of units");
  CHECK_THAT(cart.unpriced[3].reason, ContainsSubstring("sold by weight (lb)"));
  // The priced lines' totals stand on their own: 149 + 9 tax, 195 exempt.
  CHECK(cart.total_minor == 149 + 9 + 195);
  CheckInvariants(cart);
}

TEST_CASE("a cart whose total would pass the money ceiling holds the excess lines") {
  // DEAR is 10^14 cents. DEAR x 80 is too large for any line.
  const std::vector<CartLine> lines = {Sku("DEAR", "1"), Sku("DEAR", "80"), Sku("COLA", "1")};
  const PricedCart cart = PriceCart(*TheCatalog(), lines);
  REQUIRE(cart.unpriced.size() == 1);
  CHECK(cart.unpriced[0].index == 1);
  CHECK_THAT(cart.unpriced[0].reason, ContainsSubstring("too large"));
  // DEAR x 5 with its 6.25% tax needs 5.3125 x 10^14 of the 10^15 - 1 a cart may total; a
  // second one would not fit, the cola still does.
  const std::vector<CartLine> two = {Sku("DEAR", "5"), Sku("DEAR", "5"), Sku("COLA", "1")};
  const PricedCart held = PriceCart(*TheCatalog(), two);
  REQUIRE(held.unpriced.size() == 1);
  CHECK(held.unpriced[0].index == 1);
  CHECK_THAT(held.unpriced[0].reason, ContainsSubstring("the cart's total would exceed"));
  CHECK(held.total_minor <= core::kMaxMinorUnits);
  CheckInvariants(held);
}

// Random carts over the shipped example catalog (every promotion type, three tax categories,
// weighed items): whatever the cart, the invariants hold at both rounding levels.
TEST_CASE("random carts keep the invariants") {
  std::ifstream file(JWO_SOURCE_DIR "/config/catalog.example.yaml");
  std::string yaml((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto line_level = LoadCatalog(yaml);
  const size_t at = yaml.find("level: line");
  REQUIRE(at != std::string::npos);
  const auto total_level = LoadCatalog(yaml.replace(at, 11, "level: total"));
  REQUIRE(total_level->rounding().level == RoundingLevel::kTotal);
  std::mt19937 rng(42);
  for (int trial = 0; trial < 400; ++trial) {
    const Catalog& catalog = trial % 2 ? *total_level : *line_level;
    std::vector<CartLine> lines;
    const int count = static_cast<int>(rng() % 40);
    for (int i = 0; i < count; ++i) {
      const CatalogItem& item = catalog.items()[rng() % catalog.size()];
      if (item.sold_by == SoldBy::kWeight) {
        lines.push_back(
            Sku(item.sku, std::to_string(rng() % 3) + "." + std::to_string(100 + rng() % 900)));
      } else {
        lines.push_back(Sku(item.sku, std::to_string(1 + rng() % 6)));
      }
    }
    const PricedCart cart = PriceCart(catalog, lines);
    INFO("trial " << trial);
    CHECK(cart.complete());
    CheckInvariants(cart);
  }
}

}  // namespace
}  // namespace jwo::ordering
