#include "fa/decision_log.h"

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <random>

using namespace jwo;

namespace {

struct Store {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("jwo-declog-" + std::to_string(std::random_device{}()));
  std::unique_ptr<store::Env> env;
  Store() {
    store::EnvOptions o;
    o.directory = dir.string();
    o.map_size_bytes = 8 << 20;
    env = store::Env::Open(o).value();
  }
  ~Store() {
    env.reset();
    std::filesystem::remove_all(dir);
  }
  uint64_t Count() { return env->Stats().entries[static_cast<size_t>(store::Table::kDecisions)]; }
};

store::DecisionRecord Rec(int i) {
  store::DecisionRecord r;
  r.trip_id = "trip-" + std::to_string(i);
  r.gate_event_id = "ev";
  r.shopper_id = "s";
  r.reason = "ledger_clear";
  return r;
}

}  // namespace

TEST_CASE("every queued decision is written by Stop()") {
  Store s;
  config::AuditConfig cfg;
  cfg.batch_max = 7;
  cfg.flush_interval_ms = 5;
  fa::DecisionLog log(cfg);
  log.Attach(s.env.get());
  for (int i = 0; i < 100; ++i) CHECK(log.Record(Rec(i)));
  log.Stop();
  CHECK(s.Count() == 100);
  CHECK(log.Stats().written == 100);
  CHECK(log.Stats().dropped == 0);
}

TEST_CASE("records wait while no store is attached, then are written") {
  Store s;
  config::AuditConfig cfg;
  cfg.flush_interval_ms = 1;
  fa::DecisionLog log(cfg);
  for (int i = 0; i < 10; ++i) log.Record(Rec(i));
  CHECK(log.Stats().queued == 10);
  log.Attach(s.env.get());
  log.Stop();
  CHECK(s.Count() == 10);
}

TEST_CASE("a full queue drops and counts instead of blocking") {
  config::AuditConfig cfg;
  cfg.queue_max = 5;
  fa::DecisionLog log(cfg);  // no store: nothing drains
  int accepted = 0;
  for (int i = 0; i < 8; ++i) accepted += log.Record(Rec(i)) ? 1 : 0;
  CHECK(accepted == 5);
  CHECK(log.Stats().dropped == 3);
  log.Stop();
}

TEST_CASE("decisions taken while the store never opened are counted as dropped at Stop()") {
  config::AuditConfig cfg;
  cfg.flush_interval_ms = 1;
  fa::DecisionLog log(cfg);  // the store stays unavailable until shutdown
  for (int i = 0; i < 10; ++i) CHECK(log.Record(Rec(i)));
  log.Stop();
  const fa::DecisionLogStats st = log.Stats();
  CHECK(st.written == 0);
  CHECK(st.dropped == 10);  // every decision is either written or counted
  CHECK(st.queued == 0);
  // A decision after Stop() can no longer be written: refused and counted too.
  CHECK_FALSE(log.Record(Rec(11)));
  CHECK(log.Stats().dropped == 11);
  CHECK(log.Stats().queued == 0);
}

TEST_CASE("a written decision keeps every field, and the queue answers for its trip meanwhile") {
  Store s;
  config::AuditConfig cfg;
  cfg.flush_interval_ms = 1;
  fa::DecisionLog log(cfg);  // no store yet: the records wait in the queue

  store::DecisionRecord denied = Rec(1);
  denied.outcome = store::Outcome::kDenied;
  denied.shopper_id = "shopper-denied";
  denied.risks = {"BadDebt", "InvalidCard"};
  store::DecisionRecord approved = Rec(1);  // the same trip, tapped again and approved
  approved.shopper_id = "shopper-approved";
  approved.store_id = "store-1";
  approved.lane = "3";
  approved.decided_ms = 1795774530123;
  approved.event_ms = 1795774530000;
  approved.latency_us = 42;
  CHECK(log.Record(denied));
  CHECK(log.Record(approved));
  CHECK(log.QueuedShopperForTrip("trip-1") == "shopper-approved");
  CHECK(log.QueuedShopperForTrip("trip-2").empty());

  log.Attach(s.env.get());
  log.Stop();
  std::vector<store::DecisionRecord> rows;
  REQUIRE(s.env
              ->Read([&](const store::ReadTxn& txn) {
                return txn.Scan(store::Table::kDecisions, "",
                                [&](std::string_view k, std::string_view v) {
                                  auto r = store::DecodeDecision(k, v);
                                  REQUIRE(r.ok());
                                  rows.push_back(*r);
                                  return true;
                                });
              })
              .ok());
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].outcome == store::Outcome::kDenied);
  CHECK(rows[0].risks == denied.risks);
  const store::DecisionRecord& r = rows[1];
  CHECK(r.sequence == 2);
  CHECK(r.trip_id == approved.trip_id);
  CHECK(r.gate_event_id == approved.gate_event_id);
  CHECK(r.shopper_id == approved.shopper_id);
  CHECK(r.store_id == approved.store_id);
  CHECK(r.decided_ms == approved.decided_ms);
  CHECK(r.event_ms == approved.event_ms);
  CHECK(r.outcome == store::Outcome::kApproved);
  CHECK(r.reason == approved.reason);
  CHECK(r.risks.empty());
  CHECK(r.lane == approved.lane);
  CHECK(r.latency_us == 42);
  CHECK(log.QueuedShopperForTrip("trip-1").empty());  // written: the store answers now
}
