// The chain's portal bucket (chain/chain_portal.h) on a real LMDB store: refund requests are
// checked and run once; receipts are kept only by the portal instance; publications carry the
// store's trip and are not repeated once the bucket holds them.
#include "chain/chain_portal.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "store/shopper_index.h"
#include "tests/support/temp_dir.h"

using namespace jwo;
using Catch::Matchers::ContainsSubstring;
using chain::Outcome;

namespace {

const std::string kId = "7d1f2c3a-4b5e-4f60-8a7b-9c0d1e2f3a4b";

store::TripRecord Trip(const std::string& store, const std::string& id) {
  store::TripRecord t;
  t.trip_id = id;
  t.store_id = store;
  t.shopper_id = "sh-1";
  t.currency = "USD";
  t.state = store::TripState::kCaptured;
  t.total = t.captured = 500;
  t.shopper_email = "ann@example.test";
  t.have_transactional_data = true;
  t.created_ms = 1'767'261'600'000;
  t.Record(1, "created", "operator notes stay at the store");
  return t;
}

struct Fixture {
  jwo::testing::TempDir dir;
  std::unique_ptr<store::Env> env;
  int refunds_run = 0;
  std::unique_ptr<chain::PortalBucket> model;

  explicit Fixture(bool serve, bool publish) {
    store::EnvOptions o;
    o.directory = dir.path();
    o.map_size_bytes = 4 << 20;
    o.publish_portal = publish;
    env = store::Env::Open(o).value();
    chain::PortalBucketOptions po;
    po.serve = serve;
    po.run_refund = [this](store::WriteTxn& txn, const chain::RefundRequest& r, int64_t) {
      if (r.amount > 500) return core::Status(core::StatusCode::kOutOfRange, "over the captured");
      ++refunds_run;
      auto bytes = txn.Get(store::Table::kTrips, r.trip_id);
      auto t = store::DecodeTrip(**bytes);
      store::RefundRecord rec;
      rec.refund_request_id = r.id;
      rec.amount = r.amount;
      t->refunds.push_back(rec);
      return txn.Put(store::Table::kTrips, r.trip_id, store::EncodeTrip(*t));
    };
    po.save_trip = [](store::WriteTxn& txn, const store::TripRecord& t) {
      return txn.Put(store::Table::kTrips, t.trip_id, store::EncodeTrip(t));
    };
    model = std::make_unique<chain::PortalBucket>(std::move(po));
  }
  chain::ApplyResult Apply(const chain::BucketChange& c) {
    chain::ApplyResult out;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 auto r = model->Apply(txn, c, {"store-a", 1000, 1, nullptr});
                 if (r.ok()) out = *r;
                 return r.status();
               })
                .ok());
    return out;
  }
  void Save(const store::TripRecord& t) {
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 return txn.Put(store::Table::kTrips, t.trip_id, store::EncodeTrip(t));
               })
                .ok());
  }
  // Queues `key` and returns what the publisher would send next.
  std::optional<chain::Publication> QueueAndNext(const std::string& key) {
    std::optional<chain::Publication> out;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 if (auto s = store::QueuePortalPublication(txn, key); !s.ok()) return s;
                 auto n = model->NextPublication(txn, "store-a");
                 if (!n.ok()) return n.status();
                 out = *n;
                 return core::Status::Ok();
               })
                .ok());
    return out;
  }
  std::optional<store::TripRecord> Load(const std::string& id) {
    std::optional<store::TripRecord> out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto b = txn.Get(store::Table::kTrips, id);
                 if (b.ok() && b->has_value()) out = store::DecodeTrip(**b).value();
                 return core::Status::Ok();
               })
                .ok());
    return out;
  }
};

chain::RefundRequest Request(int64_t amount, std::string id = kId) {
  return {std::move(id), "store-a", "trip-1", amount, "ITEM_DAMAGED", 5};
}

}  // namespace

TEST_CASE("chain portal: refund requests are checked before anything runs") {
  const chain::RefundRequest r = Request(200);
  const std::string key = chain::RefundRequestBucketKey(r);
  CHECK(key == "q.store-a." + kId);
  REQUIRE(chain::DecodeRefundRequest(key, chain::EncodeRefundRequest(r)).ok());
  CHECK_THAT(chain::DecodeRefundRequest("q.store-b." + kId, chain::EncodeRefundRequest(r))
                 .status()
                 .message(),
             ContainsSubstring("belongs under"));
  chain::RefundRequest bad = r;
  bad.reason = "damaged";
  CHECK_FALSE(chain::DecodeRefundRequest(key, chain::EncodeRefundRequest(bad)).ok());
  bad = r;
  bad.amount = 0;
  CHECK_FALSE(chain::DecodeRefundRequest(key, chain::EncodeRefundRequest(bad)).ok());
  bad = r;
  bad.id = "not-a-uuid";
  CHECK_FALSE(chain::DecodeRefundRequest(chain::RefundRequestBucketKey(bad),
                                         chain::EncodeRefundRequest(bad))
                  .ok());
  CHECK_FALSE(chain::DecodeRefundRequest(key, "{not json").ok());
}

