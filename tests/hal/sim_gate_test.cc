#include "hal/drivers/sim/sim_gate.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <cstring>

#include "hal/drivers/sim/sim_control_socket.h"
#include "tests/hal/recording_host.h"
#include "tests/support/temp_dir.h"

using Catch::Matchers::ContainsSubstring;
using jwo::hal::sim::SimGate;
using jwo::hal::sim::SimSettings;
using jwo::hal::testing::RecordingHost;

namespace json = boost::json;

namespace {

json::object Ask(SimGate& gate, const std::string& request, int expect_rc = JWO_HAL_OK) {
  int rc = -100;
  const std::string answer = gate.HandleRequest(request, &rc);
  CHECK(rc == expect_rc);
  return json::parse(answer).as_object();
}

json::object Lane(SimGate& gate, int lane) {
  return Ask(gate, R"({"op":"state"})").at("lanes").as_array().at(lane - 1).as_object();
}

}  // namespace

TEST_CASE("sim: admit opens a lane for open_ms; deny shows the message") {
  RecordingHost host;
  SimSettings settings;
  settings.open_ms = 1000;
  SimGate gate(jwo_edge::hal::Host(host.table()), settings);
  REQUIRE(gate.Admit(2) == JWO_HAL_OK);
  CHECK(Lane(gate, 2).at("open").as_bool());
  CHECK(Lane(gate, 2).at("admits").as_int64() == 1);
  host.AdvanceMs(1001);
  gate.Poll();
  CHECK_FALSE(Lane(gate, 2).at("open").as_bool());

  REQUIRE(gate.Deny(1, "Please pay at the kiosk") == JWO_HAL_OK);
  CHECK(Lane(gate, 1).at("display").as_string() == "Please pay at the kiosk");
  CHECK(Lane(gate, 1).at("last_deny_message").as_string() == "Please pay at the kiosk");
  CHECK(gate.Admit(3) == JWO_HAL_EINVAL);
}

TEST_CASE("sim: injected inputs become events") {
  RecordingHost host;
  SimGate gate(jwo_edge::hal::Host(host.table()), SimSettings{});
  Ask(gate, R"({"op":"tap","lane":1,"card":"04a1b2"})");
  Ask(gate, R"({"op":"pass","lane":2,"direction":"out"})");
  Ask(gate, R"({"op":"door","lane":1,"state":"held_open"})");
  Ask(gate, R"({"op":"fault","lane":0,"code":9,"detail":"reader offline"})");
  Ask(gate, R"({"op":"recover","lane":0,"code":9})");
  Ask(gate, R"({"op":"tamper"})");
  REQUIRE(host.Of(JWO_HAL_EVENT_CARD_TAPPED).size() == 1);
  CHECK(host.Of(JWO_HAL_EVENT_CARD_TAPPED)[0].data == "04a1b2");
  CHECK(host.Of(JWO_HAL_EVENT_PERSON_PASSED)[0].direction == JWO_HAL_DIRECTION_OUT);
  CHECK(host.Of(JWO_HAL_EVENT_DOOR_HELD_OPEN)[0].lane == 1);
  CHECK(host.Of(JWO_HAL_EVENT_FAULT)[0].detail == "reader offline");
  CHECK(host.Of(JWO_HAL_EVENT_RECOVERED)[0].code == 9);
  CHECK(host.Of(JWO_HAL_EVENT_TAMPER).size() == 1);
  CHECK(Ask(gate, R"({"op":"state"})").at("faults").as_array().empty());
}

TEST_CASE("sim: under emergency release every command is refused and counted") {
  RecordingHost host;
  SimGate gate(jwo_edge::hal::Host(host.table()), SimSettings{});
  Ask(gate, R"({"op":"emergency","active":true})");
  CHECK(host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE).size() == 1);
  CHECK(gate.Admit(1) == JWO_HAL_ESTATE);
  CHECK(gate.Deny(2, "x") == JWO_HAL_ESTATE);
  CHECK(gate.SetLaneMode(1, JWO_HAL_LANE_MODE_LOCKED) == JWO_HAL_ESTATE);
  CHECK(Ask(gate, R"({"op":"state"})").at("commands_during_emergency").as_int64() == 3);
  Ask(gate, R"({"op":"emergency","active":false})");
  CHECK(gate.Admit(1) == JWO_HAL_OK);
}

