// JSON output: the one escaper and a small streaming writer for documents built by hand.
//
// Documents the daemon answers with are written here rather than through boost::json::serialize
// for two reasons: an amount must print with exactly its currency's digits (a double cannot
// promise "15.90"), so money is spliced in as text (MinorUnitsToJsonNumber); and text from the
// outside (ids, error messages) may hold bytes that are not UTF-8, which must not make the
// document invalid JSON, so every string is escaped with UTF-8 repair.
//
// Pure functions and a plain value type, safe from any thread (one writer per thread).
#pragma once

#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/money.h"

namespace jwo::core {

// Appends `text` to `out` as the inside of a JSON string literal (no quotes): '"', '\' and
// control characters (and DEL) escaped; well-formed UTF-8 (RFC 3629) kept as it is; each byte
// that does not start a well-formed sequence becomes \ufffd, so the output is always valid JSON.
void AppendJsonEscaped(std::string_view text, std::string* out);

// `text` as a complete JSON string literal, quotes included.
std::string JsonQuote(std::string_view text);

// Writes one JSON document left to right, placing commas and colons itself.
//   JsonWriter w;
//   w.BeginObject().Key("amount").Money(1590, usd).Key("code").String("USD").EndObject();
//   w.str() == R"({"amount":15.90,"code":"USD"})"
// REQUIRES (asserted in debug builds): Key only directly inside an object and before each of
// its values; every Begin closed by the matching End before str() is used as a document.
class JsonWriter {
 public:
  JsonWriter() = default;
  // Writes after `prefix` (bytes that are not part of the document, e.g. a record's version
  // byte), so the result needs no copy to be put behind them.
  explicit JsonWriter(std::string prefix) : out_(std::move(prefix)) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Members of an object without its braces (`"a":1,"b":2`), for text that RawMembers splices
  // into another document. REQUIRES: at the top level (nothing written yet but a prefix).
  JsonWriter& BeginMembers();
  JsonWriter& EndMembers();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // The amount with exactly the currency's decimal digits, as a JSON number (1590 USD -> 15.90).
  JsonWriter& Money(int64_t minor, const Currency& currency);
  // Already serialized JSON, spliced in as one value. REQUIRES: `json` is one valid JSON value.
  JsonWriter& Raw(std::string_view json);
  // Already serialized members of the object being written (`"a":1,"b":[2]`), spliced in where a
  // Key would go. REQUIRES: directly inside an object, not after a Key; `members` is one or more
  // valid members separated by commas.
  JsonWriter& RawMembers(std::string_view members);

  // Room for `bytes` more output, so a large document grows its buffer once.
  JsonWriter& Reserve(size_t bytes) {
    out_.reserve(out_.size() + bytes);
    return *this;
  }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  struct Open {
    bool object;       // '{' rather than '['
    bool has_element;  // a comma goes before the next element
  };
  // Nesting this deep needs no allocation (every answer on the gate path is one or two levels).
  boost::container::small_vector<Open, 8> open_;
  bool after_key_ = false;
};

}  // namespace jwo::core
