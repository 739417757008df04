#include "ordering/catalog.h"

#include <algorithm>

namespace jwo::ordering {

std::string NormalizeScanCode(std::string_view code) {
  const bool digits = !code.empty() && std::all_of(code.begin(), code.end(),
                                                   [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!digits) return std::string(code);
  const size_t first = code.find_first_not_of('0');
  return first == std::string_view::npos ? std::string("0") : std::string(code.substr(first));
}

Catalog::Catalog(CatalogData data) : data_(std::move(data)) {
  for (size_t i = 0; i < data_.items.size(); ++i) {
    const CatalogItem& item = data_.items[i];
    by_sku_.emplace(item.sku, i);
    for (const std::string& upc : item.upcs) by_scan_code_.emplace(NormalizeScanCode(upc), i);
  }
  for (Promotion& p : data_.promotions) {
    std::sort(p.skus.begin(), p.skus.end());
    std::sort(p.tax_categories.begin(), p.tax_categories.end());
  }
  // Stable: promotions of equal priority keep the order of the file, as documented.
  std::stable_sort(data_.promotions.begin(), data_.promotions.end(),
                   [](const Promotion& a, const Promotion& b) { return a.priority < b.priority; });
}

const CatalogItem* Catalog::FindSku(std::string_view sku) const {
  const auto it = by_sku_.find(sku);
  return it == by_sku_.end() ? nullptr : &data_.items[it->second];
}

const CatalogItem* Catalog::FindUpc(std::string_view upc) const {
  const auto it = by_scan_code_.find(NormalizeScanCode(upc));
  return it == by_scan_code_.end() ? nullptr : &data_.items[it->second];
}

}  // namespace jwo::ordering
