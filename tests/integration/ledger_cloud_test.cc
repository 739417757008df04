// The chain ledger against "the cloud": a test that writes the bucket as the portal, an
// operator or a misbehaving store would (libnats' own KV API), and real jwo-edged daemons.
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

#include "chain/chain_record.h"
#include "tests/integration/ledger_cloud.h"
#include "tests/integration/ledger_helpers.h"
#include "tests/support/test_certs.h"

using namespace jwo::testing;
namespace json = boost::json;

namespace {

// The condition, polled until it holds or the deadline passes.
bool Eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds within = std::chrono::seconds(15)) {
  const auto deadline = LedgerClock::now() + within;
  while (LedgerClock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  return false;
}

jwo::chain::ChainDebt Record(const std::string& origin, const std::string& shopper,
                             const std::string& trip, int64_t minor = 2500) {
  jwo::chain::ChainDebt c;
  c.debt.shopper_id = shopper;
  c.debt.trip_id = trip;
  c.debt.kind = jwo::store::DebtKind::kTrip;
  c.debt.cause = jwo::store::DebtCause::kDeclinedAdjust;
  c.debt.amount = {minor, *jwo::core::FindCurrency("USD")};
  c.debt.origin_store = origin;
  c.debt.created_ms = WallNowMs();
  return c;
}

}  // namespace

TEST_CASE("ledger: the portal settles a store's debt in the bucket: every store admits") {
  Chain chain(2);
  NatsServer& nats = chain.nats;
  DaemonProcess& a = chain[0];
  DaemonProcess& b = chain[1];
  REQUIRE(
      a.Ctl({"debt", "add", "payer", "trip-7", "30.00", "USD", "--reason", "declined"}).exit_code ==
      0);
  REQUIRE(Eventually([&] { return Decide(b, "store-b", "payer") == "DENIED"; }));
  REQUIRE(Eventually([&] { return Int(Ledger(a), "publishes_pending") == 0; }));

  Cloud cloud(nats.url());
  cloud.Settle("store-a.trip-7.manual", "portal-55");
  CHECK(Eventually([&] { return Decide(a, "store-a", "payer") == "APPROVED"; }));
  CHECK(Eventually([&] { return Decide(b, "store-b", "payer") == "APPROVED"; }));
  CHECK(a.Ctl({"shopper", "show", "payer"}).output.find("portal-55") != std::string::npos);
}

TEST_CASE("ledger: a burst of debts from one store is held at the others until confirmed") {
  NatsServer nats;
  REQUIRE(nats.Start().ok());
  Provision(nats);
  DaemonProcess b(ChainConfig("store-b", nats.url(),
                              "  breaker: {window_seconds: 600, chain_max: 100, store_max: 5}\n"));
  REQUIRE(b.Start());
  Cloud cloud(nats.url());
  // A normal day from store-c: two debts, applied at once.
  for (int i = 0; i < 2; ++i) {
    cloud.Create(Record("store-c", "ok" + std::to_string(i), "tc" + std::to_string(i)));
  }
  REQUIRE(Eventually([&] { return Decide(b, "store-b", "ok1") == "DENIED"; }));
  // store-z goes wrong: eight declines within seconds.
  for (int i = 0; i < 8; ++i) {
    cloud.Create(Record("store-z", "burst" + std::to_string(i), "tz" + std::to_string(i)));
  }
  REQUIRE(Eventually([&] { return Int(Ledger(b), "held") == 8; }));
  CHECK(Ledger(b).at("breaker_tripped").as_bool());
  CHECK(b.WaitForLog("debt-inflow breaker tripped"));
  for (int i = 0; i < 8; ++i) {  // recorded, not denied on: the first five were taken back too
    CHECK(Decide(b, "store-b", "burst" + std::to_string(i)) == "APPROVED");
  }
  CHECK(Decide(b, "store-b", "ok0") == "DENIED");  // the good store is unaffected
  auto c = HttpClient::Connect("127.0.0.1", b.Port());
  REQUIRE(c.ok());
  auto ready = c->Get("/readyz");
  CHECK(ready->status == 200);  // the gate works: a warning, not unready
  CHECK(ready->body.find("ledger_breaker_tripped") != std::string::npos);
  CHECK(c->Get("/metrics")->body.find("jwo_ledger_breaker_tripped 1") != std::string::npos);
  auto held = b.Ctl({"ledger", "held"});
  CHECK(held.output.find("burst7") != std::string::npos);

  CHECK(b.Ctl({"ledger", "confirm", "--origin", "store-z"}).exit_code == 2 - 1);  // no reason
  auto confirmed = b.Ctl({"ledger", "confirm", "--origin", "store-z", "--reason",
                          "checked with store-z: the declines are real"});
  INFO(confirmed.output);
  REQUIRE(confirmed.exit_code == 0);
  for (int i = 0; i < 8; ++i) {
    CHECK(Decide(b, "store-b", "burst" + std::to_string(i)) == "DENIED");
  }
  CHECK(Int(Ledger(b), "held") == 0);
  CHECK_FALSE(Ledger(b).at("breaker_tripped").as_bool());
  CHECK(b.Ctl({"audit"}).output.find("ledger.confirm") != std::string::npos);
}

