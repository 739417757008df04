#include "config/config_error.h"

#include <cstdio>

namespace jwo::config {
namespace {

constexpr size_t kMaxFoundChars = 80;

std::string Quote(const std::string& text) {
  std::string out = "\"";
  size_t shown = 0;
  for (char ch : text) {
    if (shown == kMaxFoundChars) {
      out += "...";
      break;
    }
    ++shown;
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(ch));
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += rule;
  if (!found.empty()) out += " (found " + Quote(found) + ")";
  return out;
}

}  // namespace jwo::config
