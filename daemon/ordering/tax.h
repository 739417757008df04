// Taxes: the catalog's tax rates and categories, and the tax on priced lines.
//
// A category maps to one or more rates (state 6.25% + city 2%) or is exempt. Tax is charged on
// each line's net price (after discounts), rate by rate, and rounded per the catalog's
// RoundingRule: at line level each line's amount for each rate is rounded; at total level each
// rate is rounded once over the whole cart and then shared back to the lines by largest
// remainder, so the line amounts still add up to the cart's. Tables are immutable once loaded;
// the functions are pure. Use both from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ordering/rounding.h"

namespace jwo::ordering {

struct TaxRate {
  std::string id;    // as in the catalog file; reported with each amount
  std::string name;  // for receipts; the id when the file gives none
  int64_t ppm = 0;   // parts per million of the net price: 6.25% is 62,500
};

struct TaxCategory {
  std::string name;
  bool exempt = false;        // then `rates` is empty
  std::vector<size_t> rates;  // indices into TaxTable::rates, in the file's order
};

struct TaxTable {
  std::vector<TaxRate> rates;
  std::vector<TaxCategory> categories;

  // The category with that name, or nullptr.
  const TaxCategory* FindCategory(std::string_view name) const;
  // Sum of the category's rates in ppm (0 for exempt).
  int64_t CombinedPpm(const TaxCategory& category) const;
};

struct TaxableLine {
  int64_t net_minor = 0;                  // >= 0
  const TaxCategory* category = nullptr;  // REQUIRES: not null, from the same table
};

// The tax of every line: result[i][k] is line i's amount for the k-th rate of its category
// (empty for an exempt category). Never negative. REQUIRES: sum of nets <= core::kMaxMinorUnits.
std::vector<std::vector<int64_t>> ComputeTaxes(const TaxTable& table, const RoundingRule& rule,
                                               std::span<const TaxableLine> lines);

}  // namespace jwo::ordering