TEST_CASE("ledger: a delete whose tombstone was purged while a store was away is found") {
  NatsServer nats;
  REQUIRE(nats.Start().ok());
  Provision(nats);
  DaemonProcess b(ChainConfig("store-b", nats.url()));
  REQUIRE(b.Start());
  Cloud cloud(nats.url());
  const auto gone = Record("store-z", "forgiven", "tz1");
  const auto kept = Record("store-z", "owing", "tz2");
  cloud.Create(gone);
  cloud.Create(kept);
  REQUIRE(Eventually([&] { return Decide(b, "store-b", "forgiven") == "DENIED"; }));
  REQUIRE(Eventually([&] { return Int(Ledger(b), "records") == 2; }));

  b.Signal(SIGTERM);
  REQUIRE(b.WaitExit() == 0);
  cloud.Delete(Cloud::Key(gone));
  cloud.PurgeTombstone(Cloud::Key(gone));  // nothing left in the stream says it was deleted
  REQUIRE(b.Start());
  CHECK(Eventually([&] { return Decide(b, "store-b", "forgiven") == "APPROVED"; }));
  CHECK(Decide(b, "store-b", "owing") == "DENIED");
  CHECK(Int(Ledger(b), "resyncs") == 1);
  CHECK(b.WaitForLog("tombstones were purged"));
}

