// BucketModel: what one KV bucket of the chain means to this store's LMDB — the debts bucket
// (DebtBucket, chain_store.h) or the chain-scoped overrides bucket (OverrideBucket,
// chain_override.h). ChainSync (chain_sync.h) drives either the same way: cursor, snapshot,
// resume, reconcile, publish with compare-and-set.
//
// Every function takes the caller's transaction and is as thread-safe as it is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chain/chain_store.h"

namespace jwo::chain {

class BucketModel {
 public:
  virtual ~BucketModel() = default;
  // The meta row holding this bucket's cursor.
  virtual std::string_view CursorKey() const = 0;
  virtual core::Result<ApplyResult> Apply(store::WriteTxn& txn, const BucketChange& change,
                                          const ApplyOptions& options) = 0;
  virtual core::Result<SweepResult> Sweep(store::WriteTxn& txn, uint64_t generation,
                                          std::string_view self_store, int64_t now_ms) = 0;
  virtual core::Result<uint64_t> QueueUnpublished(store::WriteTxn& txn,
                                                  std::string_view self_store) = 0;
  virtual core::Result<std::optional<Publication>> NextPublication(store::WriteTxn& txn,
                                                                   std::string_view self_store) = 0;
  virtual core::Status CommitPublished(store::WriteTxn& txn, const Publication& p,
                                       uint64_t seq) = 0;
  // A value read back after a publish without an answer: is it what `p` sent?
  virtual bool IsPublished(const Publication& p, std::string_view bucket_value) const = 0;
  virtual core::Result<uint64_t> CountLiveKeys(const store::ReadTxn& txn) const = 0;
  virtual uint64_t Pending(const store::EnvStats& stats) const = 0;
  virtual uint64_t Records(const store::EnvStats& stats) const = 0;
};

// The debts bucket: chain_store.h's functions.
class DebtBucket final : public BucketModel {
 public:
  std::string_view CursorKey() const override { return "chain_cursor"; }
  core::Result<ApplyResult> Apply(store::WriteTxn& txn, const BucketChange& change,
                                  const ApplyOptions& options) override {
    return ApplyChange(txn, change, options);
  }
  core::Result<SweepResult> Sweep(store::WriteTxn& txn, uint64_t generation,
                                  std::string_view self_store, int64_t now_ms) override {
    return SweepAfterSnapshot(txn, generation, self_store, now_ms);
  }
  core::Result<uint64_t> QueueUnpublished(store::WriteTxn& txn,
                                          std::string_view self_store) override {
    return QueueUnpublishedOwnDebts(txn, self_store);
  }
  core::Result<std::optional<Publication>> NextPublication(store::WriteTxn& txn,
                                                           std::string_view self_store) override {
    return chain::NextPublication(txn, self_store);
  }
  core::Status CommitPublished(store::WriteTxn& txn, const Publication& p, uint64_t seq) override {
    return chain::CommitPublished(txn, p, seq);
  }
  bool IsPublished(const Publication& p, std::string_view bucket_value) const override {
    auto there = DecodeChainDebt(p.key, bucket_value);
    return there.ok() && there->version == p.record.version &&
           there->debt.state == p.record.debt.state &&
           there->debt.settlement_ref == p.record.debt.settlement_ref;
  }
  core::Result<uint64_t> CountLiveKeys(const store::ReadTxn& txn) const override {
    return chain::CountLiveKeys(txn);
  }
  uint64_t Pending(const store::EnvStats& s) const override {
    return s.entries[static_cast<size_t>(store::Table::kChainOutbox)];
  }
  uint64_t Records(const store::EnvStats& s) const override {
    return s.entries[static_cast<size_t>(store::Table::kChainKeys)];
  }
};

}  // namespace jwo::chain
