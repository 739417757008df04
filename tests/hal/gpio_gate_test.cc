#include "hal/drivers/gpio/gpio_gate.h"

#include <catch2/catch_test_macros.hpp>

#include "tests/hal/fake_gpio_lines.h"
#include "tests/hal/recording_host.h"

using jwo::hal::gpio::FakeGpioLines;
using jwo::hal::gpio::FakeLineState;
using jwo::hal::gpio::GpioGate;
using jwo::hal::gpio::GpioSettings;
using jwo::hal::gpio::ParseGpioSettings;
using jwo::hal::testing::RecordingHost;

namespace {

// Relay 10 (active high), deny lamp 11, door 12 and passage 13 (active low, pulled high when
// idle), emergency 20 and tamper 21 (active low), 20 ms debounce.
constexpr const char* kSettings = R"({"chip":"gpiochip0","debounce_ms":20,"lanes":[
  {"relay":{"line":10},"pulse_ms":500,"deny":{"line":11},"deny_ms":2000,
   "door":{"line":12,"active_low":true},"door_held_ms":10000,"door_grace_ms":3000,
   "passage":{"line":13,"active_low":true},"passage_direction":"in"}],
  "emergency":{"line":20,"active_low":true},"tamper":{"line":21,"active_low":true}})";

struct Rig {
  explicit Rig(bool emergency_at_start = false) {
    settings = ParseGpioSettings(kSettings);
    for (uint32_t line : {12u, 13u, 21u}) lines->levels[line] = true;  // inactive (active low)
    lines->levels[20] = !emergency_at_start;
    gate = std::make_unique<GpioGate>(jwo_edge::hal::Host(host.table()), settings,
                                      std::make_unique<FakeGpioLines>(lines));
  }
  // Polls every 10 ms for `ms` milliseconds.
  void Run(uint64_t ms) {
    for (uint64_t t = 0; t < ms; t += 10) {
      host.AdvanceMs(10);
      gate->Poll();
    }
  }

  RecordingHost host;
  GpioSettings settings;
  std::shared_ptr<FakeLineState> lines = std::make_shared<FakeLineState>();
  std::unique_ptr<GpioGate> gate;
};

}  // namespace

TEST_CASE("admit pulses the lane's relay for pulse_ms, then releases it") {
  Rig rig;
  CHECK_FALSE(rig.lines->levels[10]);
  REQUIRE(rig.gate->Admit(1) == JWO_HAL_OK);
  CHECK(rig.lines->levels[10]);
  rig.Run(490);
  CHECK(rig.lines->levels[10]);
  rig.Run(20);
  CHECK_FALSE(rig.lines->levels[10]);
  CHECK(rig.gate->Admit(0) == JWO_HAL_EINVAL);
  CHECK(rig.gate->Admit(2) == JWO_HAL_EINVAL);
}

TEST_CASE("an active-low relay is driven low to admit and high at rest") {
  RecordingHost host;
  auto settings = ParseGpioSettings(
      R"({"chip":"c","lanes":[{"relay":{"line":3,"active_low":true},"pulse_ms":100}]})");
  auto lines = std::make_shared<FakeLineState>();
  GpioGate gate(jwo_edge::hal::Host(host.table()), settings,
                std::make_unique<FakeGpioLines>(lines));
  CHECK(lines->levels[3]);
  REQUIRE(gate.Admit(1) == JWO_HAL_OK);
  CHECK_FALSE(lines->levels[3]);
}

TEST_CASE("deny lights the indicator for deny_ms; out of service keeps it on") {
  Rig rig;
  REQUIRE(rig.gate->Deny(1) == JWO_HAL_OK);
  CHECK(rig.lines->levels[11]);
  rig.Run(2010);
  CHECK_FALSE(rig.lines->levels[11]);

  REQUIRE(rig.gate->SetLaneMode(1, JWO_HAL_LANE_MODE_OUT_OF_SERVICE) == JWO_HAL_OK);
  CHECK(rig.lines->levels[11]);
  rig.Run(5000);
  CHECK(rig.lines->levels[11]);
  CHECK(rig.gate->Admit(1) == JWO_HAL_ESTATE);
  REQUIRE(rig.gate->SetLaneMode(1, JWO_HAL_LANE_MODE_NORMAL) == JWO_HAL_OK);
  CHECK_FALSE(rig.lines->levels[11]);
  CHECK(rig.gate->Admit(1) == JWO_HAL_OK);
}

