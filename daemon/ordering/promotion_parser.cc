// Parses `promotions:`: a list of promotions, each with its type's own keys, targets, stacking
// priority, exclusivity and per-trip limit.
#include "ordering/catalog_parsers.h"

#include <algorithm>
#include <set>

namespace jwo::ordering::internal {
namespace {

constexpr int64_t kMaxPriority = 1'000'000;
constexpr int64_t kMaxPerTrip = 1'000'000'000;
constexpr int64_t kMaxGroup = 1'000;

// The keys that belong to one type; every other type-specific key is refused for it.
struct TypeKeys {
  PromotionType type;
  std::initializer_list<std::string_view> keys;
};
const TypeKeys kTypeKeys[] = {
    {PromotionType::kPercentOff, {"percent"}},
    {PromotionType::kAmountOff, {"amount"}},
    {PromotionType::kBuyXGetY, {"buy", "get", "get_percent_off"}},
    {PromotionType::kMultiBuy, {"quantity", "price"}},
};

bool BelongsTo(PromotionType type, std::string_view key) {
  for (const TypeKeys& row : kTypeKeys) {
    const bool listed = std::find(row.keys.begin(), row.keys.end(), key) != row.keys.end();
    if (listed) return row.type == type;
  }
  return true;  // a common key
}

void ReadTargets(Reader& reader, const Fields& f, const CatalogData& data, Promotion* p) {
  std::vector<Value> at;
  if (const Value* v = f.Find("skus"); v && ReadStrings(reader, *v, &p->skus, &at)) {
    for (size_t i = 0; i < p->skus.size(); ++i) {
      const bool known = std::any_of(data.items.begin(), data.items.end(),
                                     [&](const CatalogItem& it) { return it.sku == p->skus[i]; });
      if (!known) reader.Fail(at[i], "unknown SKU; no item of the catalog has it", p->skus[i]);
    }
  }
  at.clear();
  if (const Value* v = f.Find("tax_categories");
      v && ReadStrings(reader, *v, &p->tax_categories, &at)) {
    for (size_t i = 0; i < p->tax_categories.size(); ++i) {
      if (data.taxes.FindCategory(p->tax_categories[i]) == nullptr) {
        reader.Fail(at[i], "unknown tax category; taxes.categories does not declare it",
                    p->tax_categories[i]);
      }
    }
  }
  if (p->skus.empty() && p->tax_categories.empty()) {
    reader.Fail(f.map, "needs at least one target: skus or tax_categories");
  }
}

void ReadTypeKeys(Reader& reader, const Fields& f, const CatalogData& data, Promotion* p) {
  switch (p->type) {
    case PromotionType::kPercentOff:
      if (const Value* v = reader.Require(f, "percent")) ReadPercent(reader, *v, &p->percent_ppm);
      break;
    case PromotionType::kAmountOff:
      if (const Value* v = reader.Require(f, "amount")) {
        ReadAmount(reader, *v, data.currency, true, &p->amount_minor);
      }
      break;
    case PromotionType::kBuyXGetY:
      if (const Value* v = reader.Require(f, "buy")) reader.Int(*v, 1, kMaxGroup, &p->buy);
      if (const Value* v = reader.Require(f, "get")) reader.Int(*v, 1, kMaxGroup, &p->get);
      p->percent_ppm = kPpmPerWhole;
      if (const Value* v = f.Find("get_percent_off")) ReadPercent(reader, *v, &p->percent_ppm);
      break;
    case PromotionType::kMultiBuy:
      if (const Value* v = reader.Require(f, "quantity")) {
        reader.Int(*v, 2, kMaxGroup, &p->group_size);
      }
      if (const Value* v = reader.Require(f, "price")) {
        ReadAmount(reader, *v, data.currency, false, &p->amount_minor);
      }
      break;
  }
}

void ParsePromotion(Reader& reader, const Value& v, const CatalogData& data,
                    std::set<std::string>* ids, std::vector<Promotion>* out) {
  auto f = reader.Map(
      v, {"id", "name", "type", "skus", "tax_categories", "priority", "exclusive", "max_per_trip",
          "percent", "amount", "buy", "get", "get_percent_off", "quantity", "price"});
  if (!f) return;
  Promotion p;
  if (const Value* id = reader.Require(*f, "id"); id && ReadName(reader, *id, &p.id)) {
    if (!ids->insert(p.id).second) reader.Fail(*id, "promotion id repeated", p.id);
  }
  p.name = p.id;
  if (const Value* name = f->Find("name")) reader.String(*name, &p.name);
  const Value* type = reader.Require(*f, "type");
  std::string type_name;
  if (type == nullptr || !reader.String(*type, &type_name)) return;
  const auto parsed = ParsePromotionType(type_name);
  if (!parsed) {
    reader.Fail(*type, "must be one of percent_off, amount_off, buy_x_get_y, multi_buy", type_name);
    return;
  }
  p.type = *parsed;
  for (const Fields::Entry& e : f->entries) {
    if (!BelongsTo(p.type, e.key)) {
      reader.Fail(e.key_at, "does not apply to type " + type_name);
    }
  }
  ReadTargets(reader, *f, data, &p);
  if (const Value* prio = reader.Require(*f, "priority")) {
    reader.Int(*prio, int64_t{0}, kMaxPriority, &p.priority);
  }
  if (const Value* ex = f->Find("exclusive")) ReadBool(reader, *ex, &p.exclusive);
  reader.OptionalInt(*f, "max_per_trip", int64_t{1}, kMaxPerTrip, &p.max_per_trip);
  ReadTypeKeys(reader, *f, data, &p);
  out->push_back(std::move(p));
}

}  // namespace

void ParsePromotions(Reader& reader, const Value& v, const CatalogData& data,
                     std::vector<Promotion>* out) {
  if (v.node.IsNull()) return;
  auto list = reader.Sequence(v);
  if (!list) return;
  std::set<std::string> ids;
  for (const Value& element : *list) ParsePromotion(reader, element, data, &ids, out);
}

}  // namespace jwo::ordering::internal
