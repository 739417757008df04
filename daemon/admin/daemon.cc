#include "admin/daemon.h"

#include "admin/daemon_impl.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <thread>

#include "admin/control_api.h"
#include "admin/control_server.h"
#include "admin/metrics_exporter.h"
#include "admin/store_tool.h"
#include "admin/systemd_notifier.h"
#include "config/config_holder.h"
#include "config/loader.h"
#include "config/reload.h"
#include "core/clock.h"
#include "core/log.h"
#include "fa/decision_log.h"
#include "fa/handler.h"
#include "fa/metrics.h"
#include "gate/gate_service.h"
#include "http/server.h"
#include "jwo/version.h"
#include "ordering/purchase_handler.h"
#include "payments/credentials.h"
#include "payments/dispatcher.h"
#include "payments/payment_client.h"
#include "store/writer.h"

namespace jwo::admin {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr auto kStoreRetryInterval = std::chrono::seconds(5);
constexpr auto kDrainDeadline = std::chrono::seconds(10);

core::LogLevel ToCoreLevel(config::LogLevel l) {
  switch (l) {
    case config::LogLevel::kDebug:
      return core::LogLevel::kDebug;
    case config::LogLevel::kInfo:
      return core::LogLevel::kInfo;
    case config::LogLevel::kWarning:
      return core::LogLevel::kWarning;
    case config::LogLevel::kError:
      return core::LogLevel::kError;
  }
  return core::LogLevel::kInfo;
}

void ApplyLogConfig(const config::LogConfig& log) {
  core::SetLogLevel(ToCoreLevel(log.level));
  const bool journald = log.target == config::LogTarget::kJournald ||
                        (log.target == config::LogTarget::kAuto && core::StderrIsJournal());
  core::SetLogTarget(journald ? core::LogTarget::kJournald : core::LogTarget::kStderr);
}

}  // namespace

Daemon::Daemon(std::string config_path, config::Config config)
    : impl_(std::make_unique<Impl>(std::move(config_path), std::move(config))) {}

Daemon::~Daemon() = default;

int Daemon::Run() { return impl_->Run(); }

int Daemon::Impl::Run() {
  const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
  const config::Config& cfg = *config_snapshot;
  ApplyLogConfig(cfg.log);
  core::LogInfo("jwo-edged starting", {{"version", kVersion},
                                       {"config", config_path},
                                       {"store_id", cfg.store_id},
                                       {"threads", std::to_string(threads)}});
  if (!BindListeners()) return 1;
  if (!cfg.ordering.catalog_file.empty() && !LoadCatalog()) return 1;
  if (cfg.payments.enabled && !StartPayments()) return 1;
  if (cfg.mail.enabled && !StartMail()) return 1;
  if (!StartPortal()) return 1;

  const std::filesystem::path socket_dir =
      std::filesystem::path(cfg.control.socket_path).parent_path();
  std::error_code ec;
  if (!socket_dir.empty()) std::filesystem::create_directories(socket_dir, ec);
  if (core::Status s = control_server.Start(cfg.control.socket_path, cfg.control.socket_mode);
      !s.ok()) {
    core::LogError("cannot start the control socket", {{"error", s.ToString()}});
    return 1;
  }

  gates.Start(cfg.gates, metrics.registry());
  auto work = asio::make_work_guard(io);
  server.Start();
  WaitForSignals();
  if (auto interval = SystemdNotifier::WatchdogInterval()) ArmWatchdog(*interval);
  io_threads.emplace_back([this] { io.run(); });
  notifier.Status("opening store; listening on " + ListenerSummary());

  OpenStoreUntilStopped();
  if (env_ptr.load() != nullptr) {
    ready = true;
    notifier.Ready("ready; listening on " + ListenerSummary());
    core::LogInfo("ready", {{"listeners", ListenerSummary()},
                            {"startup_ms", std::to_string(clock.NowUnixMs() - started_ms)}});
  }
  {
    std::unique_lock lock(state_mutex);
    state_cv.wait(lock, [&] { return stop_requested; });
  }
  Shutdown();
  server.StopThreads();  // no handler runs on the store after this
  work.reset();
  io.stop();
  for (auto& t : io_threads) t.join();
  env_ptr = nullptr;
  env.reset();
  core::LogInfo("jwo-edged stopped");
  return 0;
}

