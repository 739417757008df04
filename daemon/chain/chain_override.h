// The chain-scoped overrides bucket (docs/ledger.md): an operator's "always allow" or "always
// block" for a shopper, set with `--scope chain`, travels to every store.
//
// Key: the encoded shopper id (EncodeKeyToken). Value, format 1:
//   {"format":1,"shopper":"s","mode":"allow"|"block"|"none","by":"alice","reason":"...",
//    "at_ms":1764842130000,"origin":"store-a"}
// Clearing writes mode "none" (never a delete). Conflict rule: the latest setting wins, by
// at_ms and then by origin store id; writes are compare-and-set on the key's last sequence, so
// a store that finds the key changed reads the bucket's setting and keeps whichever is later.
// A store-scoped override of the same shopper still takes precedence at that store
// (ShopperRecord::EffectiveOverride).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "chain/bucket_model.h"
#include "core/status.h"
#include "store/records.h"

namespace jwo::chain {

struct ChainOverride {
  std::string shopper_id;
  store::Override mode = store::Override::kNone;
  std::string by;
  std::string reason;
  int64_t at_ms = 0;
  std::string origin_store;
};

std::string EncodeChainOverride(const ChainOverride& o);
// kInvalidArgument (saying what) for a value that breaks a rule or does not belong under `key`.
core::Result<ChainOverride> DecodeChainOverride(std::string_view key, std::string_view value);
// True when `a` was set after `b` (at_ms, then origin store id).
bool IsLater(const ChainOverride& a, const ChainOverride& b);

// The overrides bucket for ChainSync: chain_override_keys, chain_override_outbox and the
// chain_override_* fields of the shopper records.
class OverrideBucket final : public BucketModel {
 public:
  std::string_view CursorKey() const override { return "chain_override_cursor"; }
  core::Result<ApplyResult> Apply(store::WriteTxn& txn, const BucketChange& change,
                                  const ApplyOptions& options) override;
  core::Result<SweepResult> Sweep(store::WriteTxn& txn, uint64_t generation,
                                  std::string_view self_store, int64_t now_ms) override;
  core::Result<uint64_t> QueueUnpublished(store::WriteTxn& txn,
                                          std::string_view self_store) override;
  core::Result<std::optional<Publication>> NextPublication(store::WriteTxn& txn,
                                                           std::string_view self_store) override;
  core::Status CommitPublished(store::WriteTxn& txn, const Publication& p, uint64_t seq) override;
  bool IsPublished(const Publication& p, std::string_view bucket_value) const override;
  core::Result<uint64_t> CountLiveKeys(const store::ReadTxn& txn) const override;
  uint64_t Pending(const store::EnvStats& s) const override {
    return s.entries[static_cast<size_t>(store::Table::kChainOverrideOutbox)];
  }
  uint64_t Records(const store::EnvStats& s) const override {
    return s.entries[static_cast<size_t>(store::Table::kChainOverrideKeys)];
  }
};

}  // namespace jwo::chain
