// The gate HAL end to end: the real daemon with the sim driver (and a driver it must refuse),
// driven over HTTP, jwo-edgectl and the sim's own socket.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <thread>

#include "daemon_process.h"
#include "fa_requests.h"
#include "tests/support/http_client.h"

using namespace jwo::testing;
using Catch::Matchers::ContainsSubstring;
namespace json = boost::json;

namespace {

constexpr const char* kDebtMessage = "Outstanding balance: pay at the kiosk";

// FaBody() sends gateAuthenticationEvent.data {"gate":"g1","lane":"2"}: gate "entry" answers
// to g1, and F&A lane "2" is the sim's lane 2.
std::string GateConfig(const std::string& driver) {
  return DefaultTestConfig() + R"(gates:
  - name: entry
    gate_id: g1
    driver: )" +
         driver + R"(
    settings: {lanes: 2, socket: @DIR@/sim.sock}
    lanes:
      - {id: "1", lane: 1}
      - {id: "2", lane: 2}
    deny_message: Please see a member of staff
    deny_messages:
      open_debt: ")" +
         kDebtMessage + R"("
)";
}

bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

json::object CtlResult(DaemonProcess& d, std::vector<std::string> args) {
  args.insert(args.begin(), "--json");
  auto r = d.Ctl(args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.output).as_object().at("result").as_object();
}

json::object SimLane(DaemonProcess& d, int lane) {
  return CtlResult(d, {"gate", "state", "entry"}).at("lanes").as_array().at(lane - 1).as_object();
}

json::object GateStatus(DaemonProcess& d) {
  return CtlResult(d, {"status"}).at("gate").as_object().at("gates").as_array().at(0).as_object();
}

std::string Decide(DaemonProcess& d, const std::string& shopper, const std::string& trip) {
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  auto r = c->Post(kFaPath, FaBody(shopper, trip), {{"Content-Type", "application/json"}});
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  return r->body;
}

std::pair<int, std::string> Get(DaemonProcess& d, const std::string& path) {
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  auto r = c->Get(path);
  REQUIRE(r.ok());
  return {r->status, r->body};
}

bool GateReady(DaemonProcess& d) { return Get(d, "/readyz").first == 200; }

}  // namespace

