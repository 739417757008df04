// The schema migrations: the list Migrations() (env.h) and the data conversions of its steps.
//
// Each step runs inside the one write transaction in which Env::Open migrates the store, so a
// failing step leaves the store exactly as it was (docs/store-format.md, "Versions and
// migrations"). A step reads the rows in the encodings of the schema it starts from and writes
// those of the next. Called only by Env::Open, on the writer's thread.
#pragma once

#include <string_view>

#include "core/status.h"
#include "store/env.h"

namespace jwo::store {

// The meta row that marks an LMDB environment as a jwo-edge store (written by step 0; Env::Open
// refuses a store of another program without it).
inline constexpr std::string_view kFormatKey = "format";
inline constexpr std::string_view kFormatValue = "jwo-edge";

// 1 -> 2: re-keys the decisions of schema 1 (trip, gate event) by sequence, appended in
// decision-time order, as record version 2. Errors: kCorruption for a row that does not
// decode; store errors.
core::Status RekeyDecisions(WriteTxn& txn);

// 2 -> 3: re-keys every debt with its DebtKind (DebtKindOf(cause); an expired-pre-auth
// remainder that schema 2 booked under "<trip>-expired" becomes the kExpired debt of <trip>),
// and re-encodes every trip as record version 2 (DecodeTripVersion1: refund states become
// RefundState numbers, the receipt flags are derived). Balances do not change: the same debts
// stay open. Errors: kCorruption for a row that does not decode (trips are named) or two
// debts that would share a key; store errors.
core::Status UpgradeToSchema3(WriteTxn& txn);

}  // namespace jwo::store
