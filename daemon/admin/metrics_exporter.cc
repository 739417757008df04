#include "admin/metrics_exporter.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "jwo/version.h"

namespace jwo::admin {

// Counters whose source of truth is elsewhere are advanced by the difference since the last
// scrape, so they stay monotonic counters for Prometheus' rate().
class SampledCounter {
 public:
  SampledCounter(prometheus::Family<prometheus::Counter>& family, prometheus::Labels labels)
      : counter_(&family.Add(std::move(labels))) {}
  void Set(uint64_t total) {
    if (total > last_) counter_->Increment(static_cast<double>(total - last_));
    last_ = total;
  }

 private:
  prometheus::Counter* counter_;
  uint64_t last_ = 0;
};

struct MetricsExporter::Gauges {
  explicit Gauges(prometheus::Registry& r)
      : map_size(Gauge(r, "jwo_store_map_size_bytes", "LMDB map size")),
        used(Gauge(r, "jwo_store_used_bytes", "LMDB pages in use, in bytes")),
        readers(Gauge(r, "jwo_store_readers", "LMDB reader slots in use")),
        max_readers(Gauge(r, "jwo_store_max_readers", "LMDB reader slots available")),
        store_open(Gauge(r, "jwo_store_open", "1 when the store is open")),
        ready(Gauge(r, "jwo_ready", "1 when the daemon reports ready")),
        no_space(Gauge(r, "jwo_store_no_space",
                       "1 while store writes are refused for lack of disk space (reads go on)")),
        full(Gauge(r, "jwo_store_full",
                   "1 while store writes are refused because the map reached "
                   "store.max_map_size_mib (reads go on)")),
        http_open(Gauge(r, "jwo_http_open_connections", "Open HTTP connections")),
        ledger_connected(Gauge(r, "jwo_ledger_connected", "1 while connected to the chain ledger")),
        ledger_lag(Gauge(r, "jwo_ledger_lag",
                         "Bucket changes not yet applied here (stream last sequence - applied)")),
        ledger_staleness(Gauge(r, "jwo_ledger_staleness_seconds",
                               "Time since the link to the chain ledger went down (0 while up)")),
        ledger_records(Gauge(r, "jwo_ledger_records", "Bucket keys applied here")),
        ledger_pending(Gauge(r, "jwo_ledger_publishes_pending",
                             "Local debt changes waiting to be published to the chain")),
        ledger_held(Gauge(r, "jwo_ledger_held",
                          "Debts held back by the inflow breaker until an operator confirms")),
        ledger_tripped(Gauge(r, "jwo_ledger_breaker_tripped",
                             "1 while the debt-inflow breaker holds new debts back")),
        ledger_family(prometheus::BuildCounter()
                          .Name("jwo_ledger_events_total")
                          .Help("Chain ledger events: applied, rejected and conflicting bucket "
                                "changes, publishes, publish conflicts, full resyncs")
                          .Register(r)),
        log_queued(
            Gauge(r, "jwo_fa_decision_log_queued", "Decision records waiting to be written")),
        outbox_queued(Gauge(r, "jwo_outbox_queued", "Payment calls waiting or in flight")),
        outbox_dead(Gauge(r, "jwo_outbox_dead_letters", "Payment calls refused permanently")),
        outbox_in_flight(Gauge(r, "jwo_outbox_in_flight", "Payment calls on the wire")),
        outbox_oldest(Gauge(r, "jwo_outbox_oldest_age_seconds", "Age of the oldest waiting call")),
        outbox_expiring(Gauge(r, "jwo_trips_nearing_preauth_expiry",
                              "Unsettled trips within the alert window of their pre-auth expiry")),
        capture_unknown(Gauge(r, "jwo_trips_capture_unknown",
                              "Trips whose Capture was sent and never answered (not sent again)")),
        capture_unknown_alert(Gauge(r, "jwo_trips_capture_unknown_alert",
                                    "1 while capture_unknown trips exceed "
                                    "payments.unknown_capture_alert")),
        problems_family(prometheus::BuildCounter()
                            .Name("jwo_outbox_problems_total")
                            .Help("Payment calls held back: store_error = an outbox row or answer "
                                  "the store could not read or commit; no_credentials = no AWS "
                                  "credentials to sign with")
                            .Register(r)),
        clock_skew(Gauge(r, "jwo_payments_clock_skew_seconds",
                         "Payment Service clock minus ours, from its Date header")),
        clock_skew_level(Gauge(r, "jwo_payments_clock_skew_level",
                               "0 normal, 1 over 60 s, 2 over 5 min (SigV4 requests refused)")),
        outbox_family(prometheus::BuildCounter()
                          .Name("jwo_outbox_calls_total")
                          .Help("Payment Service calls by outcome")
                          .Register(r)),
        mail_family(prometheus::BuildCounter()
                        .Name("jwo_mail_receipts_total")
                        .Help("Receipt mails by outcome: sent, retried (the relay was away or "
                              "answered 4xx), failed (given up)")
                        .Register(r)),
        portal_family(prometheus::BuildCounter()
                          .Name("jwo_portal_events_total")
                          .Help("Shoppers' portal events: codes mailed or not, sign-ins and failed "
                                "ones, lock-outs, refunds requested, payoffs settled or declined")
                          .Register(r)),
        entries_family(
            prometheus::BuildGauge().Name("jwo_store_entries").Help("Rows per table").Register(r)),
        http_family(prometheus::BuildCounter()
                        .Name("jwo_http_events_total")
                        .Help("HTTP server events by kind")
                        .Register(r)),
        log_family(prometheus::BuildCounter()
                       .Name("jwo_fa_decision_log_records_total")
                       .Help("Decision audit records by fate")
                       .Register(r)),
        grows_family(prometheus::BuildCounter()
                         .Name("jwo_store_map_grows_total")
                         .Help("Times the LMDB map grew")
                         .Register(r)),
        accepted(http_family, {{"event", "accepted"}}),
        rejected(http_family, {{"event", "rejected_over_limit"}}),
        requests(http_family, {{"event", "request"}}),
        malformed(http_family, {{"event", "malformed_request"}}),
        req_timeouts(http_family, {{"event", "request_timeout"}}),
        idle_timeouts(http_family, {{"event", "idle_timeout"}}),
        tls_failures(http_family, {{"event", "tls_handshake_failure"}}),
        written(log_family, {{"fate", "written"}}),
        dropped(log_family, {{"fate", "dropped"}}),
        grows(grows_family, {}),
        sent(outbox_family, {{"outcome", "sent"}}),
        done(outbox_family, {{"outcome", "done"}}),
        retried(outbox_family, {{"outcome", "retried"}}),
        dead_lettered(outbox_family, {{"outcome", "dead_lettered"}}),
        ledger_applied(ledger_family, {{"event", "applied"}}),
        ledger_rejected(ledger_family, {{"event", "rejected"}}),
        ledger_conflicts(ledger_family, {{"event", "conflict"}}),
        ledger_published(ledger_family, {{"event", "published"}}),
        ledger_publish_conflicts(ledger_family, {{"event", "publish_conflict"}}),
        ledger_resyncs(ledger_family, {{"event", "resync"}}),
        store_errors(problems_family, {{"problem", "store_error"}}),
        no_credentials(problems_family, {{"problem", "no_credentials"}}),
        mail_sent(mail_family, {{"outcome", "sent"}}),
        mail_retried(mail_family, {{"outcome", "retried"}}),
        mail_failed(mail_family, {{"outcome", "failed"}}),
        portal_codes_sent(portal_family, {{"event", "code_sent"}}),
        portal_codes_failed(portal_family, {{"event", "code_not_sent"}}),
        portal_sign_ins(portal_family, {{"event", "sign_in"}}),
        portal_sign_in_failures(portal_family, {{"event", "sign_in_failed"}}),
        portal_lockouts(portal_family, {{"event", "lockout"}}),
        portal_refunds(portal_family, {{"event", "refund_requested"}}),
        portal_payoffs_settled(portal_family, {{"event", "payoff_settled"}}),
        portal_payoffs_declined(portal_family, {{"event", "payoff_declined"}}) {
    for (store::Table t : store::kAllTables) {
      entries[static_cast<size_t>(t)] =
          &entries_family.Add({{"table", std::string(store::TableName(t))}});
    }
    prometheus::BuildGauge()
        .Name("jwo_build_info")
        .Help("Build information; the value is always 1")
        .Register(r)
        .Add({{"version", kVersion}})
        .Set(1);
  }

