// The daemon as systemd sees it: readiness, watchdog, reload, drain, fail mode, crashes.
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <set>
#include <thread>

#include "daemon_process.h"
#include "fa_requests.h"
#include "tests/support/http_client.h"

using namespace jwo::testing;
namespace json = boost::json;

namespace {

std::string Decide(DaemonProcess& d, const std::string& shopper, const std::string& trip = "t") {
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  auto r = c->Post(kFaPath, FaBody(shopper, trip));
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  return r->body;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

bool Has(const std::string& msg, const char* what) { return msg.find(what) != std::string::npos; }

json::object CtlJson(DaemonProcess& d, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"--json"};
  full.insert(full.end(), args.begin(), args.end());
  auto r = d.Ctl(full);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.output).as_object().at("result").as_object();
}

}  // namespace

TEST_CASE("READY=1 comes after the listeners are bound and the store is open") {
  DaemonProcess d;
  REQUIRE(d.Start());
  const auto messages = d.NotifyMessages();
  size_t ready_at = messages.size(), listening_at = messages.size();
  for (size_t i = 0; i < messages.size(); ++i) {
    if (Has(messages[i], "READY=1") && ready_at == messages.size()) ready_at = i;
    if (Has(messages[i], "listening on amazon=http://127.0.0.1:") &&
        listening_at == messages.size())
      listening_at = i;
  }
  CHECK(listening_at < ready_at);
  REQUIRE(ready_at < messages.size());
  CHECK(Has(messages[ready_at], "STATUS=ready"));
  CHECK(d.Port() != 0);
  CHECK(Decide(d, "a") == R"({"status":"APPROVED"})");
}

TEST_CASE("watchdog pings arrive when the service manager asks for them") {
  DaemonProcess d;
  d.SetEnv("WATCHDOG_USEC=200000");
  REQUIRE(d.Start());
  int pings = 0;
  CHECK(d.WaitForNotify([&](const std::string& m) { return Has(m, "WATCHDOG=1") && ++pings >= 3; },
                        std::chrono::seconds(5)));
}

TEST_CASE("SIGTERM drains, reports STOPPING=1 and exits 0") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  d.Signal(SIGTERM);
  CHECK(d.WaitForNotify([](const std::string& m) { return Has(m, "STOPPING=1"); }));
  CHECK(d.WaitExit() == 0);
  CHECK_FALSE(std::filesystem::exists(d.socket_path()));
}

