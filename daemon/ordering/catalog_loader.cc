// Catalog::LoadFile and LoadYaml: the catalog file's top level, its items and rounding rule,
// and the small typed readers the section parsers share.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

#include "ordering/catalog.h"

#include "core/file_read.h"
#include "ordering/catalog_parsers.h"
#include "ordering/decimal.h"
#include "ordering/quantity.h"

namespace jwo::ordering {
namespace internal {
namespace {

// A catalog of 100,000 items is ~15 MiB of YAML; this refuses /dev/zero and a mistyped path to
// a disk image, not a big store.
constexpr size_t kMaxFileBytes = size_t{64} << 20;
constexpr size_t kMaxSkuLength = 255;
constexpr size_t kMaxNameLength = 64;

bool IsQuoted(const Value& v) { return v.node.Tag() == "!"; }

bool IsPrintable(const std::string& s) {
  return std::none_of(s.begin(), s.end(),
                      [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
}

// An identifier as Amazon may send it (SKU, scan code): 1 to 255 printable characters without
// spaces at either end, which a cart could never match.
bool ReadCode(Reader& reader, const Value& v, std::string* out) {
  if (!reader.String(v, out)) return false;
  if (out->empty() || out->size() > kMaxSkuLength || !IsPrintable(*out) || out->front() == ' ' ||
      out->back() == ' ') {
    reader.Fail(v, "must be 1 to 255 printable characters, without spaces at either end", *out);
    return false;
  }
  return true;
}

void ParseRounding(Reader& reader, const Value& v, RoundingRule* out) {
  auto f = reader.Map(v, {"mode", "level"});
  if (!f) return;
  std::string text;
  if (const Value* mode = f->Find("mode"); mode && reader.String(*mode, &text)) {
    if (auto m = ParseRoundingMode(text)) {
      out->mode = *m;
    } else {
      reader.Fail(*mode, "must be one of half_up, half_even, down, up", text);
    }
  }
  if (const Value* level = f->Find("level"); level && reader.String(*level, &text)) {
    if (auto l = ParseRoundingLevel(text)) {
      out->level = *l;
    } else {
      reader.Fail(*level, "must be one of line, total", text);
    }
  }
}

struct Seen {
  std::map<std::string, std::string, std::less<>> skus;        // SKU -> where first seen
  std::map<std::string, std::string, std::less<>> scan_codes;  // normalized -> where first seen
};

void ParseItem(Reader& reader, const Value& v, const CatalogData& data, bool currency_ok,
               Seen* seen, std::vector<CatalogItem>* out) {
  auto f =
      reader.Map(v, {"sku", "upcs", "name", "price", "sold_by", "weight_unit", "tax_category"});
  if (!f) return;
  CatalogItem item;
  if (const Value* sku = reader.Require(*f, "sku"); sku && ReadCode(reader, *sku, &item.sku)) {
    if (auto [it, fresh] = seen->skus.emplace(item.sku, v.path); !fresh) {
      reader.Fail(*sku, "SKU repeated; first at " + it->second, item.sku);
    }
  }
  std::vector<Value> at;
  if (const Value* upcs = f->Find("upcs"); upcs && ReadStrings(reader, *upcs, &item.upcs, &at)) {
    for (size_t i = 0; i < item.upcs.size(); ++i) {
      std::string code;
      if (!ReadCode(reader, at[i], &code)) continue;
      if (auto [it, fresh] = seen->scan_codes.emplace(NormalizeScanCode(code), at[i].path);
          !fresh) {
        reader.Fail(
            at[i], "scan code repeated (leading zeros do not count); first at " + it->second, code);
      }
    }
  }
  if (const Value* name = reader.Require(*f, "name"); name && reader.String(*name, &item.name)) {
    if (item.name.empty()) reader.Fail(*name, "must not be empty");
  }
  if (const Value* price = reader.Require(*f, "price"); price && currency_ok) {
    ReadAmount(reader, *price, data.currency, false, &item.unit_price_minor);
  }
  std::string text;
  if (const Value* sold = f->Find("sold_by"); sold && reader.String(*sold, &text)) {
    if (text == "weight") {
      item.sold_by = SoldBy::kWeight;
    } else if (text != "unit") {
      reader.Fail(*sold, "must be one of unit, weight", text);
    }
  }
  const Value* unit = f->Find("weight_unit");
  if (item.sold_by == SoldBy::kWeight && unit == nullptr) {
    reader.Require(*f, "weight_unit");
  } else if (item.sold_by == SoldBy::kUnit && unit != nullptr) {
    reader.Fail(*unit, "only items with sold_by: weight have a weight_unit");
  } else if (unit != nullptr && reader.String(*unit, &item.weight_unit) &&
             !WeightUnitFromName(item.weight_unit)) {
    reader.Fail(*unit, "must be one of kg, g, lb, oz", item.weight_unit);
  }
  if (const Value* cat = reader.Require(*f, "tax_category");
      cat && reader.String(*cat, &item.tax_category) &&
      data.taxes.FindCategory(item.tax_category) == nullptr) {
    std::string known;
    for (const TaxCategory& c : data.taxes.categories)
      known += (known.empty() ? "" : ", ") + c.name;
    reader.Fail(
        *cat,
        "unknown tax category; taxes.categories declares: " + (known.empty() ? "none" : known),
        item.tax_category);
  }
  out->push_back(std::move(item));
}

void ParseRoot(Reader& reader, const Value& root, CatalogData* data) {
  auto f = reader.Map(root, {"currency", "rounding", "items", "promotions", "taxes"});
  if (!f) return;
  bool currency_ok = false;
  std::string code;
  if (const Value* cur = reader.Require(*f, "currency"); cur && reader.String(*cur, &code)) {
    if (auto c = core::FindCurrency(code)) {
      data->currency = *c;
      currency_ok = true;
    } else {
      reader.Fail(*cur, "unknown currency code; use an ISO 4217 code such as USD or EUR", code);
    }
  }
  // Sections are read in dependency order, whatever order the file writes them in.
  if (const Value* v = reader.Require(*f, "taxes")) ParseTaxes(reader, *v, &data->taxes);
  if (const Value* v = f->Find("rounding")) ParseRounding(reader, *v, &data->rounding);
  if (const Value* v = reader.Require(*f, "items")) {
    if (auto list = reader.Sequence(*v)) {
      if (list->empty()) reader.Fail(*v, "must list at least one item");
      Seen seen;
      for (const Value& item : *list) {
        ParseItem(reader, item, *data, currency_ok, &seen, &data->items);
      }
    }
  }
  if (const Value* v = f->Find("promotions"); v && currency_ok) {
    ParsePromotions(reader, *v, *data, &data->promotions);
  }
}

std::string Describe(std::vector<config::ConfigError> errors) {
  std::string out;
  for (const config::ConfigError& e : errors) out += (out.empty() ? "" : "\n") + e.ToString();
  return out;
}

}  // namespace

bool ReadBool(Reader& reader, const Value& v, bool* out) {
  std::string text;
  if (!v.node.IsScalar() || IsQuoted(v) || !reader.String(v, &text) ||
      (text != "true" && text != "True" && text != "TRUE" && text != "false" && text != "False" &&
       text != "FALSE")) {
    reader.Fail(v, "must be true or false", v.node.IsScalar() ? v.node.Scalar() : "");
    return false;
  }
  *out = text[0] == 't' || text[0] == 'T';
  return true;
}

bool ReadPercent(Reader& reader, const Value& v, int64_t* ppm) {
  std::string text;
  if (!reader.String(v, &text)) return false;
  auto parsed = ParsePercentPpm(text);
  if (!parsed.ok() && parsed.status().code() == core::StatusCode::kInvalidArgument) {
    reader.Fail(v, "must be a plain decimal percentage such as 6.25", text);
    return false;
  }
  if (!parsed.ok()) {
    reader.Fail(v, "at most four decimal places and at most 100", text);
    return false;
  }
  if (*parsed <= 0 || *parsed > kPpmPerWhole) {
    reader.Fail(v, "must be greater than 0 and at most 100", text);
    return false;
  }
  *ppm = *parsed;
  return true;
}

bool ReadAmount(Reader& reader, const Value& v, const core::Currency& currency, bool positive,
                int64_t* minor) {
  std::string text;
  if (!reader.String(v, &text)) return false;
  auto parsed = core::ParseMinorUnits(text, currency);
  if (!parsed.ok()) {
    if (parsed.status().code() == core::StatusCode::kInvalidArgument) {
      reader.Fail(v, "must be a plain decimal amount such as 3.49", text);
    } else {
      reader.Fail(v,
                  "must have at most " + std::to_string(currency.exponent) +
                      " decimal places for " + std::string(currency.Code()) + " and be at most " +
                      core::FormatMinorUnits(core::kMaxMinorUnits, currency),
                  text);
    }
    return false;
  }
  if (*parsed < 0 || (positive && *parsed == 0)) {
    reader.Fail(v, positive ? "must be greater than zero" : "must not be negative", text);
    return false;
  }
  *minor = *parsed;
  return true;
}

bool ReadName(Reader& reader, const Value& v, std::string* out) {
  if (!reader.String(v, out)) return false;
  const bool ok = !out->empty() && out->size() <= kMaxNameLength &&
                  std::all_of(out->begin(), out->end(), [](char ch) {
                    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                           (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-' || ch == '.';
                  });
  if (!ok) reader.Fail(v, "must be 1 to 64 characters from A-Z a-z 0-9 _ - .", *out);
  return ok;
}

bool ReadStrings(Reader& reader, const Value& v, std::vector<std::string>* out,
                 std::vector<Value>* at) {
  std::vector<Value> elements;
  if (v.node.IsScalar()) {
    elements.push_back(v);
  } else if (auto list = reader.Sequence(v)) {
    elements = std::move(*list);
  } else {
    return false;
  }
  bool ok = true;
  for (const Value& e : elements) {
    std::string text;
    if (!reader.String(e, &text)) {
      ok = false;
      continue;
    }
    out->push_back(std::move(text));
    if (at != nullptr) at->push_back(e);
  }
  return ok;
}

}  // namespace internal

core::Result<std::shared_ptr<const Catalog>> Catalog::LoadYaml(
    std::string_view yaml, const std::string& name_for_messages) {
  internal::Reader reader(name_for_messages);
  const std::optional<YAML::Node> root = config::internal::LoadOneDocument(reader, yaml);
  if (!root) return core::InvalidArgument(internal::Describe(reader.TakeErrors()));
  CatalogData data;
  config::internal::ParseGuarded(
      reader, [&] { internal::ParseRoot(reader, internal::Reader::Root(*root), &data); });
  if (reader.has_errors()) return core::InvalidArgument(internal::Describe(reader.TakeErrors()));
  return std::shared_ptr<const Catalog>(std::make_shared<Catalog>(std::move(data)));
}

core::Result<std::shared_ptr<const Catalog>> Catalog::LoadFile(const std::string& path) {
  auto text = core::ReadFileBounded(path, internal::kMaxFileBytes);
  if (!text.ok()) {
    std::string why = text.status().message();
    if (text.status().code() == core::StatusCode::kOutOfRange) why += "; is it really the catalog?";
    return core::IoError(config::ConfigError{path, 0, 0, "", why, ""}.ToString());
  }
  return LoadYaml(*text, path);
}

}  // namespace jwo::ordering
