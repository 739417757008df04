// What the chain's debt bucket holds (docs/ledger.md): its keys and its values.
//
// Key: <origin store>.<trip>.<kind>, each id encoded into NATS's key characters
// ([A-Za-z0-9_-/=.] with no empty "." token): letters, digits and '-' stay as they are, every
// other byte becomes '_' and two uppercase hex digits ("store 7" -> "store_207"). The encoding is
// injective and keeps a store's keys under one prefix, so a store's NATS credentials can be
// limited to publishing "$KV.<bucket>.<encoded store id>.>".
//
// Value: one JSON object (format 1) carrying the whole debt record and its version:
//   {"format":1,"shopper":"s","trip":"t","kind":"trip","cause":"declined_adjust",
//    "amount_minor":1250,"currency":"USD","origin":"store-a","created_ms":...,
//    "state":"open","settlement_ref":"","settled_ms":0,"note":"","version":1}
// Amounts are integer minor units. A record is written twice at most: version 1 open, version
// 2 settled or written off (terminal; a record never reopens).
//
// Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/records.h"

namespace jwo::chain {

inline constexpr uint32_t kOpenVersion = 1;
inline constexpr uint32_t kClosedVersion = 2;

struct ChainDebt {
  store::DebtRecord debt;  // origin_store is the store that booked it
  uint32_t version = kOpenVersion;
};

// The version a record in this state carries: kOpenVersion or kClosedVersion.
uint32_t VersionOf(store::DebtState state);

// One id as a key token (never empty for a non-empty id).
std::string EncodeKeyToken(std::string_view id);
// The id of a token EncodeKeyToken wrote; nullopt for any other text.
std::optional<std::string> DecodeKeyToken(std::string_view token);

// The bucket key of a debt. kInvalidArgument for an empty origin store or trip id.
core::Result<std::string> BucketKey(std::string_view origin_store, std::string_view trip_id,
                                    store::DebtKind kind);
// The encoded prefix of every key a store originates ("<encoded store>.").
std::string BucketKeyPrefix(std::string_view origin_store);

struct KeyParts {
  std::string origin_store;
  std::string trip_id;
  store::DebtKind kind = store::DebtKind::kTrip;
};
// The parts of a key BucketKey wrote; nullopt for any other text.
std::optional<KeyParts> ParseBucketKey(std::string_view key);

std::string EncodeChainDebt(const ChainDebt& record);
// The record of a bucket value stored under `key`. kInvalidArgument (saying what) for a value
// that is not format-1 JSON, misses a field, breaks a field's rule (the limits of ledger/), has a
// version that does not fit its state, or does not belong under `key`.
core::Result<ChainDebt> DecodeChainDebt(std::string_view key, std::string_view value);

}  // namespace jwo::chain
