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

TEST_CASE("numbers a double cannot hold say whether they are too large or too small") {
  for (const char* doc : {R"({"a": 1e999})", R"({"a": -1e999})", R"({"a": 1e309})"}) {
    INFO(doc);
    auto r = Amount(doc);
    CHECK(r.status().code() == StatusCode::kOutOfRange);
    CHECK(r.status().message() == "is out of range: too large");
  }
  for (const char* doc : {R"({"a": 1e-400})", R"({"a": -1e-400})", R"({"a": 1e-310})"}) {
    INFO(doc);
    auto r = Amount(doc);
    CHECK(r.status().code() == StatusCode::kOutOfRange);
    CHECK(r.status().message() == "is out of range: nonzero but too small");
  }
  CHECK(*Amount(R"({"a": 0e999})") == 0);
  CHECK(*Amount(R"({"a": 0.0e-400})") == 0);
  CHECK(Amount(R"({"a": 15.990000000000000001})").status().message() ==
        "number has more than 15 significant digits");
}

TEST_CASE("duplicate keys are rejected at any depth, naming the key") {
  for (const char* doc : {R"({"id":"debtor","id":"clear"})", R"({"a":{"b":1,"c":2,"b":3}})",
                          R"([{"x":1},{"y":[{"k":1,"k":1}]}])", R"({"\u0069d":1,"id":2})"}) {
    INFO(doc);
    auto r = ParseJson(doc);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().message().rfind("body has a duplicate key '", 0) == 0);
  }
  CHECK(ParseJson(R"({"id":"debtor","id":"clear"})").status().message() ==
        "body has a duplicate key 'id'");
  // The same key in different objects, or as a value, is fine.
  CHECK(ParseJson(R"({"a":{"id":1},"b":{"id":2},"id":"id","c":[{"id":1},{"id":2}]})").ok());
  // A long key is cut in the message.
  const std::string key(1000, 'k');
  auto r = ParseJson("{\"" + key + "\":1,\"" + key + "\":2}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().size() < 200);
}

// Objects with many keys take the hash-set path of the check (past 32 keys): a repeat is still
// found wherever it is, at any depth, and siblings or nested objects do not see each other's keys.
TEST_CASE("duplicate keys are found in objects with many keys") {
  auto object = [](int keys, const std::string& repeat, const std::string& inner = "1") {
    std::string doc = "{";
    for (int i = 0; i < keys; ++i) doc += "\"k" + std::to_string(i) + "\":" + inner + ",";
    return doc + repeat + "\"last\":0}";
  };
  CHECK(ParseJson(object(100, "")).ok());
  for (const std::string repeat : {"\"k0\":1,", "\"k31\":1,", "\"k32\":1,", "\"k99\":1,",
                                   "\"\\u006b7\":1,", "\"k5\\u0030\":1,"}) {
    INFO(repeat);
    auto r = ParseJson(object(100, repeat));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().rfind("body has a duplicate key 'k", 0) == 0);
  }
  CHECK(ParseJson(object(100, "\"last\":1,")).status().message() ==
        "body has a duplicate key 'last'");
  // Nested and sibling objects with the same 100 keys are fine.
  const std::string big = object(100, "");
  CHECK(ParseJson("[" + big + "," + big + "," + big + "]").ok());
  CHECK(ParseJson(object(40, "", big)).ok());
  CHECK(ParseJson("{\"a\":" + big + ",\"b\":" + big + "}").ok());
  // A repeat in the outer object after a nested big one is still found.
  CHECK_FALSE(ParseJson("{\"a\":" + big + ",\"b\":1,\"a\":2}").ok());
  CHECK_FALSE(ParseJson(object(40, "\"k3\":2,", big)).ok());
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
