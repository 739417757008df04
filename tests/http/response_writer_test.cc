#include "http/response_writer.h"

#include <catch2/catch_test_macros.hpp>

namespace jwo::http {
namespace {

TEST_CASE("SerializeResponse writes status line, headers and body", "[http][wire]") {
  Response r;
  r.body = R"({"ok":true})";
  r.headers.emplace_back("X-Request-Id", "abc");
  std::string wire = "stale";
  SerializeResponse(r, {}, &wire);
  CHECK(wire ==
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
        "X-Request-Id: abc\r\n\r\n{\"ok\":true}");
}

TEST_CASE("SerializeResponse announces close and HTTP/1.0 keep-alive", "[http][wire]") {
  Response r = JsonError(413, "too big");
  std::string wire;
  SerializeResponse(r, WireOptions{.close = true}, &wire);
  CHECK(wire.starts_with("HTTP/1.1 413 Payload Too Large\r\n"));
  CHECK(wire.find("Connection: close\r\n") != std::string::npos);
  SerializeResponse(r, WireOptions{.keep_alive_10 = true}, &wire);
  CHECK(wire.find("Connection: keep-alive\r\n") != std::string::npos);
}

TEST_CASE("SerializeResponse drops unsafe and server-owned headers", "[http][wire]") {
  Response r;
  r.content_type = {};
  r.headers = {{"X-Bad", "a\r\nInjected: 1"},    {"Content-Length", "99"}, {"connection", "x"},
               {"Transfer-Encoding", "chunked"}, {"Bad:Name", "v"},        {"X-Good", "ok"}};
  std::string wire;
  SerializeResponse(r, {}, &wire);
  CHECK(wire == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Good: ok\r\n\r\n");
}

TEST_CASE("SerializeResponse sends no body for HEAD, 204 and 304", "[http][wire]") {
  Response r;
  r.body = "hello";
  std::string wire;
  SerializeResponse(r, WireOptions{.head = true}, &wire);
  CHECK(wire.ends_with("Content-Length: 5\r\n\r\n"));
  r.status = 204;
  SerializeResponse(r, {}, &wire);
  CHECK(wire == "HTTP/1.1 204 No Content\r\nContent-Type: application/json\r\n\r\n");
}

TEST_CASE("SerializeResponse turns an invalid status into 500", "[http][wire]") {
  Response r;
  r.status = 42;
  std::string wire;
  SerializeResponse(r, {}, &wire);
  CHECK(wire.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  CHECK(WireStatus(600) == 500);
  CHECK(WireStatus(599) == 599);
}

}  // namespace
}  // namespace jwo::http
