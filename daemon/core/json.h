// JSON input with exact money: Boost.JSON's parser, plus a guarantee about every number.
//
// Boost.JSON 1.81 stores a fractional number as an IEEE double and offers no way to keep its
// text. A double cannot hold most decimals exactly, but every decimal with at most 15
// significant digits comes back unchanged from the shortest round-trip printing of its double.
// ParseJson checks each number's source text against that printing while parsing; a number
// that would not come back unchanged (e.g. "15.990000000000000001") is stored as NaN, so the
// money readers below reject it instead of silently using a nearby value. A number beyond a
// double's range is stored as an infinity of its sign (too large) or as the smallest subnormal
// of its sign (nonzero, too small), so the readers can say which; any spelling of zero is 0.
// The parser also refuses an object with a repeated key: Boost.JSON would keep the last one, a
// proxy in front may read the first, and the two would act on different requests.
//
// Pure functions, safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "core/money.h"
#include "core/status.h"

namespace jwo::core {

// Parses one JSON document. Returns kInvalidArgument with the parser's reason and byte offset
// when the text is not valid JSON (or nests deeper than 32 levels), and kInvalidArgument
// "body has a duplicate key '<key>'" (key cut at 64 bytes) when an object repeats a key.
// `storage` (default: the heap) allocates the document; a caller on a hot path passes a
// monotonic_resource over a stack buffer, and must then not let the value outlive it.
Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr storage = {});

// Member `key` of `o` as a string / an integer, or `fallback` when absent or of another type. For
// records this build wrote itself (store rows, mail entries, payoffs); requests from outside are
// checked field by field with their own errors instead.
std::string JsonStringOr(const boost::json::object& o, std::string_view key,
                         std::string_view fallback = {});
int64_t JsonIntOr(const boost::json::object& o, std::string_view key, int64_t fallback = 0);

// Reads a JSON number as minor units of `currency`, exactly. Returns kInvalidArgument when the
// value is not a number, kOutOfRange when it has more fractional digits than the currency
// allows, more than 15 significant digits, or a magnitude above kMaxMinorUnits; for a number a
// double cannot hold, kOutOfRange "is out of range: too large" or "... nonzero but too small".
Result<int64_t> JsonToMinorUnits(const boost::json::value& v, const Currency& currency);

// Writes minor units as a JSON number with exactly the currency's decimal digits (1599 USD ->
// 15.99, 1500 JPY -> 1500). Returned as raw JSON text to be spliced into a serialized document,
// because a double cannot promise "15.90" prints as 15.90.
std::string MinorUnitsToJsonNumber(int64_t minor, const Currency& currency);

}  // namespace jwo::core
