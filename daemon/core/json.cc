#include "core/json.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <forward_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/json_rules.h"

namespace jwo::core {
namespace {

// A JSON number reduced to sign, significant digits and a power of ten, so two spellings of
// the same value ("1.50", "15e-1") compare equal.
struct DecimalValue {
  bool negative = false;
  std::string digits;  // no leading or trailing zeros; empty for zero
  long exponent = 0;   // value = digits * 10^exponent

  bool operator==(const DecimalValue&) const = default;
};

DecimalValue Normalize(std::string_view text) {
  DecimalValue d;
  size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    d.negative = true;
    ++i;
  }
  long frac_digits = 0;
  bool in_fraction = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      in_fraction = true;
    } else if (c >= '0' && c <= '9') {
      d.digits.push_back(c);
      if (in_fraction) ++frac_digits;
    } else {
      break;  // 'e' or 'E'
    }
  }
  long exp = 0;
  if (i < text.size()) {
    ++i;  // skip 'e'
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    for (; i < text.size() && exp < 100000; ++i) exp = exp * 10 + (text[i] - '0');
    if (exp_negative) exp = -exp;
  }
  d.exponent = exp - frac_digits;
  const size_t first = d.digits.find_first_not_of('0');
  if (first == std::string::npos) return DecimalValue{};  // zero, whatever its sign
  d.digits.erase(0, first);
  while (d.digits.back() == '0') {
    d.digits.pop_back();
    ++d.exponent;
  }
  return d;
}

// The shortest decimal that reads back as `d`, in fixed notation.
std::string ShortestFixed(double d) {
  char buf[400];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  return std::string(buf, res.ptr);
}

// The value to store for a number the parser read as `d` from text `n` (see json.h).
double ExactOrMarker(double d, const DecimalValue& n) {
  if (n.digits.empty()) return 0.0;  // any spelling of zero ("0e999" too) is exactly zero
  const double sign = n.negative ? -1.0 : 1.0;
  // The decimal order of magnitude: 1e308 is the largest power of ten a double holds.
  const long order = static_cast<long>(n.digits.size()) + n.exponent - 1;
  if (order > 308 || std::isinf(d)) return sign * std::numeric_limits<double>::infinity();
  if (order < -307 || std::fabs(d) < std::numeric_limits<double>::min()) {
    return sign * std::numeric_limits<double>::denorm_min();
  }
  if (std::isfinite(d) && n == Normalize(ShortestFixed(d))) return d;
  return std::numeric_limits<double>::quiet_NaN();
}

// At most this many bytes of a key are quoted in an error message.
constexpr std::size_t kMaxQuotedKey = 64;

// Builds a boost::json::value under the rules.
class ExactHandler {
 public:
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  // Its working stack starts in this buffer: a typical request needs no allocation for it.
  unsigned char stack_buffer_[2048];
  boost::json::value_stack st{{}, stack_buffer_, sizeof stack_buffer_};
  detail::JsonRules rules;

