// The Create Purchases endpoint (POST /v1/order/purchases): validate, price, persist the trip
// and its first payment call, answer 201 — in that order (docs/ordering.md).
//
// Idempotent on idempotentShoppingTripId: the answer is stored with the trip in the same
// commit, and a repeat gets the stored answer and starts nothing new (a repeat whose cart
// differs is logged and counted, and still changes nothing). The 201 leaves only after the
// commit is durable: Handle() submits the write to the store Writer and answers from its
// completion, so no I/O thread waits for an fsync.
//
// Thread-safe: Handle() runs on any I/O thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "config/config_holder.h"
#include "core/clock.h"
#include "http/message.h"
#include "ordering/catalog.h"
#include "ordering/purchase_request.h"
#include "payments/lifecycle.h"
#include "store/env.h"
#include "store/writer.h"

namespace prometheus {
class Registry;
class Counter;
}  // namespace prometheus

namespace jwo::ordering {

// The catalog in force, replaced on SIGHUP. Any thread.
class CatalogHolder {
 public:
  std::shared_ptr<const Catalog> Get() const {
    std::lock_guard lock(mutex_);
    return catalog_;
  }
  void Set(std::shared_ptr<const Catalog> c) {
    std::lock_guard lock(mutex_);
    catalog_ = std::move(c);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Catalog> catalog_;
};

struct OrderingMetrics {
  explicit OrderingMetrics(prometheus::Registry& registry);
  prometheus::Counter* created = nullptr;          // new trips
  prometheus::Counter* repeated = nullptr;         // idempotent repeats answered from the store
  prometheus::Counter* repeat_mismatch = nullptr;  // repeats whose cart differed
  prometheus::Counter* held = nullptr;             // bad carts held for an operator
  prometheus::Counter* rejected = nullptr;         // 400/404
  prometheus::Counter* busy = nullptr;             // 503: store unavailable or writer full
  prometheus::Counter* undecodable_decisions = nullptr;  // decision rows that did not decode
};

class PurchaseHandler {
 public:
  struct Deps {
    const config::ConfigHolder* config = nullptr;
    const std::atomic<store::Env*>* env = nullptr;
    const std::atomic<store::Writer*>* writer = nullptr;
    const CatalogHolder* catalog = nullptr;
    const core::Clock* clock = nullptr;
    OrderingMetrics* metrics = nullptr;
    std::function<payments::LifecyclePolicy()> policy;
    std::function<void()> on_committed;  // wakes the outbox dispatcher
    // The shopper of a gate decision for the trip not yet written to the store, or "".
    std::function<std::string(std::string_view trip_id)> pending_shopper;
  };
  explicit PurchaseHandler(Deps deps) : deps_(std::move(deps)) {}

  // 201 {"purchaseId"} (empty for an empty cart); 400 naming the field; 404 for another
  // store's id; 503 when the store is not open or the writer is saturated.
  void Handle(http::Request&& request, http::Respond respond) const;

 private:
  Deps deps_;
};

// Prices `req`'s cart with `catalog` into a new trip record, not yet started
// (payments::StartTrip). The trip is held (state kHeld, `unpriced` naming each bad line) when a
// line cannot be priced, or when `catalog` is null and the cart is not empty. An empty cart is
// never held, with or without a catalog: StartTrip then queues its Cancel.
store::TripRecord BuildTrip(const PurchaseRequest& req, const Catalog* catalog, int64_t now_ms);

// The shopper of the trip's approved entry decision among the recent decisions, "" when none.
// A decision row that does not decode is counted in *undecodable and skipped — the caller
// logs and counts it: the trip may then have no payer, so a decline of it could not become
// anyone's debt. A scan that fails is an error (Create Purchases answers 503; Amazon retries).
core::Result<std::string> ShopperFromDecisions(const store::ReadTxn& txn, std::string_view trip_id,
                                               int64_t now_ms, uint64_t* undecodable);

// The payer of a trip whose request names none: the earliest approved decision in the store,
// else one the decision log still holds (`pending`, which may be null). The log is asked
// *before* the store is read: a decision leaves the log only after its batch is committed, so
// one the writer commits between the two looks is found in the store. (Read the other way
// round, a decision committed in between was in neither place, and a declined trip of it
// became nobody's debt.) Errors as ShopperFromDecisions.
core::Result<std::string> FindPayer(const store::Env& env, std::string_view trip_id, int64_t now_ms,
                                    const std::function<std::string(std::string_view)>& pending,
                                    uint64_t* undecodable);

// The commit of a new purchase, inside the caller's write transaction: the idempotency record
// and the trip with its first payment call (StartTrip), together. `started` receives the trip
// as stored. When another delivery of the same trip committed first, `raced` receives its
// record and nothing is written. Safe to run again after a full map grows (Env::WriteBatch
// reruns every job of the batch): `trip` is only read, the outputs are overwritten.
// Thread-compatible (the writer thread).
core::Status CommitPurchase(store::WriteTxn& txn, const store::TripRecord& trip,
                            const store::PurchaseRecord& record,
                            const payments::LifecyclePolicy& policy, int64_t now_ms,
                            store::TripRecord& started,
                            std::optional<store::PurchaseRecord>& raced);

}  // namespace jwo::ordering
