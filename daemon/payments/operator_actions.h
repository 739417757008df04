// What an operator can do to trips and the outbox (through jwo-edgectl): refunds, resolving
// held (bad-cart) trips, and the dead-letter list. Each function runs inside the caller's write
// transaction, so the change, the outbox entry it creates and the audit record the caller adds
// commit together. Thread-compatible (the control thread calls them).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "payments/lifecycle.h"
#include "store/env.h"
#include "store/trip_record.h"

namespace jwo::payments {

// The sum of the trip's refunds still pending (queued, in flight or a dead letter).
int64_t PendingRefunds(const store::TripRecord& trip);
// When the trip's refund window of `window_days` ends: that long after the trip ended (or was
// created, for a trip without an end time).
int64_t RefundWindowEndMs(const store::TripRecord& trip, uint32_t window_days);

// Queues a refund of `amount` (minor units of the trip's currency). Errors, each with a message
// for the operator: kNotFound (no trip), kFailedPrecondition (not captured, outside the
// `window_days` refund window), kOutOfRange (more than captured minus refunded and pending
// refunds, or not positive), kInvalidArgument (reason code not [A-Z_]+). Returns the new
// refundRequestId (from `new_id`: a random UUID v4 by default, seeded ones in simulations),
// persisted with the trip and reused on every retry.
core::Result<std::string> RequestRefund(
    store::WriteTxn& txn, std::string_view trip_id, int64_t amount, std::string_view reason_code,
    std::string_view actor, uint32_t window_days, const LifecyclePolicy& policy, int64_t now_ms,
    const std::function<std::string()>& new_id = core::NewUuidV4);

enum class HeldAction { kPriceLine, kRemoveLine, kRelease };

// Resolves a held trip. kPriceLine prices one unpriced line at `amount` (its total, minor
// units of `currency`, which a trip held before any catalog takes as its currency); kRemoveLine
// drops an unpriced line (not charged); kRelease charges what is priced and drops what is not.
// When no unpriced line is left the trip's Adjust (or Cancel) is queued. Errors: kNotFound
// (trip or line), kFailedPrecondition (trip not held; a trip left with something to charge
// and no currency), kInvalidArgument (`currency` differs from the trip's).
core::Result<store::TripRecord> ResolveHeld(store::WriteTxn& txn, std::string_view trip_id,
                                            HeldAction action, std::string_view line,
                                            int64_t amount, std::string_view currency,
                                            std::string_view actor, const LifecyclePolicy& policy,
                                            int64_t now_ms);

// Resolves a capture_unknown trip after the operator checked with Amazon. `captured` set: the
// Capture happened; it must equal the amount the Capture carried (a Capture is all or nothing;
// a different amount means the wrong trip was looked up) — the trip becomes captured and its
// receipt calls are queued. `captured` empty: it did not happen; the same Capture goes out once
// more. Errors: kNotFound, kFailedPrecondition (not capture_unknown), kInvalidArgument (amount).
core::Result<store::TripRecord> ResolveUnknownCapture(
    store::WriteTxn& txn, std::string_view trip_id, std::optional<int64_t> captured,
    std::string_view actor, const LifecyclePolicy& policy, int64_t now_ms);

// Trips, newest last, optionally only in `state` (a TripStateName) — at most `limit`.
core::Result<std::vector<store::TripRecord>> ListTrips(const store::ReadTxn& txn,
                                                       std::string_view state, size_t limit);

// Outbox entries, optionally only dead letters.
core::Result<std::vector<store::OutboxEntry>> ListOutbox(const store::ReadTxn& txn, bool dead_only,
                                                         size_t limit);
core::Result<store::OutboxEntry> GetOutbox(const store::ReadTxn& txn, uint64_t sequence);
// Makes a dead letter due now with its attempts reset. kFailedPrecondition for an entry that
// is not a dead letter (a live one is sent anyway; an unknown Capture is resolved with
// ResolveUnknownCapture).
core::Status RetryOutbox(store::WriteTxn& txn, uint64_t sequence, int64_t now_ms);
// Deletes a dead letter: the operator settled it outside jwo-edge (a dropped refund frees its
// amount). kNotFound when absent; kFailedPrecondition for an entry that is not a dead letter:
// a live entry may be on the wire, and its answer would then be lost.
core::Status DropOutbox(store::WriteTxn& txn, uint64_t sequence, std::string_view actor,
                        int64_t now_ms);

}  // namespace jwo::payments