  explicit ExactHandler(std::string_view text) { rules.Reset(text); }
  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_object_begin(boost::json::error_code&) {
    rules.ObjectBegin();
    return true;
  }
  bool on_object_end(std::size_t n, boost::json::error_code&) {
    rules.ObjectEnd();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(boost::json::error_code&) { return true; }
  bool on_array_end(std::size_t n, boost::json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    rules.KeyPart(s);
    st.push_chars(s);
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code& ec) {
    std::string_view key;
    if (!rules.Key(s, key)) {
      ec = boost::json::error::syntax;
      return false;
    }
    st.push_key(s);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view s, boost::json::error_code&) {
    rules.NumberPart(s);
    return true;
  }
  bool on_int64(std::int64_t i, boost::json::string_view, boost::json::error_code&) {
    rules.IntegerDone();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, boost::json::error_code&) {
    rules.IntegerDone();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, boost::json::string_view s, boost::json::error_code&) {
    st.push_double(rules.Double(d, s));
    return true;
  }
  bool on_bool(bool b, boost::json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_comment(boost::json::string_view, boost::json::error_code&) { return true; }
};

}  // namespace

namespace detail {

void JsonRules::Reset(std::string_view text) {
  // What a large document grew is not kept by an instance that lives on (FlatJson's, per
  // thread): past these sizes the storage is given back.
  constexpr size_t kKeptKeys = 1024, kKeptBytes = 4096;
  if (keys_.capacity() > kKeptKeys) decltype(keys_)().swap(keys_);
  if (number_text_.capacity() > kKeptBytes) std::string().swap(number_text_);
  if (part_.capacity() > kKeptBytes) std::string().swap(part_);
  text_ = text;
  number_text_.clear();
  keys_.clear();
  keys_.reserve(48);  // a typical document's open keys: one allocation per ParseJson, not five
  open_.clear();
  big_.clear();
  part_.clear();
  copies_.clear();
  duplicate_key_.reset();
}

void JsonRules::ObjectEnd() {
  keys_.resize(open_.back());
  open_.pop_back();
  if (open_.size() < big_.size()) big_.resize(open_.size());
}

bool JsonRules::Key(std::string_view last, std::string_view& out) {
  out = Stable(last);
  // A repeated key is refused rather than resolved: Boost.JSON keeps the last, a proxy in front
  // may read the first, and the two would disagree about the request.
  if (RememberKey(out)) return true;
  duplicate_key_ = std::string(out);
  return false;
}

double JsonRules::Double(double d, std::string_view last) {
  number_text_.append(last);
  const double kept = ExactOrMarker(d, Normalize(number_text_));
  number_text_.clear();
  return kept;
}

// The whole key or string whose last part is `last`, as a view that lives until Reset: into
// the input text when the parser passed it whole from there (almost always), else a copy (one
// with escapes).
std::string_view JsonRules::Stable(std::string_view last) {
  if (part_.empty() && last.data() >= text_.data() &&
      last.data() + last.size() <= text_.data() + text_.size()) {
    return last;
  }
  part_.append(last);
  std::string_view copy = copies_.emplace_front(std::move(part_));
  part_.clear();
  return copy;
}

// False when the innermost open object already has `key`. The keys of the open objects are
// views in one reused vector (no allocation per key, which a set of strings costs on every
// request); an object past kLinearKeys keys also gets a hash set, so a hostile object with
// many keys costs linear time, not quadratic.
bool JsonRules::RememberKey(std::string_view key) {
  const std::size_t first = open_.back();
  const std::size_t count = keys_.size() - first;
  if (count < kLinearKeys) {
    for (std::size_t i = first; i < keys_.size(); ++i) {
      if (SameKey(keys_[i], key)) return false;
    }
    // Built in place from its two words (a copy of the view from the stack stalled on
    // store forwarding: measured).
    keys_.emplace_back(key.data(), key.size());
    return true;
  }
  const std::size_t depth = open_.size() - 1;
  if (big_.size() <= depth) big_.resize(depth + 1);
  std::unordered_set<std::string_view>& set = big_[depth];
  if (set.empty()) set.insert(keys_.begin() + static_cast<std::ptrdiff_t>(first), keys_.end());
  if (!set.insert(key).second) return false;
  keys_.push_back(key);
  return true;
}

Status JsonRules::Outcome(const boost::system::error_code& ec, std::size_t consumed,
                          std::size_t size) const {
  if (duplicate_key_) {
    std::string quoted = duplicate_key_->substr(0, kMaxQuotedKey);
    if (duplicate_key_->size() > kMaxQuotedKey) quoted += "...";
    return Status(StatusCode::kInvalidArgument, "body has a duplicate key '" + quoted + "'");
  }
  boost::system::error_code error = ec;
  if (!error && consumed < size) error = boost::json::error::extra_data;
  if (error) {
    return Status(StatusCode::kInvalidArgument, "body is not valid JSON: " + error.message() +
                                                    " at byte " + std::to_string(consumed));
  }
  return Status::Ok();
}

}  // namespace detail

Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr storage) {
  boost::json::basic_parser<ExactHandler> parser(boost::json::parse_options{}, text);
  parser.handler().st.reset(std::move(storage));
  boost::json::error_code ec;
  const size_t n = parser.write_some(false, text.data(), text.size(), ec);
  if (Status s = parser.handler().rules.Outcome(ec, n, text.size()); !s.ok()) return s;
  return parser.handler().st.release();
}

std::string JsonStringOr(const boost::json::object& o, std::string_view key,
                         std::string_view fallback) {
  const boost::json::value* v = o.if_contains(key);
  return std::string(v != nullptr && v->is_string() ? std::string_view(v->get_string()) : fallback);
}

int64_t JsonIntOr(const boost::json::object& o, std::string_view key, int64_t fallback) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->get_int64() : fallback;
}

Result<int64_t> JsonToMinorUnits(const boost::json::value& v, const Currency& currency) {
  std::string text;
  if (v.is_double() && std::isinf(v.get_double())) {
    return Status(StatusCode::kOutOfRange, "is out of range: too large");
  }
  if (v.is_double() && v.get_double() != 0 &&
      std::fabs(v.get_double()) < std::numeric_limits<double>::min()) {
    return Status(StatusCode::kOutOfRange, "is out of range: nonzero but too small");
  }
  if (v.is_int64()) {
    text = std::to_string(v.get_int64());
  } else if (v.is_uint64()) {
    text = std::to_string(v.get_uint64());
  } else if (v.is_double()) {
    if (std::isnan(v.get_double())) {
      return Status(StatusCode::kOutOfRange, "number has more than 15 significant digits");
    }
    text = ShortestFixed(v.get_double());
  } else {
    return Status(StatusCode::kInvalidArgument, "must be a number");
  }
  return ParseMinorUnits(text, currency);
}

std::string MinorUnitsToJsonNumber(int64_t minor, const Currency& currency) {
  return FormatMinorUnits(minor, currency);
}

}  // namespace jwo::core
