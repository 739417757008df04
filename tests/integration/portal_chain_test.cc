// The chain's portal (docs/portal.md, "Topologies"): an appliance publishes its receipts to the
// portal bucket and runs the refund requests addressed to it; a portal-only instance in the
// "cloud" (no payments) shows every store's receipts, sends refund requests back to the trip's
// store, and settles debts chain-wide through the ledger. Real daemons, a real nats-server, the
// payment simulator and two SMTP listeners.
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "daemon_process.h"
#include "fa_requests.h"
#include "ledger_helpers.h"
#include "portal_client.h"
#include "purchases.h"
#include "tests/fakes/payment_sim_process.h"
#include "tests/support/http_client.h"
#include "tests/support/smtp_server.h"

using namespace jwo::testing;
namespace json = boost::json;
using Catch::Matchers::ContainsSubstring;

namespace {

std::string MailSection(const SmtpServer& relay) {
  return "mail:\n  smtp_url: " + relay.url() +
         "\n  require_tls: false\n  from: receipts@chain.example\n";
}

// Polls `fetch` until its body contains `text`.
bool WaitForPage(PortalClient& client, const std::string& target, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = client.Get(target);
    if (r.ok() && r->body.find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

TEST_CASE("portal, chain: receipts, refund requests and payoffs through the chain's portal") {
  NatsServer nats;
  REQUIRE(nats.Start().ok());
  Provision(nats);
  PaymentSimProcess sim(std::vector<std::string>{});
  REQUIRE(sim.Start().ok());
  SmtpServer store_relay, cloud_relay;
  REQUIRE(store_relay.Start().ok());
  REQUIRE(cloud_relay.Start().ok());

  // The appliance: payments, mail, the ledger with `portal: publish`.
  const std::string store_cfg = PaymentsConfig(sim.port());
  DaemonProcess store(store_cfg + MailSection(store_relay) + "ledger:\n  servers: [" + nats.url() +
                      "]\n  reconnect_wait_ms: 100\n  portal: publish\n");
  std::ofstream(store.dir() / "catalog.yaml") << kTestCatalog;
  std::ofstream(store.dir() / "aws-credentials")
      << "[default]\naws_access_key_id = " << kSimAccessKeyId
      << "\naws_secret_access_key = " << kSimSecretAccessKey << "\n";
  REQUIRE(store.Start());

  // The chain's portal instance: no payments, the portal listener, `portal: serve`.
  std::string cloud_cfg = DefaultTestConfig();
  cloud_cfg.replace(cloud_cfg.find("it-store"), 8, "chain-portal");
  const std::string amazon = "    apis: [shopper_authorization, health, metrics]\n";
  cloud_cfg.replace(cloud_cfg.find(amazon), amazon.size(),
                    "    apis: [health, metrics]\n  - name: portal\n    address: 127.0.0.1\n"
                    "    port: 0\n    apis: [portal]\n");
  DaemonProcess cloud(cloud_cfg + MailSection(cloud_relay) + "portal:\n  secure_cookies: false\n" +
                      "ledger:\n  servers: [" + nats.url() +
                      "]\n  reconnect_wait_ms: 100\n  portal: serve\n");
  REQUIRE(cloud.Start());

  auto tap = [&](const std::string& shopper, const std::string& trip) {
    auto c = HttpClient::Connect("127.0.0.1", store.Port());
    REQUIRE(c.ok());
    return c->Post(kFaPath, FaBody(shopper, trip))->body;
  };
  auto shop = [&](const std::string& shopper, const std::string& trip) {
    REQUIRE(tap(shopper, trip) == R"({"status":"APPROVED"})");
    auto c = HttpClient::Connect("127.0.0.1", store.Port());
    auto r = c->Post("/v1/order/purchases", PurchaseBody(trip, {{"CHIPS", "2"}}));
    REQUIRE(r.ok());
    REQUIRE(r->status == 201);
  };
  auto sign_in = [&](PortalClient& client, const std::string& email) {
    const size_t before = cloud_relay.Messages().size();
    REQUIRE(client.Get("/").ok());
    REQUIRE(client.Post("/signin/code", {{"email", email}})->status == 200);
    auto mails = cloud_relay.WaitForMessages(before + 1);
    REQUIRE(mails.size() == before + 1);
    std::smatch m;
    const std::string subject = MailHeader(mails.back().raw, "Subject");
    REQUIRE(std::regex_search(subject, m, std::regex(": ([0-9]{6})$")));
    auto verified = client.Post("/signin/verify", {{"email", email}, {"code", m[1].str()}});
    REQUIRE(verified->status == 303);
  };

  SECTION("a receipt of the store, refunded from the chain's portal") {
    shop("shopper-x", "trip-x1");
    // The receipt went out from the store; its trip reaches the portal instance.
    PortalClient browser(cloud.Port("portal"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool signed_in = false;
    while (!signed_in && std::chrono::steady_clock::now() < deadline) {
      auto l = Ledger(cloud);
      if (l.contains("portal") && Int(l.at("portal").as_object(), "records") >= 1) {
        sign_in(browser, "shopper-x@example.test");
        signed_in = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(cloud.Stderr());
    REQUIRE(signed_in);
    REQUIRE(WaitForPage(browser, "/receipt?trip=trip-x1", "Chips x 2"));
    auto over =
        browser.Post("/refund", {{"trip", "trip-x1"}, {"amount", "9.00"}, {"reason", "OTHER"}});
    CHECK(over->status == 409);
    REQUIRE(browser.Get("/receipt?trip=trip-x1").ok());
    auto refund = browser.Post(
        "/refund", {{"trip", "trip-x1"}, {"amount", "2.00"}, {"reason", "ITEM_DAMAGED"}});
    REQUIRE(refund.ok());
    CHECK(refund->status == 200);
    CHECK_THAT(refund->body, ContainsSubstring("Sent to the store"));
    // The store runs it through its outbox; the simulator sees it once; the portal shows it.
    REQUIRE(WaitForPage(browser, "/receipt?trip=trip-x1", "Refunded"));
    auto sim_client = HttpClient::Connect("127.0.0.1", sim.port());
    const json::value t = json::parse(sim_client->Get("/_sim/trips?id=trip-x1")->body);
    REQUIRE(t.at("refunds").as_array().size() == 1);
    CHECK(t.at("refunds").at(0).at("refundReasonCode") == "ITEM_DAMAGED");
    CHECK_THAT(store.Ctl({"trip", "show", "trip-x1"}).output, ContainsSubstring("refunded"));
  }

  SECTION("a debt booked at the store, paid in the chain's portal: the store admits") {
    auto script = HttpClient::Connect("127.0.0.1", sim.port());
    REQUIRE(script->Post("/_sim/script", R"({"trips":[{"trip":"trip-y1","adjust":["DECLINED"]}]})")
                ->status == 200);
    shop("shopper-y", "trip-y1");
    REQUIRE(WaitDecision(store, "it-store", "shopper-y", "DENIED"));  // once the decline is in
    PortalClient browser(cloud.Port("portal"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool owes = false;
    while (!owes && std::chrono::steady_clock::now() < deadline) {
      auto l = Ledger(cloud);
      if (l.contains("portal") && Int(l.at("portal").as_object(), "records") >= 1 &&
          Int(l, "records") >= 1) {
        owes = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE(owes);
    sign_in(browser, "shopper-y@example.test");
    REQUIRE(WaitForPage(browser, "/account", "Pay 8.64 USD"));
    const std::string payoff = browser.Find("name=\"payoff\" value=\"([0-9a-f]{32})\"");
    auto paid = browser.Post("/payoff", {{"payoff", payoff},
                                         {"currency", "USD"},
                                         {"expected", "864"},
                                         {"card", "4242424242424242"}});
    REQUIRE(paid->status == 303);
    CHECK_THAT(browser.Follow(*paid)->body, ContainsSubstring("Access restored"));
    CHECK(WaitDecision(store, "it-store", "shopper-y", "APPROVED"));
  }
}
