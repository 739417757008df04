#include "gate/gate_service.h"

#include <prometheus/registry.h>

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <chrono>
#include <functional>
#include <thread>

using Catch::Matchers::ContainsSubstring;
using jwo::config::GateConfig;
using jwo::gate::GateService;

namespace json = boost::json;

namespace {

std::string Built(const std::string& name) { return std::string(JWO_BINARY_DIR) + "/" + name; }

GateConfig Gate(const std::string& name, const std::string& driver,
                const std::string& settings = "{}") {
  GateConfig g;
  g.name = name;
  g.gate_id = name;
  g.driver = driver;
  g.settings_json = settings;
  g.lanes = {{"1", 1}, {"2", 2}};
  g.deny_message = "Please see a member of staff";
  g.deny_messages["open_debt"] = "Outstanding balance: pay at the kiosk";
  return g;
}

GateConfig Sim(const std::string& name) {
  return Gate(name, Built("hal/drivers/jwo_hal_sim.so"), R"({"lanes":2})");
}

GateService::Options FastOptions() {
  GateService::Options o;
  o.runner.stuck_after = std::chrono::milliseconds(200);
  o.runner.sync_timeout = std::chrono::milliseconds(5000);
  return o;
}

jwo::fa::AuthorizationRequest Request(const std::string& gate, const std::string& lane,
                                      const std::string& trip) {
  jwo::fa::AuthorizationRequest r;
  r.trip_id = trip;
  r.gate_event = jwo::fa::GateEvent{};
  r.gate_event->data = {{"gate", gate}, {"lane", lane}};
  return r;
}

jwo::fa::Decision Approved() { return {}; }

jwo::fa::Decision Denied(jwo::fa::Reason reason) {
  jwo::fa::Decision d;
  d.outcome = jwo::store::Outcome::kDenied;
  d.reason = reason;
  return d;
}

// Polls `condition` until it holds or 20 s pass (a generous bound, not a timing assertion).
bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

json::object Control(GateService& s, const std::string& gate, json::object request) {
  auto r = s.HandleControl(
      json::object{{"command", "gate.control"}, {"gate", gate}, {"request", std::move(request)}});
  REQUIRE(r.ok());
  return *r;
}

json::object SimLane(GateService& s, const std::string& gate, int lane) {
  return Control(s, gate, {{"op", "state"}}).at("lanes").as_array().at(lane - 1).as_object();
}

json::object GateStatus(const GateService& s, size_t i = 0) {
  return s.Status().at("gates").as_array().at(i).as_object();
}

bool HasReason(const GateService& s, const std::string& reason) {
  for (const std::string& r : s.UnreadyReasons()) {
    if (r == reason) return true;
  }
  return false;
}

double Metric(prometheus::Registry& registry, const std::string& name,
              const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      bool match = true;
      for (const auto& [k, v] : labels) {
        bool found = false;
        for (const auto& l : m.label) found = found || (l.name == k && l.value == v);
        match = match && found;
      }
      if (match)
        return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -1;
}

bool Ready(const GateService& s, const std::string& gate) {
  for (const std::string& r : s.UnreadyReasons()) {
    if (r.rfind("gate:" + gate + ":", 0) == 0) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a denied decision shows the configured message on the mapped lane; approved admits") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  s.Start({Sim("entry")}, registry);
  REQUIRE(Eventually([&] { return Ready(s, "entry"); }));

  s.OnDecision(Request("entry", "2", "trip-d"), Denied(jwo::fa::Reason::kOpenDebt));
  REQUIRE(Eventually([&] {
    return SimLane(s, "entry", 2).at("last_deny_message").as_string() ==
           "Outstanding balance: pay at the kiosk";
  }));
  s.OnDecision(Request("entry", "1", "trip-o"), Denied(jwo::fa::Reason::kOverrideBlock));
  REQUIRE(Eventually([&] {
    return SimLane(s, "entry", 1).at("last_deny_message").as_string() ==
           "Please see a member of staff";
  }));

  s.OnDecision(Request("entry", "2", "trip-a"), Approved());
  REQUIRE(
      Eventually([&] { return SimLane(s, "entry", 2).at("admits").to_number<int64_t>() == 1; }));
  CHECK(SimLane(s, "entry", 1).at("admits").to_number<int64_t>() == 0);
  CHECK(Metric(registry, "jwo_gate_commands_total",
               {{"gate", "entry"}, {"command", "admit"}, {"result", "sent"}}) == 1);

  // An event on the lane right after the decision is kept with the decision's trip.
  Control(s, "entry", {{"op", "pass"}, {"lane", 2}});
  const json::object status = GateStatus(s);
  CHECK(status.at("state").as_string() == "ready");
  const json::object latest = status.at("recent_events").as_array().at(0).as_object();
  CHECK(latest.at("event").as_string() == "person_passed");
  CHECK(latest.at("trip").as_string() == "trip-a");
  CHECK(status.at("lanes").as_array().at(1).as_object().at("last_result").as_string() == "sent");
  CHECK(Metric(registry, "jwo_gate_events_total",
               {{"gate", "entry"}, {"event", "person_passed"}}) == 1);
  s.Stop();
}

TEST_CASE("a decision for no configured lane is counted and sends nothing") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  s.Start({Sim("entry")}, registry);
  s.OnDecision(Request("elsewhere", "1", "t"), Approved());
  s.OnDecision(Request("entry", "9", "t"), Approved());
  CHECK(s.Status().at("unmapped_decisions").to_number<int64_t>() == 2);
  REQUIRE(Eventually([&] { return Ready(s, "entry"); }));
  CHECK(SimLane(s, "entry", 1).at("admits").to_number<int64_t>() == 0);
}

TEST_CASE("emergency release is shown, keeps the gate ready, and is never fought") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  s.Start({Sim("entry")}, registry);
  REQUIRE(Eventually([&] { return Ready(s, "entry"); }));
  Control(s, "entry", {{"op", "emergency"}, {"active", true}});
  CHECK(GateStatus(s).at("state").as_string() == "emergency_release");
  CHECK(GateStatus(s).at("emergency_release").as_bool());
  CHECK(Ready(s, "entry"));

