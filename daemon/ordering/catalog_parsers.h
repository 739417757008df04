// Parsers for the sections of the catalog file, internal to ordering/ (catalog_loader.cc calls
// them). They read through config's position-aware Reader, so catalog errors look and behave
// exactly like configuration errors: every problem recorded with its line, column and key
// path, parsing carrying on to find the rest. Single-threaded: one Reader per load.
#pragma once

#include <cstdint>
#include <vector>

#include "config/yaml_reader.h"
#include "core/money.h"
#include "ordering/catalog.h"

namespace jwo::ordering::internal {

using config::internal::Fields;
using config::internal::Reader;
using config::internal::Value;

// true/True/TRUE/false/False/FALSE, unquoted.
bool ReadBool(Reader& reader, const Value& v, bool* out);
// A percentage written as a decimal ("6.25", at most four decimals) in (0, 100], as ppm.
bool ReadPercent(Reader& reader, const Value& v, int64_t* ppm);
// An amount of `currency` ("3.49"), quoted or not; >= 0, or > 0 when `positive`.
bool ReadAmount(Reader& reader, const Value& v, const core::Currency& currency, bool positive,
                int64_t* minor);
// A name made of A-Z a-z 0-9 _ - . (ids of rates, promotions, categories), 1 to 64 characters.
bool ReadName(Reader& reader, const Value& v, std::string* out);
// A sequence of strings (a single scalar is taken as a one-element list).
bool ReadStrings(Reader& reader, const Value& v, std::vector<std::string>* out,
                 std::vector<Value>* at = nullptr);

// `taxes:` -> rates and categories.
void ParseTaxes(Reader& reader, const Value& v, TaxTable* out);
// `promotions:`; checks targets against `data.items` and `data.taxes`.
// REQUIRES: `data.currency` is valid.
void ParsePromotions(Reader& reader, const Value& v, const CatalogData& data,
                     std::vector<Promotion>* out);

}  // namespace jwo::ordering::internal
