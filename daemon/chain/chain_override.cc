#include "chain/chain_override.h"

#include <boost/json.hpp>

#include "core/json.h"
#include "core/json_writer.h"
#include "ledger/ledger.h"
#include "store/codec.h"

namespace jwo::chain {
namespace {

using core::Status;
using core::StatusCode;
using store::Table;

Status Bad(std::string what) { return Status(StatusCode::kInvalidArgument, std::move(what)); }

std::string_view ModeName(store::Override m) {
  switch (m) {
    case store::Override::kAlwaysAllow:
      return "allow";
    case store::Override::kAlwaysBlock:
      return "block";
    case store::Override::kNone:
      return "none";
  }
  return "none";
}

// A chain_override_keys row: what the bucket holds for a shopper, as applied here.
struct OverrideRow {
  bool deleted = false;
  uint64_t revision = 0;
  uint64_t generation = 0;
  int64_t at_ms = 0;
  std::string origin;
  std::string shopper_id;
};

std::string EncodeRow(const OverrideRow& r) {
  store::Encoder e;
  e.U8(1);
  e.U8(r.deleted ? 1 : 0);
  e.U64(r.revision);
  e.U64(r.generation);
  e.I64(r.at_ms);
  e.Str(r.origin);
  e.Str(r.shopper_id);
  return e.Take();
}

core::Result<OverrideRow> DecodeRow(std::string_view key, std::string_view bytes) {
  store::Decoder d(bytes);
  uint8_t format = 0, deleted = 0;
  OverrideRow r;
  if (!d.U8(format) || format != 1 || !d.U8(deleted) || deleted > 1 || !d.U64(r.revision) ||
      !d.U64(r.generation) || !d.I64(r.at_ms) || !d.Str(r.origin) || !d.Str(r.shopper_id) ||
      !d.done()) {
    return Status(StatusCode::kCorruption,
                  "chain_override_keys row " + std::string(key) + " does not decode");
  }
  r.deleted = deleted == 1;
  return r;
}

core::Result<std::optional<OverrideRow>> ReadRow(const store::ReadTxn& txn, std::string_view key) {
  auto bytes = txn.Get(Table::kChainOverrideKeys, key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<OverrideRow>{};
  auto row = DecodeRow(key, **bytes);
  if (!row.ok()) return row.status();
  return std::optional<OverrideRow>{std::move(*row)};
}

// The shopper's chain override as stored here (mode kNone with at_ms 0 when never set).
core::Result<ChainOverride> LocalOverride(const store::ReadTxn& txn, std::string_view shopper) {
  auto rec = ledger::ReadShopper(txn, shopper);
  if (!rec.ok()) return rec.status();
  ChainOverride o;
  o.shopper_id = std::string(shopper);
  if (rec->has_value()) {
    const store::ShopperRecord& r = **rec;
    o.mode = r.chain_override_mode;
    o.by = r.chain_override_by;
    o.reason = r.chain_override_reason;
    o.at_ms = r.chain_override_at_ms;
    o.origin_store = r.chain_override_origin;
  }
  return o;
}

Status SetLocal(store::WriteTxn& txn, const ChainOverride& o) {
  return ledger::SetChainOverride(txn, o.shopper_id, o.mode, o.by, o.reason, o.origin_store,
                                  o.at_ms, /*publish=*/false);
}

}  // namespace

std::string EncodeChainOverride(const ChainOverride& o) {
  core::JsonWriter w;
  w.BeginObject();
  w.Key("format").Int(1);
  w.Key("shopper").String(o.shopper_id);
  w.Key("mode").String(ModeName(o.mode));
  w.Key("by").String(o.by);
  w.Key("reason").String(o.reason);
  w.Key("at_ms").Int(o.at_ms);
  w.Key("origin").String(o.origin_store);
  w.EndObject();
  return w.Take();
}

core::Result<ChainOverride> DecodeChainOverride(std::string_view key, std::string_view value) {
  auto parsed = core::ParseJson(value);
  if (!parsed.ok()) return Bad("value is not JSON: " + parsed.status().message());
  if (!parsed->is_object()) return Bad("value is not a JSON object");
  const boost::json::object& obj = parsed->get_object();
  auto text = [&](std::string_view field, size_t max) -> core::Result<std::string> {
    const boost::json::value* v = obj.if_contains(field);
    if (v == nullptr || !v->is_string()) {
      return Bad("field '" + std::string(field) + "' is not a string");
    }
    if (v->get_string().size() > max) {
      return Bad("field '" + std::string(field) + "' is over " + std::to_string(max) + " bytes");
    }
    return std::string(v->get_string());
  };
  const boost::json::value* format = obj.if_contains("format");
  if (format == nullptr || !format->is_int64() || format->get_int64() != 1) {
    return Bad("value is not format 1");
  }
  ChainOverride o;
  auto shopper = text("shopper", store::kMaxIdBytes);
  auto mode = text("mode", 8);
  auto by = text("by", ledger::kMaxNameBytes);
  auto reason = text("reason", ledger::kMaxTextBytes);
  auto origin = text("origin", ledger::kMaxNameBytes);
  for (const auto* r : {&shopper, &mode, &by, &reason, &origin}) {
    if (!r->ok()) return r->status();
  }
  const boost::json::value* at = obj.if_contains("at_ms");
  if (at == nullptr || !at->is_int64() || at->get_int64() < 0) {
    return Bad("field 'at_ms' is not a non-negative integer");
  }
  if (Status s = store::CheckId("shopper id", *shopper); !s.ok()) return Bad(s.message());
  if (origin->empty()) return Bad("field 'origin' is empty");
  if (*mode == "allow") {
    o.mode = store::Override::kAlwaysAllow;
  } else if (*mode == "block") {
    o.mode = store::Override::kAlwaysBlock;
  } else if (*mode != "none") {
    return Bad("field 'mode' is not allow, block or none: " + *mode);
  }
  if (o.mode != store::Override::kNone && (by->empty() || reason->empty())) {
    return Bad("an override needs 'by' and 'reason'");
  }
  if (EncodeKeyToken(*shopper) != key) {
    return Bad("the setting belongs under " + EncodeKeyToken(*shopper) + ", not " +
               std::string(key));
  }
  o.shopper_id = std::move(*shopper);
  o.by = std::move(*by);
  o.reason = std::move(*reason);
  o.origin_store = std::move(*origin);
  o.at_ms = at->get_int64();
  return o;
}

bool IsLater(const ChainOverride& a, const ChainOverride& b) {
  if (a.at_ms != b.at_ms) return a.at_ms > b.at_ms;
  return a.origin_store > b.origin_store;
}

core::Result<ApplyResult> OverrideBucket::Apply(store::WriteTxn& txn, const BucketChange& change,
                                                const ApplyOptions& options) {
  if (change.key.empty() || change.key.size() > store::kMaxKeyBytes) {
    return ApplyResult{Outcome::kRejected, "key is empty or over 511 bytes", {}};
  }
  auto row = ReadRow(txn, change.key);
  if (!row.ok()) return row.status();
  if (row->has_value() && (*row)->revision >= change.seq) {
    if ((*row)->generation != options.generation) {
      OverrideRow seen = **row;
      seen.generation = options.generation;
      if (Status s = txn.Put(Table::kChainOverrideKeys, change.key, EncodeRow(seen)); !s.ok()) {
        return s;
      }
    }
    return ApplyResult{};
  }
  OverrideRow next;
  next.revision = change.seq;
  next.generation = options.generation;
  ApplyResult result;
  if (change.op != BucketOp::kPut) {
    // Never written by an appliance (clearing writes "none"): the setting is gone everywhere.
    next.deleted = true;
    if (row->has_value()) {
      next.shopper_id = (*row)->shopper_id;
      auto local = LocalOverride(txn, next.shopper_id);
      if (!local.ok()) return local.status();
      if (local->mode != store::Override::kNone && local->origin_store == (*row)->origin &&
          local->at_ms == (*row)->at_ms) {
        ChainOverride cleared{next.shopper_id, store::Override::kNone, "", "", 0, ""};
        if (Status s = SetLocal(txn, cleared); !s.ok()) return s;
        result.outcome = Outcome::kRemoved;
      }
    }
  } else {
    auto theirs = DecodeChainOverride(change.key, change.value);
    if (!theirs.ok()) return ApplyResult{Outcome::kRejected, theirs.status().message(), {}};
    next.shopper_id = theirs->shopper_id;
    next.at_ms = theirs->at_ms;
    next.origin = theirs->origin_store;
    auto mine = LocalOverride(txn, theirs->shopper_id);
    if (!mine.ok()) return mine.status();
    if (IsLater(*mine, *theirs)) {
      // A later setting here that the bucket has not heard of yet: it is (or gets) queued.
      if (mine->origin_store == options.self_store) {
        if (Status s = ledger::QueueChainOverride(txn, mine->shopper_id); !s.ok()) return s;
      }
      result.outcome = Outcome::kStale;
    } else if (mine->at_ms == theirs->at_ms && mine->origin_store == theirs->origin_store) {
      result.outcome = Outcome::kUnchanged;
    } else {
      if (Status s = SetLocal(txn, *theirs); !s.ok()) {
        if (s.code() == StatusCode::kInvalidArgument) {
          return ApplyResult{Outcome::kRejected, s.message(), {}};
        }
        return s;
      }
      result.outcome = Outcome::kAdded;
    }
  }
  if (row->has_value() && (*row)->revision > next.revision) next.revision = (*row)->revision;
  if (Status s = txn.Put(Table::kChainOverrideKeys, change.key, EncodeRow(next)); !s.ok()) {
    return s;
  }
  return result;
}

core::Result<SweepResult> OverrideBucket::Sweep(store::WriteTxn& txn, uint64_t generation,
                                                std::string_view self_store, int64_t) {
  std::vector<std::pair<std::string, OverrideRow>> gone;
  Status bad;
  Status s = txn.Scan(Table::kChainOverrideKeys, {}, [&](std::string_view k, std::string_view v) {
    auto row = DecodeRow(k, v);
    if (!row.ok()) {
      bad = row.status();
      return false;
    }
    if (row->generation != generation) gone.emplace_back(std::string(k), std::move(*row));
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  SweepResult out;
  for (const auto& [key, row] : gone) {
    if (Status d = txn.Delete(Table::kChainOverrideKeys, key); !d.ok()) return d;
    if (row.deleted || row.shopper_id.empty()) continue;
    auto local = LocalOverride(txn, row.shopper_id);
    if (!local.ok()) return local.status();
    if (local->at_ms == 0 && local->origin_store.empty()) continue;
    if (local->origin_store == self_store) {
      if (Status q = ledger::QueueChainOverride(txn, row.shopper_id); !q.ok()) return q;
      ++out.republished;
    } else {
      ChainOverride cleared{row.shopper_id, store::Override::kNone, "", "", 0, ""};
      if (Status c = SetLocal(txn, cleared); !c.ok()) return c;
      ++out.removed;
    }
  }
  return out;
}

core::Result<uint64_t> OverrideBucket::QueueUnpublished(store::WriteTxn& txn,
                                                        std::string_view self_store) {
  std::vector<std::string> own;
  Status bad;
  Status s = txn.Scan(Table::kShoppers, {}, [&](std::string_view k, std::string_view v) {
    auto r = store::DecodeShopper(v);
    if (!r.ok()) {
      bad = r.status();
      return false;
    }
    if (r->chain_override_origin == self_store && r->chain_override_at_ms != 0) {
      own.emplace_back(k);
    }
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  for (const std::string& shopper : own) {
    if (Status q = ledger::QueueChainOverride(txn, shopper); !q.ok()) return q;
  }
  return static_cast<uint64_t>(own.size());
}

core::Result<std::optional<Publication>> OverrideBucket::NextPublication(
    store::WriteTxn& txn, std::string_view self_store) {
  for (;;) {
    auto first = txn.First(Table::kChainOverrideOutbox);
    if (!first.ok()) return first.status();
    if (!first->has_value()) return std::optional<Publication>{};
    const std::string outbox_key((*first)->first), shopper((*first)->second);
    auto local = LocalOverride(txn, shopper);
    if (!local.ok()) return local.status();
    const std::string key = EncodeKeyToken(shopper);
    auto row = ReadRow(txn, key);
    if (!row.ok()) return row.status();
    const bool there = row->has_value() && !(*row)->deleted && (*row)->at_ms == local->at_ms &&
                       (*row)->origin == local->origin_store;
    // Nothing to say: the bucket holds this setting already, or a later one won here.
    if (there || local->origin_store != self_store) {
      if (Status d = txn.Delete(Table::kChainOverrideOutbox, outbox_key); !d.ok()) return d;
      continue;
    }
    Publication p;
    p.outbox_seq = store::FromBigEndianKey(outbox_key);
    p.key = key;
    p.value = EncodeChainOverride(*local);
    p.expected_revision = row->has_value() ? (*row)->revision : 0;
    p.msg_id = std::string(self_store) + ":o:" + key + ":" + std::to_string(local->at_ms) + ":" +
               std::to_string(p.expected_revision);
    return std::optional<Publication>{std::move(p)};
  }
}

Status OverrideBucket::CommitPublished(store::WriteTxn& txn, const Publication& p, uint64_t seq) {
  if (Status s = txn.Delete(Table::kChainOverrideOutbox, store::BigEndianKey(p.outbox_seq));
      !s.ok() && s.code() != StatusCode::kNotFound) {
    return s;
  }
  auto sent = DecodeChainOverride(p.key, p.value);
  if (!sent.ok()) return sent.status();
  auto row = ReadRow(txn, p.key);
  if (!row.ok()) return row.status();
  if (row->has_value() && (*row)->revision > seq) return Status::Ok();
  auto cursor = ReadCursor(txn, CursorKey());
  if (!cursor.ok()) return cursor.status();
  OverrideRow next{false,
                   seq,
                   cursor->has_value() ? (*cursor)->generation : 0,
                   sent->at_ms,
                   sent->origin_store,
                   sent->shopper_id};
  return txn.Put(Table::kChainOverrideKeys, p.key, EncodeRow(next));
}

bool OverrideBucket::IsPublished(const Publication& p, std::string_view bucket_value) const {
  auto there = DecodeChainOverride(p.key, bucket_value);
  auto sent = DecodeChainOverride(p.key, p.value);
  return there.ok() && sent.ok() && there->at_ms == sent->at_ms &&
         there->origin_store == sent->origin_store && there->mode == sent->mode;
}

core::Result<uint64_t> OverrideBucket::CountLiveKeys(const store::ReadTxn& txn) const {
  uint64_t n = 0;
  Status bad;
  Status s = txn.Scan(Table::kChainOverrideKeys, {}, [&](std::string_view k, std::string_view v) {
    auto row = DecodeRow(k, v);
    if (!row.ok()) {
      bad = row.status();
      return false;
    }
    if (!row->deleted) ++n;
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return n;
}

}  // namespace jwo::chain
