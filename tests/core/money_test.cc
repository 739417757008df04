#include "core/money.h"

#include <catch2/catch_test_macros.hpp>

using namespace jwo::core;

namespace {
Currency C(const char* code) { return *FindCurrency(code); }
}  // namespace

TEST_CASE("currencies carry their ISO 4217 exponent") {
  CHECK(C("USD").exponent == 2);
  CHECK(C("JPY").exponent == 0);
  CHECK(C("KWD").exponent == 3);
  CHECK(C("CLF").exponent == 4);
  CHECK_FALSE(FindCurrency("usd"));
  CHECK_FALSE(FindCurrency("XXX"));
  CHECK_FALSE(FindCurrency("US"));
  CHECK_FALSE(FindCurrency(""));
  // Around the ends of the table and between neighbours, and bytes past ASCII.
  CHECK(C("AED").exponent == 2);
  CHECK(C("ZWL").exponent == 2);
  CHECK_FALSE(FindCurrency("AAA"));
  CHECK_FALSE(FindCurrency("ZZZ"));
  CHECK_FALSE(FindCurrency("USE"));
  CHECK_FALSE(FindCurrency("\xffSD"));
  CHECK_FALSE(FindCurrency(std::string_view("US\0", 3)));
}

TEST_CASE("decimal text parses exactly into minor units") {
  CHECK(*ParseMinorUnits("15.99", C("USD")) == 1599);
  CHECK(*ParseMinorUnits("0.01", C("USD")) == 1);
  CHECK(*ParseMinorUnits("15", C("USD")) == 1500);
  CHECK(*ParseMinorUnits("15.9", C("USD")) == 1590);
  CHECK(*ParseMinorUnits("15.990", C("USD")) == 1599);  // zeros past the exponent carry nothing
  CHECK(*ParseMinorUnits("-0.05", C("USD")) == -5);
  CHECK(*ParseMinorUnits("+2.50", C("USD")) == 250);
  CHECK(*ParseMinorUnits("1500", C("JPY")) == 1500);
  CHECK(*ParseMinorUnits("1.234", C("KWD")) == 1234);
  CHECK(*ParseMinorUnits("007.10", C("USD")) == 710);
  CHECK(*ParseMinorUnits("9999999999999.99", C("USD")) == 999999999999999);
}

TEST_CASE("precision finer than the currency is rejected, never rounded") {
  auto r = ParseMinorUnits("15.999", C("USD"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kOutOfRange);
  CHECK(r.status().message().find("2 decimal places for USD") != std::string::npos);
  CHECK(ParseMinorUnits("1.5", C("JPY")).status().code() == StatusCode::kOutOfRange);
  CHECK(ParseMinorUnits("99999999999999.99", C("USD")).status().code() == StatusCode::kOutOfRange);
}

TEST_CASE("malformed decimal text is rejected") {
  for (const char* bad : {"", "-", ".5", "5.", "1e2", "1,5", "abc", " 1", "1 ", "--1", "0x10"}) {
    INFO(bad);
    CHECK(ParseMinorUnits(bad, C("USD")).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("minor units print with exactly the currency's digits") {
  CHECK(FormatMinorUnits(1599, C("USD")) == "15.99");
  CHECK(FormatMinorUnits(1590, C("USD")) == "15.90");
  CHECK(FormatMinorUnits(5, C("USD")) == "0.05");
  CHECK(FormatMinorUnits(-5, C("USD")) == "-0.05");
  CHECK(FormatMinorUnits(0, C("USD")) == "0.00");
  CHECK(FormatMinorUnits(1500, C("JPY")) == "1500");
  CHECK(FormatMinorUnits(1, C("KWD")) == "0.001");
}

TEST_CASE("parse and print round-trip") {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{99}, int64_t{100}, int64_t{123456789},
                    int64_t{-42}, kMaxMinorUnits}) {
    CHECK(*ParseMinorUnits(FormatMinorUnits(v, C("USD")), C("USD")) == v);
  }
}
