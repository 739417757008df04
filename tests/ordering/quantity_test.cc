#include "ordering/quantity.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

namespace jwo::ordering {
namespace {

using Catch::Matchers::ContainsSubstring;

CatalogItem ByUnit(int64_t price) {
  return {"SODA", {}, "Soda", price, SoldBy::kUnit, "", "general"};
}
CatalogItem ByWeight(int64_t price, std::string unit) {
  return {"APPLES", {}, "Apples", price, SoldBy::kWeight, std::move(unit), "grocery"};
}

std::string Why(const core::Result<LineQuantity>& r) { return r.status().message(); }

TEST_CASE("unit-sold items take whole numbers however they are written") {
  for (const char* text : {"2", "2.0", "2.000", "02"}) {
    INFO(text);
    const auto q = ResolveQuantity(ByUnit(150), text, "");
    REQUIRE(q.ok());
    CHECK(q->units == 2);
    CHECK(q->text == "2");
    CHECK(q->unit == "unit");
  }
  CHECK(ResolveQuantity(ByUnit(150), "1.0", "UNIT").ok());
  CHECK(ResolveQuantity(ByUnit(150), "1", "each").ok());
  CHECK(ResolveQuantity(ByUnit(150), "1", "pcs").ok());
}

TEST_CASE("unit-sold items refuse fractions, zero and weights") {
  CHECK_THAT(Why(ResolveQuantity(ByUnit(150), "1.5", "")),
             ContainsSubstring("'1.5' is not a whole number of units"));
  CHECK_THAT(Why(ResolveQuantity(ByUnit(150), "1.0001", "")),
             ContainsSubstring("not a whole number"));
  CHECK_THAT(Why(ResolveQuantity(ByUnit(150), "0", "")),
             ContainsSubstring("must be greater than zero"));
  CHECK_THAT(Why(ResolveQuantity(ByUnit(150), "-1", "")), ContainsSubstring("not a plain decimal"));
  CHECK_THAT(Why(ResolveQuantity(ByUnit(150), "1", "kg")),
             ContainsSubstring("in 'kg', but SKU SODA is sold by unit"));
  CHECK_THAT(Why(ResolveQuantity(ByUnit(150), "1", "bushel")),
             ContainsSubstring("unknown quantity unit 'bushel'"));
}

TEST_CASE("weighed items take thousandths of a weight unit") {
  const auto q = ResolveQuantity(ByWeight(199, "lb"), "0.455", "lb");
  REQUIRE(q.ok());
  CHECK(q->thousandths == 455);
  CHECK(q->units == 1);
  CHECK(q->text == "0.455");
  CHECK(q->unit == "lb");
  // No unit: the catalog's. Cart spellings are case-insensitive.
  CHECK(ResolveQuantity(ByWeight(199, "lb"), "1.5", "")->unit == "lb");
  CHECK(ResolveQuantity(ByWeight(199, "lb"), "1.5", "Pounds")->unit == "lb");
  CHECK(ResolveQuantity(ByWeight(199, "lb"), "700", "G")->unit == "g");
  CHECK(ResolveQuantity(ByWeight(199, "lb"), "1.5", "")->text == "1.500");
}

TEST_CASE("weighed items refuse a fourth decimal and count units") {
  CHECK_THAT(Why(ResolveQuantity(ByWeight(199, "kg"), "0.4555", "kg")),
             ContainsSubstring("more than 3 decimal places"));
  CHECK_THAT(Why(ResolveQuantity(ByWeight(199, "kg"), "1", "each")),
             ContainsSubstring("sold by weight (kg)"));
  CHECK_THAT(Why(ResolveQuantity(ByWeight(199, "kg"), "1", "stone")),
             ContainsSubstring("unknown quantity unit 'stone'"));
}

TEST_CASE("gross price of units is price x count") {
  const CatalogItem soda = ByUnit(150);
  CHECK(*GrossPrice(soda, *ResolveQuantity(soda, "4", ""), RoundingMode::kHalfUp) == 600);
}

TEST_CASE("gross price of a weight converts exactly before it rounds") {
  const CatalogItem per_kg = ByWeight(1000, "kg");  // 10.00 a kilogram
  auto price = [&](const char* value, const char* unit, RoundingMode mode) {
    return *GrossPrice(per_kg, *ResolveQuantity(per_kg, value, unit), mode);
  };
  CHECK(price("0.455", "kg", RoundingMode::kHalfUp) == 455);
  CHECK(price("455", "g", RoundingMode::kHalfUp) == 455);
  // 1 lb = 0.45359237 kg: 453.59237 -> 454.
  CHECK(price("1", "lb", RoundingMode::kHalfUp) == 454);
  CHECK(price("1", "lb", RoundingMode::kDown) == 453);
  // 16 oz = 1 lb exactly.
  CHECK(price("16", "oz", RoundingMode::kHalfUp) == 454);
  // 1 oz = 28.349523125 g: 28.349523125 -> 28.
  CHECK(price("1", "oz", RoundingMode::kHalfUp) == 28);
  const CatalogItem per_lb = ByWeight(100, "lb");  // 1.00 a pound
  // 1 kg = 2.20462262... lb: 220.46 -> 220.
  CHECK(*GrossPrice(per_lb, *ResolveQuantity(per_lb, "1", "kg"), RoundingMode::kHalfUp) == 220);
  // A half cent: 1.00 x 0.125 lb = 12.5.
  CHECK(*GrossPrice(per_lb, *ResolveQuantity(per_lb, "0.125", "lb"), RoundingMode::kHalfUp) == 13);
  CHECK(*GrossPrice(per_lb, *ResolveQuantity(per_lb, "0.125", "lb"), RoundingMode::kHalfEven) ==
        12);
}

TEST_CASE("a line amount past the money ceiling is refused, not wrapped") {
  const CatalogItem dear = ByUnit(999'999'999'999);
  const auto q = ResolveQuantity(dear, "9999999999", "");
  REQUIRE(q.ok());
  const auto gross = GrossPrice(dear, *q, RoundingMode::kHalfUp);
  REQUIRE_FALSE(gross.ok());
  CHECK(gross.status().code() == core::StatusCode::kOutOfRange);
  const CatalogItem weighed = ByWeight(999'999'999'999'999, "g");
  const auto heavy = ResolveQuantity(weighed, "999999999999", "kg");
  REQUIRE(heavy.ok());
  CHECK_FALSE(GrossPrice(weighed, *heavy, RoundingMode::kHalfUp).ok());
}

TEST_CASE("unit names") {
  CHECK(WeightUnitName(WeightUnit::kOunce) == "oz");
  CHECK(WeightUnitFromName("lb") == WeightUnit::kPound);
  CHECK_FALSE(WeightUnitFromName("LB"));
  CHECK(ParseCartWeightUnit("KILOGRAMS") == WeightUnit::kKilogram);
  CHECK(IsCountUnit(""));
  CHECK_FALSE(IsCountUnit("kg"));
}

}  // namespace
}  // namespace jwo::ordering
