#include "tests/fakes/payment_sim/script.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

using namespace jwo::payment_sim;

namespace {

std::string ErrorOf(const std::string& text) {
  auto s = ParseScript(text);
  REQUIRE_FALSE(s.ok());
  return s.status().message();
}

}  // namespace

TEST_CASE("a full script parses into its settings") {
  auto s = ParseScript(R"({
    "default_adjust": "DECLINED",
    "trips": [{"trip": "T1", "adjust": ["PENDING", "PENDING", "APPROVED"]}],
    "unknown_trips": ["T9"],
    "faults": [{"api": "adjust", "kind": "429", "retry_after": 2, "count": 3},
               {"api": "*", "kind": "500", "probability": 0.25},
               {"kind": "slow", "delay_ms": 1500, "trip": "T2"},
               {"kind": "drop_after", "api": "capture", "count": 1}],
    "outage_seconds": 1.5,
    "unknown_shoppers": ["S9"], "all_shoppers_unknown": false,
    "shopper_email_domain": "shop.test",
    "payment_status": "Rejected", "refund_answer": "empty", "seed": 42,
    "capture_replay": "apply"})");
  REQUIRE(s.ok());
  CHECK(s->default_adjust == AdjustOutcome::kDeclined);
  REQUIRE(s->trips.size() == 1);
  CHECK(s->trips[0].trip == "T1");
  CHECK(s->trips[0].adjust ==
        std::vector{AdjustOutcome::kPending, AdjustOutcome::kPending, AdjustOutcome::kApproved});
  CHECK(s->unknown_trips == std::vector<std::string>{"T9"});
  REQUIRE(s->faults.size() == 4);
  CHECK(s->faults[0].api == Api::kAdjust);
  CHECK(s->faults[0].kind == FaultKind::kThrottle);
  CHECK(s->faults[0].retry_after_s == 2);
  CHECK(s->faults[0].count == 3);
  CHECK_FALSE(s->faults[1].api.has_value());
  CHECK(s->faults[1].probability == 0.25);
  CHECK(s->faults[1].count == -1);
  CHECK(s->faults[2].kind == FaultKind::kSlow);
  CHECK(s->faults[2].delay_ms == 1500);
  CHECK(s->faults[2].trip == "T2");
  CHECK(s->faults[3].kind == FaultKind::kDropAfter);
  CHECK(s->outage_ms == 1500);
  CHECK(s->unknown_shoppers == std::vector<std::string>{"S9"});
  CHECK(s->all_shoppers_unknown == false);
  CHECK(s->shopper_email_domain == "shop.test");
  CHECK(s->payment_status == "Rejected");
  CHECK(s->refund_reconciliation_id == false);
  CHECK(s->seed == 42u);
  CHECK(s->capture_replay == CaptureReplay::kApply);
}

TEST_CASE("an empty script changes nothing") {
  auto s = ParseScript("{}");
  REQUIRE(s.ok());
  CHECK_FALSE(s->default_adjust.has_value());
  CHECK(s->faults.empty());
  CHECK_FALSE(s->outage_ms.has_value());
  CHECK_FALSE(s->capture_replay.has_value());
}

TEST_CASE("script errors name the key and the rule") {
  CHECK(ErrorOf("[").rfind("script is not valid JSON", 0) == 0);
  CHECK(ErrorOf("[]") == "script must be a JSON object");
  CHECK(ErrorOf(R"({"defualt_adjust":"APPROVED"})") == "defualt_adjust is not a known script key");
  CHECK(ErrorOf(R"({"default_adjust":"OK"})") ==
        "default_adjust must be APPROVED, DECLINED or PENDING");
  CHECK(ErrorOf(R"({"trips":[{"trip":"T"}]})") == "trips[0].adjust is required");
  CHECK(ErrorOf(R"({"trips":[{"trip":"T","adjust":[]}]})") ==
        "trips[0].adjust must be a non-empty array of outcomes");
  CHECK(ErrorOf(R"({"trips":[{"trip":"T","adjust":["APPROVED","MAYBE"]}]})") ==
        "trips[0].adjust[1] must be APPROVED, DECLINED or PENDING");
  CHECK(ErrorOf(R"({"trips":[{"trip":"a b","adjust":["APPROVED"]}]})")
            .rfind("trips[0].trip must be a shopping trip id", 0) == 0);
  CHECK(ErrorOf(R"({"trips":[{"trip":"T","adjust":["APPROVED"],"x":1}]})") ==
        "trips[0].x is not a known key (trip, adjust)");
  CHECK(ErrorOf(R"({"faults":[{"api":"adjust"}]})") == "faults[0].kind is required");
  CHECK(ErrorOf(R"({"faults":[{"kind":"404"}]})") ==
        "faults[0].kind must be one of 429, 500, 503, slow, drop, drop_after");
  CHECK(
      ErrorOf(R"({"faults":[{"kind":"500","api":"charge"}]})").rfind("faults[0].api must be", 0) ==
      0);
  CHECK(ErrorOf(R"({"faults":[{"kind":"500","probability":1.5}]})") ==
        "faults[0].probability must be a number between 0 and 1");
  CHECK(ErrorOf(R"({"faults":[{"kind":"500","count":-1}]})") ==
        "faults[0].count must be a non-negative integer");
  CHECK(ErrorOf(R"({"faults":[{"kind":"500","count":1.5}]})") ==
        "faults[0].count must be a non-negative integer");
  CHECK(ErrorOf(R"({"faults":[{"kind":"slow","delay_ms":600001}]})") ==
        "faults[0].delay_ms must be at most 600000");
  CHECK(ErrorOf(R"({"outage_seconds":-1})") ==
        "outage_seconds must be a number of seconds between 0 and one year");
  CHECK(ErrorOf(R"({"unknown_trips":"T"})") == "unknown_trips must be an array of strings");
  CHECK(ErrorOf(R"({"payment_status":"OK"})") == "payment_status must be Accepted or Rejected");
  CHECK(ErrorOf(R"({"refund_answer":"none"})") == "refund_answer must be empty or reconciliation");
  CHECK(ErrorOf(R"({"capture_replay":"twice"})") == "capture_replay must be noop or apply");
  CHECK(ErrorOf(R"({"shopper_email_domain":"a@b"})") ==
        "shopper_email_domain must be a domain name of at most 64 characters");
}
