#include "http/request_parser.h"

#include <boost/beast/http/error.hpp>
#include <catch2/catch_test_macros.hpp>
#include <string_view>

namespace jwo::http {
namespace {

namespace bhttp = boost::beast::http;

// Feeds `wire` in pieces of `step` bytes, as reads from a socket would.
boost::system::error_code Feed(RequestParser& parser, std::string_view wire, size_t step) {
  std::string pending;
  boost::system::error_code ec;
  for (size_t i = 0; i < wire.size() && !parser.is_done(); i += step) {
    pending.append(wire.substr(i, step));
    while (!pending.empty() && !parser.is_done()) {
      const size_t used = parser.put(boost::asio::buffer(pending), ec);
      pending.erase(0, used);
      if (ec == bhttp::error::need_more) break;
      if (ec) return ec;
      if (used == 0) break;
    }
  }
  return parser.is_done() ? boost::system::error_code{} : bhttp::error::need_more;
}

TEST_CASE("RequestParser fills method, target, path, headers and body", "[http][parser]") {
  for (size_t step : {1, 7, 4096}) {
    RequestParser parser(4096, 4096);
    const auto ec = Feed(parser,
                         "POST /v1/x?a=1&b=2 HTTP/1.1\r\nHost: h\r\nX-Id: 7\r\n"
                         "Content-Length: 5\r\n\r\nhello",
                         step);
    REQUIRE_FALSE(ec);
    const Request& r = parser.request();
    CHECK(r.method == "POST");
    CHECK(r.target == "/v1/x?a=1&b=2");
    CHECK(r.path == "/v1/x");
    CHECK(r.body == "hello");
    CHECK(r.version == 11);
    CHECK(r.Header("x-id") == "7");
    CHECK(r.headers.size() == 3);
    CHECK(parser.KeepAlive());
  }
}

TEST_CASE("RequestParser reuses a finished request's storage and none of its contents",
          "[http][parser]") {
  RequestParser first(4096, 4096);
  REQUIRE_FALSE(Feed(first,
                     "POST /v1/a-long-path-that-needs-the-heap?q=1 HTTP/1.1\r\n"
                     "Host: h\r\nX-One: a value longer than fifteen bytes\r\nX-Two: 2\r\n"
                     "Content-Length: 11\r\n\r\nhello world",
                     4096));
  Request used = std::move(first.request());
  used.listener = "bench";
  used.peer = "127.0.0.1:1";
  used.client_cert_subject = "CN=someone";

  // Fewer headers, no body, HTTP/1.0: nothing of the first request may show through.
  RequestParser second(4096, 4096, std::move(used));
  REQUIRE_FALSE(Feed(second, "GET /b HTTP/1.0\r\nX-Two: two\r\n\r\n", 3));
  const Request& r = second.request();
  CHECK(r.method == "GET");
  CHECK(r.target == "/b");
  CHECK(r.path == "/b");
  CHECK(r.version == 10);
  CHECK(r.body.empty());
  REQUIRE(r.headers.size() == 1);
  CHECK(r.Header("x-two") == "two");
  CHECK(r.Header("x-one").empty());
  CHECK(r.Header("host").empty());
  CHECK(r.listener.empty());
  CHECK(r.peer.empty());
  CHECK(r.client_cert_subject.empty());

  // More headers than the recycled request had: the list grows.
  RequestParser third(4096, 4096, std::move(second.request()));
  REQUIRE_FALSE(
      Feed(third, "POST /c HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 1\r\n\r\nx", 5));
  CHECK(third.request().headers.size() == 4);
  CHECK(third.request().Header("c") == "3");
  CHECK(third.request().body == "x");
}

TEST_CASE("RequestParser joins a chunked body", "[http][parser]") {
  RequestParser parser(4096, 4096);
  REQUIRE_FALSE(Feed(parser,
                     "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                     5));
  CHECK(parser.request().body == "abcde");
  CHECK_FALSE(parser.SkippableBodyLength());
}

TEST_CASE("RequestParser keep-alive follows HTTP version and Connection", "[http][parser]") {
  struct Case {
    const char* wire;
    bool keep_alive;
  };
  for (const Case& c : {Case{"GET / HTTP/1.1\r\n\r\n", true},
                        Case{"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
                        Case{"GET / HTTP/1.1\r\nConnection: Upgrade, Close\r\n\r\n", false},
                        Case{"GET / HTTP/1.0\r\n\r\n", false},
                        Case{"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true}}) {
    RequestParser parser(4096, 4096);
    REQUIRE_FALSE(Feed(parser, c.wire, 4096));
    CHECK(parser.KeepAlive() == c.keep_alive);
  }
}

TEST_CASE("RequestParser stops at the body limit before reading the body", "[http][parser]") {
  RequestParser parser(4096, 10);
  boost::system::error_code ec;
  const std::string_view wire = "POST /x HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world";
  const size_t used = parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
  CHECK(ec == bhttp::error::body_limit);
  CHECK(wire.substr(used) == "hello world");
  REQUIRE(parser.SkippableBodyLength());
  CHECK(*parser.SkippableBodyLength() == 11);
  CHECK(parser.KeepAlive());
}

TEST_CASE("RequestParser reports the header limit and malformed input", "[http][parser]") {
  RequestParser small(64, 4096);
  const std::string big = "GET / HTTP/1.1\r\nX-Pad: " + std::string(200, 'a') + "\r\n\r\n";
  CHECK(Feed(small, big, 4096) == bhttp::error::header_limit);
  RequestParser bad(4096, 4096);
  CHECK(Feed(bad, "GET / HTTP/9.x\r\n\r\n", 4096));
  RequestParser expect(4096, 4096);
  boost::system::error_code ec;
  const std::string_view head =
      "POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  expect.put(boost::asio::buffer(head.data(), head.size()), ec);
  CHECK(expect.is_header_done());
  CHECK(expect.ExpectsContinue());
}

}  // namespace
}  // namespace jwo::http
