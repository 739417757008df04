#include "chain/chain_store.h"

#include <catch2/catch_test_macros.hpp>

#include "ledger/ledger.h"
#include "tests/support/temp_dir.h"

using namespace jwo;
using chain::Outcome;

namespace {

constexpr std::string_view kSelf = "store-b";

store::DebtRecord Debt(std::string shopper, std::string trip, std::string origin,
                       int64_t minor = 1250) {
  store::DebtRecord d;
  d.shopper_id = std::move(shopper);
  d.trip_id = std::move(trip);
  d.kind = store::DebtKind::kTrip;
  d.cause = store::DebtCause::kDeclinedAdjust;
  d.amount = {minor, *core::FindCurrency("USD")};
  d.origin_store = std::move(origin);
  d.created_ms = 100;
  return d;
}

chain::BucketChange Put(const store::DebtRecord& d, uint64_t seq) {
  chain::ChainDebt c{d, chain::VersionOf(d.state)};
  return {*chain::BucketKey(d.origin_store, d.trip_id, d.kind), chain::BucketOp::kPut,
          chain::EncodeChainDebt(c), seq};
}

store::DebtRecord Settled(store::DebtRecord d, std::string ref = "portal-1") {
  d.state = store::DebtState::kSettled;
  d.settlement_ref = std::move(ref);
  d.settled_ms = 200;
  return d;
}

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<store::Env> env;
  uint64_t generation = 1;
  bool hold_all = false;

  explicit Fixture(bool publish = true) {
    store::EnvOptions o;
    o.directory = dir.path();
    o.map_size_bytes = 4 << 20;
    o.publish_debts = publish;
    env = store::Env::Open(o).value();
  }
  chain::ApplyResult Apply(const chain::BucketChange& c) {
    chain::ApplyResult out;
    chain::ApplyOptions o{std::string(kSelf), 1000, generation, nullptr};
    if (hold_all) o.hold = [](const chain::ChainDebt&) { return true; };
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 auto r = chain::ApplyChange(txn, c, o);
                 if (r.ok()) out = *r;
                 return r.status();
               })
                .ok());
    return out;
  }
  int64_t Balance(std::string_view shopper) {
    int64_t out = 0;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = ledger::ReadShopper(txn, shopper);
                 if (r.ok() && r->has_value()) out = (*r)->OpenDebt("USD");
                 return r.status();
               })
                .ok());
    return out;
  }
  std::optional<chain::KeyRow> Row(const std::string& key) {
    std::optional<chain::KeyRow> out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = chain::ReadKeyRow(txn, key);
                 if (r.ok()) out = *r;
                 return r.status();
               })
                .ok());
    return out;
  }
  std::optional<chain::Publication> Next() {
    std::optional<chain::Publication> out;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 auto r = chain::NextPublication(txn, kSelf);
                 if (r.ok()) out = *r;
                 return r.status();
               })
                .ok());
    return out;
  }
  void Published(const chain::Publication& p, uint64_t seq) {
    REQUIRE(
        env->Write([&](store::WriteTxn& txn) { return chain::CommitPublished(txn, p, seq); }).ok());
  }
  uint64_t Pending() {
    uint64_t n = 0;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 n = chain::PendingPublications(txn);
                 return core::Status::Ok();
               })
                .ok());
    return n;
  }
  core::Status AddLocal(const store::DebtRecord& d) {
    return env->Write([&](store::WriteTxn& txn) { return ledger::AddDebt(txn, d, 100); });
  }
  core::Status SettleLocal(const store::DebtRecord& d, std::string ref = "counter-1") {
    return env->Write([&](store::WriteTxn& txn) {
      return ledger::CloseDebt(txn, d.shopper_id, d.trip_id, d.kind, store::DebtState::kSettled,
                               ref, 150);
    });
  }
};

}  // namespace

