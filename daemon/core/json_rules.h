// The rules every JSON input of jwo-edge is read under (json.h): a repeated key in an object is
// refused, and a number is kept only when its double gives back its text exactly. Shared by the
// handlers of Boost.JSON's SAX parser that build a document: ParseJson's (a boost::json::value)
// and FlatJson's (flat_json.h, the gate's request). Include only from their .cc files.
//
// One instance per parse (Reset for the next); not thread-safe.
#pragma once

#include <boost/container/small_vector.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstring>
#include <forward_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/status.h"

namespace jwo::core::detail {

// Key equality for the short keys of a request: the first byte tells most unequal keys of equal
// length apart without a call to memcmp.
inline bool SameKey(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         (a.empty() || (a[0] == b[0] && std::memcmp(a.data(), b.data(), a.size()) == 0));
}

class JsonRules {
 public:
  // `text` is the whole input: keys and strings read whole from it are kept as views into it.
  void Reset(std::string_view text);

  void ObjectBegin() { open_.push_back(keys_.size()); }
  void ObjectEnd();

  // A key arrives in parts (KeyPart) when it has escapes; Key gets the last part. Key sets `out`
  // to the whole key, valid until Reset, and returns false when the innermost open object
  // already has it (then duplicate_key() names it).
  void KeyPart(std::string_view s) { part_.append(s); }
  bool Key(std::string_view last, std::string_view& out);

  // The same for a string value: the whole string, valid until Reset.
  void StringPart(std::string_view s) { part_.append(s); }
  std::string_view String(std::string_view last) { return Stable(last); }

  // Numbers: the parts of a number's text, then what ends it.
  void NumberPart(std::string_view s) { number_text_.append(s); }
  void IntegerDone() { number_text_.clear(); }
  // The double to keep for a number the parser read as `d` with last text part `last`: `d`
  // when it prints back as its text, NaN when it would not, an infinity or the smallest
  // subnormal of its sign beyond a double's range, 0 for any spelling of zero (json.h).
  double Double(double d, std::string_view last);

  // The outcome of a parse that stopped after `consumed` of `size` bytes with `ec`: OK, or
  // kInvalidArgument "body has a duplicate key '<key>'" / "body is not valid JSON: <why> at
  // byte <n>".
  Status Outcome(const boost::system::error_code& ec, std::size_t consumed, std::size_t size) const;

 private:
  std::string_view Stable(std::string_view last);
  bool RememberKey(std::string_view key);

  static constexpr std::size_t kLinearKeys = 32;

  std::string_view text_;
  std::string number_text_;
  // Keys of every open object, innermost last (FlatJson's per-thread instance keeps its storage).
  std::vector<std::string_view> keys_;
  boost::container::small_vector<std::size_t, 8> open_;    // per open object: its first key
  std::vector<std::unordered_set<std::string_view>> big_;  // per depth, objects past kLinearKeys
  std::string part_;                                       // a key or string read in parts
  std::forward_list<std::string> copies_;  // keys and strings not whole in the input
  std::optional<std::string> duplicate_key_;
};

}  // namespace jwo::core::detail
