// ChainSync: keeps this store's copy of the chain's debt bucket in step, in both directions
// (docs/ledger.md).
//
// Two threads, neither on the gate's path (the gate reads LMDB only and never waits):
//  - the sync thread binds the bucket's stream, checks its identity against the cursor (a
//    different creation time, or a cursor past the stream's end: full snapshot and reconcile),
//    then reads an ordered consumer — a snapshot at first start, from cursor + 1 after — and
//    applies changes in batches, each batch committed with the cursor that follows it;
//  - the publish thread sends the chain_outbox in order: create-only for a new record,
//    compare-and-set on the key's last sequence for a settlement; a timeout is "maybe stored"
//    and is read back before anything is sent again; a key changed under us is read, applied
//    and reconsidered (chain_store.h has the conflict rule).
//
// Start() never blocks on the network. Stop() joins both threads (bounded by the link's
// request timeout). Stats(), Confirm() and Wake() are safe from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "chain/bucket_model.h"
#include "chain/chain_store.h"
#include "chain/inflow_breaker.h"
#include "core/clock.h"
#include "core/status.h"
#include "nats/nats_link.h"
#include "store/env.h"

namespace jwo::chain {

struct SyncOptions {
  std::string self_store;
  // What the bucket holds; null = the debts (DebtBucket). The breaker and on_settled_own only
  // ever act for debts.
  std::shared_ptr<BucketModel> model;
  nats::LinkOptions link;
  BreakerLimits breaker;
  size_t batch_max = 1000;         // changes per commit
  int64_t stream_check_ms = 5000;  // how often lag and the stream's identity are read
  // Runs inside the transaction that settled a debt this store booked (the bucket said so):
  // queue Report Payment Status for it. Null: nothing to report (retailer_managed).
  std::function<core::Status(store::WriteTxn&, const store::DebtRecord&, int64_t now_ms)>
      on_settled_own;
  // After a commit in which on_settled_own queued something: wake the payment dispatcher.
  std::function<void()> after_settled_own;
};

struct SyncStats {
  bool connected = false;
  std::string phase;  // connecting, unprovisioned, snapshot, live
  uint64_t applied_seq = 0;
  uint64_t stream_last_seq = 0;
  uint64_t lag = 0;                   // stream_last_seq - applied_seq, as of the last stream check
  int64_t last_applied_ms = 0;        // wall time of the last change applied (0: none yet)
  int64_t disconnected_since_ms = 0;  // 0 while connected
  uint64_t records = 0;               // keys of the bucket applied here
  uint64_t publishes_pending = 0;
  uint64_t resyncs = 0;  // full snapshots after the first
  uint64_t applied = 0, rejected = 0, conflicts = 0, published = 0, publish_conflicts = 0;
  uint64_t held = 0;  // debts held by the breaker, waiting for an operator
  bool breaker_tripped = false;
  std::string breaker_scope;
  std::string last_error;
};

class ChainSync {
 public:
  // Opens the link (errors: its kInvalidArgument for bad options) and starts both threads.
  static core::Result<std::unique_ptr<ChainSync>> Start(store::Env& env, SyncOptions options,
                                                        const core::Clock& clock);
  ~ChainSync();  // Stop()
  void Stop();

  SyncStats Stats() const;
  // The operator confirmed the held debts (of one origin store, or all): they are denied on
  // from now, and the breaker counts afresh. Returns how many. The caller writes the audit row.
  core::Result<uint64_t> Confirm(std::string_view origin_store);
  // A local debt changed: look at the chain_outbox now rather than at the next poll.
  void Wake();

 private:
  ChainSync(store::Env& env, SyncOptions options, const core::Clock& clock);
  void SyncLoop();
  void PublishLoop();
  // One subscription's life: returns when the link drops, the stream changes or Stop().
  void Follow(const nats::StreamInfo& info);
  core::Status ApplyBatch(const std::vector<nats::Change>& batch, bool snapshot,
                          const nats::StreamInfo& info, bool* snapshot_done);
  // Sends one publication and records what came of it. False when it must wait (no answer,
  // not connected, the store refused the commit): the loop backs off.
  bool PublishOne(const Publication& p);
  uint64_t ConflictCount() const;
  // After a resume: false (and the cursor marked for a full snapshot) when keys applied here
  // have vanished from the stream; false also when the stream is another one now.
  bool KeysStillThere();
  void SetError(std::string error);
  bool Sleep(int64_t ms);  // false when stopping

  store::Env& env_;
  SyncOptions options_;
  const core::Clock& clock_;
  const std::shared_ptr<BucketModel> model_;
  std::unique_ptr<nats::Link> link_;
  std::mutex breaker_mutex_;  // the sync thread's applies and Confirm()
  InflowBreaker breaker_;     // guarded by breaker_mutex_

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool publish_wanted_ = true;
  std::atomic<bool> reconnected_{false};
  SyncStats stats_;                      // guarded by mutex_
  Cursor cursor_;                        // sync thread
  int64_t subscribe_backoff_ms_ = 0;     // sync thread
  int subscribe_failures_ = 0;           // sync thread: consecutive, for SubscribeWaitMs
  std::atomic<uint64_t> generation_{0};  // cursor_.generation, for the publish thread
  std::thread sync_thread_;
  std::thread publish_thread_;
};

}  // namespace jwo::chain
