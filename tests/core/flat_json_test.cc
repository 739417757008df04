#include "core/flat_json.h"

#include <catch2/catch_test_macros.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/json.h"

using namespace jwo;
using Kind = core::FlatJson::Kind;

namespace {

// The error ParseJson gives for `text` (the rules FlatJson must keep), or "" when it parses.
std::string ParseJsonError(const std::string& text) {
  auto r = core::ParseJson(text);
  return r.ok() ? "" : r.status().message();
}

std::string FlatError(core::FlatJson& doc, const std::string& text) {
  core::Status s = doc.Parse(text);
  return s.ok() ? "" : s.message();
}

}  // namespace

TEST_CASE("FlatJson keeps a document in pre-order, members findable, children in order") {
  core::FlatJson doc;
  const std::string text =
      R"({"a": {"x": 1, "y": [true, null, "s"]}, "b": -2, "c": 18446744073709551615, "d": 1.5})";
  REQUIRE(doc.Parse(text).ok());
  const auto& root = doc.Root();
  REQUIRE(root.is_object());
  CHECK(root.size == 4);
  const auto* a = doc.Find(root, "a");
  REQUIRE(a != nullptr);
  const auto* y = doc.Find(*a, "y");
  REQUIRE(y != nullptr);
  REQUIRE(y->is_array());
  std::vector<Kind> kinds;
  for (const auto* e = doc.First(*y); e != nullptr; e = doc.Next(*y, *e)) kinds.push_back(e->kind);
  CHECK(kinds == std::vector<Kind>{Kind::kBool, Kind::kNull, Kind::kString});
  CHECK(doc.Find(root, "b")->int64 == -2);
  CHECK(doc.Find(root, "c")->uint64 == 18446744073709551615ull);
  CHECK(doc.Find(root, "d")->real == 1.5);
  CHECK(doc.Find(root, "x") == nullptr);  // only the object's own members
  CHECK(doc.Find(*doc.Find(*a, "x"), "anything") == nullptr);
  std::vector<std::string_view> keys;  // a nested container is stepped over whole
  for (const auto* m = doc.First(root); m != nullptr; m = doc.Next(root, *m))
    keys.push_back(m->key);
  CHECK(keys == std::vector<std::string_view>{"a", "b", "c", "d"});
  const auto* empty_check = doc.First(*doc.Find(*a, "x"));
  CHECK(empty_check == nullptr);
}

TEST_CASE("FlatJson unescapes keys and strings, and views the rest in the input") {
  core::FlatJson doc;
  const std::string text = R"({"k\u0065y": "a\"b\n", "plain": "text"})";
  REQUIRE(doc.Parse(text).ok());
  const auto* key = doc.Find(doc.Root(), "key");
  REQUIRE(key != nullptr);
  CHECK(key->text == "a\"b\n");
  const auto* plain = doc.Find(doc.Root(), "plain");
  REQUIRE(plain != nullptr);
  CHECK(plain->text == "text");
  CHECK(plain->text.data() >= text.data());  // no copy
  CHECK(plain->text.data() < text.data() + text.size());
}

TEST_CASE("FlatJson refuses what ParseJson refuses, with the same words") {
  core::FlatJson doc;
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "[";
  for (const std::string& text :
       {std::string(""), std::string("{"), std::string(R"({"a":1,"a":2})"),
        std::string(R"({"o":{"k\u0031":1,"k1":2}})"), std::string(R"({"a":1} x)"),
        std::string("[1,]"), deep, std::string(R"({"a":tru})"), std::string("\"\\x\"")}) {
    INFO(text);
    const std::string want = ParseJsonError(text);
    REQUIRE_FALSE(want.empty());
    CHECK(FlatError(doc, text) == want);
  }
  // And the next parse starts clean.
  REQUIRE(doc.Parse(R"({"a":1})").ok());
  CHECK(doc.Find(doc.Root(), "a")->int64 == 1);
}

TEST_CASE("FlatJson keeps numbers as ParseJson does: exact, or marked") {
  core::FlatJson doc;
  REQUIRE(doc.Parse(R"([15.99, 15.990000000000000001, 1e999, -1e-400, -0.0])").ok());
  std::vector<double> v;
  for (const auto* e = doc.First(doc.Root()); e != nullptr; e = doc.Next(doc.Root(), *e)) {
    v.push_back(e->real);
  }
  REQUIRE(v.size() == 5);
  CHECK(v[0] == 15.99);
  CHECK(std::isnan(v[1]));
  CHECK(std::isinf(v[2]));
  CHECK(v[3] == -std::numeric_limits<double>::denorm_min());
  CHECK(v[4] == 0.0);
  CHECK(core::FlatJson::Scalar(*doc.First(doc.Root())).as_double() == 15.99);
}

TEST_CASE("FlatJson reads a large document and then a small one") {
  core::FlatJson doc;
  std::string big = "[";
  for (int i = 0; i < 50000; ++i) big += "0,";
  big += "0]";
  REQUIRE(doc.Parse(big).ok());
  CHECK(doc.Root().size == 50001);
  REQUIRE(doc.Parse("[1]").ok());
  CHECK(doc.Root().size == 1);
  CHECK(doc.First(doc.Root())->int64 == 1);
}

TEST_CASE("FlatJson stops at its cap on values, saying so") {
  core::FlatJson doc;
  std::string body = R"({"a": [)";
  for (int i = 0; i < 99; ++i) body += "1,";
  body += "1]}";  // 1 object + 1 array + 100 numbers
  CHECK(doc.Parse(body, 102).ok());
  core::Status s = doc.Parse(body, 101);
  CHECK(s.code() == core::StatusCode::kInvalidArgument);
  CHECK(s.message() == "body has more than 101 JSON values");
  REQUIRE(doc.Parse(R"({"b":true})", 2).ok());  // and the next parse starts clean
  CHECK(doc.Find(doc.Root(), "b")->boolean);
}
