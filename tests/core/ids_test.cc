#include "core/ids.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

using namespace jwo::core;

TEST_CASE("UUIDs") {
  CHECK(IsUuid("123e4567-e89b-12d3-a456-426614174000"));
  CHECK(IsUuid("123E4567-E89B-12D3-A456-426614174000"));
  CHECK_FALSE(IsUuid("123e4567e89b12d3a456426614174000"));
  CHECK_FALSE(IsUuid("123e4567-e89b-12d3-a456-42661417400g"));
  CHECK_FALSE(IsUuid(""));
}

TEST_CASE("NewUuidV4 makes distinct lower-case version 4 UUIDs") {
  const std::string a = NewUuidV4();
  const std::string b = NewUuidV4();
  CHECK(IsUuid(a));
  CHECK(a.size() == 36);
  CHECK(a != b);
  CHECK(a[14] == '4');                                                    // version 4
  CHECK(std::string_view("89ab").find(a[19]) != std::string_view::npos);  // RFC 4122 variant
  CHECK(a.find_first_of("ABCDEF") == std::string::npos);
}

TEST_CASE("id tokens") {
  CHECK(IsIdToken("store_1-A"));
  CHECK_FALSE(IsIdToken("INVALID@STORE#ID"));
  CHECK_FALSE(IsIdToken(""));
  CHECK(IsIdToken("", true));
  CHECK_FALSE(IsIdToken("a b"));
}

// The branch-free checks against their definitions, for every byte at positions in the
// eight-byte steps and in the tail after them.
TEST_CASE("every byte: IsIdToken IsPrintable and IsBlank match their definitions") {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const bool token = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       c == '_' || c == '-';
    const bool printable = b >= 0x20 && b != 0x7f;
    const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    for (size_t at : {size_t{0}, size_t{1}, size_t{17}, size_t{39}, size_t{42}}) {
      std::string s(43, 'a');
      s[at] = c;
      INFO("byte " << b << " at " << at);
      CHECK(IsIdToken(s) == token);
      CHECK(IsPrintable(s) == printable);
      std::string spaces(43, ' ');
      spaces[at] = c;
      CHECK(IsBlank(spaces) == blank);
    }
  }
  CHECK(IsBlank(""));
  CHECK(IsBlank(" \t\r\n"));
  CHECK_FALSE(IsBlank("\v"));  // not one of the four the APIs call blank
}

TEST_CASE("printable and pseudonyms") {
  CHECK(IsPrintable("shopper-1"));
  CHECK_FALSE(IsPrintable(std::string("a\0b", 3)));
  CHECK_FALSE(IsPrintable("a\nb"));
  const std::string p = Pseudonym("shopper-1");
  CHECK(p.size() == 15);
  CHECK(p.rfind("sh_", 0) == 0);
  CHECK(p == Pseudonym("shopper-1"));
  CHECK(p != Pseudonym("shopper-2"));
  CHECK(p.find("shopper") == std::string::npos);
}

TEST_CASE("one validator per id kind") {
  using namespace jwo::core;
  CHECK(CheckShopperId("amzn1.account.ABC/ü").empty());
  CHECK(CheckShopperId("") == "must not be empty");
  CHECK(CheckShopperId("   ") == "must not be empty");
  CHECK(CheckShopperId(" \t\r\n") == "must not be empty");
  CHECK(CheckShopperId("a\x01"
                       "b") == "must not contain control characters");
  CHECK(CheckShopperId(std::string(255, 's')).empty());
  CHECK(CheckShopperId(std::string(256, 's')) == "must be at most 255 characters");
  CHECK(CheckReference("pay ref 7").empty());

  CHECK(CheckTripId("trip-1_A").empty());
  CHECK(CheckTripId("") == "must not be empty");
  CHECK(CheckTripId("trip 1") == "must match ^[0-9a-zA-Z_-]+$");
  CHECK(CheckTripId(std::string(256, 't')) == "must be at most 255 characters");
  CHECK(CheckStoreId("store-1").empty());
  CHECK(CheckStoreId("store/1") == "must match ^[0-9a-zA-Z_-]+$");

  CHECK(CheckReason("customer paid at the kiosk").empty());
  CHECK(CheckReason("  ") == "must not be empty");
  CHECK(CheckReason("line\nbreak") == "must not contain control characters");
  CHECK(CheckReason(std::string(1024, 'r')).empty());
  CHECK(CheckReason(std::string(65536 + 1, 'r')) == "must be at most 1024 bytes");
}
