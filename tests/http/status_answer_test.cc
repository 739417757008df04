#include "http/status_answer.h"

#include <catch2/catch_test_macros.hpp>

namespace jwo::http {
namespace {

using core::Status;
using core::StatusCode;

TEST_CASE("each status code maps to its HTTP answer", "[http][status]") {
  CHECK(HttpStatusFor(StatusCode::kOk) == 200);
  CHECK(HttpStatusFor(StatusCode::kInvalidArgument) == 400);
  CHECK(HttpStatusFor(StatusCode::kOutOfRange) == 400);
  CHECK(HttpStatusFor(StatusCode::kNotFound) == 404);
  CHECK(HttpStatusFor(StatusCode::kAlreadyExists) == 409);
  CHECK(HttpStatusFor(StatusCode::kFailedPrecondition) == 409);
  CHECK(HttpStatusFor(StatusCode::kUnavailable) == 503);
  CHECK(HttpStatusFor(StatusCode::kIoError) == 503);
  CHECK(HttpStatusFor(StatusCode::kCorruption) == 500);
  CHECK(HttpStatusFor(StatusCode::kInternal) == 500);
}

TEST_CASE("every status code has an HTTP answer that is not a success", "[http][status]") {
  // Walks every named code (as status_test does), so a new code cannot fall through to 500
  // unnoticed or be answered with a 2xx.
  int c = 1;
  for (; core::StatusCodeName(static_cast<StatusCode>(c)) != "unknown"; ++c) {
    INFO(core::StatusCodeName(static_cast<StatusCode>(c)));
    const int http = HttpStatusFor(static_cast<StatusCode>(c));
    CHECK(http >= 400);
    CHECK(http <= 599);
  }
  CHECK(c >= 10);
}

TEST_CASE("StatusAnswer carries the message as errorMsg", "[http][status]") {
  const Response r = StatusAnswer(Status(StatusCode::kUnavailable, "the store is \"closed\""));
  CHECK(r.status == 503);
  CHECK(r.body == R"({"errorMsg":"the store is \"closed\""})");
  CHECK(StatusAnswer(core::InvalidArgument("storeId is required")).status == 400);
  CHECK(StatusAnswer(core::NotFound("no such store")).status == 404);
}

}  // namespace
}  // namespace jwo::http
