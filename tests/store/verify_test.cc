#include "store/verify.h"

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <random>

#include "store/codec.h"
#include "store/gate_filter.h"
#include "store/gate_shoppers.h"
#include "store/records.h"
#include "store/trip_record.h"
#include "tests/store/store_temp_dir.h"

using namespace jwo;
using store::Table;

namespace {

using TempDir = testing::StoreTempDir;

core::Money Usd(int64_t minor) { return core::Money{minor, *core::FindCurrency("USD")}; }

// A consistent store: shopper s1 owes 12.50 + 2.00 USD on two trips, one unsettled trip with
// its open_trips row and an outbox entry, one captured trip.
struct Fixture {
  TempDir dir;
  std::unique_ptr<store::Env> env;
  Fixture() {
    store::EnvOptions o;
    o.directory = dir.path.string();
    o.map_size_bytes = 4 << 20;
    auto opened = store::Env::Open(o);
    REQUIRE(opened.ok());
    env = std::move(opened).value();
    Put([](store::WriteTxn& txn) {
      store::ShopperRecord s;
      s.open_debt = {Usd(1450)};
      s.open_debt_count = 2;
      if (auto st = store::PutShopper(txn, "s1", s); !st.ok()) return st;
      for (auto [trip, minor] : {std::pair{"t1", 1250}, std::pair{"t2", 200}}) {
        store::DebtRecord d;
        d.shopper_id = "s1";
        d.trip_id = trip;
        d.kind = store::DebtKind::kManual;
        d.cause = store::DebtCause::kManual;
        d.amount = Usd(minor);
        auto key = store::DebtKey("s1", trip, d.kind);
        if (auto st = txn.Put(Table::kDebts, *key, store::EncodeDebt(d)); !st.ok()) return st;
      }
      for (auto [id, state] : {std::pair{"open-trip", store::TripState::kHeld},
                               std::pair{"done-trip", store::TripState::kCaptured}}) {
        store::TripRecord t;
        t.trip_id = id;
        t.state = state;
        if (auto st = txn.Put(Table::kTrips, id, store::EncodeTrip(t)); !st.ok()) return st;
      }
      store::Encoder created;
      created.I64(1);
      if (auto st = txn.Put(Table::kOpenTrips, "open-trip", created.bytes()); !st.ok()) return st;
      store::OutboxEntry e;
      e.sequence = 1;
      e.trip_id = "open-trip";
      return txn.Put(Table::kOutbox, store::BigEndianKey(1), store::EncodeOutbox(e));
    });
  }
  void Put(const std::function<core::Status(store::WriteTxn&)>& fn) {
    REQUIRE(env->Write(fn).ok());
  }
  store::VerifyReport Verify() {
    store::VerifyReport report;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = store::VerifyStore(txn);
                 if (!r.ok()) return r.status();
                 report = std::move(r).value();
                 return core::Status::Ok();
               })
                .ok());
    return report;
  }
};

