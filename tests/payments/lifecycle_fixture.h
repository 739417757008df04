// The lifecycle tests' fixture: a real LMDB store, trips started through the lifecycle, and
// answers applied to the oldest outbox entry as the dispatcher would (lifecycle_test.cc,
// lifecycle_edge_test.cc).
#pragma once

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <random>

#include "ledger/ledger.h"
#include "payments/backoff.h"
#include "payments/expiry.h"
#include "payments/lifecycle.h"
#include "payments/operator_actions.h"
#include "payments/outbox_commits.h"
#include "store/codec.h"

namespace jwo::payments::testing {

using store::Operation;
using store::TripState;

// An approval of whatever was asked: the tests' trips are in USD, and 100.00 covers them.
constexpr const char* kApprovedAll =
    R"({"status":"APPROVED","authorizedAmount":{"amount":100.00,"code":"USD"}})";

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("jwo-lifecycle-" + std::to_string(std::random_device{}()));
  std::unique_ptr<store::Env> env;
  payments::LifecyclePolicy policy{"store-1", false, true};
  Fixture() {
    store::EnvOptions o;
    o.directory = dir.string();
    o.map_size_bytes = 4 << 20;
    env = store::Env::Open(o).value();
  }
  ~Fixture() {
    env.reset();
    std::filesystem::remove_all(dir);
  }

  void Start(const std::string& trip, int64_t total, bool empty = false,
             const std::string& shopper = "") {
    store::TripRecord t;
    t.trip_id = trip;
    t.shopper_id = shopper.empty() ? "shopper-" + trip : shopper;
    t.currency = "USD";
    t.total = total;
    t.created_ms = 1000;
    if (!empty) t.cart = {{"l1", "SKU", "SKU", "1", "", {}}};
    REQUIRE(
        env->Write([&](store::WriteTxn& txn) { return payments::StartTrip(txn, t, policy, 1000); })
            .ok());
  }

  std::vector<store::OutboxEntry> Outbox() {
    std::vector<store::OutboxEntry> out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto l = payments::ListOutbox(txn, false, 1000);
                 if (l.ok()) out = *l;
                 return l.status();
               })
                .ok());
    return out;
  }

  // The outbox without Get Shopper Identity calls (queued when a trip becomes debt, for the
  // portal's sign-in): the payment calls.
  std::vector<store::OutboxEntry> PaymentCalls() {
    auto out = Outbox();
    std::erase_if(out, [](const store::OutboxEntry& e) {
      return e.operation == Operation::kGetShopperIdentity;
    });
    return out;
  }
  size_t IdentityCalls() { return Outbox().size() - PaymentCalls().size(); }

  // Answers the oldest outbox entry with (status, body).
  AnswerVerdict Answer(int status, const std::string& body) {
    auto entries = Outbox();
    REQUIRE_FALSE(entries.empty());
    std::optional<AnswerVerdict> verdict;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 auto v = payments::ApplyAnswer(txn, entries.front(), status, body, policy, 2000);
                 if (v.ok()) verdict = v->verdict;
                 return v.status();
               })
                .ok());
    return *verdict;
  }

  core::Status Expire(const std::string& trip, int64_t now) {
    return env->Write([&](store::WriteTxn& txn) {
      return payments::ExpireTrips(txn, {trip}, policy, now).status();
    });
  }

  store::TripRecord Trip(const std::string& id) {
    store::TripRecord t;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = payments::LoadTrip(txn, id);
                 if (r.ok()) t = *r;
                 return r.status();
               })
                .ok());
    return t;
  }

  int64_t Debt(const std::string& shopper) {
    int64_t owed = 0;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto s = ledger::ReadShopper(txn, shopper);
                 if (s.ok() && s->has_value()) owed = (*s)->OpenDebt("USD");
                 return s.status();
               })
                .ok());
    return owed;
  }
};

}  // namespace jwo::payments::testing
