// Crash safety of the money path: 500 trips while the daemon is killed with SIGKILL at random
// moments and restarted. A kill while a Capture is on the wire leaves its outcome unknown: the
// trip waits in capture_unknown and an operator resolves it from what the Payment Service
// holds (as store IT would from Amazon's report). At the end every trip must have reached
// exactly one terminal state, the simulator (counting a second Capture as a second charge)
// must have seen at most one Capture per trip and no call a trip did not need (its violation
// list), every decline must be exactly one debt, and no trip whose capture was unknown may
// have become debt.
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "daemon_process.h"
#include "purchases.h"
#include "tests/fakes/payment_sim_process.h"
#include "tests/support/http_client.h"

using namespace jwo::testing;
namespace json = boost::json;

TEST_CASE("500 trips survive repeated kill -9 with exactly one outcome each") {
  constexpr int kTrips = 500;
  constexpr int kKills = 20;
  PaymentSimProcess sim({"--quiet", "--capture-replay", "apply"});
  REQUIRE(sim.Start().ok());
  DaemonProcess d(PaymentsConfig(sim.port()));
  std::ofstream(d.dir() / "catalog.yaml") << kTestCatalog;
  std::ofstream(d.dir() / "aws-credentials")
      << "[default]\naws_access_key_id = " << kSimAccessKeyId
      << "\naws_secret_access_key = " << kSimSecretAccessKey << "\n";

  // Every 10th trip is declined; every 7th (of the others) answers PENDING first.
  std::string script = R"({"trips":[)";
  for (int i = 0; i < kTrips; ++i) {
    if (i % 10 == 3)
      script += R"({"trip":"crash-)" + std::to_string(i) + R"(","adjust":["DECLINED"]},)";
    if (i % 7 == 5 && i % 10 != 3)
      script += R"({"trip":"crash-)" + std::to_string(i) + R"(","adjust":["PENDING","APPROVED"]},)";
  }
  script.back() = ']';
  script += "}";
  {
    auto c = HttpClient::Connect("127.0.0.1", sim.port());
    REQUIRE(c.ok());
    REQUIRE(c->Post("/_sim/script", script)->status == 200);
  }

  REQUIRE(d.Start());
  std::atomic<uint16_t> port{d.Port()};
  std::atomic<int> sent{0};
  std::atomic<bool> done{false};
  // Amazon's side: deliver each cart until it gets a 201 (the daemon may be down).
  std::thread amazon([&] {
    for (int i = 0; i < kTrips; ++i) {
      const std::string body = PurchaseBody("crash-" + std::to_string(i),
                                            {{i % 2 ? "COLA" : "CHIPS", std::to_string(1 + i % 3)}},
                                            "crash-shopper-" + std::to_string(i));
      for (;;) {
        auto c = HttpClient::Connect("127.0.0.1", port.load(), std::nullopt,
                                     std::chrono::milliseconds(500));
        if (c.ok()) {
          auto r = c->Post("/v1/order/purchases", body);
          if (r.ok() && r->status == 201) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      ++sent;
    }
    done = true;
  });

  std::mt19937 rng(12345);
  for (int k = 0; k < kKills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    d.Signal(SIGKILL);
    REQUIRE(d.WaitExit() == 128 + SIGKILL);
    REQUIRE(d.Start());
    port = d.Port();
  }
  amazon.join();
  REQUIRE(sent == kTrips);

  auto sim_get = [&](const std::string& target) {
    auto c = HttpClient::Connect("127.0.0.1", sim.port());
    REQUIRE(c.ok());
    auto r = c->Get(target);
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
    return json::parse(r->body);
  };

  // Let the outbox drain, resolving unknown captures as an operator would, then check every
  // trip.
  std::map<std::string, int> states;
  std::set<std::string> declined, were_unknown;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    states.clear();
    declined.clear();
    auto list = d.Ctl({"--json", "trip", "list", "--limit", "1000"});
    REQUIRE(list.exit_code == 0);
    int terminal = 0, total = 0;
    const json::value doc = json::parse(list.output);
    std::vector<std::pair<std::string, std::string>> unknown;  // trip, total
    for (const auto& t : doc.at("result").at("trips").as_array()) {
      const std::string state(t.at("state").as_string());
      const std::string trip(t.at("trip").as_string());
      ++states[state];
      ++total;
      if (state == "captured" || state == "declined") ++terminal;
      if (state == "declined") declined.insert(trip);
      if (state == "capture_unknown") unknown.emplace_back(trip, t.at("total").as_string());
    }
    for (const auto& [trip, amount] : unknown) {
      were_unknown.insert(trip);
      const json::value st = sim_get("/_sim/trips?id=" + trip);
      const bool taken = st.at("captures").to_number<int64_t>() > 0;
      auto r = taken ? d.Ctl({"trip", "resolve", trip, "captured", amount, "--reason", "report"})
                     : d.Ctl({"trip", "resolve", trip, "not-captured", "--reason", "report"});
      INFO(r.output);
      CHECK(r.exit_code == 0);
    }
    if (terminal == kTrips || std::chrono::steady_clock::now() > deadline) {
      INFO("states: " << json::serialize(json::value_from(states)));
      CHECK(total == kTrips);
      CHECK(terminal == kTrips);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(declined.size() == kTrips / 10);
  WARN("trips resolved from capture_unknown: " << were_unknown.size());

  // At most one Capture per trip at the Payment Service, never a replay.
  const json::value trips = sim_get("/_sim/trips");
  for (const auto& [trip, t] : trips.at("trips").as_object()) {
    INFO(std::string(trip));
    CHECK(t.at("captures").to_number<int64_t>() <= 1);
    CHECK(t.at("capture_replays").to_number<int64_t>() == 0);
  }
  const json::value violations = sim_get("/_sim/violations");
  INFO(json::serialize(violations));
  CHECK(violations.at("violations").as_array().empty());

  // Every decline is exactly one open debt of its shopper, for the trip's total; a trip whose
  // capture was unknown is nobody's debt.
  for (const std::string& trip : declined) {
    const std::string shopper = "crash-shopper-" + trip.substr(6);
    auto debts = d.Ctl({"--json", "debt", "list", shopper});
    REQUIRE(debts.exit_code == 0);
    const json::value doc = json::parse(debts.output);
    const auto& list = doc.at("result").at("debts").as_array();
    CHECK(list.size() == 1);
    if (!list.empty()) CHECK(list[0].at("trip").as_string() == trip);
  }
  for (const std::string& trip : were_unknown) {
    const std::string shopper = "crash-shopper-" + trip.substr(6);
    auto debts = d.Ctl({"--json", "debt", "list", shopper});
    REQUIRE(debts.exit_code == 0);
    CHECK(json::parse(debts.output).at("result").at("debts").as_array().empty());
  }
}
