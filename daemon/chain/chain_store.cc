#include "chain/chain_store.h"

#include "ledger/ledger.h"
#include "store/codec.h"

namespace jwo::chain {
namespace {

using core::Status;
using core::StatusCode;
using store::Table;

constexpr uint8_t kCursorFormat = 1;
constexpr uint8_t kKeyRowFormat = 1;

KeyState KeyStateOf(store::DebtState s) {
  switch (s) {
    case store::DebtState::kOpen:
      return KeyState::kOpen;
    case store::DebtState::kSettled:
      return KeyState::kSettled;
    case store::DebtState::kWrittenOff:
      return KeyState::kWrittenOff;
  }
  return KeyState::kOpen;
}

bool ValidKeyState(uint8_t v) { return (v >= 1 && v <= 3) || (v >= 10 && v <= 12); }

std::string EncodeKeyRow(const KeyRow& r) {
  store::Encoder e;
  e.U8(kKeyRowFormat);
  e.U8(static_cast<uint8_t>(r.state));
  e.U32(r.version);
  e.U64(r.revision);
  e.U64(r.generation);
  e.Str(r.shopper_id);
  return e.Take();
}

Status PutKeyRow(store::WriteTxn& txn, std::string_view key, const KeyRow& r) {
  return txn.Put(Table::kChainKeys, key, EncodeKeyRow(r));
}

core::Result<KeyRow> DecodeKeyRow(std::string_view key, std::string_view bytes) {
  store::Decoder d(bytes);
  uint8_t format = 0, state = 0;
  KeyRow r;
  if (!d.U8(format) || format != kKeyRowFormat || !d.U8(state) || !ValidKeyState(state) ||
      !d.U32(r.version) || !d.U64(r.revision) || !d.U64(r.generation) || !d.Str(r.shopper_id) ||
      !d.done()) {
    return Status(StatusCode::kCorruption,
                  "chain_keys row " + std::string(key) + " does not decode");
  }
  r.state = static_cast<KeyState>(state);
  return r;
}

// The local debt of (shopper, trip, kind), or nullopt.
core::Result<std::optional<store::DebtRecord>> LocalDebt(const store::ReadTxn& txn,
                                                         std::string_view shopper,
                                                         std::string_view trip,
                                                         store::DebtKind kind) {
  auto key = store::DebtKey(shopper, trip, kind);
  if (!key.ok()) return key.status();
  auto bytes = txn.Get(Table::kDebts, *key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<store::DebtRecord>{};
  auto d = store::DecodeDebt(*key, **bytes);
  if (!d.ok()) return d.status();
  d->trip_id = std::string(trip);
  return std::optional<store::DebtRecord>{std::move(*d)};
}

bool SameTerminal(const store::DebtRecord& a, const store::DebtRecord& b) {
  return a.state == b.state && a.settlement_ref == b.settlement_ref;
}

core::Result<ApplyResult> ApplyPut(store::WriteTxn& txn, const BucketChange& change,
                                   const std::optional<KeyRow>& row, const ApplyOptions& o) {
  auto decoded = DecodeChainDebt(change.key, change.value);
  if (!decoded.ok()) return ApplyResult{Outcome::kRejected, decoded.status().message(), {}};
  const store::DebtRecord& rec = decoded->debt;
  const bool own = rec.origin_store == o.self_store;
  KeyRow next{KeyStateOf(rec.state), decoded->version, change.seq, o.generation, rec.shopper_id};
  ApplyResult result;

  auto held = txn.Get(Table::kChainHeld, change.key);
  if (!held.ok()) return held.status();
  auto local = LocalDebt(txn, rec.shopper_id, rec.trip_id, rec.kind);
  if (!local.ok()) return local.status();

  if (held->has_value()) {
    if (rec.state == store::DebtState::kOpen) {
      if (Status s = txn.Put(Table::kChainHeld, change.key, change.value); !s.ok()) return s;
      next.state = KeyState::kHeld;
      result.outcome = Outcome::kHeld;
    } else {
      // Paid or written off before anyone confirmed it: nothing left to deny on.
      if (Status s = txn.Delete(Table::kChainHeld, change.key); !s.ok()) return s;
      if (!local->has_value()) {
        if (Status s = ledger::AdoptDebt(txn, rec, o.now_ms); !s.ok()) return s;
      }
      result.outcome = Outcome::kAdded;
    }
  } else if (!local->has_value()) {
    if (rec.state == store::DebtState::kOpen && !own && o.hold && o.hold(*decoded)) {
      if (Status s = txn.Put(Table::kChainHeld, change.key, change.value); !s.ok()) return s;
      next.state = KeyState::kHeld;
      result.outcome = Outcome::kHeld;
    } else {
      Status s = ledger::AdoptDebt(txn, rec, o.now_ms);
      if (s.code() == StatusCode::kOutOfRange || s.code() == StatusCode::kInvalidArgument) {
        return ApplyResult{Outcome::kRejected, s.message(), {}};
      }
      if (!s.ok()) return s;
      result.outcome = Outcome::kAdded;
    }
  } else if ((*local)->origin_store != rec.origin_store) {
    next.state = KeyState::kConflict;
    result.outcome = Outcome::kConflict;
    result.detail = "trip " + rec.trip_id + " of shopper " + rec.shopper_id + " has a " +
                    std::string(store::DebtKindName(rec.kind)) + " debt booked by " +
                    (*local)->origin_store + "; the one from " + rec.origin_store +
                    " is not applied";
  } else {
    const store::DebtRecord& mine = **local;
    const bool mine_open = mine.state == store::DebtState::kOpen;
    const bool theirs_open = rec.state == store::DebtState::kOpen;
    if (mine_open && !theirs_open) {
      if (Status s = ledger::AdoptClosing(txn, rec, o.now_ms); !s.ok()) return s;
      result.outcome = Outcome::kClosed;
    } else if (!mine_open && theirs_open) {
      // This store closed it and the bucket has not heard yet (queued, or the bucket lost it).
      if (Status s = ledger::QueueDebtForChain(txn, mine.shopper_id, mine.trip_id, mine.kind);
          !s.ok()) {
        return s;
      }
      result.outcome = Outcome::kStale;
    } else if (!mine_open && !SameTerminal(mine, rec)) {
      if (Status s = ledger::AdoptClosing(txn, rec, o.now_ms); !s.ok()) return s;
      result.outcome = Outcome::kAdopted;
    } else {
      result.outcome = Outcome::kUnchanged;
    }
  }
  if (own && rec.state == store::DebtState::kSettled &&
      (result.outcome == Outcome::kClosed || result.outcome == Outcome::kAdopted)) {
    result.settled_own = rec;
  }
  // The sequence only moves forward (an acked publish may have recorded a later one).
  if (row && row->revision > next.revision) next.revision = row->revision;
  if (Status s = PutKeyRow(txn, change.key, next); !s.ok()) return s;
  return result;
}

core::Result<ApplyResult> ApplyRemoval(store::WriteTxn& txn, const BucketChange& change,
                                       const std::optional<KeyRow>& row, const ApplyOptions& o) {
  const auto parts = ParseBucketKey(change.key);
  if (!parts) return ApplyResult{Outcome::kRejected, "key does not decode", {}};
  KeyRow next{KeyState::kDeleted, 0, change.seq, o.generation, row ? row->shopper_id : ""};
  ApplyResult result{Outcome::kUnchanged, {}, {}};
  if (row && !row->shopper_id.empty()) {
    auto local = LocalDebt(txn, row->shopper_id, parts->trip_id, parts->kind);
    if (!local.ok()) return local.status();
    if (Status s = txn.Delete(Table::kChainHeld, change.key);
        !s.ok() && s.code() != StatusCode::kNotFound) {
      return s;
    }
    const bool mine = local->has_value() && (*local)->origin_store == parts->origin_store;
    if (mine && parts->origin_store == o.self_store) {
      // Never a bare delete (docs/ledger.md): this store booked it, so it is published again.
      if (Status s = ledger::QueueDebtForChain(txn, row->shopper_id, parts->trip_id, parts->kind);
          !s.ok()) {
        return s;
      }
      result.outcome = Outcome::kStale;
    } else if (mine) {
      if (Status s =
              ledger::ForgetDebt(txn, row->shopper_id, parts->trip_id, parts->kind, o.now_ms);
          !s.ok()) {
        return s;
      }
      result.outcome = Outcome::kRemoved;
    }
  }
  if (Status s = PutKeyRow(txn, change.key, next); !s.ok()) return s;
  return result;
}

}  // namespace

std::string_view KeyStateName(KeyState s) {
  switch (s) {
    case KeyState::kOpen:
      return "open";
    case KeyState::kSettled:
      return "settled";
    case KeyState::kWrittenOff:
      return "written_off";
    case KeyState::kHeld:
      return "held";
    case KeyState::kConflict:
      return "conflict";
    case KeyState::kDeleted:
      return "deleted";
  }
  return "unknown";
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kAdded:
      return "added";
    case Outcome::kClosed:
      return "closed";
    case Outcome::kAdopted:
      return "adopted";
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kHeld:
      return "held";
    case Outcome::kStale:
      return "stale";
    case Outcome::kConflict:
      return "conflict";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kRemoved:
      return "removed";
  }
  return "unknown";
}

core::Result<std::optional<Cursor>> ReadCursor(const store::ReadTxn& txn, std::string_view key) {
  auto bytes = txn.Get(Table::kMeta, key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Cursor>{};
  store::Decoder d(**bytes);
  uint8_t format = 0, done = 0;
  Cursor c;
  if (!d.U8(format) || format != kCursorFormat || !d.I64(c.stream_created_ns) ||
      !d.U64(c.applied_seq) || !d.U64(c.generation) || !d.U8(done) || done > 1 || !d.done()) {
    return Status(StatusCode::kCorruption, "meta." + std::string(key) + " does not decode");
  }
  c.snapshot_done = done == 1;
  return std::optional<Cursor>{c};
}

Status WriteCursor(store::WriteTxn& txn, const Cursor& c, std::string_view key) {
  store::Encoder e;
  e.U8(kCursorFormat);
  e.I64(c.stream_created_ns);
  e.U64(c.applied_seq);
  e.U64(c.generation);
  e.U8(c.snapshot_done ? 1 : 0);
  return txn.Put(Table::kMeta, key, e.bytes());
}

core::Result<std::optional<KeyRow>> ReadKeyRow(const store::ReadTxn& txn, std::string_view key) {
  auto bytes = txn.Get(Table::kChainKeys, key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<KeyRow>{};
  auto row = DecodeKeyRow(key, **bytes);
  if (!row.ok()) return row.status();
  return std::optional<KeyRow>{std::move(*row)};
}

core::Result<uint64_t> CountLiveKeys(const store::ReadTxn& txn) {
  uint64_t n = 0;
  Status bad;
  Status s = txn.Scan(Table::kChainKeys, {}, [&](std::string_view k, std::string_view v) {
    // The state byte follows the format byte; decoding whole rows would cost 10x for 1M keys.
    if (v.size() < 2 || !ValidKeyState(static_cast<uint8_t>(v[1]))) {
      bad =
          Status(StatusCode::kCorruption, "chain_keys row " + std::string(k) + " does not decode");
      return false;
    }
    if (static_cast<KeyState>(v[1]) != KeyState::kDeleted) ++n;
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return n;
}

core::Result<ApplyResult> ApplyChange(store::WriteTxn& txn, const BucketChange& change,
                                      const ApplyOptions& options) {
  if (change.key.empty() || change.key.size() > store::kMaxKeyBytes) {
    return ApplyResult{Outcome::kRejected, "key is empty or over 511 bytes", {}};
  }
  auto row = ReadKeyRow(txn, change.key);
  if (!row.ok()) return row.status();
  if (row->has_value() && (*row)->revision >= change.seq) {
    // Delivered again (a snapshot, or a change this store published and recorded at its ack):
    // only the snapshot generation moves.
    if ((*row)->generation != options.generation) {
      KeyRow seen = **row;
      seen.generation = options.generation;
      if (Status s = PutKeyRow(txn, change.key, seen); !s.ok()) return s;
    }
    return ApplyResult{};
  }
  if (change.op == BucketOp::kPut) return ApplyPut(txn, change, *row, options);
  return ApplyRemoval(txn, change, *row, options);
}

core::Result<SweepResult> SweepAfterSnapshot(store::WriteTxn& txn, uint64_t generation,
                                             std::string_view self_store, int64_t now_ms) {
  struct Gone {
    std::string key;
    KeyRow row;
  };
  std::vector<Gone> gone;
  Status decode_error;
  Status s = txn.Scan(Table::kChainKeys, {}, [&](std::string_view k, std::string_view v) {
    auto row = DecodeKeyRow(k, v);
    if (!row.ok()) {
      decode_error = row.status();
      return false;
    }
    if (row->generation != generation) gone.push_back({std::string(k), std::move(*row)});
    return true;
  });
  if (!s.ok()) return s;
  if (!decode_error.ok()) return decode_error;
  SweepResult out;
  for (const Gone& g : gone) {
    if (Status d = txn.Delete(Table::kChainKeys, g.key); !d.ok()) return d;
    (void)txn.Delete(Table::kChainHeld, g.key);
    const auto parts = ParseBucketKey(g.key);
    if (!parts || g.row.shopper_id.empty()) continue;
    auto local = LocalDebt(txn, g.row.shopper_id, parts->trip_id, parts->kind);
    if (!local.ok()) return local.status();
    if (!local->has_value() || (*local)->origin_store != parts->origin_store) continue;
    if (parts->origin_store == self_store) {
      if (Status q = ledger::QueueDebtForChain(txn, g.row.shopper_id, parts->trip_id, parts->kind);
          !q.ok()) {
        return q;
      }
      ++out.republished;
    } else {
      if (Status f = ledger::ForgetDebt(txn, g.row.shopper_id, parts->trip_id, parts->kind, now_ms);
          !f.ok()) {
        return f;
      }
      ++out.removed;
    }
  }
  return out;
}

core::Result<uint64_t> QueueUnpublishedOwnDebts(store::WriteTxn& txn, std::string_view self_store) {
  std::vector<store::DebtRecord> own;
  Status decode_error;
  Status s = txn.Scan(Table::kDebts, {}, [&](std::string_view k, std::string_view v) {
    auto d = store::DecodeDebt(k, v);
    if (!d.ok()) {
      decode_error = d.status();
      return false;
    }
    if (d->origin_store == self_store) own.push_back(std::move(*d));
    return true;
  });
  if (!s.ok()) return s;
  if (!decode_error.ok()) return decode_error;
  uint64_t queued = 0;
  for (const store::DebtRecord& d : own) {
    auto key = BucketKey(d.origin_store, d.trip_id, d.kind);
    if (!key.ok()) continue;
    auto row = ReadKeyRow(txn, *key);
    if (!row.ok()) return row.status();
    if (row->has_value() && (*row)->state == KeyStateOf(d.state)) continue;
    if (Status q = ledger::QueueDebtForChain(txn, d.shopper_id, d.trip_id, d.kind); !q.ok()) {
      return q;
    }
    ++queued;
  }
  return queued;
}

core::Result<std::optional<Publication>> NextPublication(store::WriteTxn& txn,
                                                         std::string_view self_store) {
  for (;;) {
    auto first = txn.First(Table::kChainOutbox);
    if (!first.ok()) return first.status();
    if (!first->has_value()) return std::optional<Publication>{};
    const std::string outbox_key((*first)->first), debt_key((*first)->second);
    auto drop = [&] { return txn.Delete(Table::kChainOutbox, outbox_key); };

    auto bytes = txn.Get(Table::kDebts, debt_key);
    if (!bytes.ok()) return bytes.status();
    if (!bytes->has_value()) {  // removed since (the bucket deleted it): nothing to say
      if (Status d = drop(); !d.ok()) return d;
      continue;
    }
    auto debt = store::DecodeDebt(debt_key, **bytes);
    if (!debt.ok()) return debt.status();
    if (debt->origin_store.empty()) debt->origin_store = std::string(self_store);
    auto key = BucketKey(debt->origin_store, debt->trip_id, debt->kind);
    if (!key.ok()) return key.status();
    auto row = ReadKeyRow(txn, *key);
    if (!row.ok()) return row.status();
    const KeyState wanted = KeyStateOf(debt->state);
    if (row->has_value() && (*row)->state == wanted) {  // the bucket has it already
      if (Status d = drop(); !d.ok()) return d;
      continue;
    }
    Publication p;
    p.outbox_seq = store::FromBigEndianKey(outbox_key);
    p.key = std::move(*key);
    const uint32_t version = VersionOf(debt->state);
    p.record = ChainDebt{std::move(*debt), version};
    p.value = EncodeChainDebt(p.record);
    p.expected_revision = row->has_value() ? (*row)->revision : 0;
    p.msg_id = std::string(self_store) + ":" + p.key + ":" +
               std::string(store::DebtStateName(p.record.debt.state)) + ":" +
               std::to_string(p.expected_revision);
    return std::optional<Publication>{std::move(p)};
  }
}

Status CommitPublished(store::WriteTxn& txn, const Publication& p, uint64_t seq) {
  if (Status s = txn.Delete(Table::kChainOutbox, store::BigEndianKey(p.outbox_seq));
      !s.ok() && s.code() != StatusCode::kNotFound) {
    return s;
  }
  auto row = ReadKeyRow(txn, p.key);
  if (!row.ok()) return row.status();
  auto cursor = ReadCursor(txn);
  if (!cursor.ok()) return cursor.status();
  KeyRow next{KeyStateOf(p.record.debt.state), p.record.version, seq,
              cursor->has_value() ? (*cursor)->generation : 0, p.record.debt.shopper_id};
  if (row->has_value() && (*row)->revision > seq) return Status::Ok();  // newer news already
  return PutKeyRow(txn, p.key, next);
}

uint64_t PendingPublications(const store::ReadTxn& txn) {
  uint64_t n = 0;
  (void)txn.Scan(Table::kChainOutbox, {}, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  return n;
}

core::Result<uint64_t> ConfirmHeld(store::WriteTxn& txn, std::string_view origin_store,
                                   int64_t now_ms) {
  std::vector<std::pair<std::string, std::string>> held;
  const std::string prefix = origin_store.empty() ? "" : BucketKeyPrefix(origin_store);
  Status s = txn.Scan(Table::kChainHeld, prefix, [&](std::string_view k, std::string_view v) {
    held.emplace_back(k, v);
    return true;
  });
  if (!s.ok()) return s;
  uint64_t confirmed = 0;
  for (const auto& [key, value] : held) {
    auto rec = DecodeChainDebt(key, value);
    if (!rec.ok())
      return Status(StatusCode::kCorruption, "chain_held " + key + ": " + rec.status().message());
    Status a = ledger::AdoptDebt(txn, rec->debt, now_ms);
    if (!a.ok() && a.code() != StatusCode::kAlreadyExists) return a;
    if (Status d = txn.Delete(Table::kChainHeld, key); !d.ok()) return d;
    auto row = ReadKeyRow(txn, key);
    if (!row.ok()) return row.status();
    if (row->has_value()) {
      KeyRow next = **row;
      next.state = KeyState::kOpen;
      if (Status p = PutKeyRow(txn, key, next); !p.ok()) return p;
    }
    ++confirmed;
  }
  return confirmed;
}

core::Result<bool> HoldApplied(store::WriteTxn& txn, std::string_view key, int64_t now_ms) {
  auto row = ReadKeyRow(txn, key);
  if (!row.ok()) return row.status();
  if (!row->has_value() || (*row)->state != KeyState::kOpen) return false;
  const auto parts = ParseBucketKey(key);
  if (!parts) return false;
  auto local = LocalDebt(txn, (*row)->shopper_id, parts->trip_id, parts->kind);
  if (!local.ok()) return local.status();
  if (!local->has_value() || (*local)->origin_store != parts->origin_store ||
      (*local)->state != store::DebtState::kOpen) {
    return false;
  }
  const std::string value = EncodeChainDebt(ChainDebt{**local, kOpenVersion});
  if (Status s = ledger::ForgetDebt(txn, (*row)->shopper_id, parts->trip_id, parts->kind, now_ms);
      !s.ok()) {
    return s;
  }
  if (Status s = txn.Put(Table::kChainHeld, key, value); !s.ok()) return s;
  KeyRow next = **row;
  next.state = KeyState::kHeld;
  if (Status s = PutKeyRow(txn, key, next); !s.ok()) return s;
  return true;
}

core::Result<uint64_t> CountHeld(const store::ReadTxn& txn) {
  uint64_t n = 0;
  Status s = txn.Scan(Table::kChainHeld, {}, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  if (!s.ok()) return s;
  return n;
}

}  // namespace jwo::chain
