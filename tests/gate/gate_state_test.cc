#include "gate/gate_state.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>

#include "jwo_edge/gate_hal.h"

using jwo::gate::GateEvent;
using jwo::gate::GateState;

namespace {

GateEvent Event(uint32_t type, uint32_t lane, int32_t code = 0, int64_t at_ns = 0) {
  GateEvent e;
  e.type = type;
  e.lane = lane;
  e.code = code;
  e.at_ns = at_ns;
  return e;
}

GateState TwoLanes() {
  GateState s;
  s.Reset(2, {{"A", 1}, {"B", 2}});
  return s;
}

}  // namespace

TEST_CASE("emergency release for the whole gate covers every lane, and clears") {
  GateState s = TwoLanes();
  auto on = Event(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE, JWO_HAL_LANE_NONE);
  s.Apply(on);
  CHECK(s.UnderEmergency(1));
  CHECK(s.UnderEmergency(2));
  CHECK(s.AnyEmergency());
  CHECK_FALSE(s.HasFaults());  // a release is a state, never a fault
  auto off = Event(JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED, JWO_HAL_LANE_NONE);
  s.Apply(off);
  CHECK_FALSE(s.AnyEmergency());
}

TEST_CASE("a lane's emergency release covers that lane only") {
  GateState s = TwoLanes();
  auto on = Event(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE, 2);
  s.Apply(on);
  CHECK_FALSE(s.UnderEmergency(1));
  CHECK(s.UnderEmergency(2));
  CHECK(s.LanesJson()[1].as_object().at("emergency_release").as_bool());
}

TEST_CASE("faults are keyed by lane and code; recovery code 0 clears the lane's faults") {
  GateState s = TwoLanes();
  for (auto e : {Event(JWO_HAL_EVENT_FAULT, 0, 7), Event(JWO_HAL_EVENT_FAULT, 0, 8),
                 Event(JWO_HAL_EVENT_FAULT, 1, 7)}) {
    s.Apply(e);
  }
  CHECK(s.FaultsJson().size() == 3);
  auto r7 = Event(JWO_HAL_EVENT_RECOVERED, 0, 7);
  s.Apply(r7);
  CHECK(s.FaultsJson().size() == 2);
  auto all0 = Event(JWO_HAL_EVENT_RECOVERED, 0, 0);
  s.Apply(all0);
  CHECK(s.FaultsJson().size() == 1);
  auto lane1 = Event(JWO_HAL_EVENT_RECOVERED, 1, 7);
  s.Apply(lane1);
  CHECK_FALSE(s.HasFaults());
}

TEST_CASE("events on a lane soon after a decision carry the decision's trip") {
  GateState s = TwoLanes();
  s.RecordDecision(2, "trip-7", 1'000);
  auto passed = Event(JWO_HAL_EVENT_PERSON_PASSED, 2, 0, 2'000'000'000);
  s.Apply(passed);
  CHECK(passed.trip_id == "trip-7");
  auto other = Event(JWO_HAL_EVENT_PERSON_PASSED, 1, 0, 2'000'000'000);
  s.Apply(other);
  CHECK(other.trip_id.empty());
  auto late =
      Event(JWO_HAL_EVENT_PERSON_PASSED, 2, 0, 1'000 + jwo::gate::kTripCorrelationWindowNs + 1);
  s.Apply(late);
  CHECK(late.trip_id.empty());
  const auto recent = s.RecentJson();
  REQUIRE(recent.size() == 3);
  CHECK(recent[2].as_object().at("trip").as_string() == "trip-7");  // oldest last
  CHECK(s.LanesJson()[1].as_object().at("passages").to_number<int64_t>() == 2);
}

TEST_CASE("heartbeats are not kept among recent events; the list is bounded") {
  GateState s = TwoLanes();
  // Below the bound, so the size tells whether heartbeats took slots.
  for (int i = 0; i < 3; ++i) {
    auto hb = Event(JWO_HAL_EVENT_HEARTBEAT, 0);
    s.Apply(hb);
  }
  auto tap = Event(JWO_HAL_EVENT_CARD_TAPPED, 1);
  s.Apply(tap);
  REQUIRE(s.RecentJson().size() == 1);
  CHECK(s.RecentJson()[0].as_object().at("event").as_string() == "card_tapped");

  for (size_t i = 0; i < jwo::gate::kRecentEvents + 10; ++i) {
    auto hb = Event(JWO_HAL_EVENT_HEARTBEAT, 0);
    s.Apply(hb);
    auto t = Event(JWO_HAL_EVENT_CARD_TAPPED, 1);
    s.Apply(t);
  }
  const auto recent = s.RecentJson();
  CHECK(recent.size() == jwo::gate::kRecentEvents);
  for (const auto& e : recent) CHECK(e.as_object().at("event").as_string() == "card_tapped");
}

TEST_CASE("commands and modes are recorded per lane") {
  GateState s = TwoLanes();
  s.RecordCommand(1, "deny", "sent", 0);
  s.SetMode(2, JWO_HAL_LANE_MODE_LOCKED);
  const auto lanes = s.LanesJson();
  CHECK(lanes[0].as_object().at("last_command").as_string() == "deny");
  CHECK(lanes[0].as_object().at("id").as_string() == "A");
  CHECK(lanes[1].as_object().at("mode").as_string() == "locked");
}
