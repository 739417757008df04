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

// The shopper's gate record, or nullopt for a shopper never seen (no debt, no override).
// Errors: kInvalidArgument for an id LMDB cannot key, kIoError, kCorruption.
core::Result<std::optional<store::ShopperRecord>> ReadShopper(const store::ReadTxn& txn,
                                                              std::string_view shopper_id);

// Every debt record of the shopper, open or not, ordered by trip id.
core::Result<std::vector<store::DebtRecord>> ListDebts(const store::ReadTxn& txn,
                                                       std::string_view shopper_id);

// Records a new open debt and adds it to the shopper's balance. `debt.state` must be kOpen and
// the amount > 0. Errors: kAlreadyExists when the shopper already has a debt for that trip
// (recording the same decline twice must not double the debt), kInvalidArgument for bad ids
// or amounts, store errors.
core::Status AddDebt(store::WriteTxn& txn, const store::DebtRecord& debt, int64_t now_ms);

// The trip id under which the expired-pre-auth remainder of a trip is booked when part of the
// trip is debt already (one debt record per shopper and trip id): "<trip>-expired", shortened
// with a digest of the trip id when that would pass the 255-byte id limit. Pure.
std::string ExpiredDebtTripId(std::string_view trip_id);

// Marks an open debt settled (or written off) and removes it from the balance. Errors:
// kNotFound (no such debt), kFailedPrecondition (already settled or written off).
core::Status CloseDebt(store::WriteTxn& txn, std::string_view shopper_id, std::string_view trip_id,
                       store::DebtState new_state, std::string_view settlement_ref, int64_t now_ms);

// Sets or clears (mode kNone) the manual override. `by` and `reason` are required for a set.
core::Status SetOverride(store::WriteTxn& txn, std::string_view shopper_id, store::Override mode,
                         std::string_view by, std::string_view reason, int64_t now_ms);

// Appends an audit record with the next sequence number; returns that number.
core::Result<uint64_t> AppendAudit(store::WriteTxn& txn, store::AuditRecord record);

// The newest `limit` audit records (newest first), optionally only one shopper's.
core::Result<std::vector<store::AuditRecord>> RecentAudit(const store::ReadTxn& txn, size_t limit,
                                                          std::string_view shopper_id = {});

}  // namespace jwo::ledger
