// Parses `taxes:`: the rates (id -> percent, optional name) and the categories (name -> list of
// rate ids, or `exempt`).
#include "ordering/catalog_parsers.h"

#include <algorithm>

namespace jwo::ordering::internal {
namespace {

// At most this many rates on one category: real stacks are state + county + city + district.
constexpr size_t kMaxRatesPerCategory = 8;

void ParseRate(Reader& reader, const Fields::Entry& entry, TaxTable* out) {
  TaxRate rate;
  if (!ReadName(reader, entry.key_at, &rate.id)) return;
  rate.name = rate.id;
  // Kept even when its percent is bad (that error is already recorded), so the categories
  // naming it do not add a misleading "unknown tax rate".
  if (!entry.value.node.IsMap()) {
    ReadPercent(reader, entry.value, &rate.ppm);
  } else if (auto f = reader.Map(entry.value, {"percent", "name"})) {
    if (const Value* name = f->Find("name")) reader.String(*name, &rate.name);
    if (const Value* percent = reader.Require(*f, "percent")) {
      ReadPercent(reader, *percent, &rate.ppm);
    }
  }
  out->rates.push_back(std::move(rate));
}

void ParseCategory(Reader& reader, const Fields::Entry& entry, const std::vector<TaxRate>& rates,
                   TaxTable* out) {
  TaxCategory category;
  if (!ReadName(reader, entry.key_at, &category.name)) return;
  const Value& v = entry.value;
  if (v.node.IsScalar()) {
    if (v.node.Scalar() != "exempt") {
      reader.Fail(v, "must be a list of rate ids or the word exempt", v.node.Scalar());
      return;
    }
    category.exempt = true;
    out->categories.push_back(std::move(category));
    return;
  }
  std::vector<std::string> ids;
  std::vector<Value> at;
  if (!ReadStrings(reader, v, &ids, &at)) return;
  if (ids.empty()) {
    reader.Fail(v, "an empty list taxes nothing; write exempt to make the category tax-exempt");
    return;
  }
  if (ids.size() > kMaxRatesPerCategory) {
    reader.Fail(v, "at most " + std::to_string(kMaxRatesPerCategory) + " rates per category");
    return;
  }
  bool ok = true;
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto it =
        std::find_if(rates.begin(), rates.end(), [&](const TaxRate& r) { return r.id == ids[i]; });
    if (it == rates.end()) {
      std::string known;
      for (const TaxRate& r : rates) known += (known.empty() ? "" : ", ") + r.id;
      reader.Fail(at[i],
                  "unknown tax rate; taxes.rates declares: " + (known.empty() ? "none" : known),
                  ids[i]);
      ok = false;
      continue;
    }
    const size_t index = static_cast<size_t>(it - rates.begin());
    if (std::find(category.rates.begin(), category.rates.end(), index) != category.rates.end()) {
      reader.Fail(at[i], "rate listed twice in one category", ids[i]);
      ok = false;
      continue;
    }
    category.rates.push_back(index);
  }
  if (ok) out->categories.push_back(std::move(category));
}

}  // namespace

void ParseTaxes(Reader& reader, const Value& v, TaxTable* out) {
  auto f = reader.Map(v, {"rates", "categories"});
  if (!f) return;
  if (const Value* rates = f->Find("rates")) {
    if (auto entries = reader.OpenMap(*rates)) {
      for (const Fields::Entry& e : entries->entries) ParseRate(reader, e, out);
    }
  }
  if (const Value* categories = reader.Require(*f, "categories")) {
    if (auto entries = reader.OpenMap(*categories)) {
      if (entries->entries.empty()) reader.Fail(*categories, "must declare at least one category");
      for (const Fields::Entry& e : entries->entries) ParseCategory(reader, e, out->rates, out);
    }
  }
}

}  // namespace jwo::ordering::internal