bool Daemon::Impl::BindListeners() {
  const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
  for (const config::ListenerConfig& l : config_snapshot->listeners) {
    http::ListenerSpec spec;
    spec.name = l.name;
    spec.address = l.address;
    spec.port = l.port;
    if (l.tls) {
      spec.tls = http::TlsSettings{l.tls->certificate_file, l.tls->private_key_file,
                                   l.tls->client_ca_file};
    }
    spec.router = BuildRouter(l);
    auto port = server.AddListener(spec);
    if (!port.ok()) {
      core::LogError("cannot listen", {{"listener", l.name}, {"error", port.status().ToString()}});
      return false;
    }
    bound.push_back({l.name, l.address, *port, l.tls.has_value(),
                     l.tls.has_value() && !l.tls->client_ca_file.empty()});
    core::LogInfo("listening", {{"listener", l.name},
                                {"address", l.address},
                                {"port", std::to_string(*port)},
                                {"tls", l.tls ? "on" : "off"}});
  }
  return true;
}

std::shared_ptr<http::Router> Daemon::Impl::BuildRouter(const config::ListenerConfig& l) {
  auto router = std::make_shared<http::Router>();
  for (config::Api api : l.apis) {
    switch (api) {
      case config::Api::kShopperAuthorization:
        router->Add("POST", "/v1/fraudandabuse/shopperauthorization",
                    [this](http::Request&& req, http::Respond respond) {
                      respond(fa_handler.Handle(req));
                    });
        break;
      case config::Api::kPurchases:
        router->Add(
            "POST", "/v1/order/purchases", [this](http::Request&& req, http::Respond respond) {
              // Parsing and pricing a large cart take milliseconds (some 20 ms for
              // 10,000 lines): a worker of their own does it, and the connection thread
              // goes on answering gate taps meanwhile.
              asio::post(purchase_workers,
                         [this, req = std::move(req), respond = std::move(respond)]() mutable {
                           purchase_handler.Handle(std::move(req), std::move(respond));
                         });
            });
        break;
      case config::Api::kHealth:
        router->Add("GET", "/healthz", [](http::Request&&, http::Respond respond) {
          respond(http::Response{200, R"({"status":"ok"})", "application/json", {}});
        });
        router->Add("GET", "/readyz",
                    [this](http::Request&&, http::Respond respond) { respond(Ready()); });
        break;
      case config::Api::kMetrics:
        router->Add("GET", "/metrics", [this](http::Request&&, http::Respond respond) {
          // The sampled values must outlive Render(), which reads them after the callback.
          store::EnvStats stats;
          payments::DispatcherStats outbox;
          chain::SyncStats ledger;
          mail::MailDispatcherStats mail_stats;
          portal::PortalService::Stats portal_stats;
          std::string text = metrics.Render([&](ScrapeSample& s) {
            if (store::Env* e = env_ptr.load()) {
              stats = e->Stats();
              s.store = &stats;
              s.store_no_space = !e->NoSpaceError().empty();
              s.store_full = !e->MapFullError().empty();
            }
            s.http = server.Stats();
            s.decision_log = decision_log.Stats();
            s.ready = ready;
            if (auto* d = dispatcher_ptr.load()) {
              outbox = d->GetStats();
              s.outbox = &outbox;
            }
            if (auto* m = mail_ptr.load()) {
              mail_stats = m->Stats();
              s.mail = &mail_stats;
            }
            if (auto* p = portal_ptr.load()) {
              portal_stats = p->GetStats();
              s.portal = &portal_stats;
            }
            if (auto* c = chain_ptr.load()) {
              ledger = c->Stats();
              s.ledger = &ledger;
              s.now_ms = clock.NowUnixMs();
            }
          });
          respond(http::Response{200, std::move(text), "text/plain; version=0.0.4", {}});
        });
        break;
      case config::Api::kPortal:
        portal::PortalService::Register(*router, [this] { return portal_ptr.load(); });
        break;
    }
  }
  return router;
}

