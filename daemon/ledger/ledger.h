// The local debt ledger: debt records and the per-shopper balance the gate reads, kept in step.
//
// Every function that changes a debt also rewrites the shopper's record in the same
// transaction, so the balance the gate reads always equals the sum of that shopper's open
// debts (the invariant the tests check). Functions take the caller's transaction; they are as
// thread-safe as the transaction (a WriteTxn belongs to the one writer).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/env.h"
#include "store/records.h"

namespace jwo::ledger {

// Field limits enforced before anything is written (docs/store-format.md): stored strings
// carry a u16 length, and these keep every one far below it.
inline constexpr size_t kMaxTextBytes = 1024;  // reasons, notes, details, settlement refs
inline constexpr size_t kMaxNameBytes = 255;   // actors, actions, origin store ids

// The shopper's gate record, or nullopt for a shopper never seen (no debt, no override).
// Errors: kInvalidArgument for an id LMDB cannot key, kIoError, kCorruption.
core::Result<std::optional<store::ShopperRecord>> ReadShopper(const store::ReadTxn& txn,
                                                              std::string_view shopper_id);

// Every debt record of the shopper, open or not, ordered by trip id, then kind. Errors:
// kInvalidArgument for an id LMDB cannot key, kIoError, kCorruption.
core::Result<std::vector<store::DebtRecord>> ListDebts(const store::ReadTxn& txn,
                                                       std::string_view shopper_id);

// The shopper's debts for one trip (at most one per kind), open or not, ordered by kind; each
// record carries `trip_id` as given (also when the key holds it shortened). Errors as ListDebts.
core::Result<std::vector<store::DebtRecord>> ListTripDebts(const store::ReadTxn& txn,
                                                           std::string_view shopper_id,
                                                           std::string_view trip_id);

// Records a new open debt of `debt.kind` and adds it to the shopper's balance. `debt.state`
// must be kOpen, the amount > 0 in an ISO 4217 currency, and `debt.kind` DebtKindOf(cause).
// Errors: kAlreadyExists when the shopper already has a debt of that kind for that trip
// (recording the same decline twice must not double the debt; a debt of another kind, such as
// a manual one, never blocks it), kInvalidArgument for bad ids, amounts or kinds, or a note or
// origin store over its limit, kOutOfRange when the shopper's open debt in that currency would
// exceed core::kMaxMinorUnits (it would wrap negative long before int64 runs out), store errors.
core::Status AddDebt(store::WriteTxn& txn, const store::DebtRecord& debt, int64_t now_ms);

// Marks the open debt of `kind` for the shopper's trip settled (or written off) and removes it
// from the balance. Errors: kNotFound (no such debt), kFailedPrecondition (already settled or
// written off), kInvalidArgument (new_state kOpen, bad ids, a settlement_ref over
// kMaxNameBytes).
core::Status CloseDebt(store::WriteTxn& txn, std::string_view shopper_id, std::string_view trip_id,
                       store::DebtKind kind, store::DebtState new_state,
                       std::string_view settlement_ref, int64_t now_ms);

// --- the chain ledger (chain/, docs/ledger.md) ---------------------------------------------
// AddDebt and CloseDebt also queue a chain_outbox row naming the debt, in the same transaction,
// when the environment publishes debts (EnvOptions::publish_debts). The functions below are
// for records that come from the chain's bucket: they never queue anything back.

// Stores a debt from the bucket in any state; an open one is added to the balance. Errors as
// AddDebt (kAlreadyExists when the key is taken).
core::Status AdoptDebt(store::WriteTxn& txn, const store::DebtRecord& debt, int64_t now_ms);

// Gives the stored debt of closed's shopper, trip and kind the state, settlement reference and
// settled time of `closed` (settled or written off); an open one leaves the balance. Errors:
// kNotFound, kInvalidArgument (closed.state kOpen, a settlement_ref over kMaxNameBytes).
core::Status AdoptClosing(store::WriteTxn& txn, const store::DebtRecord& closed, int64_t now_ms);

// Removes the debt row (a record the bucket no longer has); an open one leaves the balance.
// Errors: kNotFound, store errors.
core::Status ForgetDebt(store::WriteTxn& txn, std::string_view shopper_id, std::string_view trip_id,
                        store::DebtKind kind, int64_t now_ms);

// Queues the debt's current state for the chain publisher (when the environment publishes).
core::Status QueueDebtForChain(store::WriteTxn& txn, std::string_view shopper_id,
                               std::string_view trip_id, store::DebtKind kind);

// The kind of the shopper's one open debt for the trip, for an operator who names only the
// trip. Errors: kNotFound (the shopper has no debt for that trip), kFailedPrecondition (none of
// them is open, or more than one is: the message lists the open kinds), as ListDebts.
core::Result<store::DebtKind> SingleOpenDebtKind(const store::ReadTxn& txn,
                                                 std::string_view shopper_id,
                                                 std::string_view trip_id);

// Sets or clears (mode kNone) the manual override. `by` and `reason` are required for a set.
// Errors: kInvalidArgument (missing or over kMaxNameBytes / kMaxTextBytes), store errors.
core::Status SetOverride(store::WriteTxn& txn, std::string_view shopper_id, store::Override mode,
                         std::string_view by, std::string_view reason, int64_t now_ms);

// Sets or clears (mode kNone) the shopper's chain-scoped override (docs/ledger.md) as of
// `at_ms`, set at store `origin`. With `publish` (an operator here) and an environment that
// publishes, also queues it for the overrides bucket. `by` and `reason` are required for a set.
// Errors as SetOverride.
core::Status SetChainOverride(store::WriteTxn& txn, std::string_view shopper_id,
                              store::Override mode, std::string_view by, std::string_view reason,
                              std::string_view origin, int64_t at_ms, bool publish);

// Queues the shopper's chain-scoped override for the overrides publisher (when the environment
// publishes).
core::Status QueueChainOverride(store::WriteTxn& txn, std::string_view shopper_id);

// Appends an audit record with the next sequence number; returns that number. Errors:
// kInvalidArgument when actor or action exceed kMaxNameBytes or detail or reason kMaxTextBytes
// (nothing written), store errors.
core::Result<uint64_t> AppendAudit(store::WriteTxn& txn, store::AuditRecord record);

// The newest `limit` audit records (newest first), optionally only one shopper's.
core::Result<std::vector<store::AuditRecord>> RecentAudit(const store::ReadTxn& txn, size_t limit,
                                                          std::string_view shopper_id = {});

}  // namespace jwo::ledger
