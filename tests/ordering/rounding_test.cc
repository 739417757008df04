#include "ordering/rounding.h"

#include <catch2/catch_test_macros.hpp>

namespace jwo::ordering {
namespace {

TEST_CASE("half_up sends exact halves up and rounds the rest to nearest") {
  CHECK(RoundQuotient(25, 10, RoundingMode::kHalfUp) == 3);  // 2.5
  CHECK(RoundQuotient(35, 10, RoundingMode::kHalfUp) == 4);  // 3.5
  CHECK(RoundQuotient(24, 10, RoundingMode::kHalfUp) == 2);  // 2.4
  CHECK(RoundQuotient(26, 10, RoundingMode::kHalfUp) == 3);  // 2.6
  CHECK(RoundQuotient(20, 10, RoundingMode::kHalfUp) == 2);
  CHECK(RoundQuotient(0, 7, RoundingMode::kHalfUp) == 0);
}

TEST_CASE("half_even sends exact halves to the even neighbour") {
  CHECK(RoundQuotient(25, 10, RoundingMode::kHalfEven) == 2);    // 2.5
  CHECK(RoundQuotient(35, 10, RoundingMode::kHalfEven) == 4);    // 3.5
  CHECK(RoundQuotient(5, 10, RoundingMode::kHalfEven) == 0);     // 0.5
  CHECK(RoundQuotient(251, 100, RoundingMode::kHalfEven) == 3);  // 2.51: not a half
  CHECK(RoundQuotient(249, 100, RoundingMode::kHalfEven) == 2);
}

TEST_CASE("down drops every fraction and up raises every fraction") {
  CHECK(RoundQuotient(29, 10, RoundingMode::kDown) == 2);
  CHECK(RoundQuotient(21, 10, RoundingMode::kUp) == 3);
  CHECK(RoundQuotient(20, 10, RoundingMode::kUp) == 2);
}

TEST_CASE("an odd denominator's near-half is not a half") {
  // 7/3 = 2.33, 8/3 = 2.67, 5/2 is the only true half here.
  CHECK(RoundQuotient(7, 3, RoundingMode::kHalfUp) == 2);
  CHECK(RoundQuotient(8, 3, RoundingMode::kHalfEven) == 3);
  CHECK(RoundQuotient(5, 2, RoundingMode::kHalfEven) == 2);
}

TEST_CASE("percentages in ppm of large amounts stay exact") {
  CHECK(ApplyPpm(1000, 62'500, RoundingMode::kHalfUp) == 63);  // 62.5
  CHECK(ApplyPpm(1000, 62'500, RoundingMode::kHalfEven) == 62);
  CHECK(ApplyPpm(999'999'999'999'999, 1'000'000, RoundingMode::kDown) == 999'999'999'999'999);
  // 999,999,999,999,999 x 6.25% = 62,499,999,999,999.9375.
  CHECK(ApplyPpm(999'999'999'999'999, 62'500, RoundingMode::kHalfUp) == 62'500'000'000'000);
  CHECK(ApplyPpm(999'999'999'999'999, 62'500, RoundingMode::kDown) == 62'499'999'999'999);
}

TEST_CASE("mode and level names round-trip") {
  for (RoundingMode m :
       {RoundingMode::kHalfUp, RoundingMode::kHalfEven, RoundingMode::kDown, RoundingMode::kUp}) {
    CHECK(ParseRoundingMode(RoundingModeName(m)) == m);
  }
  for (RoundingLevel l : {RoundingLevel::kLine, RoundingLevel::kTotal}) {
    CHECK(ParseRoundingLevel(RoundingLevelName(l)) == l);
  }
  CHECK_FALSE(ParseRoundingMode("HALF_UP"));
  CHECK_FALSE(ParseRoundingLevel("cart"));
}

}  // namespace
}  // namespace jwo::ordering
