// ASCII case folding: the one place that compares and lowers protocol tokens (HTTP header names
// and tokens, host names, units) without case.
//
// ASCII only, on purpose: the protocols involved define case-insensitivity for ASCII letters,
// and std::tolower would consult the locale (slower, and locale-dependent for bytes >= 0x80).
// Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace jwo::core {

// 'A'..'Z' -> 'a'..'z'; every other byte unchanged.
constexpr char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// A copy of `s` with AsciiLower applied to each byte.
std::string AsciiLowerCopy(std::string_view s);

// True when `a` and `b` are equal ignoring ASCII case ("Keep-Alive" == "keep-alive"; "É" and
// "é" differ).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace jwo::core
