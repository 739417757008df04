#include "http/router.h"

#include <catch2/catch_test_macros.hpp>

namespace jwo::http {
namespace {

Handler Tagged(std::string tag) {
  return [tag](Request&&, Respond respond) {
    Response r;
    r.body = tag;
    respond(std::move(r));
  };
}

std::string Call(const Handler& h) {
  std::string body;
  h(Request{}, [&](Response r) { body = r.body; });
  return body;
}

TEST_CASE("Router finds the handler for method and exact path", "[http][router]") {
  Router router;
  router.Add("POST", "/v1/a", Tagged("post-a"));
  router.Add("GET", "/v1/a", Tagged("get-a"));
  router.Add("POST", "/v1/b", Tagged("post-b"));
  Response error;
  const Handler* h = router.Find("POST", "/v1/a", &error);
  REQUIRE(h != nullptr);
  CHECK(Call(*h) == "post-a");
  h = router.Find("GET", "/v1/a", &error);
  REQUIRE(h != nullptr);
  CHECK(Call(*h) == "get-a");
  h = router.Find("POST", "/v1/b", &error);
  REQUIRE(h != nullptr);
  CHECK(Call(*h) == "post-b");
}

TEST_CASE("Router answers 404 for an unknown path, with no prefix matching", "[http][router]") {
  Router router;
  router.Add("POST", "/v1/a", Tagged("a"));
  for (const char* path : {"/x", "/v1", "/v1/a/", "/v1/ab", "/V1/A"}) {
    Response error;
    CHECK(router.Find("POST", path, &error) == nullptr);
    CHECK(error.status == 404);
    CHECK(error.body == std::string(R"({"errorMsg":"no route for POST )") + path + "\"}");
  }
}

TEST_CASE("Router answers 405 with Allow for a known path and another method", "[http][router]") {
  Router router;
  router.Add("POST", "/v1/a", Tagged("post"));
  router.Add("PUT", "/v1/a", Tagged("put"));
  Response error;
  CHECK(router.Find("GET", "/v1/a", &error) == nullptr);
  CHECK(error.status == 405);
  CHECK(error.body == R"({"errorMsg":"method GET not allowed for /v1/a"})");
  REQUIRE(error.headers.size() == 1);
  CHECK(error.headers[0].first == "Allow");
  CHECK(error.headers[0].second == "POST, PUT");
}

TEST_CASE("Router answers HEAD with the GET handler where GET is registered", "[http][router]") {
  Router router;
  router.Add("GET", "/metrics", Tagged("get"));
  router.Add("POST", "/v1/a", Tagged("post"));
  Response error;
  const Handler* h = router.Find("HEAD", "/metrics", &error);
  REQUIRE(h != nullptr);
  CHECK(Call(*h) == "get");  // the writer drops the body for HEAD (response_writer_test)

  CHECK(router.Find("HEAD", "/v1/a", &error) == nullptr);
  CHECK(error.status == 405);
  REQUIRE(error.headers.size() == 1);
  CHECK(error.headers[0].second == "POST");

  router.Add("GET", "/v1/a", Tagged("get-a"));
  CHECK(router.Find("PUT", "/v1/a", &error) == nullptr);
  CHECK(error.headers.back().second == "POST, GET, HEAD");
}

TEST_CASE("Router methods are case-sensitive", "[http][router]") {
  Router router;
  router.Add("POST", "/a", Tagged("a"));
  Response error;
  CHECK(router.Find("post", "/a", &error) == nullptr);
  CHECK(error.status == 405);
}

TEST_CASE("Router 404 message escapes what the client sent", "[http][router]") {
  Router router;
  Response error;
  CHECK(router.Find("GET", "/\"quote\"", &error) == nullptr);
  CHECK(error.body == R"({"errorMsg":"no route for GET /\"quote\""})");
}

}  // namespace
}  // namespace jwo::http
