#include "core/json_writer.h"

#include <cassert>

#include "core/json.h"

namespace jwo::core {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

}  // namespace

void AppendJsonEscaped(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->reserve(out->size() + text.size());
  size_t i = 0;
  while (i < text.size()) {
    // The common case, printable ASCII that needs no escape, is appended a run at a time.
    size_t plain = i;
    while (plain < text.size()) {
      const auto b = static_cast<uint8_t>(text[plain]);
      if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') break;
      ++plain;
    }
    if (plain > i) {
      out->append(text.data() + i, plain - i);
      i = plain;
      continue;
    }
    const auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(text, i);
      if (len == 0) {
        out->append("\\ufffd");
        ++i;
      } else {
        out->append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
}

std::string JsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  AppendJsonEscaped(text, &out);
  out.push_back('"');
  return out;
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (open_.empty()) return;
  assert(!open_.back().object && "a value inside an object needs a Key first");
  if (open_.back().has_element) out_.push_back(',');
  open_.back().has_element = true;
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  open_.push_back({true, false});
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  assert(!open_.empty() && open_.back().object && !after_key_);
  open_.pop_back();
  out_.push_back('}');
  return *this;
}

JsonWriter& JsonWriter::BeginMembers() {
  assert(open_.empty() && !after_key_);
  open_.push_back({true, false});
  return *this;
}

JsonWriter& JsonWriter::EndMembers() {
  assert(open_.size() == 1 && open_.back().object && !after_key_);
  open_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  open_.push_back({false, false});
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  assert(!open_.empty() && !open_.back().object && !after_key_);
  open_.pop_back();
  out_.push_back(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  assert(!open_.empty() && open_.back().object && !after_key_);
  if (open_.back().has_element) out_.push_back(',');
  open_.back().has_element = true;
  out_.push_back('"');
  AppendJsonEscaped(key, &out_);
  out_.append("\":");
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  out_.push_back('"');
  AppendJsonEscaped(value, &out_);
  out_.push_back('"');
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  BeforeValue();
  out_.append(std::to_string(value));
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Money(int64_t minor, const Currency& currency) {
  BeforeValue();
  out_.append(MinorUnitsToJsonNumber(minor, currency));
  return *this;
}

JsonWriter& JsonWriter::RawMembers(std::string_view members) {
  assert(!open_.empty() && open_.back().object && !after_key_);
  if (open_.back().has_element) out_.push_back(',');
  open_.back().has_element = true;
  out_.append(members);
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  BeforeValue();
  out_.append(json);
  return *this;
}

}  // namespace jwo::core
