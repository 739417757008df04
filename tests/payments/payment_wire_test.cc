#include "payments/payment_wire.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

namespace jwo::payments {
namespace {

OutboundRequest Request(std::string method, std::string path, std::string body = {}) {
  OutboundRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  return r;
}

TEST_CASE("a request is written with Host and Content-Length", "[payments][wire]") {
  OutboundRequest r = Request("POST", "/v1/adjust/charge", R"({"a":1})");
  r.headers = {{"Content-Type", "application/json"}, {"Authorization", "AWS4-HMAC-SHA256 x"}};
  CHECK(SerializeRequest(r, "127.0.0.1:8080") ==
        "POST /v1/adjust/charge HTTP/1.1\r\n"
        "Host: 127.0.0.1:8080\r\n"
        "Content-Type: application/json\r\n"
        "Authorization: AWS4-HMAC-SHA256 x\r\n"
        "Content-Length: 7\r\n"
        "\r\n"
        R"({"a":1})");
}

TEST_CASE("the client owns the framing headers", "[payments][wire]") {
  OutboundRequest r = Request("POST", "/x");
  r.headers = {{"host", "signed.example.com"},
               {"Content-Length", "99"},
               {"Connection", "close"},
               {"Transfer-Encoding", "chunked"}};
  CHECK(SerializeRequest(r, "ignored") ==
        "POST /x HTTP/1.1\r\nhost: signed.example.com\r\nContent-Length: 0\r\n\r\n");
  CHECK(SerializeRequest(Request("GET", "/x?y=1"), "h") ==
        "GET /x?y=1 HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST_CASE("requests that would break the framing are named", "[payments][wire]") {
  CHECK(InvalidRequestReason(Request("POST", "/v1/refund")).empty());
  CHECK_FALSE(InvalidRequestReason(Request("", "/x")).empty());
  CHECK_FALSE(InvalidRequestReason(Request("PO ST", "/x")).empty());
  CHECK_FALSE(InvalidRequestReason(Request("POST", "")).empty());
  CHECK_FALSE(InvalidRequestReason(Request("POST", "x")).empty());
  CHECK_FALSE(InvalidRequestReason(Request("POST", "/a b")).empty());
  CHECK_FALSE(InvalidRequestReason(Request("POST", "/a\r\nX: 1")).empty());
  OutboundRequest bad_name = Request("POST", "/x");
  bad_name.headers = {{"Bad Name", "v"}};
  CHECK(InvalidRequestReason(bad_name).find("Bad Name") != std::string::npos);
  OutboundRequest bad_value = Request("POST", "/x");
  bad_value.headers = {{"X-Amz-Date", std::string("a\0b", 3)}};
  CHECK(InvalidRequestReason(bad_value).find("X-Amz-Date") != std::string::npos);
  CHECK(HeaderNameEquals("content-TYPE", "Content-Type"));
  CHECK_FALSE(HeaderNameEquals("Content-Type", "Content-Typ"));
}

}  // namespace
}  // namespace jwo::payments
