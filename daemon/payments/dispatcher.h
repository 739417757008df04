// Dispatcher: sends the durable outbox to Amazon's Payment Service (architecture.md §7).
//
// A thin driver of OutboxSchedule, which makes every decision (what is due, per-trip order,
// the in-flight bound, backoff, what an attempt's result means): the dispatcher adds the
// thread, the store reads, the commits through the store Writer and the network. Every entry
// holds the exact request body committed by the state machine; each attempt is signed at send
// time (SigV4 embeds the time; credentials expire). Results are committed (entry consumed,
// trip moved on, next entry queued, debt recorded: one transaction) before the schedule hears
// of them.
//
// Unknown outcomes: a call wholly sent whose answer never came is repeated only where a
// repeat is harmless; a Capture is not (payments.unknown_capture: hold): its start is
// committed before its bytes go out, and a Capture without an answer — at run time, or found
// started at the next start — holds its trip in capture_unknown for an operator.
//
// Threading: one dispatcher thread decides what to send; answers arrive on the transport's
// threads and their commits on the writer thread; the schedule is guarded by one mutex.
// Wake() and GetStats() are safe from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/clock.h"
#include "payments/clock_skew.h"
#include "payments/credentials.h"
#include "payments/expiry.h"
#include "payments/lifecycle.h"
#include "payments/outbox_schedule.h"
#include "payments/payment_client.h"
#include "store/env.h"
#include "store/writer.h"

namespace jwo::payments {

struct DispatcherOptions {
  ScheduleOptions schedule;
  uint64_t seed = 0;                             // retry jitter; 0 = from std::random_device
  std::string region;                            // SigV4 region
  int64_t preauth_expiry_ms = 7 * 86'400'000LL;  // unsettled this long after creation: expired
  int64_t preauth_alert_ms = 86'400'000;         // alert this long before expiry
  int64_t expiry_check_ms = 30'000;              // how often the watch runs
  uint32_t unknown_capture_alert = 0;  // alert while more trips than this are capture_unknown
  int64_t stop_drain_ms = 5000;        // Stop() waits this long for calls on the wire to end
};

struct DispatcherStats {
  uint64_t queued = 0;  // entries waiting (including in flight), excluding dead letters
  uint64_t dead_letters = 0;
  uint64_t in_flight = 0;
  int64_t oldest_age_ms = 0;           // age of the oldest live entry
  uint64_t unknown_captures = 0;       // Capture entries held with an unknown outcome
  bool unknown_capture_alert = false;  // unknown_captures > options.unknown_capture_alert
  uint64_t sent = 0, done = 0, retried = 0, dead_lettered = 0;
  uint64_t held_unknown = 0;   // Captures held since start (at run time or recovered)
  uint64_t unsigned_held = 0;  // attempts not sent for want of credentials
  uint64_t store_errors = 0;   // outbox rows or answers the store could not read or commit
  // The Payment Service's clock minus ours, from its Date headers (signing keeps our clock:
  // see clock_skew.h); level 0 normal, 1 warning, 2 beyond what SigV4 accepts.
  int64_t clock_skew_ms = 0;
  int clock_skew_level = 0;
  uint64_t nearing_expiry = 0;  // unsettled trips within the alert window
  uint64_t expired = 0;         // trips expired by the watch since start
};

class Dispatcher {
 public:
  Dispatcher(store::Env& env, store::Writer& writer, PaymentTransport& client,
             CredentialsProvider& credentials, std::function<LifecyclePolicy()> policy,
             DispatcherOptions options, const core::Clock& clock);
  ~Dispatcher();  // Stop()

  void Start();
  // Stops sending new calls, waits up to stop_drain_ms for those on the wire (so a Capture
  // is not left with an unknown outcome by a routine restart), then stops the thread. Answers
  // that arrive later are applied if the writer still runs.
  void Stop();
  // New entries were committed (or entries were changed by an operator): look again.
  void Wake(bool rescan_all = false);

  DispatcherStats GetStats() const;

 private:
  void Run();
  void Scan(bool all);
  void Send(const OutboxSchedule::Dispatch& d);
  void Transmit(const store::OutboxEntry& e, const AwsCredentials& creds);
  void OnAnswer(uint64_t seq, OutboundResult result);
  void Finish(uint64_t seq, OutboxSchedule::Verdict verdict, RetryReason reason,
              std::string_view retry_after, const std::string& error);
  void Recover(const store::OutboxEntry& e);
  void WatchExpiry();

  store::Env& env_;
  store::Writer& writer_;
  PaymentTransport& client_;
  CredentialsProvider& credentials_;
  const std::function<LifecyclePolicy()> policy_;  // read per answer: SIGHUP may change it
  const DispatcherOptions options_;
  const core::Clock& clock_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  OutboxSchedule schedule_;
  bool rescan_all_ = true;
  bool woken_ = false;
  bool stopping_ = false;
  int64_t next_expiry_check_ms_ = 0;
  std::set<std::string> alerted_;  // trips already reported as nearing expiry
  uint64_t reported_unknown_captures_ = 0;
  DispatcherStats counters_;
  ClockSkewMonitor clock_skew_;
  std::thread thread_;
};

}  // namespace jwo::payments
