// Dispatcher: sends the durable outbox to Amazon's Payment Service (architecture.md §7).
//
// Every entry holds the exact request body committed by the state machine. The dispatcher
// signs each attempt at send time (SigV4 embeds the time; credentials expire), keeps per-trip
// order (only the oldest entry of a trip is ever in flight), bounds concurrency, and retries
// transient outcomes — connection failures, timeouts, 429 (honouring Retry-After), 5xx, Adjust
// PENDING — with capped exponential backoff and jitter, always with the same request. A
// timeout is an unknown outcome: the same request goes again, never a different one. A 400 turns
// the entry into a dead letter (alert, `jwo-edgectl outbox`), which blocks only its own trip.
//
// Outcomes are committed through the store Writer (entry consumed, trip moved on, next entry
// queued, debt recorded: one transaction) before the dispatcher considers them done. After a
// crash the entries still in the outbox are sent again as they are.
//
// Threading: one dispatcher thread decides what to send; answers arrive on I/O threads and
// their commits on the writer thread; the shared schedule is guarded by one mutex. Wake() and
// GetStats() are safe from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/clock.h"
#include "payments/credentials.h"
#include "payments/expiry.h"
#include "payments/lifecycle.h"
#include "payments/payment_client.h"
#include "store/env.h"
#include "store/writer.h"

namespace jwo::payments {

struct DispatcherOptions {
  uint32_t max_in_flight = 8;
  int64_t retry_base_ms = 1000;     // first retry after ~1 s, doubling
  int64_t retry_cap_ms = 300'000;   // never wait longer than 5 minutes between attempts
  int64_t pending_retry_ms = 5000;  // Adjust answered PENDING: ask again after this
  std::string region;               // SigV4 region
  int64_t preauth_expiry_ms = 7 * 86'400'000LL;  // unsettled this long after creation: expired
  int64_t preauth_alert_ms = 86'400'000;         // alert this long before expiry
  int64_t expiry_check_ms = 30'000;              // how often the watch runs
};

struct DispatcherStats {
  uint64_t queued = 0;  // entries waiting (including in flight), excluding dead letters
  uint64_t dead_letters = 0;
  uint64_t in_flight = 0;
  int64_t oldest_age_ms = 0;  // age of the oldest live entry
  uint64_t sent = 0, done = 0, retried = 0, dead_lettered = 0;
  uint64_t nearing_expiry = 0;  // unsettled trips within the alert window
  uint64_t expired = 0;         // trips expired by the watch since start
};

class Dispatcher {
 public:
  Dispatcher(store::Env& env, store::Writer& writer, PaymentClient& client,
             CredentialsProvider& credentials, std::function<LifecyclePolicy()> policy,
             DispatcherOptions options, const core::Clock& clock);
  ~Dispatcher();  // Stop()

  void Start();
  // Stops sending; answers still in flight are applied if they arrive before the writer stops.
  void Stop();
  // New entries were committed (or entries were changed by an operator): look again.
  void Wake(bool rescan_all = false);

  DispatcherStats GetStats() const;

 private:
  struct Item {
    store::OutboxEntry entry;
    bool in_flight = false;
    // finish_gen_ when this item's last answer was applied: a store snapshot taken before that
    // is older than what the dispatcher knows about the entry and must not overwrite it.
    uint64_t finished_gen = 0;
  };
  void Run();
  void Scan(bool all);
  void SendLocked(Item& item);
  void OnAnswer(uint64_t seq, OutboundResult result);
  void Finish(uint64_t seq, std::optional<AnswerVerdict> verdict, int64_t next_ms,
              const std::string& error);
  int64_t Backoff(uint32_t attempts, const OutboundResult& r) const;
  void WatchExpiry();

  store::Env& env_;
  store::Writer& writer_;
  PaymentClient& client_;
  CredentialsProvider& credentials_;
  const std::function<LifecyclePolicy()> policy_;  // read per answer: SIGHUP may change it
  const DispatcherOptions options_;
  const core::Clock& clock_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Item> items_;  // by sequence: per-trip order is sequence order
  uint64_t scan_from_ = 1;
  bool rescan_all_ = true;
  bool woken_ = false;
  bool stopping_ = false;
  uint32_t in_flight_ = 0;
  int64_t next_expiry_check_ms_ = 0;
  std::set<std::string> alerted_;   // trips already reported as nearing expiry
  std::set<std::string> expiring_;  // trips whose expiry is being committed: send nothing
  uint64_t finish_gen_ = 0;         // counts applied answers (see Item::finished_gen)
  DispatcherStats counters_;
  std::thread thread_;
};

}  // namespace jwo::payments
