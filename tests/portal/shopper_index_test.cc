// The shopper index (store/shopper_index.h) and address retention (portal/housekeeper.h) on a
// real LMDB store.
#include "store/shopper_index.h"

#include <catch2/catch_test_macros.hpp>

#include "payments/lifecycle.h"
#include "portal/housekeeper.h"
#include "portal_rig.h"

namespace jwo::portal {
namespace {

using testing::CapturedTrip;

struct IndexRig {
  jwo::testing::TempDir dir;
  std::unique_ptr<store::Env> env;
  IndexRig() { env = testing::OpenStore(dir); }
  void Add(const store::TripRecord& t) {
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 if (auto s = payments::SaveTrip(txn, t); !s.ok()) return s;
                 return store::IndexTrip(txn, t);
               })
                .ok());
  }
  std::vector<store::IndexedTrip> ForEmail(const std::string& email) {
    std::vector<store::IndexedTrip> out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = store::TripsForEmailHash(txn, store::EmailHash(email));
                 if (!r.ok()) return r.status();
                 out = *r;
                 return core::Status::Ok();
               })
                .ok());
    return out;
  }
};

TEST_CASE("shopper index: trips by address (any case) and by date; no address, no row") {
  IndexRig rig;
  rig.Add(CapturedTrip("t1", "sh-1", "Ann@Example.test", 100));
  rig.Add(CapturedTrip("t2", "sh-2", "ann@example.test", 200));  // another card, same person
  store::TripRecord anon = CapturedTrip("t3", "sh-3", "", 300);
  rig.Add(anon);
  auto ann = rig.ForEmail("ANN@example.TEST");
  REQUIRE(ann.size() == 2);
  CHECK(ann[0].trip_id == "t1");
  CHECK(ann[0].shopper_id == "sh-1");
  CHECK(ann[1].shopper_id == "sh-2");
  CHECK(rig.ForEmail("bob@example.test").empty());
  REQUIRE(rig.env
              ->Read([&](const store::ReadTxn& txn) {
                auto day = store::TripsOnDate(txn, "2026-01-01", 10);
                REQUIRE(day.ok());
                CHECK(day->size() == 3);
                auto other = store::TripsOnDate(txn, "2026-01-02", 10);
                CHECK(other->empty());
                return core::Status::Ok();
              })
              .ok());
  // Indexing is idempotent.
  rig.Add(CapturedTrip("t1", "sh-1", "Ann@Example.test", 100));
  CHECK(rig.ForEmail("ann@example.test").size() == 2);
}

TEST_CASE("retention: addresses go after the period, except while the trip's debt is open") {
  IndexRig rig;
  store::TripRecord old_paid = CapturedTrip("t-old", "sh-1", "cy@example.test", 100);
  store::TripRecord old_owing = CapturedTrip("t-owing", "sh-2", "dee@example.test", 100);
  old_owing.state = store::TripState::kDeclined;
  store::TripRecord recent = CapturedTrip("t-new", "sh-3", "eve@example.test", 100);
  recent.created_ms += 80LL * 86'400'000;
  rig.Add(old_paid);
  rig.Add(old_owing);
  rig.Add(recent);
  REQUIRE(rig.env
              ->Write([&](store::WriteTxn& txn) {
                store::DebtRecord d;
                d.shopper_id = "sh-2";
                d.trip_id = "t-owing";
                d.cause = store::DebtCause::kDeclinedAdjust;
                d.amount = {100, *core::FindCurrency("USD")};
                d.origin_store = "store-1";
                return ledger::AddDebt(txn, d, 1);
              })
              .ok());
  const int64_t now = old_paid.created_ms + 91LL * 86'400'000;
  auto erased = EraseExpiredEmails(*rig.env, 90, now);
  REQUIRE(erased.ok());
  CHECK(*erased == 1);
  CHECK(rig.ForEmail("cy@example.test").empty());
  CHECK(rig.ForEmail("dee@example.test").size() == 1);  // still owes: needs it to sign in
  CHECK(rig.ForEmail("eve@example.test").size() == 1);  // within the period
  REQUIRE(rig.env
              ->Read([&](const store::ReadTxn& txn) {
                auto t = payments::LoadTrip(txn, "t-old");
                REQUIRE(t.ok());
                CHECK(t->shopper_email.empty());
                CHECK(t->history.back().event == "shopper_email_erased");
                return core::Status::Ok();
              })
              .ok());
  // Once the debt is settled, the next sweep takes that address too.
  REQUIRE(rig.env
              ->Write([&](store::WriteTxn& txn) {
                return ledger::CloseDebt(txn, "sh-2", "t-owing", store::DebtKind::kTrip,
                                         store::DebtState::kSettled, "ref", 2);
              })
              .ok());
  CHECK(EraseExpiredEmails(*rig.env, 90, now).value() == 1);
  CHECK(rig.ForEmail("dee@example.test").empty());
}

}  // namespace
}  // namespace jwo::portal
