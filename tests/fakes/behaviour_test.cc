#include "tests/fakes/payment_sim/behaviour.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>

using namespace jwo::payment_sim;

namespace {

Script Parse(const char* text) {
  auto s = ParseScript(text);
  REQUIRE(s.ok());
  return *s;
}

}  // namespace

TEST_CASE("Adjust outcomes: default, then a per-trip sequence whose last step repeats") {
  Behaviour b;
  CHECK(b.NextAdjust("any") == AdjustOutcome::kApproved);
  b.Apply(
      Parse(
          R"({"default_adjust":"DECLINED","trips":[{"trip":"T","adjust":["PENDING","APPROVED"]}]})"),
      0);
  CHECK(b.NextAdjust("any") == AdjustOutcome::kDeclined);
  CHECK(b.NextAdjust("T") == AdjustOutcome::kPending);
  CHECK(b.NextAdjust("T") == AdjustOutcome::kApproved);
  CHECK(b.NextAdjust("T") == AdjustOutcome::kApproved);
  // A new script for the trip starts its sequence again.
  b.Apply(Parse(R"({"trips":[{"trip":"T","adjust":["DECLINED"]}]})"), 0);
  CHECK(b.NextAdjust("T") == AdjustOutcome::kDeclined);
}

TEST_CASE("a counted fault fires that many times for matching requests only, then is gone") {
  Behaviour b;
  b.Apply(Parse(R"({"faults":[{"api":"capture","kind":"503","count":2},
                              {"kind":"500","trip":"T2","count":1}]})"),
          0);
  CHECK_FALSE(b.PickFault(Api::kAdjust, "T1").has_value());
  auto f = b.PickFault(Api::kCapture, "T1");
  REQUIRE(f.has_value());
  CHECK(f->kind == FaultKind::kUnavailable);
  CHECK(b.PickFault(Api::kCapture, "T1").has_value());
  CHECK_FALSE(b.PickFault(Api::kCapture, "T1").has_value());
  auto t2 = b.PickFault(Api::kRefund, "T2");
  REQUIRE(t2.has_value());
  CHECK(t2->kind == FaultKind::kServerError);
  CHECK_FALSE(b.PickFault(Api::kRefund, "T2").has_value());
}

TEST_CASE("a fault without count or probability fires until the faults are replaced") {
  Behaviour b;
  b.Apply(Parse(R"({"faults":[{"kind":"429","retry_after":7}]})"), 0);
  for (int i = 0; i < 5; ++i) {
    auto f = b.PickFault(Api::kCancel, "T");
    REQUIRE(f.has_value());
    CHECK(f->retry_after_s == 7);
  }
  b.SetFaults({});
  CHECK_FALSE(b.PickFault(Api::kCancel, "T").has_value());
}

TEST_CASE("probabilistic faults are reproducible for a seed") {
  const auto draw = [](uint64_t seed) {
    Behaviour b;
    Script s = Parse(R"({"faults":[{"kind":"500","probability":0.5}]})");
    s.seed = seed;
    b.Apply(s, 0);
    std::string pattern;
    for (int i = 0; i < 64; ++i) pattern += b.PickFault(Api::kAdjust, "T") ? '1' : '0';
    return pattern;
  };
  const std::string a = draw(7);
  CHECK(a == draw(7));
  CHECK(a.find('1') != std::string::npos);
  CHECK(a.find('0') != std::string::npos);
  Behaviour never;
  never.Apply(Parse(R"({"faults":[{"kind":"500","probability":0}]})"), 0);
  for (int i = 0; i < 32; ++i) CHECK_FALSE(never.PickFault(Api::kAdjust, "T").has_value());
}

TEST_CASE("the outage window runs from the script's time and can be ended") {
  Behaviour b;
  CHECK_FALSE(b.InOutage(1000));
  b.Apply(Parse(R"({"outage_seconds":2})"), 1000);
  CHECK(b.InOutage(1000));
  CHECK(b.InOutage(2999));
  CHECK_FALSE(b.InOutage(3000));
  b.Apply(Parse(R"({"outage_seconds":5})"), 4000);
  b.Apply(Parse(R"({"outage_seconds":0})"), 4500);
  CHECK_FALSE(b.InOutage(4500));
}

TEST_CASE("unknown trips and shoppers accumulate; the domain and answers are settable") {
  Behaviour b;
  b.Apply(Parse(R"({"unknown_trips":["A"],"unknown_shoppers":["S1"]})"), 0);
  b.Apply(
      Parse(
          R"({"unknown_trips":["B"],"shopper_email_domain":"shop.test","payment_status":"Rejected","refund_answer":"empty"})"),
      0);
  CHECK(b.IsUnknownTrip("A"));
  CHECK(b.IsUnknownTrip("B"));
  CHECK_FALSE(b.IsUnknownTrip("C"));
  CHECK(b.IsUnknownShopper("S1"));
  CHECK_FALSE(b.IsUnknownShopper("S2"));
  CHECK(b.shopper_email_domain() == "shop.test");
  CHECK(b.payment_status() == "Rejected");
  CHECK_FALSE(b.refund_reconciliation_id());
  b.Apply(Parse(R"({"all_shoppers_unknown":true})"), 0);
  CHECK(b.IsUnknownShopper("S2"));
}

TEST_CASE("the behaviour reads back in the script format") {
  Behaviour b;
  b.Apply(Parse(R"({"trips":[{"trip":"T","adjust":["PENDING","APPROVED"]}],
                    "faults":[{"api":"adjust","kind":"429","retry_after":3,"count":2}],
                    "outage_seconds":10})"),
          0);
  b.NextAdjust("T");
  const auto v = boost::json::parse(b.ToJson(4000)).as_object();
  CHECK(v.at("default_adjust") == "APPROVED");
  CHECK(v.at("trips").as_array()[0].as_object().at("next") == 1);
  const auto& fault = v.at("faults").as_array()[0].as_object();
  CHECK(fault.at("api") == "adjust");
  CHECK(fault.at("kind") == "429");
  CHECK(fault.at("retry_after") == 3);
  CHECK(fault.at("count") == 2);
  CHECK(v.at("outage_remaining_ms") == 6000);
  CHECK(v.at("capture_replay") == "noop");
}

TEST_CASE("the simulator's capture_replay: noop by default, replaced by a script naming it") {
  Behaviour b;
  CHECK(b.capture_replay() == CaptureReplay::kNoop);
  b.Apply(Parse(R"({"capture_replay":"apply"})"), 0);
  CHECK(b.capture_replay() == CaptureReplay::kApply);
  b.Apply(Parse(R"({"seed":3})"), 0);
  CHECK(b.capture_replay() == CaptureReplay::kApply);
  CHECK(boost::json::parse(b.ToJson(0)).as_object().at("capture_replay") == "apply");
  b.Apply(Parse(R"({"capture_replay":"noop"})"), 0);
  CHECK(b.capture_replay() == CaptureReplay::kNoop);
}