TEST_CASE("sim: stimulate injects inputs as the requests do, on the lane given") {
  RecordingHost host;
  SimGate gate(jwo_edge::hal::Host(host.table()), SimSettings{});
  const std::string card("\x04\x00\xff", 3);  // a NUL inside: copied whole
  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_CARD_TAP, 2, card) == JWO_HAL_OK);
  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_PERSON_OUT, 1, {}) == JWO_HAL_OK);
  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_DOOR_HELD_OPEN, 2, {}) == JWO_HAL_OK);
  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_TAMPER, JWO_HAL_LANE_NONE, {}) == JWO_HAL_OK);
  const auto taps = host.Of(JWO_HAL_EVENT_CARD_TAPPED);
  REQUIRE(taps.size() == 1);
  CHECK(taps[0].lane == 2);
  CHECK(taps[0].data == card);
  const auto passed = host.Of(JWO_HAL_EVENT_PERSON_PASSED);
  REQUIRE(passed.size() == 1);
  CHECK(passed[0].lane == 1);
  CHECK(passed[0].direction == JWO_HAL_DIRECTION_OUT);
  REQUIRE(host.Of(JWO_HAL_EVENT_DOOR_HELD_OPEN).size() == 1);
  CHECK(host.Of(JWO_HAL_EVENT_DOOR_HELD_OPEN)[0].lane == 2);
  REQUIRE(host.Of(JWO_HAL_EVENT_TAMPER).size() == 1);
  CHECK(host.Of(JWO_HAL_EVENT_TAMPER)[0].lane == JWO_HAL_LANE_NONE);
  // The gate's own state moved as with the requests.
  CHECK(Lane(gate, 2).at("door").as_string() == "held_open");
  CHECK(Ask(gate, R"({"op":"state"})").at("tampers").as_int64() == 1);
  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_DOOR_CLOSED, 2, {}) == JWO_HAL_OK);
  CHECK(Lane(gate, 2).at("door").as_string() == "closed");
}

TEST_CASE("sim: a stimulated release closes and refuses its lane, or every lane, until off") {
  RecordingHost host;
  SimGate gate(jwo_edge::hal::Host(host.table()), SimSettings{});
  REQUIRE(gate.Admit(1) == JWO_HAL_OK);
  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_EMERGENCY_ON, 1, {}) == JWO_HAL_OK);
  REQUIRE(host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE).size() == 1);
  CHECK(host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE)[0].lane == 1);
  CHECK_FALSE(Lane(gate, 1).at("open").as_bool());
  CHECK(Lane(gate, 1).at("emergency_release").as_bool());
  CHECK(gate.Admit(1) == JWO_HAL_ESTATE);
  CHECK(gate.Deny(1, "x") == JWO_HAL_ESTATE);
  CHECK(gate.SetLaneMode(1, JWO_HAL_LANE_MODE_NORMAL) == JWO_HAL_ESTATE);
  CHECK(gate.Admit(2) == JWO_HAL_OK);  // only lane 1 is released
  CHECK(Ask(gate, R"({"op":"state"})").at("commands_during_emergency").as_int64() == 3);
  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_EMERGENCY_OFF, 1, {}) == JWO_HAL_OK);
  REQUIRE(host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED).size() == 1);
  CHECK(host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED)[0].lane == 1);
  CHECK(gate.Admit(1) == JWO_HAL_OK);

  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_EMERGENCY_ON, JWO_HAL_LANE_NONE, {}) == JWO_HAL_OK);
  CHECK(host.Of(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE).back().lane == JWO_HAL_LANE_NONE);
  CHECK(gate.Admit(2) == JWO_HAL_ESTATE);
  CHECK(gate.SetLaneMode(1, JWO_HAL_LANE_MODE_LOCKED) == JWO_HAL_ESTATE);
  REQUIRE(gate.Stimulate(JWO_HAL_INPUT_EMERGENCY_OFF, JWO_HAL_LANE_NONE, {}) == JWO_HAL_OK);
  CHECK(gate.Admit(2) == JWO_HAL_OK);
}

