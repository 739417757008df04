#include "ordering/promotion_engine.h"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "pricing_test_util.h"

namespace jwo::ordering {
namespace {

using testing::LoadCatalog;

constexpr std::string_view kItems = R"(currency: USD
taxes: {categories: {untaxed: exempt}}
items:
  - {sku: A, name: A, price: 5.00, tax_category: untaxed}
  - {sku: B, name: B, price: 4.00, tax_category: untaxed}
  - {sku: C, name: C, price: 3.00, tax_category: untaxed}
  - {sku: D, name: D, price: 2.00, tax_category: untaxed}
  - {sku: ONE, name: One dollar, price: 1.00, tax_category: untaxed}
  - {sku: CENT, name: One cent, price: 0.01, tax_category: untaxed}
  - {sku: W, name: Weighed, price: 10.00, sold_by: weight, weight_unit: kg, tax_category: untaxed}
)";

struct Run {
  std::shared_ptr<const Catalog> catalog;
  std::vector<std::vector<AppliedPromotion>> out;

  int64_t Line(size_t i) const {
    int64_t sum = 0;
    for (const AppliedPromotion& p : out[i]) sum += p.discount_minor;
    return sum;
  }
  int64_t By(size_t i, std::string_view id) const {
    for (const AppliedPromotion& p : out[i]) {
      if (p.id == id) return p.discount_minor;
    }
    return 0;
  }
};

// Applies `promotions` (YAML list items) to lines of (SKU, units); a weighed line's "units" is
// its gross in cents.
Run Apply(std::string_view promotions, std::vector<std::pair<std::string, int64_t>> lines) {
  Run run;
  run.catalog = LoadCatalog(std::string(kItems) + "promotions:\n" + std::string(promotions));
  std::vector<PromotableLine> in;
  for (const auto& [sku, units] : lines) {
    const CatalogItem* item = run.catalog->FindSku(sku);
    REQUIRE(item != nullptr);
    if (item->sold_by == SoldBy::kWeight) {
      in.push_back({item, 1, units});
    } else {
      in.push_back({item, units, item->unit_price_minor});
    }
  }
  run.out = ApplyPromotions(run.catalog->promotions(), run.catalog->rounding().mode, in);
  return run;
}

TEST_CASE("an exclusive promotion takes only units no earlier promotion used") {
  const Run r = Apply(R"(
  - {id: ten, type: percent_off, percent: 10, skus: [ONE], priority: 1}
  - {id: bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [ONE], priority: 2, exclusive: true}
)",
                      {{"ONE", 2}});
  CHECK(r.By(0, "ten") == 20);
  CHECK(r.By(0, "bogo") == 0);
}

TEST_CASE("an exclusive deal under a limit leaves its other units to later promotions") {
  // 5 x 100: the exclusive BOGO (one pair) takes 2 units and frees one (100); 10% then
  // reaches only the 3 units outside the deal: 3 x 10 = 30.
  const Run r = Apply(R"(
  - {id: bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [ONE], priority: 1, exclusive: true, max_per_trip: 1}
  - {id: ten, type: percent_off, percent: 10, skus: [ONE], priority: 2}
)",
                      {{"ONE", 5}});
  CHECK(r.By(0, "bogo") == 100);
  CHECK(r.By(0, "ten") == 30);
}

TEST_CASE("non-exclusive promotions stack on the same units") {
  // 2 x 100: 10% leaves 90 + 90; the BOGO then frees one 90.
  const Run r = Apply(R"(
  - {id: ten, type: percent_off, percent: 10, skus: [ONE], priority: 1}
  - {id: bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [ONE], priority: 2}
)",
                      {{"ONE", 2}});
  CHECK(r.By(0, "ten") == 20);
  CHECK(r.By(0, "bogo") == 90);
}

