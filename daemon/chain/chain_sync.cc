#include "chain/chain_sync.h"

#include <algorithm>
#include <vector>

#include "core/log.h"

namespace jwo::chain {
namespace {

using core::Status;
using core::StatusCode;

BucketOp OpOf(nats::Op op) {
  switch (op) {
    case nats::Op::kPut:
      return BucketOp::kPut;
    case nats::Op::kDelete:
      return BucketOp::kDelete;
    case nats::Op::kPurge:
      return BucketOp::kPurge;
  }
  return BucketOp::kPut;
}

constexpr int64_t kMaxBackoffMs = 30'000;
constexpr int64_t kPollMs = 100;

}  // namespace

ChainSync::ChainSync(store::Env& env, SyncOptions options, const core::Clock& clock)
    : env_(env),
      options_(std::move(options)),
      clock_(clock),
      model_(options_.model ? options_.model : std::make_shared<DebtBucket>()),
      breaker_(options_.breaker) {}

core::Result<std::unique_ptr<ChainSync>> ChainSync::Start(store::Env& env, SyncOptions options,
                                                          const core::Clock& clock) {
  std::unique_ptr<ChainSync> sync(new ChainSync(env, std::move(options), clock));
  ChainSync* self = sync.get();
  nats::LinkEvents events;
  events.on_connection = [self](bool connected) {
    std::lock_guard lock(self->mutex_);
    self->stats_.connected = connected;
    if (connected) {
      self->stats_.disconnected_since_ms = 0;
      self->reconnected_ = true;  // the stream may be another one now: the sync re-checks
      self->publish_wanted_ = true;
      self->wake_.notify_all();
      core::LogInfo("chain ledger connected", {{"bucket", self->options_.link.bucket}});
    } else {
      self->stats_.disconnected_since_ms = self->clock_.NowUnixMs();
      core::LogWarning("chain ledger disconnected; the gate decides from the local store",
                       {{"bucket", self->options_.link.bucket}});
    }
  };
  events.on_error = [self](std::string error) { self->SetError(std::move(error)); };
  {
    std::lock_guard lock(self->mutex_);
    self->stats_.phase = "connecting";
    self->stats_.disconnected_since_ms = clock.NowUnixMs();
  }
  // Held debts from before a restart stay held, and so does whatever arrives, until confirmed.
  uint64_t held = 0;
  Status s = env.Read([&](const store::ReadTxn& txn) {
    auto n = CountHeld(txn);
    if (n.ok()) held = *n;
    return n.status();
  });
  if (!s.ok()) return s;
  if (held > 0) self->breaker_.TripAll();
  auto link = nats::Link::Open(self->options_.link, std::move(events));
  if (!link.ok()) return link.status();
  self->link_ = std::move(*link);
  self->sync_thread_ = std::thread([self] { self->SyncLoop(); });
  self->publish_thread_ = std::thread([self] { self->PublishLoop(); });
  return sync;
}

ChainSync::~ChainSync() { Stop(); }

void ChainSync::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !sync_thread_.joinable() && !publish_thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_all();
  }
  if (sync_thread_.joinable()) sync_thread_.join();
  if (publish_thread_.joinable()) publish_thread_.join();
  link_.reset();
}

bool ChainSync::Sleep(int64_t ms) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
  return !stopping_;
}

void ChainSync::SetError(std::string error) {
  core::LogWarning("chain ledger", {{"error", error}});
  std::lock_guard lock(mutex_);
  stats_.last_error = std::move(error);
}

void ChainSync::Wake() {
  std::lock_guard lock(mutex_);
  publish_wanted_ = true;
  wake_.notify_all();
}

SyncStats ChainSync::Stats() const {
  SyncStats out;
  {
    std::lock_guard lock(mutex_);
    out = stats_;
  }
  const store::EnvStats es = env_.Stats();
  out.records = model_->Records(es);
  out.publishes_pending = model_->Pending(es);
  out.held = es.entries[static_cast<size_t>(store::Table::kChainHeld)];
  out.lag = out.stream_last_seq > out.applied_seq ? out.stream_last_seq - out.applied_seq : 0;
  return out;
}

