// The chain ledger's state in the local store (docs/ledger.md): applying what the bucket holds
// to the debts the gate reads, the cursor that says how far that went, and the queue of local
// changes still to publish.
//
// Every function takes the caller's transaction: a batch of bucket changes, the cursor after
// them and their effect on debts and balances commit together, so a crash never leaves a
// change applied without its sequence recorded (or the reverse). Pure logic over LMDB; no
// network here (chain/chain_sync.h drives it).
//
// Conflict rule (compare-and-set by version): a record is version 1 while open and version 2
// once settled or written off, and never reopens. Every write to the bucket is conditional on
// the key's last sequence, so of two stores settling the same debt the first write wins; the
// other finds the key changed, reads the bucket's record and adopts it. Locally, a terminal
// record from the bucket always replaces an open one, and replaces a different terminal one
// (the bucket's first terminal write is the truth everywhere); an open record from the bucket
// never reopens a local terminal one (the local change is queued to publish instead).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "chain/chain_record.h"
#include "core/status.h"
#include "store/env.h"

namespace jwo::chain {

// What this store last applied from the bucket. The stream's creation time identifies the
// bucket's incarnation: a bucket deleted and created again restarts its sequences at 1.
struct Cursor {
  int64_t stream_created_ns = 0;
  uint64_t applied_seq = 0;    // every change up to this stream sequence is applied
  uint64_t generation = 0;     // of the last full snapshot (chain_keys rows carry theirs)
  bool snapshot_done = false;  // the snapshot of `generation` reached the stream's end
};

// Cursors live in `meta` under `key` (one per bucket; "chain_cursor" for the debts).
core::Result<std::optional<Cursor>> ReadCursor(const store::ReadTxn& txn,
                                               std::string_view key = "chain_cursor");
core::Status WriteCursor(store::WriteTxn& txn, const Cursor& cursor,
                         std::string_view key = "chain_cursor");

enum class KeyState : uint8_t {
  kOpen = 1,
  kSettled = 2,
  kWrittenOff = 3,
  kHeld = 10,      // an open debt the inflow breaker holds back (chain_held), not denied on
  kConflict = 11,  // another store's debt under the (shopper, trip, kind) of a local one
  kDeleted = 12,   // the bucket deleted or purged the key (its tombstone's sequence kept)
};
std::string_view KeyStateName(KeyState s);

// A chain_keys row: what the bucket holds under a key, as this store applied it.
struct KeyRow {
  KeyState state = KeyState::kOpen;
  uint32_t version = 0;
  uint64_t revision = 0;    // stream sequence of the key's last message seen
  uint64_t generation = 0;  // snapshot generation that last saw it
  std::string shopper_id;
};
core::Result<std::optional<KeyRow>> ReadKeyRow(const store::ReadTxn& txn, std::string_view key);
// chain_keys rows whose key the bucket still holds a value for here (every state but kDeleted).
core::Result<uint64_t> CountLiveKeys(const store::ReadTxn& txn);

enum class BucketOp { kPut, kDelete, kPurge };
struct BucketChange {
  std::string key;  // without the "$KV.<bucket>." prefix
  BucketOp op = BucketOp::kPut;
  std::string value;
  uint64_t seq = 0;
};

struct ApplyOptions {
  std::string self_store;
  int64_t now_ms = 0;
  uint64_t generation = 0;
  // Asked for each open debt of another store that is new here: true = hold it back (the
  // debt-inflow breaker). Null = never hold.
  std::function<bool(const ChainDebt&)> hold;
};

enum class Outcome {
  kAdded,      // a new debt here (open: denied on from now)
  kClosed,     // a local open debt settled or written off
  kAdopted,    // a local closed debt took the bucket's terminal state
  kUnchanged,  // nothing to do (an echo of what this store holds, an old message)
  kHeld,       // kept in chain_held by the breaker
  kStale,      // the bucket is behind a local change (queued to publish)
  kConflict,   // another store's record collides with a local debt: local kept, counted
  kRejected,   // a value that does not decode: skipped, counted, logged by the caller
  kRemoved,    // the bucket deleted a key: another store's debt removed here
};
std::string_view OutcomeName(Outcome o);

struct ApplyResult {
  Outcome outcome = Outcome::kUnchanged;
  std::string detail;  // why, for kRejected and kConflict
  // Set when a debt this store originated became settled: the caller reports the payment
  // (amazon_managed) through the payment outbox.
  std::optional<store::DebtRecord> settled_own;
};

// Applies one change of the bucket. Errors are store errors only (a bad value is kRejected).
core::Result<ApplyResult> ApplyChange(store::WriteTxn& txn, const BucketChange& change,
                                      const ApplyOptions& options);

// After a full snapshot of `generation`: every key the snapshot did not deliver is gone from
// the bucket. Another store's debt is removed here; one of this store's own is queued to
// publish again (this store is where it was booked). Returns how many of each.
struct SweepResult {
  uint64_t removed = 0;
  uint64_t republished = 0;
};
core::Result<SweepResult> SweepAfterSnapshot(store::WriteTxn& txn, uint64_t generation,
                                             std::string_view self_store, int64_t now_ms);

// Queues every debt this store booked that the bucket has not seen (first start with a
// ledger, or after the bucket lost them). Returns how many.
core::Result<uint64_t> QueueUnpublishedOwnDebts(store::WriteTxn& txn, std::string_view self_store);

// --- publishing --------------------------------------------------------------------------------

struct Publication {
  uint64_t outbox_seq = 0;
  std::string key;
  std::string value;
  std::string msg_id;              // stable for this state of this record
  uint64_t expected_revision = 0;  // 0 = create-only; else the key's last sequence
  ChainDebt record;
};

// The oldest queued publication. Rows that need no sending (the debt is gone, or the bucket
// already holds this state) are deleted on the way. nullopt when nothing is queued.
core::Result<std::optional<Publication>> NextPublication(store::WriteTxn& txn,
                                                         std::string_view self_store);
// The bucket stored it at `seq` (or already had it there): drop the row, remember the key.
core::Status CommitPublished(store::WriteTxn& txn, const Publication& p, uint64_t seq);
uint64_t PendingPublications(const store::ReadTxn& txn);

// --- the debt-inflow breaker ------------------------------------------------------------------

// Applies the held debts (of one origin store, or all when empty) as the operator confirmed
// them: they are denied on from now. Returns how many.
core::Result<uint64_t> ConfirmHeld(store::WriteTxn& txn, std::string_view origin_store,
                                   int64_t now_ms);
core::Result<uint64_t> CountHeld(const store::ReadTxn& txn);
// Moves a debt applied from the bucket (still open, not this store's) into chain_held: the
// breaker tripped on the burst it belongs to. Returns false when there is nothing to move (no
// longer open, or not from the bucket).
core::Result<bool> HoldApplied(store::WriteTxn& txn, std::string_view key, int64_t now_ms);

}  // namespace jwo::chain
