#include "core/json_writer.h"

#include <boost/json/parse.hpp>
#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <string>

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

// Keys and values are written as JsonQuote writes them, with the commas and colons between
// (every byte at several positions, lengths from short to long, the extremes of Int), and read
// back by Boost.JSON as what went in: ASCII as it is, a lone byte past ASCII as U+FFFD (an
// oracle that does not share the escaper).
TEST_CASE("JsonWriter writes every key and value as JsonQuote does") {
  const auto expected = [](std::string_view key, std::string_view value, int64_t n) {
    return "{" + JsonQuote(key) + ":" + JsonQuote(value) + ",\"n\":" + std::to_string(n) + "," +
           JsonQuote(value) + ":[" + JsonQuote(key) + "," + std::to_string(n) + "]}";
  };
  const auto written = [](std::string_view key, std::string_view value, int64_t n) {
    JsonWriter w;
    w.BeginObject().Key(key).String(value).Key("n").Int(n);
    w.Key(value).BeginArray().String(key).Int(n).EndArray().EndObject();
    return w.Take();
  };
  for (int b = 0; b < 256; ++b) {
    for (size_t at : {size_t{0}, size_t{7}, size_t{8}, size_t{13}, size_t{16}}) {
      std::string text(17, 'x');
      text[at] = static_cast<char>(b);
      INFO("byte " << b << " at " << at);
      const std::string json = written(text, "v", b);
      CHECK(json == expected(text, "v", b));
      std::string read_back = text;
      if (b >= 0x80) read_back.replace(at, 1, "\xef\xbf\xbd");
      const boost::json::object doc = boost::json::parse(json).as_object();
      REQUIRE(doc.contains(read_back));
      CHECK(doc.at(read_back).as_string() == "v");
      CHECK(doc.at("n").as_int64() == b);
      CHECK(Unquoted(JsonQuote(text)) == read_back);
    }
  }
  for (size_t length = 110; length <= 140; ++length) {
    const std::string plain(length, 'p');
    std::string quoted = plain;
    quoted[length / 2] = '"';
    INFO("length " << length);
    CHECK(written(plain, quoted, -1) == expected(plain, quoted, -1));
    CHECK(written(quoted, plain, 0) == expected(quoted, plain, 0));
  }
  CHECK(written("", "", INT64_MIN) == expected("", "", INT64_MIN));
  CHECK(written("k", "v", INT64_MAX) == expected("k", "v", INT64_MAX));
  const std::string utf8 = "caf\xc3\xa9 \xe2\x82\xac";
  CHECK(written(utf8, utf8, 7) == expected(utf8, utf8, 7));
  CHECK(boost::json::parse(written(utf8, "a\x01\"\\", 1)).is_object());
}

TEST_CASE("JsonWriter writes members without braces for RawMembers to splice") {
  JsonWriter members;
  members.BeginMembers().Key("a").Int(1).Key("b").BeginArray().Int(2).EndArray().EndMembers();
  CHECK(members.str() == R"("a":1,"b":[2])");
  JsonWriter w;
  w.BeginObject().Key("x").Bool(true).RawMembers(members.str()).EndObject();
  CHECK(w.str() == R"({"x":true,"a":1,"b":[2]})");
  CHECK(boost::json::parse(w.str()).as_object().size() == 3);
}