TEST_CASE(
    "ledger: a chain-scoped block at one store denies everywhere; a store's own allow "
    "still wins there") {
  NatsServer nats;
  REQUIRE(nats.Start().ok());
  Provision(nats);
  DaemonProcess a(ChainConfig("store-a", nats.url()));
  DaemonProcess b(ChainConfig("store-b", nats.url()));
  DaemonProcess c(ChainConfig("store-c", nats.url()));
  REQUIRE(a.Start());
  REQUIRE(b.Start());
  REQUIRE(c.Start());
  REQUIRE(c.Ctl({"shopper", "allow", "mallory", "--reason", "known to the manager"}).exit_code ==
          0);
  auto blocked = a.Ctl({"shopper", "block", "mallory", "--scope", "chain", "--reason",
                        "card testing ring, case 88"});
  INFO(blocked.output);
  REQUIRE(blocked.exit_code == 0);
  CHECK(Decide(a, "store-a", "mallory") == "DENIED");
  CHECK(Eventually([&] { return Decide(b, "store-b", "mallory") == "DENIED"; }));
  CHECK(b.Ctl({"shopper", "show", "mallory"}).output.find("card testing ring") !=
        std::string::npos);
  // store-c's own (store-scoped) allow is the more specific decision there.
  CHECK(Eventually([&] {
    return c.Ctl({"shopper", "show", "mallory"}).output.find("card testing ring") !=
           std::string::npos;
  }));
  CHECK(Decide(c, "store-c", "mallory") == "APPROVED");

  REQUIRE(b.Ctl({"shopper", "clear-override", "mallory", "--scope", "chain", "--reason",
                 "case 88 closed"})
              .exit_code == 0);
  CHECK(Eventually([&] { return Decide(a, "store-a", "mallory") == "APPROVED"; }));
  CHECK(Decide(b, "store-b", "mallory") == "APPROVED");
  CHECK(Int(Ledger(a).at("overrides").as_object(), "publishes_pending") == 0);

  DaemonProcess alone;  // no ledger: section
  REQUIRE(alone.Start());
  auto refused = alone.Ctl({"shopper", "block", "x", "--scope", "chain", "--reason", "r"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.output.find("needs the chain ledger") != std::string::npos);
}

TEST_CASE("ledger: publishes that got no answer (a hung server) are stored once") {
  NatsServer nats;
  REQUIRE(nats.Start().ok());
  Provision(nats);
  // Short request timeouts: each publish to the frozen server ends "maybe stored" in 300 ms.
  DaemonProcess a(ChainConfig("store-a", nats.url(), "  request_timeout_ms: 300\n"));
  REQUIRE(a.Start());
  REQUIRE(Eventually([&] { return Ledger(a).at("phase").as_string() == "live"; }));

  nats.Freeze();  // the TCP connection stays up; nothing is answered
  for (int i = 0; i < 3; ++i) {
    REQUIRE(a.Ctl({"debt", "add", "hung" + std::to_string(i), "trip-h" + std::to_string(i), "20.00",
                   "USD", "--reason", "declined"})
                .exit_code == 0);
  }
  // The publisher sends, hears nothing, reads back (no answer either), and sends again with
  // the same message id: several copies of each wait in the server's socket.
  REQUIRE(Eventually([&] {
    auto l = Ledger(a);
    return l.contains("last_error") &&
           l.at("last_error").as_string().find("no answer") != std::string::npos;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  nats.Thaw();

  REQUIRE(Eventually([&] { return Int(Ledger(a), "publishes_pending") == 0; },
                     std::chrono::seconds(30)));
  CHECK(StreamMessages(nats) == 3);  // one record per debt, whatever was sent twice
  CHECK(Int(Ledger(a), "records") == 3);
}

TEST_CASE("ledger: over TLS with client certificates; a store without one stays out and says why") {
  NatsServer nats;
  auto pki = MakeTestPki(nats.dir());
  REQUIRE(pki.ok());
  nats.SetExtraConfig("tls {\n  cert_file: \"" + pki->server_cert + "\"\n  key_file: \"" +
                      pki->server_key + "\"\n  ca_file: \"" + pki->ca_cert +
                      "\"\n  verify: true\n  timeout: 2\n}\n");
  REQUIRE(nats.Start().ok());
  const std::string url = "tls://127.0.0.1:" + std::to_string(nats.port());
  auto provisioned = TryProvision(
      {url}, {"--ca", pki->ca_cert, "--cert", pki->client_cert, "--key", pki->client_key});
  INFO(provisioned.output);
  REQUIRE(provisioned.exit_code == 0);
  const std::string tls = "  tls:\n    ca_file: " + pki->ca_cert +
                          "\n    certificate_file: " + pki->client_cert +
                          "\n    private_key_file: " + pki->client_key + "\n";
  DaemonProcess a(ChainConfig("store-a", url, tls));
  DaemonProcess b(ChainConfig("store-b", url, tls));
  DaemonProcess c(ChainConfig("store-c", url, "  tls:\n    ca_file: " + pki->ca_cert + "\n"));
  REQUIRE(a.Start());
  REQUIRE(b.Start());
  REQUIRE(c.Start());  // the gate works without the chain
  REQUIRE(a.Ctl({"debt", "add", "tls-debtor", "trip-t", "20.00", "USD", "--reason", "declined"})
              .exit_code == 0);
  CHECK(Eventually([&] { return Decide(b, "store-b", "tls-debtor") == "DENIED"; }));
  CHECK(Ledger(b).at("connected").as_bool());
  CHECK(Eventually([&] { return Ledger(c).contains("last_error"); }));
  CHECK_FALSE(Ledger(c).at("connected").as_bool());
  CHECK(Decide(c, "store-c", "tls-debtor") == "APPROVED");  // never heard of it: not connected
}