  s.OnDecision(Request("entry", "1", "t1"), Approved());
  s.OnDecision(Request("entry", "2", "t2"), Denied(jwo::fa::Reason::kOpenDebt));
  REQUIRE(Eventually([&] {
    return Metric(registry, "jwo_gate_commands_total",
                  {{"gate", "entry"}, {"command", "deny"}, {"result", "dropped_emergency"}}) == 1;
  }));
  auto mode = s.HandleControl(
      json::object{{"command", "gate.mode"}, {"gate", "entry"}, {"lane", "1"}, {"mode", "locked"}});
  REQUIRE_FALSE(mode.ok());
  CHECK(mode.status().code() == jwo::core::StatusCode::kFailedPrecondition);
  CHECK_THAT(mode.status().message(), ContainsSubstring("emergency release"));
  const json::object state = Control(s, "entry", {{"op", "state"}});
  CHECK(state.at("commands_during_emergency").to_number<int64_t>() == 0);
  CHECK(state.at("lanes").as_array().at(0).as_object().at("admits").to_number<int64_t>() == 0);
  REQUIRE(Eventually([&] {
    return Metric(registry, "jwo_gate_emergency_release", {{"gate", "entry"}}) == 1;
  }));

  Control(s, "entry", {{"op", "emergency"}, {"active", false}});
  s.OnDecision(Request("entry", "1", "t3"), Approved());
  REQUIRE(
      Eventually([&] { return SimLane(s, "entry", 1).at("admits").to_number<int64_t>() == 1; }));
  REQUIRE(s
              .HandleControl(json::object{
                  {"command", "gate.mode"}, {"gate", "entry"}, {"lane", "1"}, {"mode", "locked"}})
              .ok());
  CHECK(SimLane(s, "entry", 1).at("mode").as_string() == "locked");
}

TEST_CASE("a fault makes the gate unready until the driver reports recovery") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  s.Start({Sim("entry")}, registry);
  REQUIRE(Eventually([&] { return Ready(s, "entry"); }));
  Control(s, "entry", {{"op", "fault"}, {"code", 7}, {"detail", "relay coil open"}});
  CHECK(HasReason(s, "gate:entry:fault"));
  CHECK(GateStatus(s).at("state").as_string() == "faulty");
  CHECK(GateStatus(s).at("faults").as_array().at(0).as_object().at("detail").as_string() ==
        "relay coil open");
  REQUIRE(Eventually([&] { return Metric(registry, "jwo_gate_ready", {{"gate", "entry"}}) == 0; }));
  Control(s, "entry", {{"op", "recover"}, {"code", 7}});
  CHECK(Ready(s, "entry"));
}

TEST_CASE("a driver the loader refuses leaves its gate faulty while the others run") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  s.Start({Gate("old", Built("tests/hal/jwo_hal_broken_wrong_major.so")), Sim("entry")}, registry);
  REQUIRE(Eventually([&] { return HasReason(s, "gate:old:driver_unavailable"); }));
  CHECK_THAT(std::string(GateStatus(s, 0).at("error").as_string()),
             ContainsSubstring("built for HAL ABI 2.0"));
  REQUIRE(Eventually([&] { return Ready(s, "entry"); }));
  s.OnDecision(Request("entry", "1", "t"), Approved());
  REQUIRE(
      Eventually([&] { return SimLane(s, "entry", 1).at("admits").to_number<int64_t>() == 1; }));
  auto refused = s.HandleControl(json::object{
      {"command", "gate.control"}, {"gate", "old"}, {"request", json::object{{"op", "state"}}}});
  CHECK(refused.status().code() == jwo::core::StatusCode::kUnavailable);
}