TEST_CASE("locking a lane ends a pulse in progress and refuses admits") {
  Rig rig;
  REQUIRE(rig.gate->Admit(1) == JWO_HAL_OK);
  REQUIRE(rig.gate->SetLaneMode(1, JWO_HAL_LANE_MODE_LOCKED) == JWO_HAL_OK);
  CHECK_FALSE(rig.lines->levels[10]);
  CHECK(rig.gate->Admit(1) == JWO_HAL_ESTATE);
}

TEST_CASE("a passage shorter than the debounce time is ignored; a steady one counts once") {
  Rig rig;
  rig.lines->levels[13] = false;  // beam broken (active low)
  rig.Run(10);
  rig.lines->levels[13] = true;
  rig.Run(100);
  CHECK(rig.host.Of(JWO_HAL_EVENT_PERSON_PASSED).empty());

  rig.lines->levels[13] = false;
  rig.Run(100);
  rig.lines->levels[13] = true;
  rig.Run(100);
  const auto passed = rig.host.Of(JWO_HAL_EVENT_PERSON_PASSED);
  REQUIRE(passed.size() == 1);
  CHECK(passed[0].lane == 1);
  CHECK(passed[0].direction == JWO_HAL_DIRECTION_IN);
}

TEST_CASE("a door opened without an admit is forced; after an admit it is expected") {
  Rig rig;
  rig.lines->levels[12] = false;  // door open
  rig.Run(50);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_DOOR_FORCED).size() == 1);
  rig.lines->levels[12] = true;
  rig.Run(50);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_CLOSED).size() == 1);

  REQUIRE(rig.gate->Admit(1) == JWO_HAL_OK);
  rig.Run(1000);  // within pulse + grace
  rig.lines->levels[12] = false;
  rig.Run(50);
  rig.lines->levels[12] = true;
  rig.Run(50);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_FORCED).size() == 1);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_CLOSED).size() == 1);
}

TEST_CASE("a door open longer than door_held_ms is reported held open, then closed") {
  Rig rig;
  REQUIRE(rig.gate->Admit(1) == JWO_HAL_OK);
  rig.lines->levels[12] = false;
  rig.Run(9000);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_HELD_OPEN).empty());
  rig.Run(1100);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_HELD_OPEN).size() == 1);
  rig.Run(5000);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_HELD_OPEN).size() == 1);
  rig.lines->levels[12] = true;
  rig.Run(50);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_CLOSED).size() == 1);
}

TEST_CASE("emergency release: reported at start and on edges; commands refused meanwhile") {
  Rig rig(/*emergency_at_start=*/true);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE).size() == 1);
  CHECK(rig.host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE)[0].lane == JWO_HAL_LANE_NONE);
  CHECK(rig.gate->Admit(1) == JWO_HAL_ESTATE);
  CHECK(rig.gate->Deny(1) == JWO_HAL_ESTATE);
  CHECK(rig.gate->SetLaneMode(1, JWO_HAL_LANE_MODE_LOCKED) == JWO_HAL_ESTATE);
  CHECK_FALSE(rig.lines->levels[10]);

  rig.lines->levels[12] = false;  // doors swing open during a release: not "forced"
  rig.Run(100);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_FORCED).empty());
  rig.lines->levels[12] = true;

  rig.lines->levels[20] = true;  // release cleared
  rig.Run(100);
  CHECK(rig.host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED).size() == 1);
  CHECK(rig.gate->Admit(1) == JWO_HAL_OK);
}

TEST_CASE("tamper input reports on its active edge") {
  Rig rig;
  rig.lines->levels[21] = false;
  rig.Run(100);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_TAMPER).size() == 1);
  rig.Run(1000);
  CHECK(rig.host.Of(JWO_HAL_EVENT_TAMPER).size() == 1);
}

