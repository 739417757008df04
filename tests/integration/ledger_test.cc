// The chain ledger end to end (docs/ledger.md): real jwo-edged processes, a real nats-server
// (tests/support/nats_server.h) on a free port, jwo-edgectl for operators on both sides.
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <csignal>

#include "tests/integration/ledger_helpers.h"

using namespace jwo::testing;
namespace json = boost::json;

// Debts in these tests are above the test configuration's USD 10.00 threshold, so the gate
// denies on each one.

TEST_CASE("ledger: a decline at one store denies at the other; a settle there admits at both") {
  Chain chain(2);
  NatsServer& nats = chain.nats;
  DaemonProcess& a = chain[0];
  DaemonProcess& b = chain[1];
  CHECK(Decide(b, "store-b", "walker") == "APPROVED");

  REQUIRE(a.Ctl({"debt", "add", "walker", "trip-1", "12.50", "USD", "--reason", "declined"})
              .exit_code == 0);
  CHECK(WaitDecision(b, "store-b", "walker", "DENIED"));
  auto shown = b.Ctl({"shopper", "show", "walker"});
  CHECK(shown.output.find("store-a") != std::string::npos);  // the debt names its origin

  auto settled = b.Ctl({"debt", "settle", "walker", "trip-1", "counter-7", "--reason", "paid"});
  INFO(settled.output);
  REQUIRE(settled.exit_code == 0);
  CHECK(Decide(b, "store-b", "walker") == "APPROVED");
  CHECK(WaitDecision(a, "store-a", "walker", "APPROVED"));
  CHECK(a.Ctl({"shopper", "show", "walker"}).output.find("counter-7") != std::string::npos);

  CHECK(WaitLedger(a, [](const json::object& l) {
    return l.at("connected").as_bool() && Int(l, "publishes_pending") == 0 && Int(l, "lag") == 0;
  }));
  CHECK(WaitLedger(b, [](const json::object& l) { return Int(l, "publishes_pending") == 0; }));
  CHECK(StreamMessages(nats) == 1);  // one key, its settled version: no duplicate record
}

TEST_CASE("ledger: with the server down both stores decide from LMDB and converge after") {
  Chain chain(2);
  NatsServer& nats = chain.nats;
  DaemonProcess& a = chain[0];
  DaemonProcess& b = chain[1];
  REQUIRE(a.Ctl({"debt", "add", "early", "trip-0", "11.00", "USD", "--reason", "r"}).exit_code ==
          0);
  REQUIRE(WaitDecision(b, "store-b", "early", "DENIED"));

  nats.Stop();
  CHECK(WaitLedger(a, [](const json::object& l) { return !l.at("connected").as_bool(); }));
  // Offline: the gate answers at once from what is stored; new debts queue.
  CHECK(Decide(b, "store-b", "early") == "DENIED");
  for (int i = 1; i <= 5; ++i) {
    REQUIRE(a.Ctl({"debt", "add", "s" + std::to_string(i), "trip-" + std::to_string(i), "12.00",
                   "USD", "--reason", "offline"})
                .exit_code == 0);
  }
  REQUIRE(b.Ctl({"debt", "add", "s9", "trip-9", "13.00", "USD", "--reason", "offline"}).exit_code ==
          0);
  CHECK(Int(Ledger(a), "publishes_pending") == 5);
  CHECK(Ledger(a).contains("staleness_s"));
  CHECK(Decide(b, "store-b", "s1") == "APPROVED");  // not known there yet

  REQUIRE(nats.Restart().ok());
  CHECK(WaitDecision(b, "store-b", "s5", "DENIED", std::chrono::seconds(20)));
  CHECK(WaitDecision(a, "store-a", "s9", "DENIED", std::chrono::seconds(20)));
  CHECK(WaitLedger(a, [](const json::object& l) { return Int(l, "publishes_pending") == 0; }));
  CHECK(WaitLedger(b, [](const json::object& l) { return Int(l, "publishes_pending") == 0; }));
  CHECK(StreamMessages(nats) == 7);  // one message per debt, none twice
}

TEST_CASE(
    "ledger: a restart resumes from the cursor; a recreated bucket is resynced and "
    "reconciled") {
  Chain chain(2);
  NatsServer& nats = chain.nats;
  DaemonProcess& a = chain[0];
  DaemonProcess& b = chain[1];
  for (int i = 0; i < 20; ++i) {
    REQUIRE(a.Ctl({"debt", "add", "r" + std::to_string(i), "trip-" + std::to_string(i), "11.00",
                   "USD", "--reason", "r"})
                .exit_code == 0);
  }
  REQUIRE(WaitDecision(b, "store-b", "r19", "DENIED"));
  REQUIRE(WaitLedger(b, [](const json::object& l) { return Int(l, "records") == 20; }));

  b.Signal(SIGTERM);
  REQUIRE(b.WaitExit() == 0);
  REQUIRE(a.Ctl({"debt", "add", "late", "trip-late", "11.00", "USD", "--reason", "r"}).exit_code ==
          0);
  REQUIRE(WaitLedger(a, [](const json::object& l) { return Int(l, "publishes_pending") == 0; }));
  REQUIRE(b.Start());
  CHECK(WaitDecision(b, "store-b", "late", "DENIED"));
  // Resumed: only the one new change was read, not the 20 before it.
  CHECK(WaitLedger(b, [](const json::object& l) { return Int(l, "applied") == 1; }));
  CHECK(Int(Ledger(b), "resyncs") == 0);

  // The bucket is lost and provisioned again; store-a's debts come back from store-a itself,
  // and store-b drops what the new bucket does not hold... which is nothing once store-a
  // republished. A debt only the old bucket had (booked by a store that is gone) is removed.
  nats.Wipe();
  REQUIRE(nats.Start().ok());
  Provision(nats);
  json::object seen;
  const bool resynced = WaitLedger(
      b,
      [&](const json::object& l) {
        seen = l;
        return Int(l, "resyncs") == 1;
      },
      std::chrono::seconds(30));
  INFO(json::serialize(seen));
  INFO(LogLines(b, "chain ledger"));
  CHECK(resynced);  // once: the bucket's recreation is one resync, whoever notices it first
  CHECK(WaitLedger(
      a,
      [](const json::object& l) {
        return Int(l, "resyncs") == 1 && Int(l, "publishes_pending") == 0;
      },
      std::chrono::seconds(30)));
  CHECK(WaitDecision(b, "store-b", "late", "DENIED"));
  CHECK(WaitLedger(
      b, [](const json::object& l) { return Int(l, "records") == 21; }, std::chrono::seconds(30)));
  CHECK(StreamMessages(nats) == 21);
}
