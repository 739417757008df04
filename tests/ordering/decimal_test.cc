#include "ordering/decimal.h"

#include <catch2/catch_test_macros.hpp>

namespace jwo::ordering {
namespace {

TEST_CASE("scaled decimals parse digit by digit") {
  CHECK(*ParseScaledDecimal("0.455", 3) == 455);
  CHECK(*ParseScaledDecimal("2", 3) == 2000);
  CHECK(*ParseScaledDecimal("2.0", 3) == 2000);
  CHECK(*ParseScaledDecimal("2.000000", 3) == 2000);  // zeros past the scale carry nothing
  CHECK(*ParseScaledDecimal("007.5", 3) == 7500);
  CHECK(*ParseScaledDecimal("8.875", 4) == 88750);
  CHECK(*ParseScaledDecimal("0", 0) == 0);
}

TEST_CASE("scaled decimals refuse what is not a plain decimal") {
  for (const char* bad : {"", ".5", "5.", "-1", "+1", "1e3", " 1", "1 ", "1,5", "0x10", "1.2.3"}) {
    INFO(bad);
    const auto r = ParseScaledDecimal(bad, 3);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("scaled decimals refuse precision and size they cannot hold exactly") {
  CHECK(ParseScaledDecimal("0.4555", 3).status().code() == core::StatusCode::kOutOfRange);
  CHECK(ParseScaledDecimal("1000000000000", 3).status().code() == core::StatusCode::kOutOfRange);
  CHECK(*ParseScaledDecimal("999999999999", 3) == 999'999'999'999'000);
}

TEST_CASE("scaled decimals print with their scale") {
  CHECK(FormatScaledDecimal(455, 3) == "0.455");
  CHECK(FormatScaledDecimal(2000, 3) == "2.000");
  CHECK(FormatScaledDecimal(5, 3) == "0.005");
  CHECK(FormatScaledDecimal(7, 0) == "7");
}

TEST_CASE("percentages are parts per million") {
  CHECK(*ParsePercentPpm("6.25") == 62'500);
  CHECK(*ParsePercentPpm("100") == 1'000'000);
  CHECK(*ParsePercentPpm("0.0001") == 1);
  CHECK_FALSE(ParsePercentPpm("0.00001").ok());
  CHECK(FormatPercentPpm(62'500) == "6.25");
  CHECK(FormatPercentPpm(1'000'000) == "100");
  CHECK(FormatPercentPpm(88'750) == "8.875");
}

}  // namespace
}  // namespace jwo::ordering