TEST_CASE("line I/O failure is one fault, poll errors, no heartbeat; recovery clears it") {
  Rig rig;
  rig.Run(100);
  const size_t beats = rig.host.Of(JWO_HAL_EVENT_HEARTBEAT).size();
  CHECK(beats >= 1);
  rig.lines->fail_reads = true;
  rig.host.AdvanceMs(10);
  CHECK(rig.gate->Poll() == JWO_HAL_EIO);
  rig.Run(3000);
  const auto faults = rig.host.Of(JWO_HAL_EVENT_FAULT);
  REQUIRE(faults.size() == 1);
  CHECK(faults[0].code == jwo::hal::gpio::kFaultIo);
  CHECK(rig.host.Of(JWO_HAL_EVENT_HEARTBEAT).size() == beats);
  rig.lines->fail_reads = false;
  rig.Run(1100);
  CHECK(rig.host.Of(JWO_HAL_EVENT_RECOVERED).size() == 1);
  CHECK(rig.host.Of(JWO_HAL_EVENT_HEARTBEAT).size() > beats);
}

TEST_CASE("a relay that cannot be written fails the admit with JWO_HAL_EIO and a fault") {
  Rig rig;
  rig.lines->fail_writes = true;
  CHECK(rig.gate->Admit(1) == JWO_HAL_EIO);
  CHECK(rig.host.Of(JWO_HAL_EVENT_FAULT).size() == 1);
}

TEST_CASE("closing drives every output to its inactive level") {
  Rig rig;
  REQUIRE(rig.gate->Admit(1) == JWO_HAL_OK);
  REQUIRE(rig.gate->Deny(1) == JWO_HAL_OK);
  CHECK(rig.lines->levels[10]);
  CHECK(rig.lines->levels[11]);
  rig.gate.reset();
  CHECK_FALSE(rig.lines->levels[10]);
  CHECK_FALSE(rig.lines->levels[11]);
}

TEST_CASE("a stimulated passage goes through the debounce and counts once per stimulus") {
  Rig rig;
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_PERSON_IN, 1) == JWO_HAL_OK);
  rig.Run(10);  // read as active once: not yet past the 20 ms debounce
  CHECK(rig.host.Of(JWO_HAL_EVENT_PERSON_PASSED).empty());
  rig.Run(20);
  auto passed = rig.host.Of(JWO_HAL_EVENT_PERSON_PASSED);
  REQUIRE(passed.size() == 1);
  CHECK(passed[0].lane == 1);
  CHECK(passed[0].direction == JWO_HAL_DIRECTION_IN);
  // The beam is still going back to rest: a second person must wait for it.
  CHECK(rig.gate->Stimulate(JWO_HAL_INPUT_PERSON_IN, 1) == JWO_HAL_EBUSY);
  rig.Run(100);
  CHECK(rig.host.Of(JWO_HAL_EVENT_PERSON_PASSED).size() == 1);
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_PERSON_IN, 1) == JWO_HAL_OK);
  rig.Run(100);
  CHECK(rig.host.Of(JWO_HAL_EVENT_PERSON_PASSED).size() == 2);
  // The beam reports its configured direction only; the line itself was never touched.
  CHECK(rig.gate->Stimulate(JWO_HAL_INPUT_PERSON_OUT, 1) == JWO_HAL_EUNSUPPORTED);
  CHECK(rig.lines->levels[13]);
  CHECK(rig.lines->writes.count(13) == 0);
}

TEST_CASE("a stimulated door stays open until closed; then the line is read again") {
  Rig rig;
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_DOOR_FORCED, 1) == JWO_HAL_OK);
  rig.Run(50);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_DOOR_FORCED).size() == 1);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_FORCED)[0].lane == 1);
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_DOOR_HELD_OPEN, 1) == JWO_HAL_OK);
  rig.Run(9000);  // door_held_ms is 10 s from the opening
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_HELD_OPEN).empty());
  rig.Run(1100);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_DOOR_HELD_OPEN).size() == 1);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_CLOSED).empty());
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_DOOR_CLOSED, 1) == JWO_HAL_OK);
  rig.Run(50);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_DOOR_CLOSED).size() == 1);
  rig.lines->levels[12] = false;  // the real door opens: the line counts again
  rig.Run(50);
  CHECK(rig.host.Of(JWO_HAL_EVENT_DOOR_FORCED).size() == 2);
}

