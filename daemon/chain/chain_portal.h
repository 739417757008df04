// The chain's portal bucket (docs/portal.md, "Topologies"): receipts of every store for the
// chain's portal instance, and the refund requests it sends back to each trip's store.
//
// Keys (KV tokens; store and trip ids are [0-9A-Za-z_-], request ids UUIDs):
//   "r.<store>.<trip>"    the trip as the store holds it (store::EncodeTrip, without history or
//                         cart), published by that store whenever it saves a trip with a shopper
//                         address (EnvOptions::publish_portal); only that store writes the key
//   "q.<store>.<id>"      a refund request for a trip of <store>, published by the portal
//                         instance: {"format":1,"id","store","trip","amount","reason","at_ms"}
//
// An appliance (`ledger.portal: publish`) runs the requests addressed to it through its payment
// outbox, idempotently — the request id becomes the refund's refundRequestId, so a request seen
// twice is one refund — and republishes the trip, whose refunds then carry the outcome (a
// request the store refuses, over the refundable amount or past the window, becomes a `failed`
// refund). The portal instance (`serve`) keeps every other store's trips in its own trips table
// and shopper index, where the portal's pages read them.
//
// Functions take the caller's transaction; as thread-safe as it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chain/bucket_model.h"
#include "core/status.h"
#include "store/trip_record.h"

namespace jwo::chain {

struct RefundRequest {
  std::string id;  // UUID v4; the refund's refundRequestId at the store
  std::string store_id;
  std::string trip_id;
  int64_t amount = 0;  // minor units of the trip's currency
  std::string reason;  // [A-Z_]+
  int64_t at_ms = 0;
};

std::string EncodeRefundRequest(const RefundRequest& r);
// kInvalidArgument (saying what) for a value that breaks a rule or does not belong under `key`.
core::Result<RefundRequest> DecodeRefundRequest(std::string_view key, std::string_view value);
std::string RefundRequestBucketKey(const RefundRequest& r);

// The portal instance: stores the request (table portal, "q/<id>") and queues its publication.
core::Status QueueRefundRequest(store::WriteTxn& txn, const RefundRequest& r);
// The requests this instance sent for `trip` that the trip (as its store last published it) does
// not show yet among its refunds, oldest first: money on its way to being refunded.
core::Result<std::vector<RefundRequest>> RequestsOnTheirWay(const store::ReadTxn& txn,
                                                            const store::TripRecord& trip);

struct PortalBucketOptions {
  bool serve = false;  // keep other stores' trips here (the chain's portal instance)
  // An appliance: queues the refund in its payment outbox (payments::RequestRefund with the
  // request's id), in the caller's transaction. Errors other than store errors are the store's
  // refusal (recorded as a failed refund).
  std::function<core::Status(store::WriteTxn&, const RefundRequest&, int64_t now_ms)> run_refund;
  // Saves a trip (payments::SaveTrip: it queues the trip's republication).
  std::function<core::Status(store::WriteTxn&, const store::TripRecord&)> save_trip;
};

class PortalBucket final : public BucketModel {
 public:
  explicit PortalBucket(PortalBucketOptions options) : options_(std::move(options)) {}
  std::string_view CursorKey() const override { return "chain_portal_cursor"; }
  core::Result<ApplyResult> Apply(store::WriteTxn& txn, const BucketChange& change,
                                  const ApplyOptions& options) override;
  core::Result<SweepResult> Sweep(store::WriteTxn& txn, uint64_t generation,
                                  std::string_view self_store, int64_t now_ms) override;
  core::Result<uint64_t> QueueUnpublished(store::WriteTxn& txn,
                                          std::string_view self_store) override;
  core::Result<std::optional<Publication>> NextPublication(store::WriteTxn& txn,
                                                           std::string_view self_store) override;
  core::Status CommitPublished(store::WriteTxn& txn, const Publication& p, uint64_t seq) override;
  bool IsPublished(const Publication& p, std::string_view bucket_value) const override {
    return bucket_value == p.value;
  }
  core::Result<uint64_t> CountLiveKeys(const store::ReadTxn& txn) const override;
  uint64_t Pending(const store::EnvStats& s) const override {
    return s.entries[static_cast<size_t>(store::Table::kChainPortalOutbox)];
  }
  uint64_t Records(const store::EnvStats& s) const override {
    return s.entries[static_cast<size_t>(store::Table::kChainPortalKeys)];
  }

 private:
  core::Result<ApplyResult> ApplyReceipt(store::WriteTxn& txn, const BucketChange& change,
                                         std::string_view store, const ApplyOptions& options);
  core::Result<ApplyResult> ApplyRequest(store::WriteTxn& txn, const BucketChange& change,
                                         std::string_view store, const ApplyOptions& options);
  PortalBucketOptions options_;
};

}  // namespace jwo::chain