TEST_CASE("another store's debt denies here, its settlement admits again") {
  Fixture f;
  const auto debt = Debt("alice", "trip-1", "store-a");
  auto r = f.Apply(Put(debt, 3));
  CHECK(r.outcome == Outcome::kAdded);
  CHECK(f.Balance("alice") == 1250);
  CHECK(f.Pending() == 0);  // a record from the bucket is never published back
  CHECK(f.Apply(Put(debt, 3)).outcome == Outcome::kUnchanged);  // delivered again
  CHECK(f.Balance("alice") == 1250);

  r = f.Apply(Put(Settled(debt), 9));
  CHECK(r.outcome == Outcome::kClosed);
  CHECK_FALSE(r.settled_own);  // store-a reports its own trip
  CHECK(f.Balance("alice") == 0);
  const auto row = f.Row(Put(debt, 0).key);
  REQUIRE(row);
  CHECK(row->state == chain::KeyState::kSettled);
  CHECK(row->revision == 9);
  CHECK(f.Pending() == 0);
}

TEST_CASE("a local debt is published create-only, its settlement compare-and-set") {
  Fixture f;
  const auto debt = Debt("bob", "trip-9", std::string(kSelf));
  REQUIRE(f.AddLocal(debt).ok());
  CHECK(f.Pending() == 1);
  auto p = f.Next();
  REQUIRE(p);
  CHECK(p->key == "store-b.trip-9.trip");
  CHECK(p->expected_revision == 0);
  CHECK(p->record.version == chain::kOpenVersion);
  const std::string first_id = p->msg_id;
  CHECK(f.Next()->msg_id == first_id);  // stable until sent: a retry is de-duplicated
  f.Published(*p, 5);
  CHECK(f.Pending() == 0);
  CHECK(f.Apply(Put(debt, 5)).outcome == Outcome::kUnchanged);  // the echo of our own put
  CHECK(f.Balance("bob") == 1250);

  REQUIRE(f.SettleLocal(debt).ok());
  CHECK(f.Balance("bob") == 0);
  p = f.Next();
  REQUIRE(p);
  CHECK(p->expected_revision == 5);
  CHECK(p->record.version == chain::kClosedVersion);
  CHECK(p->record.debt.settlement_ref == "counter-1");
  CHECK(p->msg_id != first_id);
  f.Published(*p, 6);
  CHECK_FALSE(f.Next());
}

TEST_CASE("nothing is queued for the chain without a ledger section") {
  Fixture f(/*publish=*/false);
  REQUIRE(f.AddLocal(Debt("bob", "trip-9", std::string(kSelf))).ok());
  CHECK(f.Pending() == 0);
}

TEST_CASE("queued twice, sent once: the bucket already holding the state drops the row") {
  Fixture f;
  const auto debt = Debt("bob", "trip-9", std::string(kSelf));
  REQUIRE(f.AddLocal(debt).ok());
  REQUIRE(f.SettleLocal(debt).ok());  // settled before the create went out
  CHECK(f.Pending() == 2);
  auto p = f.Next();
  REQUIRE(p);
  CHECK(p->record.debt.state == store::DebtState::kSettled);  // the current state, once
  CHECK(p->expected_revision == 0);
  f.Published(*p, 4);
  CHECK_FALSE(f.Next());
  CHECK(f.Pending() == 0);
}

TEST_CASE("a payoff anywhere of this store's debt is reported back to its origin") {
  Fixture f;
  const auto debt = Debt("carol", "trip-3", std::string(kSelf));
  REQUIRE(f.AddLocal(debt).ok());
  f.Published(*f.Next(), 2);
  auto r = f.Apply(Put(Settled(debt, "portal-9"), 7));
  CHECK(r.outcome == Outcome::kClosed);
  REQUIRE(r.settled_own);
  CHECK(r.settled_own->settlement_ref == "portal-9");
  CHECK(f.Balance("carol") == 0);
  CHECK(f.Pending() == 0);
}

