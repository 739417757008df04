#include "tests/bench/http_response_parser.h"

#include <string>

#include <catch2/catch_test_macros.hpp>

namespace jwo::bench {
namespace {

const std::string kApproved =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 21\r\n\r\n"
    "{\"status\":\"APPROVED\"}";

TEST_CASE("a Content-Length response parses whole", "[parser]") {
  HttpResponse r;
  std::string scratch;
  REQUIRE(ParseHttpResponse(kApproved, &r, &scratch) == ParseOutcome::kComplete);
  CHECK(r.status == 200);
  CHECK(r.size == kApproved.size());
  CHECK(r.keep_alive);
  CHECK(r.body == "{\"status\":\"APPROVED\"}");
}

TEST_CASE("every proper prefix is incomplete", "[parser]") {
  HttpResponse r;
  std::string scratch;
  for (size_t n = 0; n < kApproved.size(); ++n) {
    INFO("prefix " << n);
    CHECK(ParseHttpResponse(std::string_view(kApproved).substr(0, n), &r, &scratch) ==
          ParseOutcome::kIncomplete);
  }
}

TEST_CASE("pipelined responses parse one at a time", "[parser]") {
  const std::string two = kApproved + kApproved;
  HttpResponse r;
  std::string scratch;
  REQUIRE(ParseHttpResponse(two, &r, &scratch) == ParseOutcome::kComplete);
  CHECK(r.size == kApproved.size());
  REQUIRE(ParseHttpResponse(std::string_view(two).substr(r.size), &r, &scratch) ==
          ParseOutcome::kComplete);
  CHECK(r.body == "{\"status\":\"APPROVED\"}");
}

TEST_CASE("header names and values are case-insensitive", "[parser]") {
  const std::string text =
      "HTTP/1.1 503 Service Unavailable\r\ncontent-LENGTH:  2 \r\nCONNECTION: Close\r\n\r\nno";
  HttpResponse r;
  std::string scratch;
  REQUIRE(ParseHttpResponse(text, &r, &scratch) == ParseOutcome::kComplete);
  CHECK(r.status == 503);
  CHECK_FALSE(r.keep_alive);
  CHECK(r.body == "no");
}

TEST_CASE("HTTP/1.0 closes unless it says keep-alive", "[parser]") {
  HttpResponse r;
  std::string scratch;
  REQUIRE(ParseHttpResponse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", &r, &scratch) ==
          ParseOutcome::kComplete);
  CHECK_FALSE(r.keep_alive);
  REQUIRE(
      ParseHttpResponse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
                        &r, &scratch) == ParseOutcome::kComplete);
  CHECK(r.keep_alive);
}

TEST_CASE("a chunked body is reassembled", "[parser]") {
  const std::string text =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "b\r\n{\"status\":\"\r\n8;ext=1\r\nDENIED\"}\r\n0\r\nX-Trailer: 1\r\n\r\n";
  HttpResponse r;
  std::string scratch;
  REQUIRE(ParseHttpResponse(text, &r, &scratch) == ParseOutcome::kComplete);
  CHECK(r.body == "{\"status\":\"DENIED\"}");
  CHECK(r.size == text.size());
  for (size_t n = 0; n < text.size(); ++n) {
    INFO("prefix " << n);
    CHECK(ParseHttpResponse(std::string_view(text).substr(0, n), &r, &scratch) ==
          ParseOutcome::kIncomplete);
  }
}

TEST_CASE("1xx, 204 and 304 carry no body", "[parser]") {
  HttpResponse r;
  std::string scratch;
  REQUIRE(ParseHttpResponse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", &r, &scratch) ==
          ParseOutcome::kComplete);
  CHECK(r.status == 100);
  CHECK(r.size == 25);
  REQUIRE(ParseHttpResponse("HTTP/1.1 204 No Content\r\n\r\n", &r, &scratch) ==
          ParseOutcome::kComplete);
  CHECK(r.body.empty());
}

TEST_CASE("malformed responses are rejected", "[parser]") {
  HttpResponse r;
  std::string scratch;
  for (const char* text : {
           "HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n",
           "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
           "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody until close",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       }) {
    INFO(text);
    CHECK(ParseHttpResponse(text, &r, &scratch) == ParseOutcome::kMalformed);
  }
  CHECK(ParseHttpResponse(std::string(70000, 'a'), &r, &scratch) == ParseOutcome::kMalformed);
}

}  // namespace
}  // namespace jwo::bench