TEST_CASE("a stimulated release is the whole gate's, refuses commands, and holds until off") {
  Rig rig;
  CHECK(rig.gate->Stimulate(JWO_HAL_INPUT_EMERGENCY_ON, 1) == JWO_HAL_EUNSUPPORTED);
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_EMERGENCY_ON, JWO_HAL_LANE_NONE) == JWO_HAL_OK);
  rig.Run(50);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE).size() == 1);
  CHECK(rig.host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE)[0].lane == JWO_HAL_LANE_NONE);
  rig.Run(5000);  // held, though the line itself says no release
  CHECK(rig.host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED).empty());
  CHECK(rig.gate->Admit(1) == JWO_HAL_ESTATE);
  CHECK(rig.gate->Deny(1) == JWO_HAL_ESTATE);
  CHECK(rig.gate->SetLaneMode(1, JWO_HAL_LANE_MODE_NORMAL) == JWO_HAL_ESTATE);
  CHECK_FALSE(rig.lines->levels[10]);
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_EMERGENCY_OFF, JWO_HAL_LANE_NONE) == JWO_HAL_OK);
  rig.Run(50);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED).size() == 1);
  CHECK(rig.gate->Admit(1) == JWO_HAL_OK);
}

TEST_CASE("a stimulated tamper is one pulse: one event per stimulus") {
  Rig rig;
  CHECK(rig.gate->Stimulate(JWO_HAL_INPUT_TAMPER, 1) == JWO_HAL_EUNSUPPORTED);
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_TAMPER, JWO_HAL_LANE_NONE) == JWO_HAL_OK);
  rig.Run(100);
  REQUIRE(rig.host.Of(JWO_HAL_EVENT_TAMPER).size() == 1);
  CHECK(rig.host.Of(JWO_HAL_EVENT_TAMPER)[0].lane == JWO_HAL_LANE_NONE);
  REQUIRE(rig.gate->Stimulate(JWO_HAL_INPUT_TAMPER, JWO_HAL_LANE_NONE) == JWO_HAL_OK);
  rig.Run(100);
  CHECK(rig.host.Of(JWO_HAL_EVENT_TAMPER).size() == 2);
}

TEST_CASE("stimulate refuses what the settings do not wire, and lanes or inputs that are not") {
  RecordingHost host;
  auto settings = ParseGpioSettings(R"({"chip":"c","lanes":[{"relay":{"line":3}}]})");
  GpioGate gate(jwo_edge::hal::Host(host.table()), settings,
                std::make_unique<FakeGpioLines>(std::make_shared<FakeLineState>()));
  for (jwo_hal_input_t input :
       {JWO_HAL_INPUT_CARD_TAP, JWO_HAL_INPUT_PERSON_IN, JWO_HAL_INPUT_DOOR_FORCED,
        JWO_HAL_INPUT_DOOR_HELD_OPEN, JWO_HAL_INPUT_DOOR_CLOSED}) {
    CHECK(gate.Stimulate(input, 1) == JWO_HAL_EUNSUPPORTED);
    CHECK(gate.Stimulate(input, JWO_HAL_LANE_NONE) == JWO_HAL_EINVAL);
    CHECK(gate.Stimulate(input, 2) == JWO_HAL_EINVAL);
  }
  for (jwo_hal_input_t input :
       {JWO_HAL_INPUT_TAMPER, JWO_HAL_INPUT_EMERGENCY_ON, JWO_HAL_INPUT_EMERGENCY_OFF}) {
    CHECK(gate.Stimulate(input, JWO_HAL_LANE_NONE) == JWO_HAL_EUNSUPPORTED);
    CHECK(gate.Stimulate(input, 2) == JWO_HAL_EINVAL);
  }
  CHECK(gate.Stimulate(static_cast<jwo_hal_input_t>(0), 1) == JWO_HAL_EINVAL);
  for (int i = 0; i < 10; ++i) {
    host.AdvanceMs(10);
    gate.Poll();
  }
  CHECK(host.Of(JWO_HAL_EVENT_HEARTBEAT).size() == host.events.size());
}