TEST_CASE("BOGO pairs units dearest first; each pair's cheaper unit is free") {
  // 500, 400, 300, 200 -> pairs (500, 400) and (300, 200): B and D are free.
  const Run r = Apply(R"(
  - {id: bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [A, B, C, D], priority: 1}
)",
                      {{"D", 1}, {"C", 1}, {"A", 1}, {"B", 1}});
  CHECK(r.Line(0) == 200);
  CHECK(r.Line(1) == 0);
  CHECK(r.Line(2) == 0);
  CHECK(r.Line(3) == 400);
}

TEST_CASE("a multi-buy group across lines shares its discount by net") {
  // 3 for 5.00 over C (300) + D, D (200, 200): 700 -> 500, 200 off. C's share
  // 200 x 300/700 = 85.7 -> 85, D's 200 x 400/700 = 114.3 -> 114; the cent left goes to the
  // first part: C 86, D 114.
  const Run r = Apply(R"(
  - {id: three-for-5, type: multi_buy, quantity: 3, price: 5.00, skus: [C, D], priority: 1}
)",
                      {{"C", 1}, {"D", 2}});
  CHECK(r.Line(0) == 86);
  CHECK(r.Line(1) == 114);
}

TEST_CASE("a multi-buy never raises a price and stops at the first group it cannot help") {
  // 2 for 5.00 over 2.00 items: 400 < 500, no discount.
  CHECK(Apply(R"(
  - {id: two-for-5, type: multi_buy, quantity: 2, price: 5.00, skus: [D], priority: 1}
)",
              {{"D", 4}})
            .Line(0) == 0);
  // 2 for 3.00 over D, D (200 each) and ONE, ONE (100 each): (200, 200) -> 300 saves 100;
  // (100, 100) = 200 is already below 300.
  const Run r = Apply(R"(
  - {id: two-for-3, type: multi_buy, quantity: 2, price: 3.00, skus: [D, ONE], priority: 1}
)",
                      {{"ONE", 2}, {"D", 2}});
  CHECK(r.Line(0) == 0);
  CHECK(r.Line(1) == 100);
}

TEST_CASE("group deals skip weighed lines; per-unit deals treat a weighed line as one unit") {
  const Run r = Apply(R"(
  - {id: bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [W, ONE], priority: 1}
  - {id: dollar, type: amount_off, amount: 1.00, skus: [W], priority: 2}
)",
                      {{"W", 455}, {"ONE", 1}});
  CHECK(r.By(0, "bogo") == 0);
  CHECK(r.By(0, "dollar") == 100);
  CHECK(r.Line(1) == 0);  // alone, ONE makes no pair
}

