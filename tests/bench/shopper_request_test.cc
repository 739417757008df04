#include "tests/bench/shopper_request.h"

#include <regex>
#include <set>
#include <string>

#include <catch2/catch_test_macros.hpp>

namespace jwo::bench {
namespace {

RequestSpec Generated(uint64_t shoppers, uint64_t debt_every) {
  RequestSpec spec;
  spec.host_header = "127.0.0.1:8080";
  spec.path = "/v1/fraudandabuse/shopperauthorization";
  spec.shoppers = shoppers;
  spec.debt_every = debt_every;
  return spec;
}

std::string BodyOf(std::string_view request) {
  return std::string(request.substr(request.find("\r\n\r\n") + 4));
}

TEST_CASE("a generated request is a framed Shopper Authorization", "[request]") {
  RequestSource source(Generated(1000000, 100));
  const std::string request(source.Next().bytes);
  CHECK(request.starts_with("POST /v1/fraudandabuse/shopperauthorization HTTP/1.1\r\n"));
  CHECK(request.find("\r\nHost: 127.0.0.1:8080\r\n") != std::string::npos);
  CHECK(request.find("\r\nContent-Type: application/json\r\n") != std::string::npos);
  const std::string body = BodyOf(request);
  CHECK(request.find("\r\nContent-Length: " + std::to_string(body.size()) + "\r\n") !=
        std::string::npos);
  const std::regex shape(
      R"(\{"storeId":"bench-store","shopperIdentity":\{"id":"shopper-[0-9]{7}"\},)"
      R"("authorizedAmount":\{"value":50\.00,"currencyCode":"USD"\},)"
      R"("shopperInteraction":\{"shoppingTripId":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",)"
      R"("gateAuthenticationEvent":\{"id":"[0-9a-f-]{36}","type":"CREDIT_CARD",)"
      R"("interactionType":"TAP","timestamp":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z",)"
      R"("location":"ENTRY","data":\{"gate":"g1","lane":"1"\}\}\}\})");
  CHECK(std::regex_match(body, shape));
}

TEST_CASE("the in-debt flag follows i % debt_every == 0", "[request]") {
  RequestSource source(Generated(1000, 10));
  int in_debt = 0;
  for (int i = 0; i < 5000; ++i) {
    const OutgoingRequest request = source.Next();
    const std::string body = BodyOf(request.bytes);
    const size_t at = body.find("shopper-") + 8;
    const int index = std::stoi(body.substr(at, 7));
    CHECK(index < 1000);
    CHECK(request.in_debt == (index % 10 == 0));
    in_debt += request.in_debt ? 1 : 0;
  }
  CHECK(in_debt > 350);  // about 1 in 10 of 5000
  CHECK(in_debt < 650);
}

TEST_CASE("trip ids are fresh and the sequence repeats with the seed", "[request]") {
  RequestSource a(Generated(1000000, 100));
  RequestSource b(Generated(1000000, 100));
  std::set<std::string> trips;
  for (int i = 0; i < 1000; ++i) {
    const std::string body_a = BodyOf(a.Next().bytes);
    const std::string body_b = BodyOf(b.Next().bytes);
    const size_t at = body_a.find("shoppingTripId\":\"") + 17;
    trips.insert(body_a.substr(at, 36));
    CHECK(body_a.substr(0, at + 36) == body_b.substr(0, at + 36));
  }
  CHECK(trips.size() == 1000);
}

TEST_CASE("fixed-body mode sends the body as given", "[request]") {
  RequestSpec spec = Generated(0, 0);
  spec.fixed_body = true;
  spec.body = "{\"x\":1}";
  RequestSource source(spec);
  const std::string request(source.Next().bytes);
  CHECK(BodyOf(request) == "{\"x\":1}");
  CHECK(request.find("\r\nContent-Length: 7\r\n") != std::string::npos);
  CHECK_FALSE(source.Next().in_debt);
}

}  // namespace
}  // namespace jwo::bench
