#include "http/answer_queue.h"

#include <catch2/catch_test_macros.hpp>

namespace jwo::http {
namespace {

Response Body(std::string body) {
  Response r;
  r.content_type = {};
  r.body = std::move(body);
  return r;
}

const auto kNow = std::chrono::steady_clock::time_point{};

TEST_CASE("AnswerQueue releases answers in request order only", "[http][queue]") {
  AnswerQueue q(3);
  const uint32_t a = q.Open(kNow, false, false, false);
  const uint32_t b = q.Open(kNow, false, false, false);
  const uint32_t c = q.Open(kNow, false, false, false);
  CHECK(q.full());
  q.Answer(c, Body("c"));
  q.Answer(b, Body("b"));
  CHECK(q.ReadyCount() == 0);  // a is still owed
  q.Answer(a, Body("a"));
  REQUIRE(q.ReadyCount() == 3);
  CHECK(q.WireFromFront(0).ends_with("\r\n\r\na"));
  CHECK(q.WireFromFront(2).ends_with("\r\n\r\nc"));
  CHECK_FALSE(q.PopFront(3));
  CHECK(q.empty());
}

TEST_CASE("AnswerQueue stops a write batch after a closing answer", "[http][queue]") {
  AnswerQueue q(4);
  const uint32_t a = q.Open(kNow, false, false, false);
  const uint32_t b = q.Open(kNow, true, false, false);
  q.Answer(a, Body("a"));
  q.Answer(b, Body("b"));
  CHECK(q.ReadyCount() == 2);
  CHECK(q.WireFromFront(1).find("Connection: close") != std::string::npos);
  CHECK(q.PopFront(2));
}

TEST_CASE("AnswerQueue recognises stale and repeated answers", "[http][queue]") {
  AnswerQueue q(1);
  const uint32_t a = q.Open(kNow, false, false, false);
  const uint32_t generation = q.at(a).generation;
  CHECK(q.Owes(a, generation));
  q.Answer(a, Body("a"));
  CHECK_FALSE(q.Owes(a, generation));  // answered already
  q.PopFront(1);
  const uint32_t again = q.Open(kNow, false, false, false);
  CHECK(again == a);                   // the ring reuses the entry...
  CHECK_FALSE(q.Owes(a, generation));  // ...under a new generation
  CHECK(q.Owes(a, q.at(a).generation));
  CHECK_FALSE(q.Owes(7, 0));
}

}  // namespace
}  // namespace jwo::http
