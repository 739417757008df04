// Catalog: the store's items, promotions, tax table and rounding rule, loaded from one YAML file
// (format: docs/pricing.md, example: config/catalog.example.yaml).
//
// Thread safety: a Catalog is immutable once built. Share it as std::shared_ptr<const Catalog>
// and read it from any thread; a reload builds a new one and the old one stays valid for as long
// as anyone holds it. Loading keeps no state between calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "ordering/promotion.h"
#include "ordering/rounding.h"
#include "ordering/tax.h"

namespace jwo::ordering {

enum class SoldBy { kUnit, kWeight };

struct CatalogItem {
  std::string sku;                // unique in the catalog
  std::vector<std::string> upcs;  // scan codes (UPC, EAN, PLU) as written in the file
  std::string name;
  int64_t unit_price_minor = 0;  // per unit, or per `weight_unit` when sold by weight; >= 0
  SoldBy sold_by = SoldBy::kUnit;
  std::string weight_unit;   // "kg", "g", "lb" or "oz" when sold by weight; empty otherwise
  std::string tax_category;  // a category of the catalog's tax table
};

// Everything a Catalog holds, before its indexes are built.
struct CatalogData {
  core::Currency currency;
  std::vector<CatalogItem> items;
  std::vector<Promotion> promotions;  // in file order
  TaxTable taxes;
  RoundingRule rounding;
};

// The form under which scan codes are compared: an all-digit code loses its leading zeros, so
// UPC-A "012345678905", EAN-13 "0012345678905" and GTIN-14 "00012345678905" are one code;
// anything else is compared as written.
std::string NormalizeScanCode(std::string_view code);

class Catalog {
 public:
  // Builds the lookup indexes and puts the promotions in stacking order.
  // REQUIRES: `data` keeps the loader's rules (unique SKUs, scan codes unique after
  // NormalizeScanCode, every tax category and promotion target known). Tests may build
  // catalogs this way; files go through LoadFile.
  explicit Catalog(CatalogData data);

  // Reads and validates the catalog file at `path`.
  // On success: the catalog. On failure (the caller keeps its old catalog): a Status whose
  // message lists every problem found, one per line, each as
  // "FILE:LINE:COLUMN: KEY: RULE (found "TEXT")" (config::ConfigError's form):
  //   - kIoError: the file cannot be opened or read, or is larger than 64 MiB;
  //   - kInvalidArgument: YAML syntax, unknown or repeated keys, wrong types, bad currency,
  //     amounts with more decimals than the currency has, duplicate SKUs or scan codes,
  //     unknown tax categories, rates or promotion targets, and the other rules of
  //     docs/pricing.md.
  static core::Result<std::shared_ptr<const Catalog>> LoadFile(const std::string& path);
  // As LoadFile, for a document in memory; `name_for_messages` is the file named in errors.
  static core::Result<std::shared_ptr<const Catalog>> LoadYaml(
      std::string_view yaml, const std::string& name_for_messages);

  const core::Currency& currency() const { return data_.currency; }
  // The item with exactly this SKU, or nullptr. The pointer lives as long as the catalog.
  const CatalogItem* FindSku(std::string_view sku) const;
  // The item with this scan code (compared after NormalizeScanCode), or nullptr.
  const CatalogItem* FindUpc(std::string_view upc) const;
  size_t size() const { return data_.items.size(); }

  const std::vector<CatalogItem>& items() const { return data_.items; }
  // In stacking order: by priority, ties in file order.
  const std::vector<Promotion>& promotions() const { return data_.promotions; }
  const TaxTable& taxes() const { return data_.taxes; }
  const RoundingRule& rounding() const { return data_.rounding; }

 private:
  // Transparent, so a string_view finds a std::string key without a copy.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, size_t, KeyHash, std::equal_to<>>;

  CatalogData data_;
  Index by_sku_;        // SKU -> index into data_.items
  Index by_scan_code_;  // normalized scan code -> index into data_.items
};

}  // namespace jwo::ordering