TEST_CASE("a driver reporting no lanes or an absurd number of them leaves its gate faulty") {
  for (const char* count : {"0", "65", "4294967295"}) {
    DYNAMIC_SECTION("lane_count " << count) {
      prometheus::Registry registry;
      GateService s(FastOptions());
      // Before the fix, 4294967295 made the gate's state allocate an entry per lane.
      s.Start({Gate("odd", Built("tests/hal/jwo_hal_broken_lanes.so"),
                    std::string(R"({"lanes":)") + count + "}")},
              registry);
      REQUIRE(Eventually([&] { return HasReason(s, "gate:odd:driver_unavailable"); }));
      CHECK_THAT(std::string(GateStatus(s, 0).at("error").as_string()),
                 ContainsSubstring(std::string("the driver reports ") + count + " lanes"));
    }
  }
}

TEST_CASE("settings the driver rejects, and lanes it does not have, leave the gate faulty") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  GateConfig lanes = Sim("lanes");
  lanes.lanes.push_back({"3", 3});
  s.Start({Gate("bad", Built("hal/drivers/jwo_hal_sim.so"), R"({"lanes":"two"})"), lanes},
          registry);
  REQUIRE(Eventually([&] { return HasReason(s, "gate:bad:driver_unavailable"); }));
  CHECK_THAT(std::string(GateStatus(s, 0).at("error").as_string()),
             ContainsSubstring("JWO_HAL_ESETTINGS): settings.lanes"));
  REQUIRE(Eventually([&] { return HasReason(s, "gate:lanes:driver_unavailable"); }));
  CHECK_THAT(std::string(GateStatus(s, 1).at("error").as_string()),
             ContainsSubstring("driver reports 2 lane(s)"));
}

TEST_CASE("a driver that blocks stalls only its own gate; late commands are dropped as stale") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  GateConfig slow = Gate("slow", Built("tests/hal/jwo_hal_broken_blocking.so"),
                         R"({"block_ms":1500,"block_after_polls":5})");
  slow.command_max_age_ms = 100;
  s.Start({slow, Sim("entry")}, registry);
  REQUIRE(Eventually([&] { return HasReason(s, "gate:slow:driver_stuck"); }));
  s.OnDecision(Request("slow", "1", "late"), Approved());
  s.OnDecision(Request("entry", "1", "t"), Approved());
  REQUIRE(
      Eventually([&] { return SimLane(s, "entry", 1).at("admits").to_number<int64_t>() == 1; }));
  CHECK(Ready(s, "entry"));
  REQUIRE(Eventually([&] { return Ready(s, "slow"); }));
  REQUIRE(Eventually([&] {
    return Metric(registry, "jwo_gate_commands_total",
                  {{"gate", "slow"}, {"command", "admit"}, {"result", "dropped_stale"}}) == 1;
  }));
  // Charged to the function that blocked (poll), not to the commands that waited behind it.
  CHECK(Metric(registry, "jwo_gate_driver_slow_calls_total",
               {{"gate", "slow"}, {"call", "poll"}}) >= 1);
  CHECK(Metric(registry, "jwo_gate_driver_slow_calls_total",
               {{"gate", "slow"}, {"call", "admit"}}) == 0);
}

TEST_CASE("an instance's own capabilities decide which commands the gate sends (ABI 1.1)") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  const std::string driver = Built("tests/hal/jwo_hal_broken_instance_caps.so");
  // "caps" is read by the driver through the host's settings getters: this instance has no
  // admit, though the descriptor declares it; the other declares a bit beyond the descriptor.
  s.Start({Gate("none", driver, R"({"caps": 0})"),
           Gate("wide", driver,
                "{\"caps\": " + std::to_string(JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_TAMPER) + "}")},
          registry);
  REQUIRE(Eventually([&] { return Ready(s, "none") && Ready(s, "wide"); }));
  CHECK(GateStatus(s, 0).at("driver").at("capabilities").as_string() == "admit");
  CHECK(GateStatus(s, 0).at("driver").at("instance_capabilities").as_string() == "");
  // The extra bit is ignored: the descriptor bounds what an instance may do.
  CHECK(GateStatus(s, 1).at("driver").at("instance_capabilities").as_string() == "admit");
  s.OnDecision(Request("none", "1", "t1"), Approved());
  s.OnDecision(Request("wide", "1", "t2"), Approved());
  REQUIRE(Eventually([&] {
    return Metric(registry, "jwo_gate_commands_total",
                  {{"gate", "none"}, {"command", "admit"}, {"result", "unsupported"}}) == 1 &&
           Metric(registry, "jwo_gate_commands_total",
                  {{"gate", "wide"}, {"command", "admit"}, {"result", "sent"}}) == 1;
  }));
}