core::Result<uint64_t> ChainSync::Confirm(std::string_view origin_store) {
  uint64_t confirmed = 0;
  Status s = env_.Write([&](store::WriteTxn& txn) {
    auto n = ConfirmHeld(txn, origin_store, clock_.NowUnixMs());
    if (!n.ok()) return n.status();
    confirmed = *n;
    // Inside the transaction: no apply can run between the confirmation and the reset.
    std::lock_guard lock(breaker_mutex_);
    breaker_.Reset();
    return Status::Ok();
  });
  if (!s.ok()) return s;
  std::lock_guard lock(mutex_);
  stats_.breaker_tripped = false;
  stats_.breaker_scope.clear();
  return confirmed;
}

// --- sync ----------------------------------------------------------------------------------

void ChainSync::SyncLoop() {
  bool told_unprovisioned = false;
  while (Sleep(0)) {
    if (!link_->connected()) {
      Sleep(100);
      continue;
    }
    reconnected_ = false;
    auto info = link_->GetStreamInfo();
    if (!info.ok()) {
      if (info.status().code() == StatusCode::kNotFound) {
        {
          std::lock_guard lock(mutex_);
          stats_.phase = "unprovisioned";
        }
        if (!told_unprovisioned) {
          SetError("bucket '" + options_.link.bucket +
                   "' does not exist on the server; an operator provisions it once "
                   "(jwo-edgectl ledger provision); the store stands alone until then");
          told_unprovisioned = true;
        }
        Sleep(2000);
      } else {
        SetError("stream info: " + info.status().message());
        Sleep(500);
      }
      continue;
    }
    told_unprovisioned = false;
    Follow(*info);
    link_->Unsubscribe();
  }
}

