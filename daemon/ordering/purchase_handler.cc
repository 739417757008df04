#include "ordering/purchase_handler.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "core/ids.h"
#include "core/log.h"
#include "http/status_answer.h"
#include "ordering/pricing.h"
#include "store/records.h"

namespace jwo::ordering {
namespace {

std::string Created(const std::string& purchase_id) {
  return R"({"purchaseId":")" + purchase_id + R"("})";
}

// The shopper of the trip's earliest approved gate decision: who tapped to open it. Decisions
// are appended in time order, so this walks back from the newest and stops at a horizon: Create
// Purchases arrives minutes after the tap, never days.
constexpr int64_t kDecisionLookback = 2 * 86'400'000;  // ms
constexpr size_t kDecisionScanLimit = 500'000;

}  // namespace

core::Result<std::string> ShopperFromDecisions(const store::ReadTxn& txn, std::string_view trip_id,
                                               int64_t now_ms, uint64_t* undecodable) {
  std::string shopper;
  size_t scanned = 0;
  core::Status scan =
      txn.ScanReverse(store::Table::kDecisions, [&](std::string_view k, std::string_view v) {
        auto d = store::DecodeDecision(k, v);
        if (!d.ok()) {
          ++*undecodable;
          return ++scanned <= kDecisionScanLimit;
        }
        if (d->decided_ms < now_ms - kDecisionLookback || ++scanned > kDecisionScanLimit) {
          return false;
        }
        if (d->trip_id == trip_id && d->outcome == store::Outcome::kApproved) {
          shopper = d->shopper_id;  // keep walking back: an earlier tap of the same trip wins
        }
        return true;
      });
  if (!scan.ok()) return scan;
  return shopper;
}

core::Result<std::string> FindPayer(const store::Env& env, std::string_view trip_id, int64_t now_ms,
                                    const std::function<std::string(std::string_view)>& pending,
                                    uint64_t* undecodable) {
  const std::string queued = pending ? pending(trip_id) : std::string();
  std::string stored;
  core::Status read = env.Read([&](const store::ReadTxn& txn) {
    auto found = ShopperFromDecisions(txn, trip_id, now_ms, undecodable);
    if (!found.ok()) return found.status();
    stored = std::move(*found);
    return core::Status::Ok();
  });
  if (!read.ok()) return read;
  return stored.empty() ? queued : stored;
}

OrderingMetrics::OrderingMetrics(prometheus::Registry& registry) {
  auto& family = prometheus::BuildCounter()
                     .Name("jwo_ordering_purchases_total")
                     .Help("Create Purchases requests by result")
                     .Register(registry);
  created = &family.Add({{"result", "created"}});
  repeated = &family.Add({{"result", "repeat"}});
  repeat_mismatch = &family.Add({{"result", "repeat_cart_mismatch"}});
  held = &family.Add({{"result", "held_bad_cart"}});
  rejected = &family.Add({{"result", "rejected"}});
  busy = &family.Add({{"result", "busy"}});
  undecodable_decisions = &prometheus::BuildCounter()
                               .Name("jwo_ordering_undecodable_decisions_total")
                               .Help("Decision rows that did not decode while looking for a payer")
                               .Register(registry)
                               .Add({});
}

store::TripRecord BuildTrip(const PurchaseRequest& req, const Catalog* catalog, int64_t now) {
  store::TripRecord t;
  t.trip_id = req.trip_id;
  t.store_id = req.store_id;
  t.request_id = req.request_id;
  t.shopper_id = req.shopper_id;
  t.start_ms = req.start_ms;
  t.end_ms = req.end_ms;
  t.created_ms = now;
  for (const AuthEvent& e : req.auth_events) t.auth_event_ids.push_back(e.id);
  t.cart = req.cart;
  if (catalog == nullptr) {
    // An empty cart has nothing to price, so a missing catalog cannot make it a bad cart. It
    // takes the path it takes with a catalog (StartTrip queues a Cancel): Amazon expects the
    // pre-authorisation released, and a held trip would leave nothing for an operator to fix.
    if (req.cart.empty()) {
      t.state = store::TripState::kAdjusting;
      return t;
    }
    for (size_t i = 0; i < req.cart.size(); ++i) {
      const auto& c = req.cart[i];
      t.unpriced.push_back("line " + (c.line_id.empty() ? std::to_string(i) : c.line_id) + " (" +
                           c.item_id + "): no catalog is loaded");
    }
    t.state = store::TripState::kHeld;
    return t;
  }
  std::vector<CartLine> lines;
  lines.reserve(req.cart.size());
  for (const auto& c : req.cart) {
    lines.push_back(CartLine{c.line_id, c.item_id, c.item_type, c.quantity, c.unit, c.upcs});
  }
  // Taken apart into the record: its strings are moved, not copied (1,000-line carts).
  PricedCart priced = PriceCart(*catalog, lines);
  t.currency = std::string(priced.currency.Code());
  t.subtotal = priced.subtotal_minor;
  t.discount = priced.discount_minor;
  t.tax = priced.tax_minor;
  t.total = priced.total_minor;
  t.priced.reserve(priced.lines.size());
  for (PricedLine& p : priced.lines) {
    store::PricedLineRecord r{std::move(p.line_id), std::move(p.sku),
                              std::move(p.name),    std::move(p.quantity),
                              p.unit_price_minor,   p.gross_minor,
                              p.discount_minor,     p.tax_minor,
                              p.total_minor,        {}};
    r.promotions.reserve(p.promotions.size());
    for (auto& promo : p.promotions) r.promotions.push_back(std::move(promo.id));
    t.priced.push_back(std::move(r));
  }
  for (const UnpricedLine& u : priced.unpriced) {
    // Lines without a lineItemId are named by their position, which `trip resolve` accepts.
    t.unpriced.push_back("line " + (u.line_id.empty() ? std::to_string(u.index) : u.line_id) +
                         " (" + u.item_id + "): " + u.reason);
  }
  t.state = t.unpriced.empty() ? store::TripState::kAdjusting : store::TripState::kHeld;
  return t;
}

core::Status CommitPurchase(store::WriteTxn& txn, const store::TripRecord& trip,
                            const store::PurchaseRecord& record,
                            const payments::LifecyclePolicy& policy, int64_t now,
                            store::TripRecord& started,
                            std::optional<store::PurchaseRecord>& raced) {
  raced.reset();
  // The record's strings are length-prefixed with 16 bits (store/codec.h): refuse rather than
  // let a longer one wrap. Ours are short by construction ({"purchaseId":"<uuid>"}).
  constexpr size_t kMaxField = 65535;
  if (record.response_body.size() > kMaxField || record.cart_digest.size() > kMaxField ||
      record.purchase_id.size() > kMaxField || record.trip_id.size() > kMaxField) {
    return core::Status(core::StatusCode::kInvalidArgument,
                        "purchase record field longer than the store allows");
  }
  // Two deliveries of one trip can race to here: the second finds the first's record.
  auto bytes = txn.Get(store::Table::kPurchases, record.trip_id);
  if (!bytes.ok()) return bytes.status();
  if (bytes->has_value()) {
    auto p = store::DecodePurchase(**bytes);
    if (!p.ok()) return p.status();
    raced = std::move(*p);
    return core::Status::Ok();
  }
  if (auto s = txn.Put(store::Table::kPurchases, record.trip_id, store::EncodePurchase(record));
      !s.ok()) {
    return s;
  }
  // Always from the trip as built: a rerun must not start an already started copy again.
  started = trip;
  return payments::StartTrip(txn, started, policy, now);
}

void PurchaseHandler::Handle(http::Request&& request, http::Respond respond) const {
  const std::shared_ptr<const config::Config> config_snapshot =
      deps_.config->Current();  // held for this request
  const config::Config& cfg = *config_snapshot;
  auto parsed = ParsePurchaseRequest(request.body);
  if (!parsed.ok()) {
    deps_.metrics->rejected->Increment();
    respond(http::StatusAnswer(parsed.status()));
    return;
  }
  auto req = std::make_shared<PurchaseRequest>(std::move(*parsed));
  if (req->store_id != cfg.store_id) {
    deps_.metrics->rejected->Increment();
    respond(http::StatusAnswer(
        core::NotFound("no connector configuration for storeId '" + req->store_id + "'")));
    return;
  }
  store::Env* env = deps_.env->load();
  store::Writer* writer = deps_.writer->load();
  if (env == nullptr || writer == nullptr) {
    deps_.metrics->busy->Increment();
    respond(http::StatusAnswer(
        core::Status(core::StatusCode::kUnavailable, "the store is not available; retry later")));
    return;
  }

  const std::string digest = CartDigest(req->cart);
  std::optional<store::PurchaseRecord> existing;
  std::string decided_shopper;
  uint64_t undecodable = 0;
  core::Status read = env->Read([&](const store::ReadTxn& txn) {
    auto bytes = txn.Get(store::Table::kPurchases, req->trip_id);
    if (!bytes.ok()) return bytes.status();
    if (bytes->has_value()) {
      auto p = store::DecodePurchase(**bytes);
      if (!p.ok()) return p.status();
      existing = std::move(*p);
    }
    return core::Status::Ok();
  });
  if (read.ok() && !existing && req->shopper_id.empty()) {
    auto found = FindPayer(*env, req->trip_id, deps_.clock->NowUnixMs(), deps_.pending_shopper,
                           &undecodable);
    if (found.ok()) {
      decided_shopper = std::move(*found);
    } else {
      read = found.status();
    }
  }
  if (!read.ok()) {
    core::LogError("Create Purchases could not read the store", {{"error", read.ToString()}});
    respond(http::StatusAnswer(
        core::Status(core::StatusCode::kUnavailable, "the store could not be read; retry later")));
    return;
  }
  if (undecodable > 0) {
    deps_.metrics->undecodable_decisions->Increment(static_cast<double>(undecodable));
    core::LogError(
        "decision rows do not decode; the payer of a trip may be missing "
        "(jwo-edgectl trip show)",
        {{"trip", req->trip_id}, {"rows", std::to_string(undecodable)}});
  }
  auto answer_repeat = [this, digest, req](const store::PurchaseRecord& p, http::Respond& r) {
    deps_.metrics->repeated->Increment();
    if (p.cart_digest != digest) {
      deps_.metrics->repeat_mismatch->Increment();
      core::LogWarning("repeated Create Purchases with a different cart; answered as before",
                       {{"trip", req->trip_id}});
    }
    r(http::Response{201, p.response_body, "application/json", {}});
  };
  if (existing) {
    answer_repeat(*existing, respond);
    return;
  }

  const int64_t now = deps_.clock->NowUnixMs();
  auto catalog = deps_.catalog->Get();
  auto trip = std::make_shared<store::TripRecord>(BuildTrip(*req, catalog.get(), now));
  if (trip->shopper_id.empty()) trip->shopper_id = decided_shopper;
  trip->purchase_id = req->cart.empty() ? "" : core::NewUuidV4();
  trip->Record(now, "created",
               std::to_string(trip->priced.size()) + " priced, " +
                   std::to_string(trip->unpriced.size()) + " unpriced lines");
  // The lines are encoded once, here on the purchase worker, into the text the trip record
  // holds them as: the store's one writer thread (which every purchase and payment answer
  // waits for) then copies bytes instead of encoding a large cart (docs/performance.md).
  store::HoldLinesAsText(*trip);
  auto record = std::make_shared<store::PurchaseRecord>();
  record->trip_id = req->trip_id;
  record->purchase_id = trip->purchase_id;
  record->response_body = Created(trip->purchase_id);
  record->cart_digest = digest;
  record->created_ms = now;
  const payments::LifecyclePolicy policy = deps_.policy();
  auto raced = std::make_shared<std::optional<store::PurchaseRecord>>();
  auto started = std::make_shared<store::TripRecord>();

  const bool queued = writer->Submit(
      [trip, record, policy, now, started, raced](store::WriteTxn& txn) {
        return CommitPurchase(txn, *trip, *record, policy, now, *started, *raced);
      },
      [this, trip, record, raced, respond, answer_repeat](const core::Status& s) mutable {
        if (!s.ok()) {
          core::LogError("could not store a purchase",
                         {{"trip", record->trip_id}, {"error", s.ToString()}});
          respond(http::StatusAnswer(core::Status(core::StatusCode::kUnavailable,
                                                  "the purchase could not be stored; retry")));
          return;
        }
        if (raced->has_value()) {
          answer_repeat(**raced, respond);
          return;
        }
        deps_.metrics->created->Increment();
        if (trip->state == store::TripState::kHeld) {
          deps_.metrics->held->Increment();
          core::LogWarning(
              "bad cart held: not charged until an operator resolves it",
              {{"trip", trip->trip_id}, {"unpriced", std::to_string(trip->unpriced.size())}});
        }
        respond(http::Response{201, record->response_body, "application/json", {}});
        if (deps_.on_committed) deps_.on_committed();
      });
  if (!queued) {
    deps_.metrics->busy->Increment();
    respond(http::StatusAnswer(core::Status(core::StatusCode::kUnavailable,
                                            "too many purchases waiting to be stored; retry")));
  }
}

}  // namespace jwo::ordering