TEST_CASE("events of an open the daemon refuses are discarded and counted") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  // The driver emits one event in open() and has 2 lanes; lane 3 is mapped, so the daemon
  // closes the instance again: the event is discarded, no longer without a trace.
  GateConfig g = Gate("wide", Built("tests/hal/jwo_hal_broken_undeclared.so"), "{}");
  g.lanes.push_back({"3", 3});
  s.Start({g}, registry);
  REQUIRE(Eventually([&] { return HasReason(s, "gate:wide:driver_unavailable"); }));
  CHECK(Metric(registry, "jwo_gate_events_total", {{"gate", "wide"}, {"event", "discarded"}}) == 1);
  CHECK(Metric(registry, "jwo_gate_events_total", {{"gate", "wide"}, {"event", "malformed"}}) == 0);
}

TEST_CASE("a driver that reports faults and fails its polls is unready for both") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  s.Start({Gate("flaky", Built("tests/hal/jwo_hal_broken_faulty.so"))}, registry);
  REQUIRE(Eventually(
      [&] { return HasReason(s, "gate:flaky:fault") && HasReason(s, "gate:flaky:driver_error"); }));
  CHECK(GateStatus(s).at("faults").as_array().at(0).as_object().at("code").to_number<int64_t>() ==
        42);
  REQUIRE(Eventually([&] {
    return Metric(registry, "jwo_gate_driver_errors_total", {{"gate", "flaky"}, {"call", "poll"}}) >
           1;
  }));
}

TEST_CASE("a heartbeat driver that stops beating is unready until it beats again") {
  prometheus::Registry registry;
  GateService::Options o = FastOptions();
  o.runner.heartbeat_timeout = std::chrono::milliseconds(1500);
  GateService s(o);
  s.Start({Sim("entry")}, registry);
  REQUIRE(Eventually([&] { return Ready(s, "entry"); }));
  Control(s, "entry", {{"op", "heartbeat"}, {"enabled", false}});
  REQUIRE(Eventually([&] { return HasReason(s, "gate:entry:heartbeat_lost"); }));
  Control(s, "entry", {{"op", "heartbeat"}, {"enabled", true}});
  REQUIRE(Eventually([&] { return Ready(s, "entry"); }));
}

TEST_CASE("control requests: unknown gate, unknown lane, bad mode, refused request") {
  prometheus::Registry registry;
  GateService s(FastOptions());
  s.Start({Sim("entry")}, registry);
  REQUIRE(Eventually([&] { return Ready(s, "entry"); }));
  auto unknown = s.HandleControl(json::object{{"command", "gate.mode"}, {"gate", "x"}});
  CHECK(unknown.status().code() == jwo::core::StatusCode::kNotFound);
  CHECK_THAT(unknown.status().message(), ContainsSubstring("configured: entry"));
  auto lane = s.HandleControl(
      json::object{{"command", "gate.mode"}, {"gate", "entry"}, {"lane", "7"}, {"mode", "locked"}});
  CHECK(lane.status().code() == jwo::core::StatusCode::kNotFound);
  auto mode = s.HandleControl(
      json::object{{"command", "gate.mode"}, {"gate", "entry"}, {"lane", "1"}, {"mode", "open"}});
  CHECK(mode.status().code() == jwo::core::StatusCode::kInvalidArgument);
  auto refused = s.HandleControl(json::object{
      {"command", "gate.control"}, {"gate", "entry"}, {"request", json::object{{"op", "fly"}}}});
  CHECK(refused.status().code() == jwo::core::StatusCode::kInvalidArgument);
  CHECK_THAT(refused.status().message(), ContainsSubstring("unknown op 'fly'"));
  CHECK(s.HandleControl(json::object{{"command", "gate.status"}}).ok());
}

TEST_CASE("without gates the service does nothing at all") {
  prometheus::Registry registry;
  GateService s;
  s.Start({}, registry);
  CHECK_FALSE(s.configured());
  CHECK(registry.Collect().empty());
  CHECK(s.UnreadyReasons().empty());
  CHECK(s.Status().at("gates").as_array().empty());
  s.OnDecision(Request("g", "1", "t"), Approved());
  CHECK(s.HandleControl(json::object{{"command", "gate.status"}}).status().code() ==
        jwo::core::StatusCode::kFailedPrecondition);
  s.Stop();
}