  static prometheus::Gauge& Gauge(prometheus::Registry& r, const char* name, const char* help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(r).Add({});
  }

  prometheus::Gauge& map_size;
  prometheus::Gauge& used;
  prometheus::Gauge& readers;
  prometheus::Gauge& max_readers;
  prometheus::Gauge& store_open;
  prometheus::Gauge& ready;
  prometheus::Gauge& no_space;
  prometheus::Gauge& full;
  prometheus::Gauge& http_open;
  prometheus::Gauge& ledger_connected;
  prometheus::Gauge& ledger_lag;
  prometheus::Gauge& ledger_staleness;
  prometheus::Gauge& ledger_records;
  prometheus::Gauge& ledger_pending;
  prometheus::Gauge& ledger_held;
  prometheus::Gauge& ledger_tripped;
  prometheus::Family<prometheus::Counter>& ledger_family;
  prometheus::Gauge& log_queued;
  prometheus::Gauge& outbox_queued;
  prometheus::Gauge& outbox_dead;
  prometheus::Gauge& outbox_in_flight;
  prometheus::Gauge& outbox_oldest;
  prometheus::Gauge& outbox_expiring;
  prometheus::Gauge& capture_unknown;
  prometheus::Gauge& capture_unknown_alert;
  prometheus::Family<prometheus::Counter>& problems_family;
  prometheus::Gauge& clock_skew;
  prometheus::Gauge& clock_skew_level;
  prometheus::Family<prometheus::Counter>& outbox_family;
  prometheus::Family<prometheus::Counter>& mail_family;
  prometheus::Family<prometheus::Counter>& portal_family;
  prometheus::Family<prometheus::Gauge>& entries_family;
  prometheus::Family<prometheus::Counter>& http_family;
  prometheus::Family<prometheus::Counter>& log_family;
  prometheus::Family<prometheus::Counter>& grows_family;
  prometheus::Gauge* entries[store::kAllTables.size()] = {};
  SampledCounter accepted, rejected, requests, malformed, req_timeouts, idle_timeouts, tls_failures,
      written, dropped, grows, sent, done, retried, dead_lettered, ledger_applied, ledger_rejected,
      ledger_conflicts, ledger_published, ledger_publish_conflicts, ledger_resyncs, store_errors,
      no_credentials, mail_sent, mail_retried, mail_failed, portal_codes_sent, portal_codes_failed,
      portal_sign_ins, portal_sign_in_failures, portal_lockouts, portal_refunds,
      portal_payoffs_settled, portal_payoffs_declined;
};

MetricsExporter::MetricsExporter()
    : registry_(std::make_shared<prometheus::Registry>()),
      gauges_(std::make_unique<Gauges>(*registry_)) {}

MetricsExporter::~MetricsExporter() = default;

prometheus::Registry& MetricsExporter::registry() { return *registry_; }

std::string MetricsExporter::Render(const std::function<void(ScrapeSample&)>& sample) {
  std::lock_guard lock(mutex_);
  ScrapeSample s;
  sample(s);
  Gauges& g = *gauges_;
  g.store_open.Set(s.store != nullptr ? 1 : 0);
  g.ready.Set(s.ready ? 1 : 0);
  g.no_space.Set(s.store_no_space ? 1 : 0);
  g.full.Set(s.store_full ? 1 : 0);
  if (s.store != nullptr) {
    g.map_size.Set(static_cast<double>(s.store->map_size_bytes));
    g.used.Set(static_cast<double>(s.store->used_bytes));
    g.readers.Set(s.store->readers_used);
    g.max_readers.Set(s.store->max_readers);
    for (size_t i = 0; i < store::kAllTables.size(); ++i) {
      g.entries[i]->Set(static_cast<double>(s.store->entries[i]));
    }
    g.grows.Set(s.store->map_grows);
  }
  g.http_open.Set(static_cast<double>(s.http.open_connections));
  g.accepted.Set(s.http.accepted);
  g.rejected.Set(s.http.rejected_over_limit);
  g.requests.Set(s.http.requests);
  g.malformed.Set(s.http.malformed_requests);
  g.req_timeouts.Set(s.http.request_timeouts);
  g.idle_timeouts.Set(s.http.idle_timeouts);
  g.tls_failures.Set(s.http.tls_handshake_failures);
  g.written.Set(s.decision_log.written);
  g.dropped.Set(s.decision_log.dropped);
  g.log_queued.Set(static_cast<double>(s.decision_log.queued));
  if (s.outbox != nullptr) {
    g.outbox_queued.Set(static_cast<double>(s.outbox->queued));
    g.outbox_dead.Set(static_cast<double>(s.outbox->dead_letters));
    g.outbox_in_flight.Set(static_cast<double>(s.outbox->in_flight));
    g.outbox_oldest.Set(static_cast<double>(s.outbox->oldest_age_ms) / 1000.0);
    g.outbox_expiring.Set(static_cast<double>(s.outbox->nearing_expiry));
    g.capture_unknown.Set(static_cast<double>(s.outbox->unknown_captures));
    g.capture_unknown_alert.Set(s.outbox->unknown_capture_alert ? 1 : 0);
    g.store_errors.Set(s.outbox->store_errors);
    g.no_credentials.Set(s.outbox->unsigned_held);
    g.clock_skew.Set(static_cast<double>(s.outbox->clock_skew_ms) / 1000.0);
    g.clock_skew_level.Set(s.outbox->clock_skew_level);
    g.sent.Set(s.outbox->sent);
    g.done.Set(s.outbox->done);
    g.retried.Set(s.outbox->retried);
    g.dead_lettered.Set(s.outbox->dead_lettered);
  }
  if (s.mail != nullptr) {
    g.mail_sent.Set(s.mail->sent);
    g.mail_retried.Set(s.mail->transient);
    g.mail_failed.Set(s.mail->failed);
  }
  if (s.portal != nullptr) {
    g.portal_codes_sent.Set(s.portal->codes_sent);
    g.portal_codes_failed.Set(s.portal->codes_failed);
    g.portal_sign_ins.Set(s.portal->sign_ins);
    g.portal_sign_in_failures.Set(s.portal->sign_in_failures);
    g.portal_lockouts.Set(s.portal->lockouts);
    g.portal_refunds.Set(s.portal->refunds_requested);
    g.portal_payoffs_settled.Set(s.portal->payoffs_settled);
    g.portal_payoffs_declined.Set(s.portal->payoffs_declined);
  }
  if (s.ledger != nullptr) {
    const chain::SyncStats& l = *s.ledger;
    g.ledger_connected.Set(l.connected ? 1 : 0);
    g.ledger_lag.Set(static_cast<double>(l.lag));
    g.ledger_staleness.Set(!l.connected && l.disconnected_since_ms > 0
                               ? static_cast<double>(s.now_ms - l.disconnected_since_ms) / 1000.0
                               : 0.0);
    g.ledger_records.Set(static_cast<double>(l.records));
    g.ledger_pending.Set(static_cast<double>(l.publishes_pending));
    g.ledger_held.Set(static_cast<double>(l.held));
    g.ledger_tripped.Set(l.breaker_tripped ? 1 : 0);
    g.ledger_applied.Set(l.applied);
    g.ledger_rejected.Set(l.rejected);
    g.ledger_conflicts.Set(l.conflicts);
    g.ledger_published.Set(l.published);
    g.ledger_publish_conflicts.Set(l.publish_conflicts);
    g.ledger_resyncs.Set(l.resyncs);
  }
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (const prometheus::Collectable* c : collectables_) {
    for (prometheus::MetricFamily& f : c->Collect()) families.push_back(std::move(f));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace jwo::admin
