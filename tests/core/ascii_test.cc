#include "core/ascii.h"

#include <catch2/catch_test_macros.hpp>

using namespace jwo::core;

TEST_CASE("EqualsIgnoreCase folds ASCII letters only") {
  CHECK(EqualsIgnoreCase("Keep-Alive", "keep-alive"));
  CHECK(EqualsIgnoreCase("", ""));
  CHECK_FALSE(EqualsIgnoreCase("keep-alive", "keep-alive "));
  CHECK_FALSE(EqualsIgnoreCase("\xc3\x89", "\xc3\xa9"));  // É and é: not ASCII
  CHECK_FALSE(EqualsIgnoreCase("[", "{"));                // 0x5B and 0x7B differ by 0x20 too
}

TEST_CASE("AsciiLowerCopy lowers ASCII letters and keeps every other byte") {
  CHECK(AsciiLowerCopy("Host.EXAMPLE.com") == "host.example.com");
  CHECK(AsciiLowerCopy("\xc3\x89-@[Z]") == "\xc3\x89-@[z]");
  CHECK(AsciiLowerCopy("") == "");
}
