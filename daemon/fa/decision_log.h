// DecisionLog: records every gate decision in LMDB off the hot path, in batches.
//
// Record() is called on the HTTP I/O threads right after the answer is produced: it encodes the
// record straight into an in-memory queue of store bytes under a short mutex (never held during
// a store write) and returns. The queue is one byte buffer, swapped with the writer's: in steady
// state recording a decision allocates nothing, and nothing allocated on an I/O thread is freed
// on another (each of those cost the gate path a malloc arena lock; docs/performance.md). One
// background thread drains the queue every `flush_interval_ms` or when `batch_max` records
// wait, and writes each batch in one transaction (group commit: one fsync per batch).
//
// Bound and overflow: at most `queue_max` records wait. Beyond that Record() drops the record,
// counts it (jwo_fa_decision_log_dropped_total) and logs once per second: the gate answer is
// never delayed or refused because the audit trail is behind.
//
// While no store is attached (the store has not opened yet) records wait in the queue; those
// still waiting when Stop() finds no store are dropped and counted, as is any record after
// Stop(). So every decision is either written or counted as dropped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "config/config.h"
#include "store/env.h"
#include "store/records.h"

namespace jwo::fa {

struct DecisionLogStats {
  uint64_t written = 0;
  uint64_t dropped = 0;
  uint64_t batches = 0;
  uint64_t write_errors = 0;
  uint64_t queued = 0;
};

class DecisionLog {
 public:
  explicit DecisionLog(const config::AuditConfig& cfg);
  ~DecisionLog();  // stops like Stop()
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  // Attaches the store the batches go to. REQUIRES: env outlives this object or Stop().
  void Attach(store::Env* env);

  // Queues one record (its bytes are copied before this returns); false when the queue was full
  // or Stop() has run, and the record was dropped (and counted). Any thread.
  bool Record(const store::DecisionView& record);
  bool Record(const store::DecisionRecord& record) { return Record(store::ViewOf(record)); }

  // Writes what is queued (when a store is attached; otherwise counts it dropped) and joins the
  // background thread.
  void Stop();

  DecisionLogStats Stats() const;

  // The shopper of the earliest approved decision for `trip_id` still waiting in the queue, or
  // "" — so a Create Purchases that arrives before its trip's decision reached the store still
  // finds who tapped in. Any thread.
  std::string QueuedShopperForTrip(std::string_view trip_id) const;

 private:
  // Encoded records (store::AppendDecision) back to back; ends[i] is where record i ends.
  struct Queue {
    std::string bytes;
    std::vector<size_t> ends;
    size_t size() const { return ends.size(); }
    bool empty() const { return ends.empty(); }
    std::string_view at(size_t i) const {
      const size_t begin = i == 0 ? 0 : ends[i - 1];
      return std::string_view(bytes).substr(begin, ends[i] - begin);
    }
    void clear() {
      bytes.clear();
      ends.clear();
    }
  };

  void Run();
  void WriteBatch(const Queue& batch);
  void CountDropped(uint64_t n);

  const config::AuditConfig cfg_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  Queue queue_;
  Queue writing_;  // the batch being written, still findable
  bool stopping_ = false;
  std::atomic<store::Env*> env_{nullptr};
  std::atomic<uint64_t> written_{0}, dropped_{0}, batches_{0}, write_errors_{0};
  std::atomic<int64_t> last_drop_log_s_{0};
  std::thread thread_;
};

}  // namespace jwo::fa