bool Mentions(const store::VerifyReport& r, const std::string& what) {
  for (const std::string& p : r.problems) {
    if (p.find(what) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a consistent store verifies clean, with rows per table") {
  Fixture f;
  const store::VerifyReport r = f.Verify();
  INFO(store::FormatVerifyReport(r));
  CHECK(r.ok());
  CHECK(r.rows[static_cast<size_t>(Table::kDebts)] == 2);
  CHECK(r.rows[static_cast<size_t>(Table::kTrips)] == 2);
  CHECK(store::FormatVerifyReport(r).find("no problems found") != std::string::npos);
}

TEST_CASE("verify finds a record that does not decode, naming table and key") {
  Fixture f;
  f.Put([](store::WriteTxn& txn) {
    return txn.Put(Table::kAudit, store::BigEndianKey(7), "\x09junk");
  });
  f.Put([](store::WriteTxn& txn) { return txn.Put(Table::kTrips, "t-bad", "\x02{not json"); });
  const store::VerifyReport r = f.Verify();
  INFO(store::FormatVerifyReport(r));
  CHECK(r.problem_count == 2);
  CHECK(Mentions(r, "audit [\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x07]"));
  CHECK(Mentions(r, "trips [t-bad]"));
}

TEST_CASE("verify finds a balance that differs from the open debts") {
  Fixture f;
  f.Put([](store::WriteTxn& txn) {
    store::ShopperRecord s;
    s.open_debt = {Usd(1250)};
    s.open_debt_count = 2;
    return store::PutShopper(txn, "s1", s);
  });
  const store::VerifyReport r = f.Verify();
  INFO(store::FormatVerifyReport(r));
  CHECK(r.problem_count == 1);
  CHECK(Mentions(r,
                 "shoppers [s1]: balance {USD 1250} (minor units) differs from the sum of "
                 "open debts {USD 1450}"));
}

TEST_CASE("verify finds open debts of a shopper without a shopper record") {
  Fixture f;
  f.Put([](store::WriteTxn& txn) { return txn.Delete(Table::kShoppers, "s1"); });
  const store::VerifyReport r = f.Verify();
  INFO(store::FormatVerifyReport(r));
  CHECK(r.problem_count == 2);
  CHECK(Mentions(r, "shoppers [s1]: missing, but the shopper has 2 open debts"));
  CHECK(Mentions(r, "gate_shoppers [s1]: indexed, but the shopper has no record"));
}

TEST_CASE("verify finds a debtor the gate's index does not name, and a name without cause") {
  Fixture f;
  CHECK(f.Verify().rows[static_cast<size_t>(Table::kGateShoppers)] == 1);
  f.Put([](store::WriteTxn& txn) {
    // Written around PutShopper: s1 still owes, but the gate would no longer see it.
    if (auto s = txn.Delete(Table::kGateShoppers, "s1"); !s.ok()) return s;
    store::ShopperRecord clear;  // s2 owes nothing, yet is indexed
    if (auto s = txn.Put(Table::kShoppers, "s2", store::EncodeShopper(clear)); !s.ok()) return s;
    if (auto s = txn.Put(Table::kGateShoppers, "s2", ""); !s.ok()) return s;
    txn.AddToGateFilter("s2");
    return core::Status::Ok();
  });
  const store::VerifyReport r = f.Verify();
  INFO(store::FormatVerifyReport(r));
  CHECK(r.problem_count == 2);
  CHECK(Mentions(r, "gate_shoppers [s1]: missing, but the shopper has open debt or an override"));
  CHECK(Mentions(r, "gate_shoppers [s2]: indexed, but the shopper has no record, or one without"));
}

TEST_CASE("verify accepts a record that does not decode in the gate's index, reporting it once") {
  Fixture f;
  f.Put([](store::WriteTxn& txn) {
    if (auto s = txn.Put(Table::kShoppers, "s9", "\x07junk"); !s.ok()) return s;
    // As the migration to schema 7 indexed it, and the one to 8 put it in the filter.
    if (auto s = txn.Put(Table::kGateShoppers, "s9", ""); !s.ok()) return s;
    txn.AddToGateFilter("s9");
    return core::Status::Ok();
  });
  const store::VerifyReport r = f.Verify();
  INFO(store::FormatVerifyReport(r));
  CHECK(r.problem_count == 1);
  CHECK(Mentions(r, "shoppers [s9]"));
}

TEST_CASE("verify finds an open_trips index that disagrees with the trips") {
  Fixture f;
  f.Put([](store::WriteTxn& txn) {
    store::Encoder created;
    created.I64(1);
    if (auto s = txn.Delete(Table::kOpenTrips, "open-trip"); !s.ok()) return s;
    if (auto s = txn.Put(Table::kOpenTrips, "done-trip", created.bytes()); !s.ok()) return s;
    return txn.Put(Table::kOpenTrips, "ghost", created.bytes());
  });
  const store::VerifyReport r = f.Verify();
  INFO(store::FormatVerifyReport(r));
  CHECK(r.problem_count == 3);
  CHECK(Mentions(r, "open_trips [open-trip]: missing for an unsettled trip"));
  CHECK(Mentions(r, "open_trips [done-trip]: the trip is settled"));
  CHECK(Mentions(r, "open_trips [ghost]: no such trip"));
}

TEST_CASE("verify finds an outbox entry for a trip that is not stored") {
  Fixture f;
  f.Put([](store::WriteTxn& txn) {
    store::OutboxEntry e;
    e.sequence = 2;
    e.trip_id = "vanished";
    return txn.Put(Table::kOutbox, store::BigEndianKey(2), store::EncodeOutbox(e));
  });
  const store::VerifyReport r = f.Verify();
  CHECK(r.problem_count == 1);
  CHECK(Mentions(r, "entry for trip vanished, not stored"));
}