TEST_CASE("gate: a denied decision shows the deny message on the mapped lane; approved opens it") {
  DaemonProcess d(GateConfig("sim"));  // found by name next to the build's jwo-edged
  REQUIRE(d.Start());
  REQUIRE(Eventually([&] { return GateReady(d); }));
  REQUIRE(d.Ctl({"debt", "add", "alice", "t0", "12.50", "USD", "--reason", "declined"}).exit_code ==
          0);

  CHECK(Decide(d, "alice", "trip-d") == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
  REQUIRE(Eventually(
      [&] { return SimLane(d, 2).at("last_deny_message").as_string() == kDebtMessage; }));
  CHECK(SimLane(d, 2).at("display").as_string() == kDebtMessage);
  CHECK(SimLane(d, 1).at("denies").to_number<int64_t>() == 0);

  CHECK(Decide(d, "bob", "trip-a") == R"({"status":"APPROVED"})");
  REQUIRE(Eventually([&] { return SimLane(d, 2).at("admits").to_number<int64_t>() == 1; }));
  CHECK(SimLane(d, 2).at("last_command").as_string() == "admit");

  const json::object gate = GateStatus(d);
  CHECK(gate.at("state").as_string() == "ready");
  CHECK(gate.at("lanes").as_array().at(1).as_object().at("last_trip").as_string() == "trip-a");
  const std::string metrics = Get(d, "/metrics").second;
  CHECK_THAT(
      metrics,
      ContainsSubstring(R"(jwo_gate_commands_total{command="deny",gate="entry",result="sent"} 1)"));
  CHECK_THAT(metrics,
             ContainsSubstring(
                 R"(jwo_gate_commands_total{command="admit",gate="entry",result="sent"} 1)"));
  auto human = d.Ctl({"status"});
  CHECK_THAT(human.output, ContainsSubstring("gate:"));
}

TEST_CASE("gate: a fault marks the gate unready in /readyz, status and metrics") {
  DaemonProcess d(GateConfig("sim"));
  REQUIRE(d.Start());
  REQUIRE(Eventually([&] { return GateReady(d); }));
  REQUIRE(d.Ctl({"gate", "fault", "entry", "0", "7", "relay coil open", "--reason", "drill"})
              .exit_code == 0);
  const auto [status, body] = Get(d, "/readyz");
  CHECK(status == 503);
  CHECK_THAT(body, ContainsSubstring("gate:entry:fault"));
  const json::object gate = GateStatus(d);
  CHECK(gate.at("state").as_string() == "faulty");
  CHECK(gate.at("faults").as_array().at(0).as_object().at("detail").as_string() ==
        "relay coil open");
  REQUIRE(Eventually([&] {
    return Get(d, "/metrics").second.find(R"(jwo_gate_ready{gate="entry"} 0)") != std::string::npos;
  }));
  CHECK(d.WaitForLog("gate event: fault"));

  REQUIRE(d.Ctl({"gate", "recover", "entry", "0", "7", "--reason", "drill"}).exit_code == 0);
  CHECK(GateReady(d));
  // The F&A answer never depended on the gate.
  CHECK(Decide(d, "carol", "trip-f") == R"({"status":"APPROVED"})");
}

TEST_CASE("gate: an emergency release is reported everywhere and not fought") {
  DaemonProcess d(GateConfig("sim"));
  REQUIRE(d.Start());
  REQUIRE(Eventually([&] { return GateReady(d); }));
  REQUIRE(d.Ctl({"gate", "emergency", "entry", "on", "--reason", "drill"}).exit_code == 0);

  json::object gate = GateStatus(d);
  CHECK(gate.at("state").as_string() == "emergency_release");
  CHECK(gate.at("lanes").as_array().at(1).as_object().at("emergency_release").as_bool());
  CHECK(GateReady(d));  // a normal state, not a fault
  REQUIRE(Eventually([&] {
    return Get(d, "/metrics").second.find(R"(jwo_gate_emergency_release{gate="entry"} 1)") !=
           std::string::npos;
  }));
  CHECK(d.WaitForLog("gate event: emergency_release_active"));

  REQUIRE(d.Ctl({"debt", "add", "dave", "t0", "20", "USD", "--reason", "r"}).exit_code == 0);
  CHECK(Decide(d, "dave", "trip-e1") == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
  CHECK(Decide(d, "erin", "trip-e2") == R"({"status":"APPROVED"})");
  REQUIRE(d.WaitForLog("lane command not sent: emergency release active"));
  auto locked = d.Ctl({"gate", "mode", "entry", "2", "locked", "--reason", "drill"});
  CHECK(locked.exit_code == 1);
  CHECK_THAT(locked.output, ContainsSubstring("emergency release"));
  const json::object sim = CtlResult(d, {"gate", "state", "entry"});
  CHECK(sim.at("commands_during_emergency").to_number<int64_t>() == 0);
  CHECK(sim.at("lanes").as_array().at(1).as_object().at("admits").to_number<int64_t>() == 0);
  CHECK(sim.at("lanes").as_array().at(1).as_object().at("denies").to_number<int64_t>() == 0);

  REQUIRE(d.Ctl({"gate", "emergency", "entry", "off", "--reason", "drill"}).exit_code == 0);
  CHECK(GateStatus(d).at("state").as_string() == "ready");
  CHECK(Decide(d, "erin", "trip-e3") == R"({"status":"APPROVED"})");
  REQUIRE(Eventually([&] { return SimLane(d, 2).at("admits").to_number<int64_t>() == 1; }));
  CHECK(d.Ctl({"gate", "mode", "entry", "2", "locked", "--reason", "drill"}).exit_code == 0);
  CHECK(SimLane(d, 2).at("mode").as_string() == "locked");
}

TEST_CASE("gate: a driver that cannot be loaded leaves the daemon running, the gate faulty") {
  DaemonProcess d(GateConfig(JWO_BINARY_DIR "/tests/hal/jwo_hal_broken_wrong_major.so"));
  REQUIRE(d.Start());
  CHECK(Decide(d, "frank", "trip-x") == R"({"status":"APPROVED"})");
  const auto [status, body] = Get(d, "/readyz");
  CHECK(status == 503);
  CHECK_THAT(body, ContainsSubstring("gate:entry:driver_unavailable"));
  const json::object gate = GateStatus(d);
  CHECK(gate.at("state").as_string() == "faulty");
  CHECK_THAT(std::string(gate.at("error").as_string()), ContainsSubstring("built for HAL ABI 2.0"));
  CHECK_THAT(std::string(gate.at("error").as_string()),
             ContainsSubstring("jwo_hal_broken_wrong_major.so"));
  CHECK(d.WaitForLog("gate driver cannot be loaded"));
}

TEST_CASE("gate: the sim driver's own socket injects events the daemon reports") {
  DaemonProcess d(GateConfig("sim"));
  REQUIRE(d.Start());
  REQUIRE(Eventually([&] { return GateReady(d); }));
  const std::string path = (d.dir() / "sim.sock").string();
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string request = R"({"op":"tap","lane":1,"card":"04a1b2c3"})"
                              "\n";
  REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char buf[256];
  while (answer.find('\n') == std::string::npos) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  CHECK(answer == "{\"ok\":true}\n");
  REQUIRE(Eventually([&] {
    const json::array recent = GateStatus(d).at("recent_events").as_array();
    return !recent.empty() && recent.at(0).as_object().at("event").as_string() == "card_tapped";
  }));
  CHECK(d.Stderr().find("04a1b2c3") == std::string::npos);  // card data never logged
}

TEST_CASE("gate: --check-config loads the drivers as a start would, and refuses bad ones") {
  const auto check = [](const std::string& driver) {
    DaemonProcess d(GateConfig(driver));
    return RunCommand({JWO_BINARY_DIR "/daemon/jwo-edged", "--config", d.config_path().string(),
                       "--check-config"});
  };
  auto missing = check("/nonexistent/jwo_hal_gone.so");
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, ContainsSubstring("gates[0].driver (entry)"));
  CHECK_THAT(missing.output, ContainsSubstring("jwo_hal_gone.so"));
  auto wrong_abi = check(JWO_BINARY_DIR "/tests/hal/jwo_hal_broken_wrong_major.so");
  CHECK(wrong_abi.exit_code == 1);
  CHECK_THAT(wrong_abi.output, ContainsSubstring("gates[0].driver (entry)"));
  auto good = check("sim");
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.output, ContainsSubstring("configuration OK"));
}