http::Response Daemon::Impl::Ready() const {
  json::array reasons;
  store::Env* e = env_ptr.load();
  if (e == nullptr) reasons.push_back("store_unavailable");
  // Writes are refused for lack of disk space: the gate answers from what is stored, Create
  // Purchases answers 503; clears by itself with the next commit that goes through.
  if (e != nullptr && !e->NoSpaceError().empty()) reasons.push_back("store_no_space");
  // The same, because the map reached store.max_map_size_mib: needs the operator (raise it and
  // restart), or clears with the next commit that fits.
  if (e != nullptr && !e->MapFullError().empty()) reasons.push_back("store_full");
  if (draining) reasons.push_back("draining");
  for (const std::string& r : gates.UnreadyReasons()) reasons.push_back(json::value(r));
  // The chain ledger never makes the daemon unready: the gate decides from LMDB either way, and
  // a load balancer must not take a store's gate away because the WAN is down. It is named.
  json::array warnings;
  if (auto* c = chain_ptr.load()) {
    const chain::SyncStats ls = c->Stats();
    if (!ls.connected) {
      warnings.push_back("ledger_disconnected");
    } else if (ls.phase == "unprovisioned") {
      warnings.push_back("ledger_unprovisioned");
    } else if (ls.phase == "snapshot") {
      warnings.push_back("ledger_syncing");
    }
    if (ls.breaker_tripped || ls.held > 0) warnings.push_back("ledger_breaker_tripped");
  }
  json::object body{{"ready", reasons.empty()}};
  if (!reasons.empty()) body["reasons"] = reasons;
  if (!warnings.empty()) body["warnings"] = warnings;
  if (reasons.empty() && warnings.empty()) {
    return http::Response{200, R"({"ready":true})", "application/json", {}};
  }
  return http::Response{reasons.empty() ? 200 : 503, json::serialize(body), "application/json", {}};
}

void Daemon::Impl::OpenStoreUntilStopped() {
  std::string last_error;
  for (;;) {
    const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
    const config::Config& cfg = *config_snapshot;
    const store::EnvOptions options = StoreOptions(cfg, threads);
    const int64_t t0 = clock.MonotonicNs();
    auto opened = store::Env::Open(options);
    if (opened.ok()) {
      env = std::move(opened).value();
      env_ptr.store(env.get(), std::memory_order_release);
      decision_log.Attach(env.get());
      writer = std::make_unique<store::Writer>(*env);
      writer->Start();
      writer_ptr.store(writer.get(), std::memory_order_release);
      if (dispatcher_factory) {
        dispatcher_factory();
        dispatcher->Start();
        dispatcher_ptr.store(dispatcher.get());
      }
      if (mail_factory) mail_factory();
      if (portal_factory) portal_factory();
      if (cfg.ledger.enabled && !StartLedger()) {
        // Logged with the reason; the gate and payments go on, standalone.
      }
      {
        std::lock_guard lock(state_mutex);
        store_error.clear();
      }
      core::LogInfo("store open",
                    {{"directory", options.directory},
                     {"schema_version", std::to_string(env->schema_version())},
                     {"stale_readers_cleared", std::to_string(env->stale_readers_cleared())},
                     {"open_ms", std::to_string((clock.MonotonicNs() - t0) / 1'000'000)}});
      return;
    }
    const std::string error = opened.status().ToString();
    if (error != last_error) {
      core::LogError("cannot open the store; answering the gate in fail mode and retrying",
                     {{"directory", options.directory}, {"error", error}});
      last_error = error;
    }
    notifier.Status("store unavailable (" + error + "); retrying; listening on " +
                    ListenerSummary());
    std::unique_lock lock(state_mutex);
    store_error = error;
    if (state_cv.wait_for(lock, kStoreRetryInterval, [&] { return stop_requested; })) return;
  }
}

void Daemon::Impl::WaitForSignals() {
  signals.add(SIGTERM);
  signals.add(SIGINT);
  signals.add(SIGHUP);
  signals.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;  // operation_aborted at shutdown
    if (signo == SIGHUP) {
      // A bad file must never stop the daemon: whatever the reload throws (std::bad_alloc on a
      // hostile document), the running configuration stays.
      try {
        Reload();
      } catch (const std::exception& e) {
        core::LogError("configuration reload failed; the running configuration is kept",
                       {{"error", e.what()}});
      }
      WaitForSignals();
      return;
    }
    core::LogInfo("stop requested", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
    RequestStop();
  });
}

void Daemon::Impl::Reload() {
  core::LogInfo("reloading configuration", {{"config", config_path}});
  config::LoadResult loaded = config::LoadConfig(config_path);
  if (!loaded.ok()) {
    for (const config::ConfigError& e : loaded.errors) {
      core::LogError("configuration error", {{"error", e.ToString()}});
    }
    core::LogError("configuration reload failed; the running configuration is kept",
                   {{"errors", std::to_string(loaded.errors.size())}});
    return;
  }
  std::shared_ptr<const config::Config> running = holder.Snapshot();
  for (const std::string& key : config::RestartRequiredChanges(*running, *loaded.config)) {
    core::LogWarning("changed key takes effect only after a restart; running value kept",
                     {{"key", key}});
  }
  auto next =
      std::make_shared<const config::Config>(config::ApplyReloadable(*running, *loaded.config));
  ApplyLogConfig(next->log);
  holder.Replace(std::move(next));
  LoadCatalog();
  core::LogInfo("configuration reloaded");
}

