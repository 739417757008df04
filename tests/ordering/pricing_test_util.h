// Helpers shared by the pricing tests: catalogs from YAML text, cart lines in one call, and
// the invariants every priced cart keeps. Single-threaded test code.
#pragma once

#include <catch2/catch_test_macros.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ordering/catalog.h"
#include "ordering/pricing.h"

namespace jwo::ordering::testing {

// The catalog of `yaml`; fails the test (with every error) when it does not load.
inline std::shared_ptr<const Catalog> LoadCatalog(std::string_view yaml) {
  auto loaded = Catalog::LoadYaml(yaml, "test-catalog.yaml");
  INFO(loaded.status().message());
  REQUIRE(loaded.ok());
  return *loaded;
}

// The error text of a catalog that must not load ("" when it does load).
inline std::string CatalogErrors(std::string_view yaml) {
  auto loaded = Catalog::LoadYaml(yaml, "test-catalog.yaml");
  return loaded.ok() ? std::string() : loaded.status().message();
}

// A SKU line: Sku("A", "2").
inline CartLine Sku(std::string sku, std::string quantity, std::string unit = "") {
  return {"", std::move(sku), "SKU", std::move(quantity), std::move(unit), {}};
}

// A SCANCODE line.
inline CartLine Scan(std::string code, std::string quantity, std::string unit = "") {
  return {"", std::move(code), "SCANCODE", std::move(quantity), std::move(unit), {}};
}

// The priced line for request position `index`; fails the test when it is not priced.
inline const PricedLine& Line(const PricedCart& cart, size_t index) {
  for (const PricedLine& line : cart.lines) {
    if (line.index == index) return line;
  }
  FAIL("line " << index << " was not priced");
  return cart.lines.front();
}

// The discount `promotion` gave `line` (0 when none).
inline int64_t DiscountBy(const PricedLine& line, std::string_view promotion) {
  for (const AppliedPromotion& p : line.promotions) {
    if (p.id == promotion) return p.discount_minor;
  }
  return 0;
}

// The line's amount for tax rate `rate` (-1 when the line does not carry the rate).
inline int64_t TaxOf(const PricedLine& line, std::string_view rate) {
  for (const auto& [id, amount] : line.taxes) {
    if (id == rate) return amount;
  }
  return -1;
}

// What holds for every priced cart, whatever the catalog: the total formula, nothing negative,
// discounts within the gross, and line figures adding up to the cart's.
inline void CheckInvariants(const PricedCart& cart) {
  int64_t gross = 0, discount = 0, tax = 0, total = 0;
  for (const PricedLine& line : cart.lines) {
    int64_t promotions = 0, taxes = 0;
    for (const AppliedPromotion& p : line.promotions) {
      CHECK(p.discount_minor > 0);
      promotions += p.discount_minor;
    }
    for (const auto& rate : line.taxes) {
      CHECK(rate.second >= 0);
      taxes += rate.second;
    }
    CHECK(line.discount_minor == promotions);
    CHECK(line.tax_minor == taxes);
    CHECK(line.discount_minor >= 0);
    CHECK(line.discount_minor <= line.gross_minor);
    CHECK(line.net_minor == line.gross_minor - line.discount_minor);
    CHECK(line.total_minor == line.net_minor + line.tax_minor);
    gross += line.gross_minor;
    discount += line.discount_minor;
    tax += line.tax_minor;
    total += line.total_minor;
  }
  CHECK(cart.subtotal_minor == gross);
  CHECK(cart.discount_minor == discount);
  CHECK(cart.tax_minor == tax);
  CHECK(cart.total_minor == cart.subtotal_minor - cart.discount_minor + cart.tax_minor);
  CHECK(cart.total_minor == total);
  CHECK(cart.total_minor >= 0);
  int64_t rates = 0;
  for (const auto& rate : cart.taxes) rates += rate.second;
  CHECK(rates == cart.tax_minor);
}

}  // namespace jwo::ordering::testing