void ChainSync::Follow(const nats::StreamInfo& info) {
  std::optional<Cursor> stored;
  Status s = env_.Read([&](const store::ReadTxn& txn) {
    auto c = ReadCursor(txn, model_->CursorKey());
    if (c.ok()) stored = *c;
    return c.status();
  });
  if (!s.ok()) {
    SetError("chain cursor: " + s.message());
    Sleep(1000);
    return;
  }
  std::string why_full;
  if (!stored) {
    why_full = "first start";
  } else if (stored->stream_created_ns != info.created_ns) {
    why_full = "the bucket's stream was created anew";
  } else if (stored->applied_seq > info.last_seq) {
    why_full = "the stream ends before what was applied here (restored or truncated)";
  } else if (!stored->snapshot_done) {
    why_full = "the last snapshot did not finish";
  }
  bool snapshot = !why_full.empty();
  Cursor c = stored.value_or(Cursor{});
  // The same stream's snapshot, begun and not finished: go on with its generation (what it
  // applied is marked with it) rather than counting a new resync.
  const bool unfinished =
      stored && stored->stream_created_ns == info.created_ns && !stored->snapshot_done;
  if (snapshot) {
    if (unfinished) {
      c.applied_seq = 0;
    } else {
      c = Cursor{info.created_ns, 0, c.generation + 1, false};
    }
    const bool first = !stored;
    uint64_t queued = 0;
    s = env_.Write([&](store::WriteTxn& txn) {
      if (first) {
        auto q = model_->QueueUnpublished(txn, options_.self_store);
        if (!q.ok()) return q.status();
        queued = *q;
      }
      if (info.last_seq == 0) {  // nothing to snapshot: reconcile against the empty bucket
        auto swept = model_->Sweep(txn, c.generation, options_.self_store, clock_.NowUnixMs());
        if (!swept.ok()) return swept.status();
        c.snapshot_done = true;
      }
      return WriteCursor(txn, c, model_->CursorKey());
    });
    if (!s.ok()) {
      SetError("chain cursor: " + s.message());
      Sleep(1000);
      return;
    }
    core::LogInfo("chain ledger: full snapshot", {{"reason", why_full},
                                                  {"stream_messages", std::to_string(info.msgs)},
                                                  {"own_debts_queued", std::to_string(queued)}});
    std::lock_guard lock(mutex_);
    if (stored && !unfinished) ++stats_.resyncs;
    if (queued > 0) publish_wanted_ = true;
    wake_.notify_all();
    snapshot = !c.snapshot_done;
  }
  cursor_ = c;
  generation_ = c.generation;
  s = link_->Subscribe(
      snapshot ? 0 : c.applied_seq + 1,
      nats::SubscribeWaitMs(options_.link, snapshot, info.msgs, subscribe_failures_));
  if (!s.ok()) {
    SetError("subscribe: " + s.message());
    ++subscribe_failures_;
    subscribe_backoff_ms_ =
        std::min<int64_t>(30'000, std::max<int64_t>(1000, subscribe_backoff_ms_ * 2));
    Sleep(subscribe_backoff_ms_);
    return;
  }
  subscribe_backoff_ms_ = 0;
  subscribe_failures_ = 0;
  {
    std::lock_guard lock(mutex_);
    stats_.phase = snapshot ? "snapshot" : "live";
    stats_.applied_seq = c.applied_seq;
    stats_.stream_last_seq = info.last_seq;
  }
  int64_t next_check = clock_.MonotonicNs() + options_.stream_check_ms * 1'000'000;
  bool counted = snapshot;  // a snapshot reconciles by itself; a resume is counted once caught up
  std::vector<nats::Change> batch;
  while (Sleep(0)) {
    if (reconnected_.exchange(false)) return;  // re-check the stream before going on
    batch.clear();
    auto first = link_->Next(200);
    if (!first.ok()) {
      SetError("subscription: " + first.status().message());
      return;
    }
    if (!first->has_value() && !counted) {
      counted = true;
      if (!KeysStillThere()) return;  // the next round takes a full snapshot
    }
    if (first->has_value()) {
      batch.push_back(std::move(**first));
      while (batch.size() < options_.batch_max) {
        auto more = link_->Next(1);
        if (!more.ok() || !more->has_value()) break;
        batch.push_back(std::move(**more));
      }
      bool done = false;
      if (Status a = ApplyBatch(batch, snapshot, info, &done); !a.ok()) {
        // Nothing of the batch is applied; resubscribing from the cursor delivers it again.
        SetError("applying bucket changes: " + a.message());
        Sleep(1000);
        return;
      }
      if (done) {
        snapshot = false;
        std::lock_guard lock(mutex_);
        stats_.phase = "live";
      }
    }
    if (clock_.MonotonicNs() >= next_check) {
      next_check = clock_.MonotonicNs() + options_.stream_check_ms * 1'000'000;
      auto now_info = link_->GetStreamInfo();
      if (!now_info.ok()) continue;  // the link's own events tell about outages
      if (now_info->created_ns != info.created_ns) return;
      std::lock_guard lock(mutex_);
      stats_.stream_last_seq = std::max(stats_.applied_seq, now_info->last_seq);
    }
  }
}

bool ChainSync::KeysStillThere() {
  // A key deleted while this store was away, whose tombstone was then purged, leaves no message
  // to resume from: the delete is invisible (notes §5). Every key applied here and not deleted
  // holds one message in the stream (History=1), so holding more such keys than the stream has
  // messages means some are gone: take a full snapshot and reconcile.
  // Valid at any moment, caught up or not: a key not yet delivered only adds to the stream's
  // count, and a deleted key keeps its tombstone until a purge.
  auto now_info = link_->GetStreamInfo();
  if (!now_info.ok()) return true;
  // Another stream under the name (recreated while this one was followed): not this check's
  // business; the next round sees the new creation time and takes the snapshot for it.
  if (now_info->created_ns != cursor_.stream_created_ns) return false;
  uint64_t live = 0;
  Status s = env_.Read([&](const store::ReadTxn& txn) {
    auto n = model_->CountLiveKeys(txn);
    if (n.ok()) live = *n;
    return n.status();
  });
  if (!s.ok() || live <= now_info->msgs) return true;
  core::LogWarning(
      "chain ledger: keys applied here are gone from the bucket (deletes whose "
      "tombstones were purged while this store was away); full snapshot",
      {{"keys_here", std::to_string(live)}, {"stream_messages", std::to_string(now_info->msgs)}});
  // A snapshot of a new generation: what it does not deliver is swept. Marked unfinished, so
  // the next round takes it (and a crash before it ends takes it again).
  Cursor c{cursor_.stream_created_ns, 0, cursor_.generation + 1, false};
  s = env_.Write([&](store::WriteTxn& txn) { return WriteCursor(txn, c, model_->CursorKey()); });
  if (!s.ok()) return true;
  cursor_ = c;
  std::lock_guard lock(mutex_);
  ++stats_.resyncs;
  return false;
}

Status ChainSync::ApplyBatch(const std::vector<nats::Change>& batch, bool snapshot,
                             const nats::StreamInfo& info, bool* snapshot_done) {
  (void)info;
  const int64_t now = clock_.NowUnixMs();
  Cursor c;
  uint64_t applied = 0, rejected = 0, conflicts = 0;
  bool tripped_now = false;
  bool reported = false;
  std::vector<std::string> also_hold;
  SweepResult swept;
  Status s = env_.Write([&](store::WriteTxn& txn) {
    c = cursor_;
    applied = rejected = conflicts = 0;
    also_hold.clear();
    *snapshot_done = false;
    ApplyOptions o;
    o.self_store = options_.self_store;
    o.now_ms = now;
    o.generation = c.generation;
    std::string current_key;
    o.hold = [&](const ChainDebt& d) {
      std::lock_guard lock(breaker_mutex_);
      auto decision = breaker_.Admit(current_key, d.debt.origin_store, d.debt.created_ms, now);
      also_hold.insert(also_hold.end(), decision.also_hold.begin(), decision.also_hold.end());
      tripped_now = tripped_now || decision.tripped_now;
      return decision.hold;
    };
    for (const nats::Change& ch : batch) {
      current_key = ch.key;
      auto r = model_->Apply(txn, BucketChange{ch.key, OpOf(ch.op), ch.value, ch.seq}, o);
      if (!r.ok()) return r.status();
      ++applied;
      if (r->outcome == Outcome::kRejected) {
        ++rejected;
        core::LogWarning("chain ledger: bucket record skipped",
                         {{"key", ch.key}, {"seq", std::to_string(ch.seq)}, {"why", r->detail}});
      } else if (r->outcome == Outcome::kConflict) {
        ++conflicts;
        core::LogWarning("chain ledger: record not applied", {{"key", ch.key}, {"why", r->detail}});
      }
      if (r->settled_own && options_.on_settled_own) {
        if (Status q = options_.on_settled_own(txn, *r->settled_own, now); !q.ok()) return q;
        reported = true;
      }
      c.applied_seq = std::max(c.applied_seq, ch.seq);
      if (snapshot && ch.pending == 0 && !c.snapshot_done) {
        auto sw = model_->Sweep(txn, c.generation, options_.self_store, now);
        if (!sw.ok()) return sw.status();
        swept = *sw;
        c.snapshot_done = true;
        *snapshot_done = true;
      }
    }
    for (const std::string& key : also_hold) {
      if (auto h = HoldApplied(txn, key, now); !h.ok()) return h.status();
    }
    return WriteCursor(txn, c, model_->CursorKey());
  });
  if (!s.ok()) return s;
  cursor_ = c;
  if (reported && options_.after_settled_own) options_.after_settled_own();
  if (tripped_now) {
    std::string scope;
    {
      std::lock_guard lock(breaker_mutex_);
      scope = breaker_.Scope();
    }
    core::LogError(
        "chain ledger: debt-inflow breaker tripped; new debts of this scope are recorded but "
        "not denied on until an operator confirms them (jwo-edgectl ledger held, ledger confirm)",
        {{"scope", scope}});
  }
  if (*snapshot_done) {
    core::LogInfo("chain ledger: snapshot applied",
                  {{"applied_seq", std::to_string(c.applied_seq)},
                   {"removed", std::to_string(swept.removed)},
                   {"republished", std::to_string(swept.republished)}});
  }
  std::lock_guard lock(mutex_);
  stats_.applied_seq = c.applied_seq;
  stats_.stream_last_seq = std::max(stats_.stream_last_seq, c.applied_seq);
  stats_.applied += applied;
  stats_.rejected += rejected;
  stats_.conflicts += conflicts;
  stats_.last_applied_ms = now;
  {
    std::lock_guard b(breaker_mutex_);
    stats_.breaker_tripped = breaker_.tripped();
    stats_.breaker_scope = breaker_.Scope();
  }
  if (swept.republished > 0) {
    publish_wanted_ = true;
    wake_.notify_all();
  }
  return Status::Ok();
}

// --- publish -------------------------------------------------------------------------------

void ChainSync::PublishLoop() {
  int64_t backoff_ms = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // Local changes made through jwo-edgectl wake the loop at once (Wake); the payment path's
      // debts are found by this poll within kPollMs.
      wake_.wait_for(
          lock, std::chrono::milliseconds(backoff_ms > 0 ? backoff_ms : kPollMs),
          [this, backoff_ms] { return stopping_ || (publish_wanted_ && backoff_ms == 0); });
      if (stopping_) return;
      publish_wanted_ = false;
    }
    if (!link_->connected()) continue;
    bool failed = false;
    int conflicts_in_a_row = 0;
    while (!failed && Sleep(0)) {
      std::optional<Publication> p;
      Status s = env_.Write([&](store::WriteTxn& txn) {
        auto next = model_->NextPublication(txn, options_.self_store);
        if (next.ok()) p = std::move(*next);
        return next.status();
      });
      if (!s.ok()) {
        SetError("chain outbox: " + s.message());
        failed = true;
        break;
      }
      if (!p) break;
      const uint64_t conflicts_before = ConflictCount();
      if (!PublishOne(*p)) {
        failed = true;
      } else if (ConflictCount() > conflicts_before && ++conflicts_in_a_row > 5) {
        failed = true;  // the key keeps changing under us: give the writers room
      } else if (ConflictCount() == conflicts_before) {
        conflicts_in_a_row = 0;
      }
    }
    backoff_ms = failed ? std::min(kMaxBackoffMs, std::max<int64_t>(250, backoff_ms * 2)) : 0;
  }
}

