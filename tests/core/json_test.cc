#include "core/json.h"

#include <catch2/catch_test_macros.hpp>
#include <cmath>

using namespace jwo::core;

namespace {
Currency C(const char* code) { return *FindCurrency(code); }
Result<int64_t> Amount(std::string_view doc, const char* currency = "USD") {
  auto v = ParseJson(doc);
  REQUIRE(v.ok());
  return JsonToMinorUnits(v->as_object().at("a"), C(currency));
}
}  // namespace

TEST_CASE("JSON numbers become minor units exactly") {
  CHECK(*Amount(R"({"a": 15.99})") == 1599);
  CHECK(*Amount(R"({"a": 0.1})") == 10);
  CHECK(*Amount(R"({"a": 0.07})") == 7);
  CHECK(*Amount(R"({"a": 1.005})", "KWD") == 1005);
  CHECK(*Amount(R"({"a": 20})") == 2000);
  CHECK(*Amount(R"({"a": 1500})", "JPY") == 1500);
  CHECK(*Amount(R"({"a": 1.5e1})") == 1500);
  CHECK(*Amount(R"({"a": 9999999999999.99})") == 999999999999999);
  CHECK(*Amount(R"({"a": -3.10})") == -310);
}

TEST_CASE("JSON numbers that a double would silently change are rejected") {
  CHECK(Amount(R"({"a": 15.990000000000000001})").status().code() == StatusCode::kOutOfRange);
  CHECK(Amount(R"({"a": 0.30000000000000004})").status().code() == StatusCode::kOutOfRange);
  CHECK(Amount(R"({"a": 15.999})").status().code() == StatusCode::kOutOfRange);
  CHECK(Amount(R"({"a": 1.5})", "JPY").status().code() == StatusCode::kOutOfRange);
}

TEST_CASE("non-numbers are not amounts") {
  CHECK(Amount(R"({"a": "15.99"})").status().code() == StatusCode::kInvalidArgument);
  CHECK(Amount(R"({"a": null})").status().code() == StatusCode::kInvalidArgument);
  CHECK(Amount(R"({"a": true})").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("invalid JSON is an error with a position") {
  auto r = ParseJson(R"({"a": 1,})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("at byte") != std::string::npos);
  CHECK_FALSE(ParseJson("").ok());
  CHECK_FALSE(ParseJson(R"({"a":1} x)").ok());
  CHECK_FALSE(ParseJson(R"({"a":1}{"b":2})").ok());
  CHECK(ParseJson(" {\"a\": [1, 2, {\"b\": null}]} \n").ok());
}

TEST_CASE("money prints as a JSON number with the currency's digits") {
  CHECK(MinorUnitsToJsonNumber(1590, C("USD")) == "15.90");
  CHECK(MinorUnitsToJsonNumber(1500, C("JPY")) == "1500");
}
