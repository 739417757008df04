#include "http/message.h"

#include <boost/json/parse.hpp>
#include <catch2/catch_test_macros.hpp>

namespace jwo::http {
namespace {

std::string ErrorMsgOf(const Response& r) {
  return std::string(boost::json::parse(r.body).as_object().at("errorMsg").as_string());
}

TEST_CASE("JsonError builds the errorMsg envelope", "[http][message]") {
  const Response r = JsonError(404, "no route for POST /x");
  CHECK(r.status == 404);
  CHECK(r.content_type == "application/json");
  CHECK(r.body == R"({"errorMsg":"no route for POST /x"})");
}

TEST_CASE("JsonError escapes quotes, backslashes and control characters", "[http][message]") {
  const std::string message = "a \"quoted\" \\path\\ with\nnew line, tab\t and \x01 and \x7f";
  const Response r = JsonError(400, message);
  CHECK(r.body.find('\n') == std::string::npos);
  CHECK(r.body.find("\\u0001") != std::string::npos);
  CHECK(ErrorMsgOf(r) == message);
}

TEST_CASE("JsonError keeps valid UTF-8 and repairs invalid bytes", "[http][message]") {
  CHECK(ErrorMsgOf(JsonError(400, "caf\xc3\xa9 \xe2\x82\xac")) == "caf\xc3\xa9 \xe2\x82\xac");
  // A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate.
  const Response r = JsonError(400, "a\x80 b\xe2\x82 c\xc0\xaf d\xed\xa0\x80");
  CHECK(ErrorMsgOf(r) ==
        "a\xef\xbf\xbd b\xef\xbf\xbd\xef\xbf\xbd c\xef\xbf\xbd\xef\xbf\xbd "
        "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("Request::Header is case-insensitive and empty when absent", "[http][message]") {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Id", "1"}, {"x-id", "2"}};
  CHECK(r.Header("content-type") == "application/json");
  CHECK(r.Header("X-ID") == "1");
  CHECK(r.Header("Missing").empty());
}

TEST_CASE("EqualsIgnoreCase compares ASCII only", "[http][message]") {
  CHECK(EqualsIgnoreCase("Keep-Alive", "keep-alive"));
  CHECK_FALSE(EqualsIgnoreCase("keep-alive", "keep-alive "));
  CHECK_FALSE(EqualsIgnoreCase("\xc3\x89", "\xc3\xa9"));
}

}  // namespace
}  // namespace jwo::http
