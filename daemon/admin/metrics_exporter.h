// MetricsExporter: the Prometheus registry of the daemon and the /metrics text.
//
// Subsystems register their own metric families in registry() at start, or collect their own
// at scrape time (AddCollectable: fa/metrics.h, whose counters are per-thread shards). State
// that lives elsewhere (store size and readers, HTTP server counters, the decision log) is
// sampled at scrape time through the `sample` callback, so nothing on a hot path pays for it.
// Render() may be called from any thread; calls are serialized internally.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "chain/chain_sync.h"
#include "fa/decision_log.h"
#include "http/server.h"
#include "mail/mail_outbox.h"
#include "payments/dispatcher.h"
#include "portal/portal_service.h"
#include "store/env.h"

namespace prometheus {
class Collectable;
class Registry;
}  // namespace prometheus

namespace jwo::admin {

struct ScrapeSample {
  const store::EnvStats* store = nullptr;  // null while the store is not open
  http::ServerStats http;
  fa::DecisionLogStats decision_log;
  bool ready = false;
  bool store_no_space = false;  // the last store write was refused for lack of disk space
  bool store_full = false;      // the last store write was refused: store.max_map_size_mib reached
  const payments::DispatcherStats* outbox = nullptr;     // null when payments are not configured
  const chain::SyncStats* ledger = nullptr;              // null without a running chain ledger
  const mail::MailDispatcherStats* mail = nullptr;       // null without `mail:`
  const portal::PortalService::Stats* portal = nullptr;  // null without a running portal
  int64_t now_ms = 0;                                    // for the ledger's staleness
};

class MetricsExporter {
 public:
  MetricsExporter();
  ~MetricsExporter();

  prometheus::Registry& registry();

  // Adds `c`'s families to every Render. REQUIRES: called before the first Render; `c` outlives
  // every Render.
  void AddCollectable(const prometheus::Collectable* c) { collectables_.push_back(c); }

  // Samples state through `sample` and returns the text exposition format (version 0.0.4).
  std::string Render(const std::function<void(ScrapeSample&)>& sample);

 private:
  struct Gauges;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Gauges> gauges_;
  std::vector<const prometheus::Collectable*> collectables_;
  std::mutex mutex_;
};

}  // namespace jwo::admin
