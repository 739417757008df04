// Daemon::Impl: the daemon's object graph, shared by daemon.cc (start-up, signals, shutdown,
// status) and daemon_payments.cc (the catalog and the payment subsystem). Internal to admin/.
//
// Threading: built and torn down on the main thread; members used by I/O threads are either
// immutable after start, atomics, or objects that are thread-safe themselves (see each type).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "admin/control_api.h"
#include "admin/control_server.h"
#include "admin/daemon.h"
#include "admin/metrics_exporter.h"
#include "admin/systemd_notifier.h"
#include "chain/chain_sync.h"
#include "config/config_holder.h"
#include "core/clock.h"
#include "fa/decision_log.h"
#include "fa/handler.h"
#include "fa/metrics.h"
#include "gate/gate_service.h"
#include "http/server.h"
#include "mail/mail_outbox.h"
#include "ordering/purchase_handler.h"
#include "payments/credentials.h"
#include "payments/dispatcher.h"
#include "payments/payment_client.h"
#include "portal/housekeeper.h"
#include "portal/portal_service.h"
#include "portal/sandbox_processor.h"
#include "store/writer.h"

namespace jwo::admin {
namespace internal {

struct BoundListener {
  std::string name;
  std::string address;
  uint16_t port;
  bool tls;
  bool client_certs;
};

// The HTTP server's connection threads: http.threads, or half the CPU cores (at least one).
// One connection thread answers some 50,000 gate requests a second on the 2-core reference
// machine, far beyond a store's taps; a second one on 2 cores served no more, at a third more CPU
// per request and a longer tail, competing with the writers, the outbox and the portal for the
// same cores (docs/performance.md, issue "Hot paths").
inline int ThreadCount(const config::Config& cfg) {
  if (cfg.http.threads > 0) return cfg.http.threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 2));
}

}  // namespace internal

using internal::BoundListener;
using internal::ThreadCount;
namespace asio = boost::asio;
namespace json = boost::json;

struct Daemon::Impl {
  Impl(std::string path, config::Config cfg)
      : config_path(std::move(path)),
        holder(std::make_shared<const config::Config>(std::move(cfg))),
        threads(ThreadCount(*holder.Current())),
        io(1),
        fa_metrics(),
        decision_log(holder.Current()->audit),
        server(io, Limits(holder.Current()->http), threads),
        fa_handler(fa::AuthorizationHandler::Deps{
            &holder, &env_ptr, &decision_log, &fa_metrics, &clock,
            [this](const fa::AuthorizationRequest& r, const fa::Decision& d) {
              gates.OnDecision(r, d);
            }}),
        ordering_metrics(metrics.registry()),
        purchase_handler(ordering::PurchaseHandler::Deps{
            &holder, &env_ptr, &writer_ptr, &catalog, &clock, &ordering_metrics,
            [this] { return PaymentPolicy(); },
            [this] {
              if (auto* d = dispatcher_ptr.load()) d->Wake();
            },
            [this](std::string_view trip) { return decision_log.QueuedShopperForTrip(trip); }}),
        control_api(
            ControlApi::Deps{&env_ptr, &holder, &clock, [this] { return StatusJson(); },
                             [this] { return PaymentPolicy(); },
                             [this] {
                               if (auto* d = dispatcher_ptr.load()) d->Wake(true);
                             },
                             [this](const json::object& r) { return gates.HandleControl(r); },
                             [this](std::string_view origin) -> core::Result<uint64_t> {
                               auto* c = chain_ptr.load();
                               if (c == nullptr) {
                                 return core::Status(core::StatusCode::kFailedPrecondition,
                                                     "the chain ledger is not running");
                               }
                               return c->Confirm(origin);
                             },
                             [this] {
                               if (auto* c = chain_ptr.load()) c->Wake();
                               if (auto* o = chain_overrides_ptr.load()) o->Wake();
                             }}),
        control_server(control_api),
        signals(io),
        watchdog(io) {
    metrics.AddCollectable(&fa_metrics);
  }

  static http::ServerLimits Limits(const config::HttpConfig& h) {
    return http::ServerLimits{h.max_body_bytes,     h.max_header_bytes, h.idle_timeout_ms,
                              h.request_timeout_ms, h.max_connections,  h.max_pipelined_requests};
  }