TEST_CASE("SIGHUP applies a good file without dropping connections") {
  DaemonProcess d;
  REQUIRE(d.Start());
  REQUIRE(d.Ctl({"debt", "add", "b", "t1", "50.00", "USD", "--reason", "r"}).exit_code == 0);
  auto c = HttpClient::Connect("127.0.0.1", d.Port());
  REQUIRE(c.ok());
  auto before = c->Post(kFaPath, FaBody("b"));
  REQUIRE(before.ok());
  CHECK(before->body == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");

  d.WriteConfig(Replace(DefaultTestConfig(), "USD: 10.00", "USD: 100.00"));
  d.Signal(SIGHUP);
  REQUIRE(d.WaitForLog("configuration reloaded"));
  auto after = c->Post(kFaPath, FaBody("b"));  // same connection
  REQUIRE(after.ok());
  CHECK(after->body == R"({"status":"APPROVED"})");
}

TEST_CASE("SIGHUP with a bad file keeps the running configuration and says why") {
  DaemonProcess d;
  REQUIRE(d.Start());
  REQUIRE(d.Ctl({"debt", "add", "c", "t1", "50.00", "USD", "--reason", "r"}).exit_code == 0);
  d.WriteConfig(
      Replace(DefaultTestConfig(), "strategy: retailer_managed", "strategy: retailer_manged"));
  d.Signal(SIGHUP);
  REQUIRE(d.WaitForLog("configuration reload failed"));
  CHECK(d.Stderr().find("fa.strategy") != std::string::npos);
  CHECK(d.Stderr().find("retailer_manged") != std::string::npos);
  CHECK(Decide(d, "c") == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
}

TEST_CASE("SIGHUP: a change that needs a restart is named and not applied") {
  DaemonProcess d;
  REQUIRE(d.Start());
  d.WriteConfig(Replace(DefaultTestConfig(), "threads: 2", "threads: 3"));
  d.Signal(SIGHUP);
  REQUIRE(d.WaitForLog("configuration reloaded"));
  CHECK(d.Stderr().find("http.threads") != std::string::npos);
}

TEST_CASE("an unreadable store: the gate answers in fail mode, not ready, recovers") {
  for (const char* mode : {"deny", "approve"}) {
    DYNAMIC_SECTION("fail_mode " << mode) {
      DaemonProcess d(
          Replace(DefaultTestConfig(), "fail_mode: deny", std::string("fail_mode: ") + mode));
      std::filesystem::create_directories(d.state_dir());
      { std::ofstream(d.state_dir() / "data.mdb") << std::string(16384, 'x'); }
      REQUIRE(d.Start(false));
      REQUIRE(d.WaitForNotify([](const std::string& m) { return Has(m, "store unavailable"); }));
      const std::string expected =
          std::string(mode) == "deny" ? R"({"status":"DENIED"})" : R"({"status":"APPROVED"})";
      CHECK(Decide(d, "x") == expected);
      auto c = HttpClient::Connect("127.0.0.1", d.Port());
      auto ready = c->Get("/readyz");
      CHECK(ready->status == 503);
      CHECK(ready->body.find("store_unavailable") != std::string::npos);
      auto metrics = c->Get("/metrics");
      CHECK(metrics->body.find("jwo_fa_store_errors_total 1") != std::string::npos);
      auto status = d.Ctl({"status"});
      CHECK(status.exit_code == 0);
      CHECK(status.output.find("open: false") != std::string::npos);

      std::filesystem::remove(d.state_dir() / "data.mdb");
      REQUIRE(d.WaitForNotify([](const std::string& m) { return Has(m, "READY=1"); },
                              std::chrono::seconds(15)));
      CHECK(Decide(d, "x") == R"({"status":"APPROVED"})");
      CHECK(c->Get("/readyz")->status == 200);
    }
  }
}

TEST_CASE("kill -9 during writes: the restarted store is intact and nothing acknowledged is lost") {
  DaemonProcess d;
  std::vector<std::pair<std::string, bool>> acknowledged;  // trip, ack
  for (int round = 0; round < 3; ++round) {
    REQUIRE(d.Start());
    std::atomic<bool> stop{false};
    std::thread gate([&] {
      auto c = HttpClient::Connect("127.0.0.1", d.Port());
      for (int i = 0; !stop && c.ok(); ++i) {
        if (!c->Post(kFaPath, FaBody("k", "g" + std::to_string(round) + "-" + std::to_string(i)))
                 .ok())
          break;
      }
    });
    const int base = round * 1000;
    for (int i = 0; i < 15; ++i) {
      const std::string trip = "trip-" + std::to_string(base + i);
      auto r = d.Ctl({"debt", "add", "k", trip, "1.00", "USD", "--reason", "load"});
      acknowledged.emplace_back(trip, r.exit_code == 0);
    }
    // The last write may be in flight when the signal lands.
    std::thread writer([&] {
      d.Ctl({"debt", "add", "k", "inflight-" + std::to_string(round), "1.00", "USD", "--reason",
             "load"});
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    d.Signal(SIGKILL);
    CHECK(d.WaitExit() == 128 + SIGKILL);
    stop = true;
    gate.join();
    writer.join();
  }
  REQUIRE(d.Start());
  auto shown = CtlJson(d, {"shopper", "show", "k"});
  const json::array& debts = shown.at("debts").as_array();
  int open_cents = 0;
  std::set<std::string> trips;
  for (const auto& v : debts) {
    trips.insert(std::string(v.at("trip").as_string()));
    if (v.at("state").as_string() == "open") open_cents += 100;
  }
  for (const auto& [trip, ack] : acknowledged) {
    INFO(trip);
    if (ack) CHECK(trips.count(trip) == 1);
  }
  // The balance the gate reads equals the sum of the open debt records.
  const json::array& balance = shown.at("open_debt").as_array();
  REQUIRE(balance.size() == 1);
  CHECK(balance[0].at("amount").as_string() == std::to_string(open_cents / 100) + "." +
                                                   (open_cents % 100 < 10 ? "0" : "") +
                                                   std::to_string(open_cents % 100));
  CHECK(shown.at("open_debt_count").as_int64() == static_cast<int64_t>(debts.size()));
}

TEST_CASE("jwo-edgectl --config with a broken file still reaches the daemon") {
  DaemonProcess d;
  REQUIRE(d.Start());
  std::ifstream in(d.config_path());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::filesystem::path broken = d.dir() / "broken.yaml";
  std::ofstream(broken) << text << "\nnot_a_key: 1\n";
  auto r =
      RunCommand({JWO_BINARY_DIR "/daemon/ctl/jwo-edgectl", "--config", broken.string(), "status"});
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("not_a_key") != std::string::npos);  // the errors are still shown
  CHECK(r.output.find("using its control.socket") != std::string::npos);
}