TEST_CASE("chain portal: a request addressed to this store runs once, a refused one is recorded") {
  Fixture f(/*serve=*/false, /*publish=*/true);
  f.Save(Trip("store-a", "trip-1"));
  const chain::RefundRequest r = Request(200);
  const chain::BucketChange put{chain::RefundRequestBucketKey(r), chain::BucketOp::kPut,
                                chain::EncodeRefundRequest(r), 7};
  CHECK(f.Apply(put).outcome == Outcome::kAdded);
  CHECK(f.refunds_run == 1);
  // The same request again (redelivery, a replayed snapshot at a later sequence): no second.
  chain::BucketChange again = put;
  again.seq = 9;
  f.Apply(again);
  CHECK(f.refunds_run == 1);
  // Over what can be refunded: the store refuses; the trip says so as a failed refund.
  const chain::RefundRequest big = Request(900, "8d1f2c3a-4b5e-4f60-8a7b-9c0d1e2f3a4b");
  auto refused = f.Apply({chain::RefundRequestBucketKey(big), chain::BucketOp::kPut,
                          chain::EncodeRefundRequest(big), 10});
  CHECK(refused.outcome == Outcome::kRejected);
  auto t = f.Load("trip-1");
  REQUIRE(t);
  REQUIRE(t->refunds.size() == 2);
  CHECK(t->refunds[1].state == store::RefundState::kFailed);
  CHECK(t->refunds[1].refund_request_id == big.id);
  // A request for another store is not ours to run.
  chain::RefundRequest other = Request(100, "9d1f2c3a-4b5e-4f60-8a7b-9c0d1e2f3a4b");
  other.store_id = "store-z";
  f.Apply({chain::RefundRequestBucketKey(other), chain::BucketOp::kPut,
           chain::EncodeRefundRequest(other), 11});
  CHECK(f.refunds_run == 1);
}

TEST_CASE("chain portal: receipts are kept by the portal instance only, indexed by address") {
  const store::TripRecord theirs = Trip("store-z", "trip-z");
  const chain::BucketChange put{store::ReceiptBucketKey("store-z", "trip-z"), chain::BucketOp::kPut,
                                store::EncodeTrip(theirs), 3};
  SECTION("an appliance ignores another store's receipt") {
    Fixture f(false, true);
    CHECK(f.Apply(put).outcome == Outcome::kUnchanged);
    CHECK_FALSE(f.Load("trip-z"));
  }
  SECTION("the portal instance keeps it and finds it by address") {
    Fixture f(true, false);
    CHECK(f.Apply(put).outcome == Outcome::kAdded);
    REQUIRE(f.Load("trip-z"));
    REQUIRE(f.env
                ->Read([&](const store::ReadTxn& txn) {
                  auto trips = store::TripsForEmailHash(txn, store::EmailHash("ANN@example.test"));
                  REQUIRE(trips.ok());
                  CHECK(trips->size() == 1);
                  return core::Status::Ok();
                })
                .ok());
    // A receipt filed under another store's key is refused.
    chain::BucketChange wrong = put;
    wrong.key = store::ReceiptBucketKey("store-y", "trip-z");
    wrong.seq = 4;
    CHECK(f.Apply(wrong).outcome == Outcome::kRejected);
  }
}

TEST_CASE("chain portal: a store publishes its trip without history, once per state") {
  Fixture f(false, true);
  f.Save(Trip("store-a", "trip-1"));
  std::optional<chain::Publication> p = f.QueueAndNext("r.store-a.trip-1");
  REQUIRE(p);
  CHECK(p->key == "r.store-a.trip-1");
  CHECK(p->expected_revision == 0);
  auto sent = store::DecodeTrip(p->value);
  REQUIRE(sent.ok());
  CHECK(sent->history.empty());  // operators' notes stay at the store
  CHECK(sent->shopper_email == "ann@example.test");
  REQUIRE(f.env->Write([&](store::WriteTxn& txn) { return f.model->CommitPublished(txn, *p, 12); })
              .ok());
  // Queued again without a change: the bucket holds it already, nothing is sent.
  std::optional<chain::Publication> again = f.QueueAndNext("r.store-a.trip-1");
  CHECK_FALSE(again);
}