TEST_CASE("two terminal states: the bucket's first write wins everywhere") {
  Fixture f;
  const auto debt = Debt("dan", "trip-4", "store-a");
  f.Apply(Put(debt, 1));
  REQUIRE(f.SettleLocal(debt, "counter-b").ok());  // settled here...
  auto written_off = debt;
  written_off.state = store::DebtState::kWrittenOff;
  written_off.settlement_ref = "cloud";
  auto r = f.Apply(Put(written_off, 2));  // ...while the cloud wrote it off first
  CHECK(r.outcome == Outcome::kAdopted);
  CHECK(f.Balance("dan") == 0);
  // Our queued settlement finds the bucket holding a terminal state and is dropped.
  CHECK_FALSE(f.Next());
}

TEST_CASE("an open record never reopens a debt closed here; it is published instead") {
  Fixture f;
  const auto debt = Debt("erin", "trip-5", "store-a");
  f.Apply(Put(debt, 1));
  REQUIRE(f.SettleLocal(debt).ok());
  while (auto p = f.Next()) f.Published(*p, 2);  // not yet: pretend the bucket lost it
  CHECK(f.Apply(Put(debt, 3)).outcome == Outcome::kStale);
  CHECK(f.Balance("erin") == 0);
  auto p = f.Next();
  REQUIRE(p);
  CHECK(p->record.debt.state == store::DebtState::kSettled);
  CHECK(p->expected_revision == 3);
}

TEST_CASE("another store's record under a local debt's key is counted, not applied") {
  Fixture f;
  REQUIRE(f.AddLocal(Debt("fay", "manual-1", std::string(kSelf), 500)).ok());
  auto r = f.Apply(Put(Debt("fay", "manual-1", "store-a", 900), 4));
  CHECK(r.outcome == Outcome::kConflict);
  CHECK(r.detail.find("booked by store-b") != std::string::npos);
  CHECK(f.Balance("fay") == 500);
}

TEST_CASE("a damaged value is skipped and changes nothing") {
  Fixture f;
  auto c = Put(Debt("gus", "trip-6", "store-a"), 4);
  c.value = "{\"format\":1}";
  auto r = f.Apply(c);
  CHECK(r.outcome == Outcome::kRejected);
  CHECK_FALSE(r.detail.empty());
  CHECK(f.Balance("gus") == 0);
  CHECK_FALSE(f.Row(c.key));
}

TEST_CASE("the inflow breaker holds new debts back until an operator confirms them") {
  Fixture f;
  f.hold_all = true;
  const auto a = Debt("hal", "trip-7", "store-a");
  const auto b = Debt("ivy", "trip-8", "store-c");
  CHECK(f.Apply(Put(a, 1)).outcome == Outcome::kHeld);
  CHECK(f.Apply(Put(b, 2)).outcome == Outcome::kHeld);
  CHECK(f.Balance("hal") == 0);  // recorded, not denied on
  REQUIRE(f.Row(Put(a, 0).key)->state == chain::KeyState::kHeld);
  // Settled in the chain before anyone confirmed: stored closed, nothing to confirm.
  CHECK(f.Apply(Put(Settled(b), 3)).outcome == Outcome::kAdded);
  CHECK(f.Balance("ivy") == 0);

  uint64_t confirmed = 0;
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                auto r = chain::ConfirmHeld(txn, "store-a", 2000);
                if (r.ok()) confirmed = *r;
                return r.status();
              })
              .ok());
  CHECK(confirmed == 1);
  CHECK(f.Balance("hal") == 1250);
  CHECK(f.Row(Put(a, 0).key)->state == chain::KeyState::kOpen);
}

