// The gate's index of shoppers (table gate_shoppers, schema 7): the ids of the shoppers whose
// record can change a gate decision, i.e. who owe something or carry an override. The gate
// looks a shopper up here first and reads the full record only on a hit; before that, the
// index's filter (store/gate_filter.h) turns away nearly every shopper who is not here.
//
// Why: a store remembers every shopper who ever had a debt or an override (a million in the
// benchmark), but only the few with open debt or an override matter at the gate. The index
// stays small enough to live in the CPU's caches, where a lookup in the whole `shoppers` tree
// misses the cache on every level below the root for a random shopper (docs/performance.md).
//
// The invariant, kept in the one transaction that writes a record and checked by VerifyStore:
//   id ∈ gate_shoppers  ⇔  shoppers[id] exists and MattersToGate(shoppers[id])
// (or, only from the migration, does not decode).
// A shopper outside the index decides exactly as one without a record: no override to follow
// and no balance to owe (fa::Decide). Every write of a shopper record goes through PutShopper.
//
// Functions take the caller's transaction; as thread-safe as it.
#pragma once

#include <optional>
#include <string_view>

#include "core/status.h"
#include "store/env.h"
#include "store/records.h"

namespace jwo::store {

// True when the record can change a gate decision: an open balance in any currency (the
// thresholds are configuration, so any balance counts) or an override of either scope.
bool MattersToGate(const ShopperRecord& r);

// Writes the shopper's record and keeps the gate's index in step with it.
core::Status PutShopper(WriteTxn& txn, std::string_view shopper_id, const ShopperRecord& r);

// The shopper's record when it matters to the gate, else nullopt (also for a shopper with a
// record that does not). Errors: as ReadTxn::Get, kCorruption for a record that does not decode
// or an index entry without a record.
core::Result<std::optional<ShopperRecord>> ReadShopperForGate(const ReadTxn& txn,
                                                              std::string_view shopper_id);

// Step 6 -> 7: indexes every stored shopper that matters to the gate, and every record that
// does not decode (the gate's read of it fails and the fail mode decides, as it did before the
// index). Errors: store errors only.
core::Status IndexAllShoppers(WriteTxn& txn);

}  // namespace jwo::store
