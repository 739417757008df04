// The chain ledger under failures (docs/ledger.md): a three-server cluster losing its stream
// leader, and daemons killed with SIGKILL while they publish or apply. Real nats-server
// processes (tests/support/nats_server.h), real jwo-edged daemons; the "cloud" writes records
// straight into the bucket through jwo::nats::Link, as another store's publisher would.
//
// Each test asserts the outcome (every debt denied where it should be, nothing pending, one
// stream message per debt: none lost, none written twice) and polls with generous deadlines;
// the times it took are printed ("[failover] ...") for the record, never asserted.
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chain/chain_record.h"
#include "core/money.h"
#include "nats/nats_link.h"
#include "store/records.h"
#include "tests/integration/ledger_helpers.h"

using namespace jwo;
using namespace jwo::testing;
namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// libnats may need 5-20 s to notice a consumer lost with its server (missed heartbeats).
constexpr auto kRecovery = seconds(60);

bool WaitFor(const std::function<bool()>& done, milliseconds within) {
  const auto deadline = LedgerClock::now() + within;
  while (!done()) {
    if (LedgerClock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

double SecondsSince(LedgerClock::time_point t) {
  return std::chrono::duration<double>(LedgerClock::now() - t).count();
}

void Report(const std::string& what, double s) {
  std::printf("[failover] %s: %.2f s\n", what.c_str(), s);
  std::fflush(stdout);
}

// A debt above the test threshold (USD 10.00) booked at `d` through jwo-edgectl.
void Book(DaemonProcess& d, const std::string& shopper, const std::string& trip) {
  auto r = d.Ctl({"debt", "add", shopper, trip, "12.00", "USD", "--reason", "failover test"});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

bool Live(const json::object& l) {
  return l.at("connected").as_bool() && l.at("phase").as_string() == "live";
}

// The shopper's open balance as `jwo-edgectl shopper show` reports it: "USD 12.50 x1" (currency,
// amount, open debt count), "none" when there is no open debt.
std::string Balance(DaemonProcess& d, const std::string& shopper) {
  auto r = d.Ctl({"--json", "shopper", "show", shopper});
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const json::value v = json::parse(r.output);
  const json::object& out = v.at("result").as_object();
  std::string text;
  for (const auto& b : out.at("open_debt").as_array()) {
    text += std::string(b.at("currency").as_string()) + " " +
            std::string(b.at("amount").as_string()) + " ";
  }
  if (text.empty()) return "none";
  return text + "x" + std::to_string(Int(out, "open_debt_count"));
}

int LeaderOf(const NatsCluster& cluster) {
  core::Result<int> leader = core::Status(core::StatusCode::kUnavailable, "not asked");
  REQUIRE(WaitFor(
      [&] {
        leader = cluster.StreamLeader("KV_debts");
        return leader.ok();
      },
      kRecovery));
  return *leader;
}

// The stream as `node` stores it, once it holds at least `n` messages' sequences (a follower
// may apply a moment after the leader acked). Then: exactly n messages, sequences 1..n.
void CheckOneMessagePerDebt(const NatsServer& node, int64_t n) {
  StreamState s;
  CHECK(WaitFor(
      [&] {
        s = BucketStream(node);
        return s.last_seq >= n;
      },
      seconds(20)));
  INFO("messages " << s.messages << ", first_seq " << s.first_seq << ", last_seq " << s.last_seq);
  CHECK(s.messages == n);
  CHECK(s.first_seq == 1);
  CHECK(s.last_seq == n);  // a second write of any record would show as a later sequence
}

// Another store's publisher (or the cloud), writing open debts straight into the bucket the way
// ChainSync does: create-only with a stable msg id, retried until acked.
class BucketWriter {
 public:
  explicit BucketWriter(std::vector<std::string> urls) {
    nats::LinkOptions o;
    o.servers = std::move(urls);
    o.name = "test-cloud";
    o.reconnect_wait_ms = 50;
    o.reconnect_jitter_ms = 50;
    o.request_timeout_ms = 2000;
    auto link = nats::Link::Open(o, {});
    REQUIRE(link.ok());
    link_ = std::move(*link);
    REQUIRE(WaitFor([&] { return link_->connected(); }, seconds(10)));
  }

  void Put(const std::string& origin, const std::string& shopper, const std::string& trip) {
    store::DebtRecord d;
    d.shopper_id = shopper;
    d.trip_id = trip;
    d.kind = store::DebtKind::kTrip;
    d.cause = store::DebtCause::kDeclinedAdjust;
    d.amount = {1250, *core::FindCurrency("USD")};
    d.origin_store = origin;
    d.created_ms = 1'700'000'000'000;
    auto key = chain::BucketKey(d.origin_store, d.trip_id, d.kind);
    REQUIRE(key.ok());
    const std::string value = chain::EncodeChainDebt({d, chain::kOpenVersion});
    nats::PublishResult r;
    REQUIRE(WaitFor(
        [&] {
          r = link_->Publish(*key, value, "test:" + *key + ":1", 0);
          return r.outcome == nats::PublishOutcome::kStored ||
                 r.outcome == nats::PublishOutcome::kDuplicate;
        },
        seconds(30)));
  }

 private:
  std::unique_ptr<nats::Link> link_;
};

}  // namespace

TEST_CASE(
    "ledger: a three-server cluster (R3 bucket): the stream leader killed during sync and during "
    "publishes") {
  NatsCluster cluster(3);
  {
    core::Status s = cluster.Start();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  const std::vector<std::string> urls = cluster.urls();
  CommandResult provisioned;
  REQUIRE(WaitFor(
      [&] {
        provisioned = TryProvision(urls, {"--replicas", "3"});
        return provisioned.exit_code == 0;
      },
      seconds(20)));
  DaemonProcess a(ChainConfig("store-a", urls, kNoBreaker));
  DaemonProcess b(ChainConfig("store-b", urls, kNoBreaker));
  REQUIRE(a.Start());
  REQUIRE(b.Start());
  REQUIRE(WaitLedger(a, Live));
  REQUIRE(WaitLedger(b, Live));

  // Phase 1: the leader dies while store-a publishes and store-b follows; it comes back later.
  constexpr int kBooked = 30;
  const int leader = LeaderOf(cluster);
  LedgerClock::time_point killed_at;
  for (int i = 0; i < kBooked; ++i) {
    if (i == 10) {
      cluster.Kill(leader);
      killed_at = LedgerClock::now();
    }
    if (i == 20) {
      const int next = LeaderOf(cluster);
      CHECK(next != leader);
      Report("phase 1: new stream leader reported (after the kill)", SecondsSince(killed_at));
      REQUIRE(cluster.Restart(leader).ok());
    }
    Book(a, "f" + std::to_string(i), "trip-f" + std::to_string(i));
  }
  CHECK(WaitLedger(
      a, [](const json::object& l) { return Int(l, "publishes_pending") == 0; }, kRecovery));
  Report("phase 1: store-a has nothing pending (after the kill)", SecondsSince(killed_at));
  for (int i = 0; i < kBooked; ++i) {
    CHECK(WaitDecision(b, "store-b", "f" + std::to_string(i), "DENIED", kRecovery));
  }
  CHECK(WaitLedger(
      b, [](const json::object& l) { return Int(l, "records") == kBooked && Int(l, "lag") == 0; },
      kRecovery));
  Report("phase 1: store-b denies all and has every record (after the kill)",
         SecondsSince(killed_at));
  CheckOneMessagePerDebt(cluster.node((leader + 1) % 3), kBooked);

  // Phase 2: a new store's first snapshot of a few hundred records, and the leader dies just
  // as it starts.
  constexpr int kCloud = 2000;
  constexpr int kTotal = kBooked + kCloud;
  {
    const auto t = LedgerClock::now();
    BucketWriter cloud(urls);
    for (int i = 0; i < kCloud; ++i) {
      cloud.Put("store-cloud", "c" + std::to_string(i), "trip-c" + std::to_string(i));
    }
    Report("phase 2: cloud records written", SecondsSince(t));
  }
  REQUIRE(WaitLedger(
      b, [](const json::object& l) { return Int(l, "records") == kTotal; }, kRecovery));
  DaemonProcess c(ChainConfig("store-c", urls, kNoBreaker));
  const int leader2 = LeaderOf(cluster);
  REQUIRE(c.Start());
  // The kill lands as soon as store-c has begun its snapshot (logged just before it
  // subscribes); the snapshot of a few thousand records takes tens of milliseconds, so it is
  // usually still under way, and the test holds either way.
  CHECK(c.WaitForLog("chain ledger: full snapshot", seconds(20)));
  cluster.Kill(leader2);
  const auto killed2_at = LedgerClock::now();
  {
    const json::object at_kill = Ledger(c);
    std::printf("[failover] phase 2: store-c at the kill: phase %s, records %lld\n",
                std::string(at_kill.at("phase").as_string()).c_str(),
                static_cast<long long>(Int(at_kill, "records")));
  }
  {
    json::object last;
    const bool converged = WaitLedger(
        c,
        [&](const json::object& l) {
          last = l;
          return Int(l, "records") == kTotal && l.at("phase").as_string() == "live";
        },
        kRecovery);
    INFO(json::serialize(last) << "\n" << LogLines(c, "chain ledger", 60));
    CHECK(converged);
  }
  Report("phase 2: store-c has every record (after the kill)", SecondsSince(killed2_at));
  for (int i = 0; i < kBooked; i += 7) {
    CHECK(Decide(c, "store-c", "f" + std::to_string(i)) == "DENIED");
  }
  for (int i = 0; i < kCloud; i += 97) {
    CHECK(Decide(c, "store-c", "c" + std::to_string(i)) == "DENIED");
  }
  CHECK(Decide(c, "store-c", "c" + std::to_string(kCloud - 1)) == "DENIED");
  REQUIRE(cluster.Restart(leader2).ok());
  const auto restarted2_at = LedgerClock::now();
  for (DaemonProcess* d : {&a, &b, &c}) {
    json::object last;
    const bool settled = WaitLedger(
        *d,
        [&](const json::object& l) {
          last = l;
          return Int(l, "records") == kTotal && Int(l, "publishes_pending") == 0 &&
                 Int(l, "rejected") == 0 && Int(l, "conflicts") == 0;
        },
        kRecovery);
    INFO("store " << (d == &a   ? "a"
                      : d == &b ? "b"
                                : "c")
                  << ": " << json::serialize(last) << "\n"
                  << LogLines(*d, "chain ledger", 30));
    CHECK(settled);
  }
  Report("phase 2: all three stores settled (after the old leader's restart)",
         SecondsSince(restarted2_at));
  CheckOneMessagePerDebt(cluster.node((leader2 + 1) % 3), kTotal);
}

TEST_CASE("ledger: kill -9 of a daemon during publish: no gap, no double") {
  NatsServer nats;
  REQUIRE(nats.Start().ok());
  Provision(nats);
  DaemonProcess a(ChainConfig("store-a", nats.url(), kNoBreaker));
  DaemonProcess b(ChainConfig("store-b", nats.url(), kNoBreaker));
  REQUIRE(a.Start());
  REQUIRE(b.Start());
  REQUIRE(WaitLedger(a, Live));
  REQUIRE(WaitLedger(b, Live));

  // Round 1: publishes pend with the server down; store-a is killed with its outbox full.
  constexpr int kOffline = 15;
  nats.Stop();
  REQUIRE(WaitLedger(a, [](const json::object& l) { return !l.at("connected").as_bool(); }));
  for (int i = 0; i < kOffline; ++i) Book(a, "p" + std::to_string(i), "trip-p" + std::to_string(i));
  CHECK(Int(Ledger(a), "publishes_pending") == kOffline);
  a.Signal(SIGKILL);
  CHECK(a.WaitExit() == 128 + SIGKILL);
  REQUIRE(nats.Start().ok());
  REQUIRE(a.Start());
  CHECK(WaitLedger(
      a, [](const json::object& l) { return Int(l, "publishes_pending") == 0; }, seconds(30)));

  // Round 2: the server hangs (SIGSTOP) while store-a publishes, so a publish is on the wire
  // with no answer when store-a is killed; the server then stores it. The restarted store-a
  // must recognise it (same msg id) instead of writing the record a second time.
  constexpr int kHung = 5;
  nats.Freeze();
  for (int i = 0; i < kHung; ++i) Book(a, "h" + std::to_string(i), "trip-h" + std::to_string(i));
  CHECK(Int(Ledger(a), "publishes_pending") == kHung);
  // Room for the publish thread to send the first record into the hung server's socket; the
  // assertions below hold whether or not it got that far.
  std::this_thread::sleep_for(milliseconds(300));
  a.Signal(SIGKILL);
  CHECK(a.WaitExit() == 128 + SIGKILL);
  nats.Thaw();
  // For the record: did the killed store's last publish reach the server after all?
  const bool landed = WaitFor([&] { return BucketStream(nats).last_seq > kOffline; }, seconds(2));
  std::printf(
      "[failover] publish: a record sent by the killed store was stored after its "
      "death: %s\n",
      landed ? "yes" : "no");
  REQUIRE(a.Start());
  CHECK(WaitLedger(
      a, [](const json::object& l) { return Int(l, "publishes_pending") == 0; }, seconds(30)));

  constexpr int kTotal = kOffline + kHung;
  for (int i = 0; i < kOffline; ++i) {
    CHECK(WaitDecision(b, "store-b", "p" + std::to_string(i), "DENIED", seconds(30)));
  }
  for (int i = 0; i < kHung; ++i) {
    CHECK(WaitDecision(b, "store-b", "h" + std::to_string(i), "DENIED", seconds(30)));
  }
  CHECK(WaitLedger(
      b, [](const json::object& l) { return Int(l, "records") == kTotal; }, seconds(30)));
  CHECK(Balance(b, "p0") == "USD 12.00 x1");
  CHECK(Balance(b, "h0") == "USD 12.00 x1");
  CHECK(Balance(a, "h0") == "USD 12.00 x1");
  CheckOneMessagePerDebt(nats, kTotal);
}

TEST_CASE("ledger: kill -9 during apply") {
  NatsServer nats;
  REQUIRE(nats.Start().ok());
  Provision(nats);
  std::string config = ChainConfig("store-b", nats.url(), kNoBreaker);
  config.replace(config.find("map_size_mib: 16"), 16, "map_size_mib: 256");
  DaemonProcess b(config);
  REQUIRE(b.Start());
  REQUIRE(WaitLedger(b, Live));
  b.Signal(SIGTERM);
  REQUIRE(b.WaitExit() == 0);

  // A backlog booked elsewhere while store-b was down.
  constexpr int kBacklog = 10000;
  {
    const auto t = LedgerClock::now();
    BucketWriter cloud({nats.url()});
    for (int i = 0; i < kBacklog; ++i) {
      cloud.Put("store-a", "k" + std::to_string(i), "trip-k" + std::to_string(i));
    }
    Report("apply: backlog written", SecondsSince(t));
  }

  const auto started = LedgerClock::now();
  REQUIRE(b.Start());
  json::object at_kill;
  REQUIRE(WaitFor(
      [&] {
        at_kill = Ledger(b);
        return Int(at_kill, "applied") > 0;
      },
      seconds(30)));
  b.Signal(SIGKILL);
  CHECK(b.WaitExit() == 128 + SIGKILL);
  std::printf("[failover] apply: killed with %lld of %d applied (%.2f s after the start)\n",
              static_cast<long long>(Int(at_kill, "records")), kBacklog, SecondsSince(started));

  const auto restarted = LedgerClock::now();
  REQUIRE(b.Start());
  CHECK(WaitLedger(
      b,
      [](const json::object& l) {
        return Int(l, "records") == kBacklog && Int(l, "lag") == 0 && Live(l);
      },
      seconds(30)));
  Report("apply: all records after the restart", SecondsSince(restarted));
  const json::object after = Ledger(b);
  CHECK(Int(after, "rejected") == 0);
  CHECK(Int(after, "conflicts") == 0);
  CHECK(Int(after, "resyncs") == 0);  // resumed from the cursor the killed run committed
  for (int i = 0; i < kBacklog; i += 499) {
    CHECK(Decide(b, "store-b", "k" + std::to_string(i)) == "DENIED");
    CHECK(Balance(b, "k" + std::to_string(i)) == "USD 12.50 x1");  // applied once, not twice
  }
  CHECK(Decide(b, "store-b", "k" + std::to_string(kBacklog - 1)) == "DENIED");
  CHECK(Decide(b, "store-b", "nobody") == "APPROVED");
  auto verified = b.Ctl({"store", "verify"});
  INFO(verified.output);
  CHECK(verified.exit_code == 0);
  CheckOneMessagePerDebt(nats, kBacklog);
}