  int Run();
  bool BindListeners();
  std::shared_ptr<http::Router> BuildRouter(const config::ListenerConfig& l);
  void OpenStoreUntilStopped();
  void WaitForSignals();
  void Reload();
  void ArmWatchdog(std::chrono::microseconds interval);
  void RequestStop();
  void Shutdown();
  std::string ListenerSummary() const;
  payments::LifecyclePolicy PaymentPolicy() const;
  bool LoadCatalog();
  bool StartPayments();
  bool StartMail();  // `mail:`: checks it and prepares mail_factory
  // `portal:` (daemon_portal.cc): reads the staff password and prepares portal_factory, which
  // starts the portal and the housekeeping once the store is open.
  bool StartPortal();
  // With a `ledger:` section: starts the chain sync on the open store (daemon_ledger.cc).
  // False only for options the link refuses (a file it cannot read).
  bool StartLedger();
  json::object LedgerStatusJson(const chain::SyncStats& s) const;
  json::object StatusJson();
  http::Response Ready() const;

  const std::string config_path;
  config::ConfigHolder holder;
  core::SystemClock clock;
  const int threads;  // the HTTP server's connection threads (http.threads)
  // Signals, the watchdog, the listeners' acceptors, the payment client: one thread of its own,
  // apart from the connection threads that answer the gate.
  asio::io_context io;
  MetricsExporter metrics;
  fa::FaMetrics fa_metrics;
  fa::DecisionLog decision_log;
  std::unique_ptr<store::Env> env;
  std::unique_ptr<store::Writer> writer;
  std::atomic<store::Writer*> writer_ptr{nullptr};
  ordering::CatalogHolder catalog;
  std::atomic<store::Env*> env_ptr{nullptr};
  gate::GateService gates{GateOptions()};  // before the handlers that call it (outlives them)
  // Gate events correlated with a trip go to the `gate_events` table through the writer.
  gate::GateService::Options GateOptions();
  std::atomic<uint32_t> gate_event_counter{0};
  http::Server server;
  fa::AuthorizationHandler fa_handler;
  ordering::OrderingMetrics ordering_metrics;
  ordering::PurchaseHandler purchase_handler;
  // Create Purchases runs here, off the connection threads (after purchase_handler: joined
  // before it is destroyed).
  asio::thread_pool purchase_workers{1};
  std::unique_ptr<payments::PaymentClient> payment_client;
  std::unique_ptr<payments::CredentialsProvider> credentials;
  std::unique_ptr<payments::Dispatcher> dispatcher;
  std::atomic<payments::Dispatcher*> dispatcher_ptr{nullptr};  // what other threads may use
  std::function<void()> dispatcher_factory;
  std::unique_ptr<mail::MailDispatcher> mail;
  std::atomic<mail::MailDispatcher*> mail_ptr{nullptr};  // for status, from other threads
  std::function<void()> mail_factory;                    // run once the store is open
  mail::MailDispatcherOptions mail_options;              // the relay, for the portal's codes
  std::unique_ptr<portal::SandboxProcessor> processor;
  std::unique_ptr<portal::PortalService> portal;
  std::atomic<portal::PortalService*> portal_ptr{nullptr};  // what the I/O threads may use
  std::unique_ptr<portal::Housekeeper> housekeeper;
  std::function<void()> portal_factory;  // run once the store is open (after mail_factory)
  std::unique_ptr<chain::ChainSync> chain;
  std::atomic<chain::ChainSync*> chain_ptr{nullptr};  // what other threads may use
  std::unique_ptr<chain::ChainSync> chain_overrides;  // the chain-scoped overrides bucket
  std::atomic<chain::ChainSync*> chain_overrides_ptr{nullptr};
  std::unique_ptr<chain::ChainSync> chain_portal;  // `ledger.portal`: receipts, refund requests
  std::atomic<chain::ChainSync*> chain_portal_ptr{nullptr};
  ControlApi control_api;
  ControlServer control_server;
  SystemdNotifier notifier;
  asio::signal_set signals;
  asio::steady_timer watchdog;
  std::vector<std::thread> io_threads;  // runs `io` (one)
  std::vector<BoundListener> bound;
  const int64_t started_ms = clock.NowUnixMs();

  std::mutex state_mutex;  // guards the fields below
  std::condition_variable state_cv;
  bool stop_requested = false;
  bool drained = false;
  std::string store_error;
  std::atomic<bool> ready{false};
  std::atomic<bool> draining{false};
};

}  // namespace jwo::admin