void Daemon::Impl::ArmWatchdog(std::chrono::microseconds interval) {
  watchdog.expires_after(interval);
  watchdog.async_wait([this, interval](const boost::system::error_code& ec) {
    if (ec) return;
    notifier.WatchdogPing();
    ArmWatchdog(interval);
  });
}

void Daemon::Impl::RequestStop() {
  std::lock_guard lock(state_mutex);
  stop_requested = true;
  state_cv.notify_all();
}

void Daemon::Impl::Shutdown() {
  draining = true;
  notifier.Stopping("draining connections");
  server.Shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(kDrainDeadline), [this] {
    std::lock_guard lock(state_mutex);
    drained = true;
    state_cv.notify_all();
  });
  {
    std::unique_lock lock(state_mutex);
    state_cv.wait_for(lock, kDrainDeadline + std::chrono::seconds(2), [&] { return drained; });
  }
  purchase_workers.join();  // after the drain: no purchase can arrive any more
  asio::post(io, [this] {
    signals.cancel();
    watchdog.cancel();
  });
  control_server.Stop();
  gates.Stop();  // after the HTTP drain: no decision can queue a lane command any more
  chain_ptr = nullptr;
  chain_overrides_ptr = nullptr;
  chain_portal_ptr = nullptr;
  if (chain_portal) chain_portal->Stop();
  if (chain) chain->Stop();
  if (chain_overrides) chain_overrides->Stop();
  dispatcher_ptr = nullptr;
  if (dispatcher) dispatcher->Stop();
  if (payment_client) payment_client->Stop();
  portal_ptr = nullptr;
  if (housekeeper) housekeeper->Stop();
  if (portal) portal->Stop();  // after the HTTP drain: queued requests are answered 503
  mail_ptr = nullptr;
  if (mail) mail->Stop();  // a send in flight finishes (bounded by mail.timeout_ms)
  writer_ptr = nullptr;
  if (writer) writer->Stop();
  decision_log.Stop();
  const fa::DecisionLogStats st = decision_log.Stats();
  core::LogInfo("drained", {{"decisions_written", std::to_string(st.written)},
                            {"decisions_dropped", std::to_string(st.dropped)}});
}

std::string Daemon::Impl::ListenerSummary() const {
  std::string out;
  for (const BoundListener& b : bound) {
    if (!out.empty()) out += ' ';
    const bool v6 = b.address.find(':') != std::string::npos;
    out += b.name + "=" + (b.tls ? "https://" : "http://") + (v6 ? "[" : "") + b.address +
           (v6 ? "]" : "") + ":" + std::to_string(b.port);
  }
  return out;
}

