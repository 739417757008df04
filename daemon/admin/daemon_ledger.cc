// The daemon's chain-ledger wiring (docs/ledger.md): the sync started on the open store, its
// status and what Amazon hears when a debt of this store's trip is settled elsewhere.
#include "admin/daemon_impl.h"
#include "chain/chain_override.h"
#include "chain/chain_portal.h"
#include "core/log.h"
#include "payments/operator_actions.h"

namespace jwo::admin {

bool Daemon::Impl::StartLedger() {
  const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
  const config::Config& cfg = *config_snapshot;
  const config::LedgerConfig& lc = cfg.ledger;
  chain::SyncOptions options;
  options.self_store = cfg.store_id;
  options.link.servers = lc.servers;
  options.link.bucket = lc.bucket;
  options.link.name = "jwo-edge " + cfg.store_id;
  options.link.tls_ca_file = lc.ca_file;
  options.link.tls_cert_file = lc.certificate_file;
  options.link.tls_key_file = lc.private_key_file;
  options.link.credentials_file = lc.credentials_file;
  options.link.ping_interval_ms = static_cast<int>(lc.ping_interval_ms);
  options.link.reconnect_wait_ms = static_cast<int>(lc.reconnect_wait_ms);
  options.link.reconnect_jitter_ms = static_cast<int>(lc.reconnect_wait_ms);
  options.link.request_timeout_ms = static_cast<int>(lc.request_timeout_ms);
  options.breaker.window_ms = int64_t{lc.breaker.window_seconds} * 1000;
  options.breaker.chain_max = lc.breaker.chain_max;
  options.breaker.store_max = lc.breaker.store_max;
  // In the transaction that applied the settlement: the report is queued with it or not at all.
  options.on_settled_own = [this](store::WriteTxn& txn, const store::DebtRecord& debt,
                                  int64_t now_ms) {
    return payments::QueueDebtSettledReport(txn, debt, PaymentPolicy(), now_ms);
  };
  options.after_settled_own = [this] {
    if (auto* d = dispatcher_ptr.load()) d->Wake(true);
  };
  // The chain-scoped overrides travel in a sibling bucket, on a link of their own.
  chain::SyncOptions overrides;
  overrides.self_store = options.self_store;
  overrides.link = options.link;
  overrides.link.bucket = lc.bucket + "-overrides";
  overrides.link.name = options.link.name + " overrides";
  overrides.model = std::make_shared<chain::OverrideBucket>();
  const nats::LinkOptions overrides_link = options.link;
  auto started = chain::ChainSync::Start(*env, std::move(options), clock);
  if (!started.ok()) {
    core::LogError("chain ledger not started; the store stands alone",
                   {{"error", started.status().message()}});
    return false;
  }
  auto started_overrides = chain::ChainSync::Start(*env, std::move(overrides), clock);
  if (!started_overrides.ok()) {
    core::LogError("chain ledger not started; the store stands alone",
                   {{"error", started_overrides.status().message()}});
    (*started)->Stop();
    return false;
  }
  // The chain's portal (docs/portal.md, "Topologies"): receipts and refund requests in a third
  // sibling bucket.
  if (lc.portal != config::LedgerPortal::kOff) {
    chain::SyncOptions portal_sync;
    portal_sync.self_store = cfg.store_id;
    portal_sync.link = overrides_link;
    portal_sync.link.bucket = lc.bucket + "-portal";
    portal_sync.link.name = "jwo-edge " + cfg.store_id + " portal";
    chain::PortalBucketOptions po;
    po.serve = lc.portal == config::LedgerPortal::kServe;
    const uint32_t window_days = cfg.payments.refund_window_days;
    po.run_refund = [this, window_days](store::WriteTxn& txn, const chain::RefundRequest& r,
                                        int64_t now_ms) {
      // The request id is the refund's refundRequestId: a request seen twice is one refund.
      auto id = payments::RequestRefund(txn, r.trip_id, r.amount, r.reason, "portal", window_days,
                                        PaymentPolicy(), now_ms, [&r] { return r.id; });
      if (!id.ok()) return id.status();
      if (auto* d = dispatcher_ptr.load()) d->Wake();
      return core::Status::Ok();
    };
    po.save_trip = [](store::WriteTxn& txn, const store::TripRecord& t) {
      return payments::SaveTrip(txn, t);
    };
    portal_sync.model = std::make_shared<chain::PortalBucket>(std::move(po));
    auto started_portal = chain::ChainSync::Start(*env, std::move(portal_sync), clock);
    if (!started_portal.ok()) {
      core::LogError("the chain's portal bucket is not synced",
                     {{"error", started_portal.status().message()}});
    } else {
      chain_portal = std::move(started_portal).value();
      chain_portal_ptr.store(chain_portal.get());
    }
  }
  chain = std::move(started).value();
  chain_overrides = std::move(started_overrides).value();
  chain_ptr.store(chain.get());
  chain_overrides_ptr.store(chain_overrides.get());
  core::LogInfo("chain ledger configured",
                {{"bucket", lc.bucket}, {"servers", std::to_string(lc.servers.size())}});
  return true;
}

json::object Daemon::Impl::LedgerStatusJson(const chain::SyncStats& s) const {
  const int64_t now = clock.NowUnixMs();
  json::object out{{"connected", s.connected},
                   {"phase", s.phase},
                   {"applied_seq", s.applied_seq},
                   {"stream_last_seq", s.stream_last_seq},
                   {"lag", s.lag},
                   {"records", s.records},
                   {"publishes_pending", s.publishes_pending},
                   {"resyncs", s.resyncs},
                   {"applied", s.applied},
                   {"rejected", s.rejected},
                   {"conflicts", s.conflicts},
                   {"published", s.published},
                   {"publish_conflicts", s.publish_conflicts},
                   {"held", s.held},
                   {"breaker_tripped", s.breaker_tripped}};
  // Staleness: how long the copy has been without news while the link is down.
  if (!s.connected && s.disconnected_since_ms > 0) {
    out["staleness_s"] = (now - s.disconnected_since_ms) / 1000;
  }
  if (s.breaker_tripped) out["breaker_scope"] = s.breaker_scope;
  if (!s.last_error.empty()) out["last_error"] = s.last_error;
  return out;
}

}  // namespace jwo::admin
