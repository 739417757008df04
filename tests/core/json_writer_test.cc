#include "core/json_writer.h"

#include <boost/json/parse.hpp>
#include <catch2/catch_test_macros.hpp>

using namespace jwo::core;

namespace {
std::string Unquoted(std::string_view literal) {
  return std::string(boost::json::parse(literal).as_string());
}
}  // namespace

TEST_CASE("the escaper escapes quotes, backslashes and control characters") {
  const std::string text = "a \"quoted\" \\path\\ with\nnew line, tab\t and \x01 and \x7f";
  const std::string q = JsonQuote(text);
  CHECK(q.find('\n') == std::string::npos);
  CHECK(q.find("\\u0001") != std::string::npos);
  CHECK(q.find("\\u007f") != std::string::npos);
  CHECK(Unquoted(q) == text);
}

TEST_CASE("the escaper keeps valid UTF-8 and repairs invalid bytes") {
  CHECK(Unquoted(JsonQuote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")) ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  // A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate.
  CHECK(Unquoted(JsonQuote("a\x80 b\xe2\x82 c\xc0\xaf d\xed\xa0\x80")) ==
        "a\xef\xbf\xbd b\xef\xbf\xbd\xef\xbf\xbd c\xef\xbf\xbd\xef\xbf\xbd "
        "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("JsonWriter places commas and colons and splices money exactly") {
  const Currency usd = *FindCurrency("USD");
  const Currency jpy = *FindCurrency("JPY");
  JsonWriter w;
  w.BeginObject()
      .Key("status")
      .String("APPROVED")
      .Key("list")
      .BeginArray()
      .Int(1)
      .Bool(false)
      .Null()
      .BeginObject()
      .EndObject()
      .EndArray()
      .Key("amount")
      .Money(1590, usd)
      .Key("yen")
      .Money(1500, jpy)
      .Key("raw")
      .Raw(R"({"a":[]})")
      .Key("k\"ey")
      .String("v\xff")
      .EndObject();
  CHECK(w.str() == R"({"status":"APPROVED","list":[1,false,null,{}],"amount":15.90,"yen":1500,)"
                   R"("raw":{"a":[]},"k\"ey":"v\ufffd"})");
  CHECK(boost::json::parse(w.str()).is_object());
  JsonWriter empty;
  empty.BeginArray().EndArray();
  CHECK(empty.Take() == "[]");
}
