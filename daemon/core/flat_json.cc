#include "core/flat_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <string>

#include "core/ids.h"
#include "core/json_rules.h"

namespace jwo::core {

// Appends a node per value, in pre-order; a container's size and end are set when it closes.
struct FlatJson::Handler {
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  FlatJson& doc;
  detail::JsonRules& rules;
  const size_t max_values;
  bool too_many = false;
  std::string_view key;  // the key of the next value, inside an object

  Handler(FlatJson& d, detail::JsonRules& r, size_t max) : doc(d), rules(r), max_values(max) {}

  // False (the parse stops) past max_values.
  bool Full(boost::json::error_code& ec) {
    if (doc.nodes_.size() < max_values) return false;
    too_many = true;
    ec = boost::json::error::exception;
    return true;
  }
  Node& Add(Kind kind) {
    Node& n = doc.nodes_.emplace_back();
    n.kind = kind;
    n.key = key;
    n.end = static_cast<uint32_t>(doc.nodes_.size());
    key = {};
    return n;
  }
  void Open(Kind kind) {
    Add(kind);
    doc.open_.push_back(static_cast<uint32_t>(doc.nodes_.size() - 1));
  }
  void Close(std::size_t n) {
    Node& node = doc.nodes_[doc.open_.back()];
    doc.open_.pop_back();
    node.size = static_cast<uint32_t>(n);
    node.end = static_cast<uint32_t>(doc.nodes_.size());
  }

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code& ec) {
    if (Full(ec)) return false;
    rules.ObjectBegin();
    Open(Kind::kObject);
    return true;
  }
  bool on_object_end(std::size_t n, boost::json::error_code&) {
    rules.ObjectEnd();
    Close(n);
    return true;
  }
  bool on_array_begin(boost::json::error_code& ec) {
    if (Full(ec)) return false;
    Open(Kind::kArray);
    return true;
  }
  bool on_array_end(std::size_t n, boost::json::error_code&) {
    Close(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    rules.KeyPart(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code& ec) {
    if (!rules.Key(s, key)) {
      ec = boost::json::error::syntax;
      return false;
    }
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    rules.StringPart(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code& ec) {
    if (Full(ec)) return false;
    const std::string_view text = rules.String(s);
    Add(Kind::kString).text = text;
    return true;
  }
  bool on_number_part(boost::json::string_view s, boost::json::error_code&) {
    rules.NumberPart(s);
    return true;
  }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::json::error_code& ec) {
    if (Full(ec)) return false;
    rules.IntegerDone();
    Add(Kind::kInt64).int64 = i;
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::json::error_code& ec) {
    if (Full(ec)) return false;
    rules.IntegerDone();
    Add(Kind::kUint64).uint64 = u;
    return true;
  }
  bool on_double(double d, boost::json::string_view s, boost::json::error_code& ec) {
    if (Full(ec)) return false;
    Add(Kind::kDouble).real = rules.Double(d, s);
    return true;
  }
  bool on_bool(bool b, boost::json::error_code& ec) {
    if (Full(ec)) return false;
    Add(Kind::kBool).boolean = b;
    return true;
  }
  bool on_null(boost::json::error_code& ec) {
    if (Full(ec)) return false;
    Add(Kind::kNull);
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }
};

FlatJson::FlatJson() : rules_(std::make_unique<detail::JsonRules>()) {}
FlatJson::~FlatJson() = default;

Status FlatJson::Parse(std::string_view text, size_t max_values) {
  // A large body (thousands of values) grows the vector; it is not kept at that size.
  constexpr size_t kKeptNodes = 1024;
  if (nodes_.capacity() > kKeptNodes) std::vector<Node>().swap(nodes_);
  nodes_.clear();
  open_.clear();
  rules_->Reset(text);
  boost::json::basic_parser<Handler> parser(boost::json::parse_options{}, *this, *rules_,
                                            max_values);
  boost::json::error_code ec;
  const size_t n = parser.write_some(false, text.data(), text.size(), ec);
  Status s = rules_->Outcome(ec, n, text.size());
  if (parser.handler().too_many) {
    s = Status(StatusCode::kInvalidArgument,
               "body has more than " + std::to_string(max_values) + " JSON values");
  }
  if (!s.ok()) nodes_.clear();
  return s;
}

const FlatJson::Node* FlatJson::Find(const Node& object, std::string_view key) const {
  for (const Node* c = First(object); c != nullptr; c = Next(object, *c)) {
    if (detail::SameKey(c->key, key)) return c;
  }
  return nullptr;
}

const FlatJson::Node* FlatJson::First(const Node& parent) const {
  if (parent.size == 0) return nullptr;
  return &nodes_[IndexOf(parent) + 1];
}

const FlatJson::Node* FlatJson::Next(const Node& parent, const Node& child) const {
  // A scalar's end is the node after it; a container's, the node after its last descendant.
  return child.end < parent.end ? &nodes_[child.end] : nullptr;
}

std::string TextRule(const FlatJson::Node* v, bool required, size_t max_len,
                     std::string_view& out) {
  out = {};
  if (v == nullptr || v->is_null()) return required ? "is required" : "";
  if (!v->is_string()) return "must be a string";
  if (IsBlank(v->text)) return "must not be empty";
  if (v->text.size() > max_len) return "must be at most " + std::to_string(max_len) + " characters";
  if (!IsPrintable(v->text)) return "must not contain control characters";
  out = v->text;
  return {};
}

boost::json::value FlatJson::Scalar(const Node& node) {
  switch (node.kind) {
    case Kind::kBool:
      return boost::json::value(node.boolean);
    case Kind::kInt64:
      return boost::json::value(node.int64);
    case Kind::kUint64:
      return boost::json::value(node.uint64);
    case Kind::kDouble:
      return boost::json::value(node.real);
    default:
      return boost::json::value(nullptr);
  }
}

}  // namespace jwo::core
