#include "ordering/catalog.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fstream>
#include <string>

#include "pricing_test_util.h"
#include "tests/support/temp_dir.h"

namespace jwo::ordering {
namespace {

using Catch::Matchers::ContainsSubstring;
using testing::CatalogErrors;
using testing::LoadCatalog;

constexpr const char* kValid = R"(currency: USD
taxes:
  rates:
    state: {name: State sales tax, percent: 6.25}
    city: 2
  categories:
    general: [state, city]
    grocery: exempt
items:
  - sku: COLA
    upcs: ["049000028911", "4900002891"]
    name: Cola
    price: 1.49
    tax_category: general
  - {sku: BANANAS, upcs: [4011], name: Bananas, price: 0.59, sold_by: weight, weight_unit: lb, tax_category: grocery}
promotions:
  - {id: late, type: percent_off, percent: 5, skus: [COLA], priority: 9}
  - {id: cola-bogo, type: buy_x_get_y, buy: 1, get: 1, skus: [COLA], priority: 1, exclusive: true, max_per_trip: 3}
  - {id: tie, type: amount_off, amount: 0.10, tax_categories: [grocery], priority: 9}
)";

// kValid with `from` replaced by `to` (the first occurrence).
std::string With(std::string_view from, std::string_view to) {
  std::string yaml = kValid;
  const size_t at = yaml.find(from);
  REQUIRE(at != std::string::npos);
  yaml.replace(at, from.size(), to);
  return yaml;
}

TEST_CASE("a valid catalog loads with every field") {
  const auto catalog = LoadCatalog(kValid);
  CHECK(catalog->currency().Code() == "USD");
  CHECK(catalog->size() == 2);
  const CatalogItem* cola = catalog->FindSku("COLA");
  REQUIRE(cola != nullptr);
  CHECK(cola->name == "Cola");
  CHECK(cola->unit_price_minor == 149);
  CHECK(cola->sold_by == SoldBy::kUnit);
  CHECK(cola->weight_unit.empty());
  CHECK(cola->tax_category == "general");
  const CatalogItem* bananas = catalog->FindSku("BANANAS");
  REQUIRE(bananas != nullptr);
  CHECK(bananas->sold_by == SoldBy::kWeight);
  CHECK(bananas->weight_unit == "lb");
  CHECK(bananas->unit_price_minor == 59);
  CHECK(catalog->rounding().mode == RoundingMode::kHalfUp);
  CHECK(catalog->rounding().level == RoundingLevel::kLine);
  const TaxTable& taxes = catalog->taxes();
  REQUIRE(taxes.rates.size() == 2);
  CHECK(taxes.rates[0].name == "State sales tax");
  CHECK(taxes.rates[0].ppm == 62'500);
  CHECK(taxes.rates[1].name == "city");
  CHECK(taxes.FindCategory("grocery")->exempt);
}

TEST_CASE("promotions are kept in stacking order: priority, then file order") {
  const auto catalog = LoadCatalog(kValid);
  const auto& p = catalog->promotions();
  REQUIRE(p.size() == 3);
  CHECK(p[0].id == "cola-bogo");
  CHECK(p[1].id == "late");
  CHECK(p[2].id == "tie");
  CHECK(p[0].exclusive);
  CHECK(p[0].max_per_trip == 3);
  CHECK(p[0].percent_ppm == 1'000'000);  // get_percent_off defaults to free
  CHECK(p[2].amount_minor == 10);
  CHECK(p[1].name == "late");
}

TEST_CASE("scan codes match with or without leading zeros") {
  const auto catalog = LoadCatalog(kValid);
  CHECK(catalog->FindUpc("049000028911")->sku == "COLA");
  CHECK(catalog->FindUpc("0049000028911")->sku == "COLA");  // EAN-13 of the UPC-A
  CHECK(catalog->FindUpc("49000028911")->sku == "COLA");
  CHECK(catalog->FindUpc("4011")->sku == "BANANAS");
  CHECK(catalog->FindUpc("04011")->sku == "BANANAS");
  CHECK(catalog->FindUpc("4012") == nullptr);
  CHECK(catalog->FindSku("cola") == nullptr);  // SKUs are exact
  CHECK(NormalizeScanCode("000") == "0");
  CHECK(NormalizeScanCode("0A1") == "0A1");
}

TEST_CASE("the shipped example catalog loads") {
  const auto loaded = Catalog::LoadFile(JWO_SOURCE_DIR "/config/catalog.example.yaml");
  INFO(loaded.status().message());
  REQUIRE(loaded.ok());
  const Catalog& c = **loaded;
  CHECK(c.size() >= 12);
  CHECK(c.FindUpc("4011")->sku == "BANANAS");
  CHECK(c.promotions().size() >= 2);
  CHECK(c.taxes().FindCategory("grocery")->exempt);
}

TEST_CASE("LoadFile reads a file and names it in errors") {
  jwo::testing::TempDir dir;
  const std::string path = dir.File("catalog.yaml");
  std::ofstream(path) << kValid;
  CHECK(Catalog::LoadFile(path).ok());
  std::ofstream(path) << "currency: XYZ\n";
  const auto bad = Catalog::LoadFile(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == core::StatusCode::kInvalidArgument);
  CHECK_THAT(bad.status().message(), ContainsSubstring(path + ":1:11: currency: unknown currency"));
  const auto missing = Catalog::LoadFile(dir.File("nope.yaml"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == core::StatusCode::kIoError);
  CHECK_THAT(missing.status().message(), ContainsSubstring("nope.yaml: cannot open file"));
}

TEST_CASE("every error names the file, line, column, key and rule") {
  const std::string errors = CatalogErrors(With("price: 1.49", "price: 1.499"));
  CHECK(errors ==
        "test-catalog.yaml:13:12: items[0].price: must have at most 2 decimal places for USD "
        "and be at most 9999999999999.99 (found \"1.499\")");
}

TEST_CASE("all errors of a file are reported together") {
  const std::string yaml = With("price: 1.49", "price: -1") + "bogus: 1\n";
  const std::string errors = CatalogErrors(yaml);
  CHECK_THAT(errors, ContainsSubstring("items[0].price: must not be negative"));
  CHECK_THAT(errors, ContainsSubstring("bogus: unknown key"));
}

TEST_CASE("catalog rules, one error each") {
  struct Case {
    std::string_view from, to, error;
  };
  const Case cases[] = {
      {"currency: USD", "currency: usd", "currency: unknown currency code"},
      {"sku: COLA", "sku: BANANAS", "items[1].sku: SKU repeated; first at items[0]"},
      {"sku: COLA", "sku: \" COLA\"", "items[0].sku: must be 1 to 255 printable characters"},
      {"\"4900002891\"", "\"4011\"", "scan code repeated (leading zeros do not count)"},
      {"\"4900002891\"", "\"0049000028911\"", "items[0].upcs[1]: scan code repeated"},
      {"name: Cola", "name: \"\"", "items[0].name: must not be empty"},
      {"    name: Cola\n", "", "items[0].name: required key is missing"},
      {"price: 1.49", "price: abc", "must be a plain decimal amount"},
      {"sold_by: weight", "sold_by: kilo", "items[1].sold_by: must be one of unit, weight"},
      {"weight_unit: lb", "weight_unit: stone", "must be one of kg, g, lb, oz"},
      {"    tax_category: general\n", "    tax_category: general\n    weight_unit: kg\n",
       "only items with sold_by: weight have a weight_unit"},
      {", weight_unit: lb", "", "items[1].weight_unit: required key is missing"},
      {"tax_category: general", "tax_category: generl",
       "unknown tax category; taxes.categories declares: general, grocery (found \"generl\")"},
      {"percent: 6.25", "percent: 6.25001", "at most four decimal places"},
      {"percent: 6.25", "percent: 0", "must be greater than 0 and at most 100"},
      {"percent: 6.25", "percent: 101", "must be greater than 0 and at most 100"},
      {"general: [state, city]", "general: [state, county]", "unknown tax rate"},
      {"general: [state, city]", "general: [state, state]", "rate listed twice"},
      {"general: [state, city]", "general: []", "write exempt to make the category tax-exempt"},
      {"grocery: exempt", "grocery: free", "must be a list of rate ids or the word exempt"},
      {"type: percent_off", "type: percent", "must be one of percent_off, amount_off"},
      {"percent: 5,", "percent: 5, amount: 1,", "promotions[0].amount: does not apply to type"},
      {"percent: 5,", "", "promotions[0].percent: required key is missing"},
      {"id: tie", "id: late", "promotions[2].id: promotion id repeated"},
      {"id: tie", "id: \"t i e\"", "must be 1 to 64 characters"},
      {"skus: [COLA], priority: 9", "skus: [COKE], priority: 9", "unknown SKU; no item"},
      {"tax_categories: [grocery]", "tax_categories: [dairy]", "unknown tax category"},
      {"tax_categories: [grocery], ", "", "needs at least one target"},
      {"priority: 9}", "}", "promotions[0].priority: required key is missing"},
      {"priority: 1,", "priority: -1,", "must be between 0 and 1000000"},
      {"exclusive: true", "exclusive: yes", "must be true or false"},
      {"max_per_trip: 3", "max_per_trip: 0", "must be between 1 and 1000000000"},
      {"buy: 1,", "buy: 0,", "promotions[1].buy: must be between 1"},
      {"amount: 0.10", "amount: 0", "must be greater than zero"},
  };
  for (const Case& c : cases) {
    INFO(c.from << " -> " << c.to);
    CHECK_THAT(CatalogErrors(With(c.from, c.to)), ContainsSubstring(std::string(c.error)));
  }
}

TEST_CASE("document-level rules") {
  CHECK_THAT(CatalogErrors(""), ContainsSubstring("currency: required key is missing"));
  CHECK_THAT(CatalogErrors("[1, 2]"), ContainsSubstring("must be a mapping"));
  CHECK_THAT(CatalogErrors("currency: USD\nitems: [\n"), ContainsSubstring("YAML syntax error"));
  // yaml-cpp 0.7's LoadAll never returns on this one (tests/fuzz config_text found it).
  CHECK_THAT(CatalogErrors(","), ContainsSubstring("YAML syntax error"));
  CHECK_THAT(CatalogErrors(std::string(kValid) + "---\ncurrency: USD\n"),
             ContainsSubstring("must hold one YAML document"));
  CHECK_THAT(CatalogErrors(With("items:\n  - sku: COLA", "items: []\nx:\n  - sku: COLA")),
             ContainsSubstring("items: must list at least one item"));
  CHECK_THAT(CatalogErrors(std::string(kValid) + "rounding: {mode: bankers}\n"),
             ContainsSubstring("rounding.mode: must be one of half_up, half_even, down, up"));
  CHECK_THAT(CatalogErrors(std::string(kValid) + "rounding: {level: cart}\n"),
             ContainsSubstring("rounding.level: must be one of line, total"));
  const auto total =
      LoadCatalog(std::string(kValid) + "rounding: {mode: half_even, level: total}\n");
  CHECK(total->rounding().mode == RoundingMode::kHalfEven);
  CHECK(total->rounding().level == RoundingLevel::kTotal);
}

TEST_CASE("amounts follow the currency's digits") {
  const std::string jpy = With("currency: USD", "currency: JPY");
  CHECK_THAT(CatalogErrors(jpy), ContainsSubstring("at most 0 decimal places for JPY"));
  std::string whole = jpy;
  for (auto [from, to] :
       {std::pair{"1.49", "149"}, std::pair{"0.59", "59"}, std::pair{"0.10", "10"}}) {
    whole.replace(whole.find(from), std::string_view(from).size(), to);
  }
  const auto catalog = LoadCatalog(whole);
  CHECK(catalog->FindSku("COLA")->unit_price_minor == 149);
  CHECK(catalog->currency().exponent == 0);
}

}  // namespace
}  // namespace jwo::ordering
