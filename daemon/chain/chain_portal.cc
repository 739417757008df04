#include "chain/chain_portal.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/ids.h"
#include "core/json.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "store/codec.h"
#include "store/shopper_index.h"

namespace jwo::chain {
namespace {

using core::Status;
using core::StatusCode;
using store::Table;

Status Bad(std::string what) { return Status(StatusCode::kInvalidArgument, std::move(what)); }

// A chain_portal_keys row: what the bucket holds under a key, as applied or published here.
struct PortalRow {
  bool deleted = false;
  uint64_t revision = 0;
  uint64_t generation = 0;
  std::string digest;  // hex SHA-256 of the value
};

std::string EncodeRow(const PortalRow& r) {
  store::Encoder e;
  e.U8(1);
  e.U8(r.deleted ? 1 : 0);
  e.U64(r.revision);
  e.U64(r.generation);
  e.Str(r.digest);
  return e.Take();
}

core::Result<std::optional<PortalRow>> ReadRow(const store::ReadTxn& txn, std::string_view key) {
  auto bytes = txn.Get(Table::kChainPortalKeys, key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<PortalRow>{};
  store::Decoder d(**bytes);
  uint8_t format = 0, deleted = 0;
  PortalRow r;
  if (!d.U8(format) || format != 1 || !d.U8(deleted) || deleted > 1 || !d.U64(r.revision) ||
      !d.U64(r.generation) || !d.Str(r.digest) || !d.done()) {
    return Status(StatusCode::kCorruption,
                  "chain_portal_keys row " + std::string(key) + " does not decode");
  }
  r.deleted = deleted == 1;
  return std::optional<PortalRow>{std::move(r)};
}

// "r.<store>.<trip>" / "q.<store>.<id>" -> (kind, store, rest); false for anything else.
bool SplitKey(std::string_view key, char* kind, std::string_view* store, std::string_view* rest) {
  if (key.size() < 5 || (key[0] != 'r' && key[0] != 'q') || key[1] != '.') return false;
  const size_t dot = key.find('.', 2);
  if (dot == std::string_view::npos || dot == 2 || dot + 1 >= key.size()) return false;
  *kind = key[0];
  *store = key.substr(2, dot - 2);
  *rest = key.substr(dot + 1);
  return true;
}

// What a store publishes of a trip: everything the portal shows; not the history (operators'
// notes) nor the cart as Amazon sent it.
std::string PublishedTrip(store::TripRecord t) {
  t.history.clear();
  t.cart.clear();
  t.auth_event_ids.clear();
  return store::EncodeTrip(t);
}

std::string RequestKey(std::string_view id) { return "q/" + std::string(id); }

// A request as stored here (table portal, "q/<id>"): every rule but the bucket key's.
core::Result<RefundRequest> ParseRefundRequest(std::string_view value);

// Damage in this store's own rows is kCorruption, not a rule broken by someone else.
core::Result<RefundRequest> ParseStoredRequest(std::string_view value) {
  auto r = ParseRefundRequest(value);
  if (!r.ok()) return Status(StatusCode::kCorruption, "portal: " + r.status().message());
  return r;
}

core::Result<std::optional<RefundRequest>> LoadRequest(const store::ReadTxn& txn,
                                                       std::string_view id) {
  auto bytes = txn.Get(Table::kPortal, RequestKey(id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<RefundRequest>{};
  auto r = ParseStoredRequest(**bytes);
  if (!r.ok()) return r.status();
  return std::optional<RefundRequest>{std::move(*r)};
}

}  // namespace

std::string EncodeRefundRequest(const RefundRequest& r) {
  core::JsonWriter w;
  w.BeginObject();
  w.Key("format").Int(1);
  w.Key("id").String(r.id);
  w.Key("store").String(r.store_id);
  w.Key("trip").String(r.trip_id);
  w.Key("amount").Int(r.amount);
  w.Key("reason").String(r.reason);
  w.Key("at_ms").Int(r.at_ms);
  w.EndObject();
  return w.Take();
}

namespace {

core::Result<RefundRequest> ParseRefundRequest(std::string_view value) {
  auto parsed = core::ParseJson(value);
  if (!parsed.ok() || !parsed->is_object()) return Bad("refund request is not a JSON object");
  const boost::json::object& o = parsed->as_object();
  const auto text = [&](std::string_view k) { return core::JsonStringOr(o, k); };
  const auto num = [&](std::string_view k) { return core::JsonIntOr(o, k, -1); };
  const boost::json::value* format = o.if_contains("format");
  if (format == nullptr || !format->is_int64() || format->as_int64() != 1) {
    return Bad("refund request is not format 1");
  }
  RefundRequest r{text("id"),    text("store"),  text("trip"),
                  num("amount"), text("reason"), num("at_ms")};
  if (!core::IsUuid(r.id)) return Bad("refund request id is not a UUID");
  if (!core::CheckStoreId(r.store_id).empty() || !core::CheckTripId(r.trip_id).empty()) {
    return Bad("refund request store or trip id is not valid");
  }
  if (r.amount <= 0 || r.at_ms < 0) return Bad("refund request amount or time out of range");
  if (r.reason.empty() || r.reason.size() > 64 ||
      r.reason.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != std::string::npos) {
    return Bad("refund request reason is not a code ([A-Z_]+)");
  }
  return r;
}

}  // namespace

core::Result<RefundRequest> DecodeRefundRequest(std::string_view key, std::string_view value) {
  auto r = ParseRefundRequest(value);
  if (!r.ok()) return r;
  if (RefundRequestBucketKey(*r) != key) {
    return Bad("the request belongs under " + RefundRequestBucketKey(*r) + ", not " +
               std::string(key));
  }
  return r;
}

std::string RefundRequestBucketKey(const RefundRequest& r) {
  return "q." + r.store_id + "." + r.id;
}

Status QueueRefundRequest(store::WriteTxn& txn, const RefundRequest& r) {
  if (Status s = txn.Put(Table::kPortal, RequestKey(r.id), EncodeRefundRequest(r)); !s.ok()) {
    return s;
  }
  return store::QueuePortalPublication(txn, RefundRequestBucketKey(r));
}

core::Result<std::vector<RefundRequest>> RequestsOnTheirWay(const store::ReadTxn& txn,
                                                            const store::TripRecord& trip) {
  std::vector<RefundRequest> out;
  Status s = txn.Scan(Table::kPortal, "q/", [&](std::string_view, std::string_view v) {
    auto r = ParseStoredRequest(v);
    const bool answered =
        r.ok() && std::any_of(trip.refunds.begin(), trip.refunds.end(),
                              [&](const auto& f) { return f.refund_request_id == r->id; });
    if (r.ok() && r->trip_id == trip.trip_id && !answered) out.push_back(std::move(*r));
    return true;
  });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  return out;
}

core::Result<ApplyResult> PortalBucket::Apply(store::WriteTxn& txn, const BucketChange& change,
                                              const ApplyOptions& options) {
  char kind = 0;
  std::string_view store, rest;
  if (!SplitKey(change.key, &kind, &store, &rest) || change.key.size() > store::kMaxKeyBytes) {
    return ApplyResult{Outcome::kRejected, "not a portal bucket key", {}};
  }
  auto row = ReadRow(txn, change.key);
  if (!row.ok()) return row.status();
  PortalRow next;
  next.revision = change.seq;
  next.generation = options.generation;
  next.deleted = change.op != BucketOp::kPut;
  next.digest = next.deleted ? std::string() : core::Sha256Hex(change.value);
  ApplyResult result;
  const bool seen = row->has_value() && (*row)->revision >= change.seq;
  if (!seen && !next.deleted) {
    auto applied = kind == 'r' ? ApplyReceipt(txn, change, store, options)
                               : ApplyRequest(txn, change, store, options);
    if (!applied.ok()) return applied.status();
    result = std::move(*applied);
  }
  if (row->has_value() && (*row)->revision > next.revision) next = **row;
  next.generation = options.generation;
  if (Status s = txn.Put(Table::kChainPortalKeys, change.key, EncodeRow(next)); !s.ok()) return s;
  return result;
}

core::Result<ApplyResult> PortalBucket::ApplyReceipt(store::WriteTxn& txn,
                                                     const BucketChange& change,
                                                     std::string_view store,
                                                     const ApplyOptions& options) {
  // This store's own receipt echoed back, or an appliance that does not keep others' trips.
  if (store == options.self_store || !options_.serve) return ApplyResult{};
  auto trip = store::DecodeTrip(change.value);
  if (!trip.ok()) return ApplyResult{Outcome::kRejected, trip.status().message(), {}};
  if (store::ReceiptBucketKey(trip->store_id, trip->trip_id) != change.key) {
    return ApplyResult{Outcome::kRejected, "the trip belongs under another key", {}};
  }
  // A trip id is the shopping trip's id at Amazon, unique across the chain. An address the
  // store erased (retention) or changed leaves the index here too.
  auto old = txn.Get(Table::kTrips, trip->trip_id);
  if (!old.ok()) return old.status();
  if (old->has_value()) {
    auto before = store::DecodeTrip(**old);
    if (before.ok() && !before->shopper_email.empty() &&
        before->shopper_email != trip->shopper_email) {
      Status e = store::EraseShopperEmail(txn, store::EmailHash(before->shopper_email),
                                          before->trip_id, options.now_ms);
      if (!e.ok()) return e;
    }
  }
  if (Status s = txn.Put(Table::kTrips, trip->trip_id, change.value); !s.ok()) return s;
  if (Status s = store::IndexTrip(txn, *trip); !s.ok()) return s;
  return ApplyResult{Outcome::kAdded, {}, {}};
}

core::Result<ApplyResult> PortalBucket::ApplyRequest(store::WriteTxn& txn,
                                                     const BucketChange& change,
                                                     std::string_view store,
                                                     const ApplyOptions& options) {
  if (store != options.self_store || options_.serve || !options_.run_refund) return ApplyResult{};
  auto req = DecodeRefundRequest(change.key, change.value);
  if (!req.ok()) return ApplyResult{Outcome::kRejected, req.status().message(), {}};
  auto bytes = txn.Get(Table::kTrips, req->trip_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return ApplyResult{Outcome::kRejected, "no trip " + req->trip_id, {}};
  auto trip = store::DecodeTrip(**bytes);
  if (!trip.ok()) return trip.status();
  for (const store::RefundRecord& r : trip->refunds) {
    if (r.refund_request_id == req->id) return ApplyResult{};  // seen before: one refund
  }
  Status run = options_.run_refund(txn, *req, options.now_ms);
  if (run.ok()) {
    core::LogInfo("refund requested in the chain's portal",
                  {{"trip", req->trip_id}, {"amount", std::to_string(req->amount)}});
    return ApplyResult{Outcome::kAdded, {}, {}};
  }
  if (run.code() == StatusCode::kIoError || run.code() == StatusCode::kCorruption ||
      run.code() == StatusCode::kInternal) {
    return run;
  }
  // The store refuses it (over what is refundable, past the window): the trip says so, and the
  // portal shows it as not refunded.
  store::RefundRecord refused;
  refused.refund_request_id = req->id;
  refused.amount = req->amount;
  refused.reason = req->reason;
  refused.actor = "portal";
  refused.requested_ms = req->at_ms;
  refused.state = store::RefundState::kFailed;
  trip->refunds.push_back(refused);
  trip->Record(options.now_ms, "refund_request_refused", run.message());
  if (Status s = options_.save_trip(txn, *trip); !s.ok()) return s;
  return ApplyResult{Outcome::kRejected, "refund request refused: " + run.message(), {}};
}

core::Result<SweepResult> PortalBucket::Sweep(store::WriteTxn& txn, uint64_t generation,
                                              std::string_view self_store, int64_t) {
  std::vector<std::string> gone;
  Status s = txn.Scan(Table::kChainPortalKeys, {}, [&](std::string_view k, std::string_view) {
    auto row = ReadRow(txn, k);
    if (row.ok() && row->has_value() && (*row)->generation != generation) gone.emplace_back(k);
    return true;
  });
  if (!s.ok()) return s;
  SweepResult out;
  for (const std::string& key : gone) {
    if (Status d = txn.Delete(Table::kChainPortalKeys, key); !d.ok()) return d;
    char kind = 0;
    std::string_view store, rest;
    if (!SplitKey(key, &kind, &store, &rest)) continue;
    // What this store wrote is written again; others' trips kept here stay (receipts do not
    // expire because a bucket was recreated).
    const bool own_receipt = kind == 'r' && store == self_store;
    bool own_request = false;
    if (kind == 'q') {
      auto req = LoadRequest(txn, rest);
      own_request = req.ok() && req->has_value();
    }
    if (own_receipt || own_request) {
      if (Status q = store::QueuePortalPublication(txn, key); !q.ok()) return q;
      ++out.republished;
    }
  }
  return out;
}

core::Result<uint64_t> PortalBucket::QueueUnpublished(store::WriteTxn& txn,
                                                      std::string_view self_store) {
  std::vector<std::string> keys;
  if (options_.serve) {
    Status s = txn.Scan(Table::kPortal, "q/", [&](std::string_view, std::string_view v) {
      auto r = ParseStoredRequest(v);
      if (r.ok()) keys.push_back(RefundRequestBucketKey(*r));
      return true;
    });
    if (!s.ok()) return s;
  } else {
    // The trips with an address (the shopper index's e-mail rows) that this store booked.
    std::vector<std::string> trips;
    Status s = txn.Scan(Table::kShopperIndex, "e/", [&](std::string_view k, std::string_view) {
      if (k.size() > 2 + 64 + 1) trips.emplace_back(k.substr(2 + 64 + 1));
      return true;
    });
    if (!s.ok()) return s;
    for (const std::string& id : trips) {
      auto bytes = txn.Get(Table::kTrips, id);
      if (!bytes.ok()) return bytes.status();
      if (!bytes->has_value()) continue;
      auto t = store::DecodeTrip(**bytes);
      if (t.ok() && t->store_id == self_store) {
        keys.push_back(store::ReceiptBucketKey(t->store_id, t->trip_id));
      }
    }
  }
  for (const std::string& k : keys) {
    if (Status q = store::QueuePortalPublication(txn, k); !q.ok()) return q;
  }
  return static_cast<uint64_t>(keys.size());
}

core::Result<std::optional<Publication>> PortalBucket::NextPublication(
    store::WriteTxn& txn, std::string_view self_store) {
  for (;;) {
    auto first = txn.First(Table::kChainPortalOutbox);
    if (!first.ok()) return first.status();
    if (!first->has_value()) return std::optional<Publication>{};
    const std::string outbox_key((*first)->first), key((*first)->second);
    char kind = 0;
    std::string_view store, rest;
    std::string value;
    if (SplitKey(key, &kind, &store, &rest) && kind == 'r' && store == self_store) {
      auto bytes = txn.Get(Table::kTrips, rest);
      if (!bytes.ok()) return bytes.status();
      if (bytes->has_value()) {
        auto t = store::DecodeTrip(**bytes);
        if (!t.ok()) return t.status();
        value = PublishedTrip(std::move(*t));
      }
    } else if (kind == 'q') {
      auto req = LoadRequest(txn, rest);
      if (!req.ok()) return req.status();
      if (req->has_value()) value = EncodeRefundRequest(**req);
    }
    auto row = ReadRow(txn, key);
    if (!row.ok()) return row.status();
    const std::string digest = value.empty() ? std::string() : core::Sha256Hex(value);
    const bool there = row->has_value() && !(*row)->deleted && (*row)->digest == digest;
    if (value.empty() || there) {  // nothing (any more) to say, or the bucket holds it already
      if (Status d = txn.Delete(Table::kChainPortalOutbox, outbox_key); !d.ok()) return d;
      continue;
    }
    Publication p;
    p.outbox_seq = store::FromBigEndianKey(outbox_key);
    p.key = key;
    p.value = std::move(value);
    p.expected_revision = row->has_value() ? (*row)->revision : 0;
    p.msg_id = std::string(self_store) + ":p:" + key + ":" + digest.substr(0, 16) + ":" +
               std::to_string(p.expected_revision);
    return std::optional<Publication>{std::move(p)};
  }
}

Status PortalBucket::CommitPublished(store::WriteTxn& txn, const Publication& p, uint64_t seq) {
  if (Status s = txn.Delete(Table::kChainPortalOutbox, store::BigEndianKey(p.outbox_seq));
      !s.ok() && s.code() != StatusCode::kNotFound) {
    return s;
  }
  auto row = ReadRow(txn, p.key);
  if (!row.ok()) return row.status();
  if (row->has_value() && (*row)->revision > seq) return Status::Ok();
  auto cursor = ReadCursor(txn, CursorKey());
  if (!cursor.ok()) return cursor.status();
  PortalRow next{false, seq, cursor->has_value() ? (*cursor)->generation : 0,
                 core::Sha256Hex(p.value)};
  return txn.Put(Table::kChainPortalKeys, p.key, EncodeRow(next));
}

core::Result<uint64_t> PortalBucket::CountLiveKeys(const store::ReadTxn& txn) const {
  uint64_t n = 0;
  Status bad;
  Status s = txn.Scan(Table::kChainPortalKeys, {}, [&](std::string_view k, std::string_view) {
    auto row = ReadRow(txn, k);
    if (!row.ok()) {
      bad = row.status();
      return false;
    }
    if (row->has_value() && !(*row)->deleted) ++n;
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return n;
}

}  // namespace jwo::chain