uint64_t ChainSync::ConflictCount() const {
  std::lock_guard lock(mutex_);
  return stats_.publish_conflicts;
}

bool ChainSync::PublishOne(const Publication& p) {
  // expected_revision 0: create-only (the key must have no message); else compare-and-set.
  const nats::PublishResult r = link_->Publish(p.key, p.value, p.msg_id, p.expected_revision);
  auto commit = [&](uint64_t seq) {
    Status s =
        env_.Write([&](store::WriteTxn& txn) { return model_->CommitPublished(txn, p, seq); });
    if (!s.ok()) {
      SetError("publish: recording the acknowledgement: " + s.message());
      return false;
    }
    std::lock_guard lock(mutex_);
    ++stats_.published;
    return true;
  };
  auto adopt = [&](const nats::Change& current) {
    const int64_t now = clock_.NowUnixMs();
    bool reported = false;
    Status s = env_.Write([&](store::WriteTxn& txn) {
      ApplyOptions o;
      o.self_store = options_.self_store;
      o.now_ms = now;
      o.generation = generation_.load();
      auto a = model_->Apply(
          txn, BucketChange{current.key, OpOf(current.op), current.value, current.seq}, o);
      if (!a.ok()) return a.status();
      if (a->settled_own && options_.on_settled_own) {
        reported = true;
        return options_.on_settled_own(txn, *a->settled_own, now);
      }
      return Status::Ok();
    });
    if (!s.ok()) SetError("publish: applying the bucket's record: " + s.message());
    if (s.ok() && reported && options_.after_settled_own) options_.after_settled_own();
    return s.ok();
  };
  switch (r.outcome) {
    case nats::PublishOutcome::kStored:
    case nats::PublishOutcome::kDuplicate:
      return commit(r.seq);
    case nats::PublishOutcome::kWrongLastSequence: {
      // Someone wrote the key since we last saw it: read what the bucket holds and apply it;
      // the next round publishes again only if this store still has something newer.
      {
        std::lock_guard lock(mutex_);
        ++stats_.publish_conflicts;
      }
      auto current = link_->Get(p.key);
      if (!current.ok()) {
        SetError("publish: reading " + p.key + " back: " + current.status().message());
        return false;
      }
      if (current->has_value()) return adopt(**current);
      // Only a delete tombstone there (its sequence is not readable through a get): write over
      // it without a check; the msg id still de-duplicates a retry.
      const nats::PublishResult over = link_->Publish(p.key, p.value, p.msg_id, std::nullopt);
      if (over.outcome == nats::PublishOutcome::kStored ||
          over.outcome == nats::PublishOutcome::kDuplicate) {
        return commit(over.seq);
      }
      SetError("publish " + p.key + ": " + over.error);
      return false;
    }
    case nats::PublishOutcome::kMaybeStored: {
      // No answer: it may be stored. Read it back before anything is sent again.
      auto current = link_->Get(p.key);
      if (current.ok() && current->has_value()) {
        if (model_->IsPublished(p, (*current)->value)) {
          return commit((*current)->seq);
        }
      }
      SetError("publish " + p.key + ": no answer (" + r.error + "); sent again with the same id");
      return false;
    }
    case nats::PublishOutcome::kUnavailable:
    case nats::PublishOutcome::kFailed:
      SetError("publish " + p.key + ": " + r.error);
      return false;
  }
  return false;
}

}  // namespace jwo::chain