TEST_CASE("huge quantities cost no more than small ones") {
  // 10^9 units of one cent: 5 x 10^8 pairs, each with one free cent.
  const Run bogo = Apply(R"(
  - {id: bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [CENT], priority: 1}
)",
                         {{"CENT", 1'000'000'000}});
  CHECK(bogo.Line(0) == 500'000'000);
  // 3 for 0.02 over 10^9 cents: 333,333,333 groups, each 1 cent off.
  const Run multi = Apply(R"(
  - {id: three-for-2c, type: multi_buy, quantity: 3, price: 0.02, skus: [CENT], priority: 1}
)",
                          {{"CENT", 1'000'000'000}});
  CHECK(multi.Line(0) == 333'333'333);
}

// The engine against a unit-by-unit reading of the buy_x_get_y rule: expand every unit, sort
// dearest first (ties: earlier line), cut into groups, discount the last `get` of each group.
TEST_CASE("buy_x_get_y agrees with a unit-by-unit reference on random carts") {
  std::mt19937 rng(20240611);
  const int64_t prices[] = {100, 150, 199, 250, 300};
  for (int trial = 0; trial < 500; ++trial) {
    const int line_count = 1 + static_cast<int>(rng() % 6);
    std::vector<CatalogItem> items(static_cast<size_t>(line_count));
    std::vector<PromotableLine> lines;
    Promotion p;
    p.id = "deal";
    p.type = PromotionType::kBuyXGetY;
    p.buy = 1 + rng() % 3;
    p.get = 1 + rng() % 2;
    p.max_per_trip = rng() % 4;
    p.percent_ppm = rng() % 2 ? 1'000'000 : 500'000;
    for (int i = 0; i < line_count; ++i) {
      items[i] = {"S" + std::to_string(i), {}, "", prices[rng() % 5], SoldBy::kUnit, "", "t"};
      p.skus.push_back(items[i].sku);
      lines.push_back({&items[i], 1 + static_cast<int64_t>(rng() % 7), items[i].unit_price_minor});
    }
    std::sort(p.skus.begin(), p.skus.end());

    std::vector<std::pair<int64_t, size_t>> units;  // (price, line)
    for (size_t i = 0; i < lines.size(); ++i) {
      for (int64_t u = 0; u < lines[i].units; ++u) units.push_back({lines[i].unit_price_minor, i});
    }
    std::stable_sort(units.begin(), units.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    const int64_t group = p.buy + p.get;
    int64_t groups = static_cast<int64_t>(units.size()) / group;
    if (p.max_per_trip > 0) groups = std::min(groups, p.max_per_trip);
    std::vector<int64_t> expected(lines.size(), 0);
    for (int64_t pos = 0; pos < groups * group; ++pos) {
      if (pos % group >= p.buy) {
        const auto& [price, line] = units[static_cast<size_t>(pos)];
        expected[line] += ApplyPpm(price, p.percent_ppm, RoundingMode::kHalfUp);
      }
    }

    const std::vector<Promotion> promotions = {p};
    const auto out = ApplyPromotions(promotions, RoundingMode::kHalfUp, lines);
    for (size_t i = 0; i < lines.size(); ++i) {
      const int64_t got = out[i].empty() ? 0 : out[i][0].discount_minor;
      INFO("trial " << trial << " line " << i);
      CHECK(got == expected[i]);
    }
  }
}

// The same for multi_buy's cart total: groups of `quantity` units dearest first, each brought
// down to the deal price, until a group would not get cheaper.
TEST_CASE("multi_buy agrees with a unit-by-unit reference on random carts") {
  std::mt19937 rng(7);
  const int64_t prices[] = {99, 100, 150, 199, 250};
  for (int trial = 0; trial < 500; ++trial) {
    const int line_count = 1 + static_cast<int>(rng() % 6);
    std::vector<CatalogItem> items(static_cast<size_t>(line_count));
    std::vector<PromotableLine> lines;
    Promotion p;
    p.id = "deal";
    p.type = PromotionType::kMultiBuy;
    p.group_size = 2 + rng() % 3;
    p.amount_minor = 100 + static_cast<int64_t>(rng() % 500);
    p.max_per_trip = rng() % 4;
    for (int i = 0; i < line_count; ++i) {
      items[i] = {"S" + std::to_string(i), {}, "", prices[rng() % 5], SoldBy::kUnit, "", "t"};
      p.skus.push_back(items[i].sku);
      lines.push_back({&items[i], 1 + static_cast<int64_t>(rng() % 7), items[i].unit_price_minor});
    }
    std::sort(p.skus.begin(), p.skus.end());

    std::vector<int64_t> units;
    for (const PromotableLine& l : lines) units.insert(units.end(), l.units, l.unit_price_minor);
    std::sort(units.rbegin(), units.rend());
    int64_t groups = static_cast<int64_t>(units.size()) / p.group_size;
    if (p.max_per_trip > 0) groups = std::min(groups, p.max_per_trip);
    int64_t expected = 0;
    for (int64_t g = 0; g < groups; ++g) {
      int64_t sum = 0;
      for (int64_t k = 0; k < p.group_size; ++k) sum += units[g * p.group_size + k];
      if (sum <= p.amount_minor) break;
      expected += sum - p.amount_minor;
    }

    const std::vector<Promotion> promotions = {p};
    const auto out = ApplyPromotions(promotions, RoundingMode::kHalfUp, lines);
    int64_t got = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      const int64_t line = out[i].empty() ? 0 : out[i][0].discount_minor;
      CHECK(line <= lines[i].units * lines[i].unit_price_minor);
      got += line;
    }
    INFO("trial " << trial);
    CHECK(got == expected);
  }
}

}  // namespace
}  // namespace jwo::ordering