json::object Daemon::Impl::StatusJson() {
  const std::shared_ptr<const config::Config> config_snapshot = holder.Current();
  const config::Config& cfg = *config_snapshot;
  json::object out{{"version", kVersion},
                   {"store_id", cfg.store_id},
                   {"pid", static_cast<int64_t>(::getpid())},
                   {"uptime_s", (clock.NowUnixMs() - started_ms) / 1000},
                   {"ready", ready.load()},
                   {"draining", draining.load()}};
  json::object st{{"directory", cfg.store.state_directory}};
  if (store::Env* e = env_ptr.load()) {
    const store::EnvStats s = e->Stats();
    st["open"] = true;
    st["schema_version"] = e->schema_version();
    st["map_size_bytes"] = s.map_size_bytes;
    st["used_bytes"] = s.used_bytes;
    st["readers_used"] = s.readers_used;
    st["max_readers"] = s.max_readers;
    json::object entries;
    for (store::Table t : store::kAllTables) {
      entries[store::TableName(t)] = s.entries[static_cast<size_t>(t)];
    }
    st["entries"] = entries;
    if (std::string no_space = e->NoSpaceError(); !no_space.empty()) st["no_space"] = no_space;
    if (std::string full = e->MapFullError(); !full.empty()) st["full"] = full;
  } else {
    std::lock_guard lock(state_mutex);
    st["open"] = false;
    st["error"] = store_error;
  }
  out["store"] = st;
  json::array listeners;
  for (const BoundListener& b : bound) {
    listeners.push_back(json::object{{"name", b.name},
                                     {"address", b.address},
                                     {"port", b.port},
                                     {"tls", b.tls},
                                     {"client_certificates", b.client_certs}});
  }
  out["listeners"] = listeners;
  if (gates.configured()) out["gate"] = gates.Status();
  out["fa"] = json::object{
      {"strategy", cfg.fa.strategy == config::Strategy::kRetailerManaged ? "retailer_managed"
                                                                         : "amazon_recommendation"},
      {"fail_mode", cfg.fa.fail_mode == config::FailMode::kApprove ? "approve" : "deny"}};
  const http::ServerStats hs = server.Stats();
  out["http"] = json::object{{"open_connections", hs.open_connections},
                             {"accepted", hs.accepted},
                             {"requests", hs.requests},
                             {"rejected_over_limit", hs.rejected_over_limit},
                             {"malformed_requests", hs.malformed_requests}};
  const fa::DecisionLogStats ds = decision_log.Stats();
  if (auto* d = dispatcher_ptr.load()) {
    const payments::DispatcherStats ps = d->GetStats();
    out["outbox"] =
        json::object{{"queued", ps.queued},
                     {"dead_letters", ps.dead_letters},
                     {"in_flight", ps.in_flight},
                     {"oldest_age_s", ps.oldest_age_ms / 1000},
                     {"sent", ps.sent},
                     {"done", ps.done},
                     {"retried", ps.retried},
                     {"nearing_preauth_expiry", ps.nearing_expiry},
                     {"expired", ps.expired},
                     // Trips waiting for an operator: jwo-edgectl trip list capture_unknown.
                     {"capture_unknown", ps.unknown_captures},
                     {"capture_unknown_alert", ps.unknown_capture_alert},
                     {"held_without_credentials", ps.unsigned_held},
                     {"store_errors", ps.store_errors},
                     {"clock_skew_s", ps.clock_skew_ms / 1000}};
  }
  if (auto* c = chain_ptr.load()) {
    json::object ledger = LedgerStatusJson(c->Stats());
    if (auto* o = chain_overrides_ptr.load()) {
      const chain::SyncStats os = o->Stats();
      json::object ov{{"connected", os.connected},
                      {"phase", os.phase},
                      {"applied_seq", os.applied_seq},
                      {"records", os.records},
                      {"publishes_pending", os.publishes_pending},
                      {"resyncs", os.resyncs}};
      if (!os.last_error.empty()) ov["last_error"] = os.last_error;
      ledger["overrides"] = std::move(ov);
    }
    if (auto* p = chain_portal_ptr.load()) {
      const chain::SyncStats ps = p->Stats();
      json::object po{{"connected", ps.connected},
                      {"phase", ps.phase},
                      {"applied_seq", ps.applied_seq},
                      {"records", ps.records},
                      {"publishes_pending", ps.publishes_pending},
                      {"rejected", ps.rejected}};
      if (!ps.last_error.empty()) po["last_error"] = ps.last_error;
      ledger["portal"] = std::move(po);
    }
    out["ledger"] = std::move(ledger);
  }
  if (auto* m = mail_ptr.load()) {
    const mail::MailDispatcherStats ms = m->Stats();
    out["mail"] = json::object{{"sent", ms.sent}, {"retried", ms.transient}, {"failed", ms.failed}};
  }
  if (auto* p = portal_ptr.load()) {
    const portal::PortalService::Stats ps = p->GetStats();
    out["portal"] = json::object{{"codes_sent", ps.codes_sent},
                                 {"codes_not_sent", ps.codes_failed},
                                 {"sign_ins", ps.sign_ins},
                                 {"sign_in_failures", ps.sign_in_failures},
                                 {"lockouts", ps.lockouts},
                                 {"refunds_requested", ps.refunds_requested},
                                 {"payoffs_settled", ps.payoffs_settled},
                                 {"payoffs_declined", ps.payoffs_declined}};
  }
  if (auto c = catalog.Get()) out["catalog"] = json::object{{"items", c->size()}};
  out["decision_log"] = json::object{{"written", ds.written},
                                     {"queued", ds.queued},
                                     {"dropped", ds.dropped},
                                     {"write_errors", ds.write_errors}};
  return out;
}

}  // namespace jwo::admin