TEST_CASE("sim: stimulate refuses lanes, inputs and cards that cannot be") {
  RecordingHost host;
  SimGate gate(jwo_edge::hal::Host(host.table()), SimSettings{});
  CHECK(gate.Stimulate(JWO_HAL_INPUT_TAMPER, 3, {}) == JWO_HAL_EINVAL);
  CHECK(gate.Stimulate(JWO_HAL_INPUT_EMERGENCY_ON, 3, {}) == JWO_HAL_EINVAL);
  CHECK(gate.Stimulate(JWO_HAL_INPUT_CARD_TAP, JWO_HAL_LANE_NONE, "card") == JWO_HAL_EINVAL);
  CHECK(gate.Stimulate(JWO_HAL_INPUT_PERSON_IN, JWO_HAL_LANE_NONE, {}) == JWO_HAL_EINVAL);
  CHECK(gate.Stimulate(JWO_HAL_INPUT_DOOR_FORCED, JWO_HAL_LANE_NONE, {}) == JWO_HAL_EINVAL);
  CHECK(gate.Stimulate(JWO_HAL_INPUT_CARD_TAP, 1, {}) == JWO_HAL_EINVAL);
  CHECK(gate.Stimulate(JWO_HAL_INPUT_CARD_TAP, 1, std::string(65, 'c')) == JWO_HAL_EINVAL);
  CHECK(gate.Stimulate(static_cast<jwo_hal_input_t>(0), 1, {}) == JWO_HAL_EINVAL);
  CHECK(host.events.empty());
  CHECK(gate.Stimulate(JWO_HAL_INPUT_CARD_TAP, 1, std::string(64, 'c')) == JWO_HAL_OK);
}

TEST_CASE("sim: heartbeats every second until switched off") {
  RecordingHost host;
  SimGate gate(jwo_edge::hal::Host(host.table()), SimSettings{});
  for (int i = 0; i < 300; ++i) {
    host.AdvanceMs(10);
    gate.Poll();
  }
  CHECK(host.Of(JWO_HAL_EVENT_HEARTBEAT).size() == 3);
  Ask(gate, R"({"op":"heartbeat","enabled":false})");
  for (int i = 0; i < 300; ++i) {
    host.AdvanceMs(10);
    gate.Poll();
  }
  CHECK(host.Of(JWO_HAL_EVENT_HEARTBEAT).size() == 3);
}

TEST_CASE("sim: bad requests are refused with a reason") {
  RecordingHost host;
  SimGate gate(jwo_edge::hal::Host(host.table()), SimSettings{});
  CHECK_THAT(std::string(Ask(gate, "nope", JWO_HAL_EINVAL).at("error").as_string()),
             ContainsSubstring("JSON object"));
  CHECK_THAT(std::string(Ask(gate, R"({"op":"fly"})", JWO_HAL_EINVAL).at("error").as_string()),
             ContainsSubstring("unknown op 'fly'"));
  CHECK_THAT(
      std::string(Ask(gate, R"({"op":"tap","lane":9})", JWO_HAL_EINVAL).at("error").as_string()),
      ContainsSubstring("'lane' must be an integer from 1 to 2"));
  CHECK(host.events.empty());
}

TEST_CASE("sim settings: defaults, limits and unknown keys") {
  CHECK(jwo::hal::sim::ParseSimSettings("{}").lanes == 2);
  CHECK(jwo::hal::sim::ParseSimSettings(R"({"lanes":4,"heartbeat":false})").lanes == 4);
  CHECK_THROWS_AS(jwo::hal::sim::ParseSimSettings(R"({"lanes":0})"), jwo_edge::hal::SettingsError);
  CHECK_THROWS_AS(jwo::hal::sim::ParseSimSettings(R"({"socket":"relative.sock"})"),
                  jwo_edge::hal::SettingsError);
  CHECK_THROWS_AS(jwo::hal::sim::ParseSimSettings(R"({"lane":2})"), jwo_edge::hal::SettingsError);
}

TEST_CASE("sim control socket: a request line gets its answer line, without blocking") {
  jwo::testing::TempDir dir;
  const std::string path = dir.File("sim.sock");
  jwo::hal::sim::SimControlSocket server;
  std::string error;
  REQUIRE(server.Listen(path, &error));

  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string request = "{\"op\":\"state\"}\nsecond\n";
  REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));

  std::vector<std::string> seen;
  std::string received;
  for (int i = 0; i < 1000 && std::count(received.begin(), received.end(), '\n') < 2; ++i) {
    server.Service([&](std::string_view line) {
      seen.emplace_back(line);
      return "answer-" + std::to_string(seen.size());
    });
    char buf[256];
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) received.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == R"({"op":"state"})");
  CHECK(received == "answer-1\nanswer-2\n");
}