TEST_CASE("a deleted key removes another store's debt; this store's own is published again") {
  Fixture f;
  const auto theirs = Debt("jay", "trip-10", "store-a");
  const auto mine = Debt("jay", "trip-11", std::string(kSelf), 300);
  f.Apply(Put(theirs, 1));
  REQUIRE(f.AddLocal(mine).ok());
  f.Published(*f.Next(), 2);
  CHECK(f.Balance("jay") == 1550);

  const std::string their_key = Put(theirs, 0).key;
  CHECK(f.Apply({their_key, chain::BucketOp::kDelete, "", 3}).outcome == Outcome::kRemoved);
  CHECK(f.Balance("jay") == 300);
  CHECK(f.Apply({Put(mine, 0).key, chain::BucketOp::kPurge, "", 4}).outcome == Outcome::kStale);
  CHECK(f.Balance("jay") == 300);
  auto p = f.Next();
  REQUIRE(p);
  CHECK(p->expected_revision == 4);  // over the tombstone, which create-only would refuse
}

TEST_CASE("after a full snapshot, keys it did not deliver are reconciled") {
  Fixture f;
  const auto theirs = Debt("kim", "trip-12", "store-a");
  const auto mine = Debt("kim", "trip-13", std::string(kSelf), 300);
  const auto kept = Debt("lee", "trip-14", "store-a", 700);
  f.Apply(Put(theirs, 1));
  f.Apply(Put(kept, 2));
  REQUIRE(f.AddLocal(mine).ok());
  f.Published(*f.Next(), 3);

  f.generation = 2;  // the bucket was recreated: a new snapshot delivers only `kept`
  f.Apply(Put(kept, 1));
  chain::SweepResult swept;
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                auto r = chain::SweepAfterSnapshot(txn, 2, kSelf, 3000);
                if (r.ok()) swept = *r;
                return r.status();
              })
              .ok());
  CHECK(swept.removed == 1);
  CHECK(swept.republished == 1);
  CHECK(f.Balance("kim") == 300);  // theirs gone, mine kept
  CHECK(f.Balance("lee") == 700);
  auto p = f.Next();
  REQUIRE(p);
  CHECK(p->key == "store-b.trip-13.trip");
  CHECK(p->expected_revision == 0);
}

TEST_CASE("debts booked before the ledger was configured are queued once") {
  testing::TempDir dir;
  {
    store::EnvOptions o;
    o.directory = dir.path();
    auto env = store::Env::Open(o).value();
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 return ledger::AddDebt(txn, Debt("max", "trip-15", std::string(kSelf)), 1);
               })
                .ok());
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 return ledger::AddDebt(txn, Debt("max", "trip-16", "store-a"), 1);
               })
                .ok());
  }
  store::EnvOptions o;
  o.directory = dir.path();
  o.publish_debts = true;
  auto env = store::Env::Open(o).value();
  uint64_t queued = 0;
  for (int round = 0; round < 2; ++round) {
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 auto r = chain::QueueUnpublishedOwnDebts(txn, kSelf);
                 if (r.ok()) queued = *r;
                 return r.status();
               })
                .ok());
  }
  CHECK(queued == 1);  // only store-b's own; the second round queues it again (not yet sent)
}

TEST_CASE("a debt applied before the breaker tripped is taken back into chain_held") {
  Fixture f;
  const auto debt = Debt("nia", "trip-20", "store-a");
  f.Apply(Put(debt, 1));
  CHECK(f.Balance("nia") == 1250);
  const std::string key = Put(debt, 0).key;
  bool moved = false;
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                auto r = chain::HoldApplied(txn, key, 500);
                if (r.ok()) moved = *r;
                return r.status();
              })
              .ok());
  CHECK(moved);
  CHECK(f.Balance("nia") == 0);
  CHECK(f.Row(key)->state == chain::KeyState::kHeld);
  // Its settlement arrives while held: stored closed, nothing to confirm.
  CHECK(f.Apply(Put(Settled(debt), 2)).outcome == Outcome::kAdded);
  CHECK(f.Balance("nia") == 0);
  uint64_t held = 1;
  REQUIRE(f.env
              ->Read([&](const store::ReadTxn& txn) {
                auto r = chain::CountHeld(txn);
                if (r.ok()) held = *r;
                return r.status();
              })
              .ok());
  CHECK(held == 0);
}
