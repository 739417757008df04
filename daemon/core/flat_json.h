// A JSON document read into one flat array of nodes, for a request parsed on a hot path.
//
// ParseJson (json.h) builds a boost::json::value: every object gets its own table, every string
// a copy. The gate's callback is parsed thousands of times a second and read once, field by
// field; FlatJson keeps the same rules (a repeated key refused, numbers exact or marked, at
// most 32 levels, the same error messages) but stores the values in pre-order in one vector
// that is reused from parse to parse, and strings as views into the input (copied only when
// they have escapes). Objects are searched linearly: the requests it reads have a dozen keys.
//
// One instance per thread (the views it hands out live until the next Parse); not thread-safe.
#pragma once

#include <boost/json/value.hpp>
#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace jwo::core {

namespace detail {
class JsonRules;
}

class FlatJson {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt64, kUint64, kDouble, kString, kObject, kArray };

  struct Node {
    Kind kind = Kind::kNull;
    bool boolean = false;
    uint32_t size = 0;      // members of an object, elements of an array
    uint32_t end = 0;       // index one past this value's last descendant
    std::string_view key;   // the member's name, for a value in an object
    std::string_view text;  // a string's value (unescaped)
    union {
      int64_t int64 = 0;
      uint64_t uint64;
      double real;  // as ParseJson keeps it: NaN, an infinity or denorm_min mark an inexact one
    };

    bool is_object() const { return kind == Kind::kObject; }
    bool is_array() const { return kind == Kind::kArray; }
    bool is_string() const { return kind == Kind::kString; }
    bool is_null() const { return kind == Kind::kNull; }
    bool is_bool() const { return kind == Kind::kBool; }
  };

  FlatJson();
  ~FlatJson();
  FlatJson(const FlatJson&) = delete;
  FlatJson& operator=(const FlatJson&) = delete;

  // Parses `text`, which must outlive the nodes (strings point into it). Errors as ParseJson,
  // and kInvalidArgument "body has more than <max_values> JSON values": a node takes 56 bytes,
  // so the cap bounds what one hostile body can make a thread hold.
  Status Parse(std::string_view text, size_t max_values = 65536);

  // The document's value. REQUIRES: the last Parse succeeded.
  const Node& Root() const {
    assert(!nodes_.empty());
    return nodes_.front();
  }
  // Member `key` of object `object`, or nullptr.
  const Node* Find(const Node& object, std::string_view key) const;
  // The members or elements of `parent`, in document order:
  //   for (const Node* c = First(p); c != nullptr; c = Next(p, *c)) ...
  const Node* First(const Node& parent) const;
  const Node* Next(const Node& parent, const Node& child) const;
  // A number, boolean or null as a boost::json::value (no allocation), for JsonToMinorUnits.
  static boost::json::value Scalar(const Node& node);

 private:
  struct Handler;
  uint32_t IndexOf(const Node& n) const { return static_cast<uint32_t>(&n - nodes_.data()); }

  std::vector<Node> nodes_;
  std::vector<uint32_t> open_;  // containers not yet closed
  std::unique_ptr<detail::JsonRules> rules_;
};

// The rule a member read as text breaks, or "" when it passes: `v` is the member (nullptr when
// absent), and `out` its text (empty when absent or null and not `required`). The rules, in
// order: "is required", "must be a string", "must not be empty" (blank), "must be at most
// <max_len> characters", "must not contain control characters". One definition for every
// request parsed with FlatJson (the gate's callback, Create Purchases).
std::string TextRule(const FlatJson::Node* v, bool required, size_t max_len, std::string_view& out);

}  // namespace jwo::core
