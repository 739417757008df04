#include "ledger/ledger.h"

#include <algorithm>

#include "core/money.h"
#include "store/codec.h"
#include "store/gate_shoppers.h"

namespace jwo::ledger {
namespace {

using core::Status;
using core::StatusCode;
using store::Table;

core::Result<store::ShopperRecord> LoadOrNew(const store::ReadTxn& txn, std::string_view id) {
  auto found = ReadShopper(txn, id);
  if (!found.ok()) return found.status();
  return found->value_or(store::ShopperRecord{});
}

// The one place a shopper record is written: the gate's index follows it.
Status SaveShopper(store::WriteTxn& txn, std::string_view id, const store::ShopperRecord& r) {
  return store::PutShopper(txn, id, r);
}

Status CheckLength(std::string_view what, std::string_view value, size_t max) {
  if (value.size() <= max) return Status::Ok();
  return Status(StatusCode::kInvalidArgument, std::string(what) + " is " +
                                                  std::to_string(value.size()) +
                                                  " bytes; at most " + std::to_string(max));
}

// Adds `delta` (signed) to the balance in delta's currency. Errors: kOutOfRange when the
// balance would leave [0, kMaxMinorUnits] upwards (the record is left unchanged).
Status ApplyToBalance(store::ShopperRecord& r, const core::Money& delta) {
  auto it = std::find_if(r.open_debt.begin(), r.open_debt.end(),
                         [&](const core::Money& b) { return b.currency == delta.currency; });
  const int64_t before = it == r.open_debt.end() ? 0 : it->minor;
  int64_t after = 0;
  if (__builtin_add_overflow(before, delta.minor, &after) || after > core::kMaxMinorUnits) {
    return Status(
        StatusCode::kOutOfRange,
        "the shopper's open debt in " + std::string(delta.currency.Code()) + " would exceed " +
            core::FormatMinorUnits(core::kMaxMinorUnits, delta.currency) + "; the debt is refused");
  }
  if (it == r.open_debt.end()) {
    r.open_debt.push_back({0, delta.currency});
    it = r.open_debt.end() - 1;
  }
  it->minor = after;
  r.open_debt.erase(std::remove_if(r.open_debt.begin(), r.open_debt.end(),
                                   [](const core::Money& b) { return b.minor <= 0; }),
                    r.open_debt.end());
  std::sort(r.open_debt.begin(), r.open_debt.end(), [](const core::Money& a, const core::Money& b) {
    return a.currency.Code() < b.currency.Code();
  });
  return Status::Ok();
}

}  // namespace

core::Result<std::optional<store::ShopperRecord>> ReadShopper(const store::ReadTxn& txn,
                                                              std::string_view shopper_id) {
  if (Status s = store::CheckId("shopper id", shopper_id); !s.ok()) return s;
  auto bytes = txn.Get(Table::kShoppers, shopper_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<store::ShopperRecord>{};
  auto rec = store::DecodeShopper(**bytes);
  if (!rec.ok()) return rec.status();
  return std::optional<store::ShopperRecord>{std::move(*rec)};
}

namespace {

// Decodes every debt under `prefix`.
core::Result<std::vector<store::DebtRecord>> ScanDebts(const store::ReadTxn& txn,
                                                       std::string_view prefix) {
  std::vector<store::DebtRecord> out;
  Status decode_error;
  Status s = txn.Scan(Table::kDebts, prefix, [&](std::string_view k, std::string_view v) {
    auto d = store::DecodeDebt(k, v);
    if (!d.ok()) {
      decode_error = d.status();
      return false;
    }
    out.push_back(std::move(*d));
    return true;
  });
  if (!s.ok()) return s;
  if (!decode_error.ok()) return decode_error;
  return out;
}

}  // namespace

core::Result<std::vector<store::DebtRecord>> ListDebts(const store::ReadTxn& txn,
                                                       std::string_view shopper_id) {
  if (Status s = store::CheckId("shopper id", shopper_id); !s.ok()) return s;
  auto out = ScanDebts(txn, store::DebtKeyPrefix(shopper_id));
  if (!out.ok()) return out;
  // Keys sort by trip id length first (the length byte); operators read lists by id.
  std::stable_sort(
      out->begin(), out->end(),
      [](const store::DebtRecord& a, const store::DebtRecord& b) { return a.trip_id < b.trip_id; });
  return out;
}

core::Result<std::vector<store::DebtRecord>> ListTripDebts(const store::ReadTxn& txn,
                                                           std::string_view shopper_id,
                                                           std::string_view trip_id) {
  auto prefix = store::DebtTripKeyPrefix(shopper_id, trip_id);
  if (!prefix.ok()) return prefix.status();
  auto out = ScanDebts(txn, *prefix);
  if (!out.ok()) return out;
  for (store::DebtRecord& d : *out) d.trip_id = std::string(trip_id);
  return out;
}

namespace {

Status CheckNewDebt(const store::DebtRecord& debt) {
  if (debt.amount.minor <= 0 || debt.amount.minor > core::kMaxMinorUnits) {
    return Status(StatusCode::kInvalidArgument, "debt amount must be positive");
  }
  // A default-constructed Currency (no code) must not reach the store: it would not decode.
  if (!core::FindCurrency(debt.amount.currency.Code())) {
    return Status(StatusCode::kInvalidArgument, "debt currency is not an ISO 4217 code");
  }
  if (Status s = CheckLength("debt note", debt.note, kMaxTextBytes); !s.ok()) return s;
  if (Status s = CheckLength("origin store", debt.origin_store, kMaxNameBytes); !s.ok()) return s;
  if (Status s = CheckLength("settlement reference", debt.settlement_ref, kMaxNameBytes); !s.ok()) {
    return s;
  }
  if (debt.kind != store::DebtKindOf(debt.cause)) {
    return Status(StatusCode::kInvalidArgument,
                  "a " + std::string(store::DebtCauseName(debt.cause)) +
                      " debt cannot be of kind " + std::string(store::DebtKindName(debt.kind)));
  }
  return Status::Ok();
}

// Appends `value` to a chain outbox table under the next big-endian sequence.
Status AppendToOutbox(store::WriteTxn& txn, Table table, std::string_view value) {
  auto last = txn.Last(table);
  if (!last.ok()) return last.status();
  const uint64_t seq = last->has_value() ? store::FromBigEndianKey((*last)->first) + 1 : 1;
  return txn.Append(table, store::BigEndianKey(seq), value);
}

// The chain_outbox row that tells the chain publisher to send this debt's current state.
Status QueueForChain(store::WriteTxn& txn, std::string_view debt_key) {
  if (!txn.publish_debts()) return Status::Ok();
  return AppendToOutbox(txn, Table::kChainOutbox, debt_key);
}

// Stores `debt` (any state) under its key, adding it to the balance when open.
Status InsertDebt(store::WriteTxn& txn, const store::DebtRecord& debt, int64_t now_ms,
                  bool publish) {
  if (Status s = CheckNewDebt(debt); !s.ok()) return s;
  auto key = store::DebtKey(debt.shopper_id, debt.trip_id, debt.kind);
  if (!key.ok()) return key.status();
  auto existing = txn.Get(Table::kDebts, *key);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    return Status(StatusCode::kAlreadyExists, "the shopper already has a " +
                                                  std::string(store::DebtKindName(debt.kind)) +
                                                  " debt for trip " + debt.trip_id);
  }
  // The balance first: a debt that would overflow it is refused before anything is written.
  std::optional<store::ShopperRecord> shopper;
  if (debt.state == store::DebtState::kOpen) {
    auto loaded = LoadOrNew(txn, debt.shopper_id);
    if (!loaded.ok()) return loaded.status();
    if (Status s = ApplyToBalance(*loaded, debt.amount); !s.ok()) return s;
    loaded->open_debt_count += 1;
    loaded->updated_ms = now_ms;
    shopper = std::move(*loaded);
  }
  if (Status s = txn.Put(Table::kDebts, *key, store::EncodeDebt(debt)); !s.ok()) return s;
  if (publish) {
    if (Status s = QueueForChain(txn, *key); !s.ok()) return s;
  }
  return shopper ? SaveShopper(txn, debt.shopper_id, *shopper) : Status::Ok();
}

struct StoredDebt {
  std::string key;
  store::DebtRecord record;
};

core::Result<StoredDebt> LoadDebt(const store::ReadTxn& txn, std::string_view shopper_id,
                                  std::string_view trip_id, store::DebtKind kind) {
  auto key = store::DebtKey(shopper_id, trip_id, kind);
  if (!key.ok()) return key.status();
  auto bytes = txn.Get(Table::kDebts, *key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) {
    return Status(StatusCode::kNotFound, "no " + std::string(store::DebtKindName(kind)) +
                                             " debt for that shopper and trip");
  }
  auto debt = store::DecodeDebt(*key, **bytes);
  if (!debt.ok()) return debt.status();
  debt->trip_id = std::string(trip_id);
  return StoredDebt{std::move(*key), std::move(*debt)};
}

// Removes an open debt's amount from its shopper's balance.
Status ReleaseFromBalance(store::WriteTxn& txn, const store::DebtRecord& debt, int64_t now_ms) {
  auto shopper = LoadOrNew(txn, debt.shopper_id);
  if (!shopper.ok()) return shopper.status();
  if (Status s = ApplyToBalance(*shopper, {-debt.amount.minor, debt.amount.currency}); !s.ok()) {
    return s;
  }
  if (shopper->open_debt_count > 0) shopper->open_debt_count -= 1;
  shopper->updated_ms = now_ms;
  return SaveShopper(txn, debt.shopper_id, *shopper);
}

}  // namespace

Status AddDebt(store::WriteTxn& txn, const store::DebtRecord& debt, int64_t now_ms) {
  if (debt.state != store::DebtState::kOpen) {
    return Status(StatusCode::kInvalidArgument, "a new debt must be open");
  }
  return InsertDebt(txn, debt, now_ms, /*publish=*/true);
}

Status CloseDebt(store::WriteTxn& txn, std::string_view shopper_id, std::string_view trip_id,
                 store::DebtKind kind, store::DebtState new_state, std::string_view settlement_ref,
                 int64_t now_ms) {
  if (new_state == store::DebtState::kOpen) {
    return Status(StatusCode::kInvalidArgument, "closing a debt needs settled or written_off");
  }
  if (Status s = CheckLength("settlement reference", settlement_ref, kMaxNameBytes); !s.ok()) {
    return s;
  }
  auto stored = LoadDebt(txn, shopper_id, trip_id, kind);
  if (!stored.ok()) return stored.status();
  store::DebtRecord& debt = stored->record;
  if (debt.state != store::DebtState::kOpen) {
    return Status(StatusCode::kFailedPrecondition,
                  "debt is already " + std::string(store::DebtStateName(debt.state)));
  }
  debt.state = new_state;
  debt.settlement_ref = std::string(settlement_ref);
  debt.settled_ms = now_ms;
  if (Status s = txn.Put(Table::kDebts, stored->key, store::EncodeDebt(debt)); !s.ok()) return s;
  if (Status s = QueueForChain(txn, stored->key); !s.ok()) return s;
  return ReleaseFromBalance(txn, debt, now_ms);
}

Status AdoptDebt(store::WriteTxn& txn, const store::DebtRecord& debt, int64_t now_ms) {
  return InsertDebt(txn, debt, now_ms, /*publish=*/false);
}

Status AdoptClosing(store::WriteTxn& txn, const store::DebtRecord& closed, int64_t now_ms) {
  if (closed.state == store::DebtState::kOpen) {
    return Status(StatusCode::kInvalidArgument, "closing a debt needs settled or written_off");
  }
  if (Status s = CheckLength("settlement reference", closed.settlement_ref, kMaxNameBytes);
      !s.ok()) {
    return s;
  }
  auto stored = LoadDebt(txn, closed.shopper_id, closed.trip_id, closed.kind);
  if (!stored.ok()) return stored.status();
  const bool was_open = stored->record.state == store::DebtState::kOpen;
  store::DebtRecord& debt = stored->record;
  debt.state = closed.state;
  debt.settlement_ref = closed.settlement_ref;
  debt.settled_ms = closed.settled_ms;
  if (Status s = txn.Put(Table::kDebts, stored->key, store::EncodeDebt(debt)); !s.ok()) return s;
  return was_open ? ReleaseFromBalance(txn, debt, now_ms) : Status::Ok();
}

Status ForgetDebt(store::WriteTxn& txn, std::string_view shopper_id, std::string_view trip_id,
                  store::DebtKind kind, int64_t now_ms) {
  auto stored = LoadDebt(txn, shopper_id, trip_id, kind);
  if (!stored.ok()) return stored.status();
  if (Status s = txn.Delete(Table::kDebts, stored->key); !s.ok()) return s;
  if (stored->record.state != store::DebtState::kOpen) return Status::Ok();
  return ReleaseFromBalance(txn, stored->record, now_ms);
}

Status QueueDebtForChain(store::WriteTxn& txn, std::string_view shopper_id,
                         std::string_view trip_id, store::DebtKind kind) {
  auto key = store::DebtKey(shopper_id, trip_id, kind);
  if (!key.ok()) return key.status();
  return QueueForChain(txn, *key);
}

core::Result<store::DebtKind> SingleOpenDebtKind(const store::ReadTxn& txn,
                                                 std::string_view shopper_id,
                                                 std::string_view trip_id) {
  auto debts = ListTripDebts(txn, shopper_id, trip_id);
  if (!debts.ok()) return debts.status();
  if (debts->empty()) return Status(StatusCode::kNotFound, "no debt for that shopper and trip");
  std::vector<store::DebtKind> open;
  for (const store::DebtRecord& d : *debts) {
    if (d.state == store::DebtState::kOpen) open.push_back(d.kind);
  }
  if (open.size() == 1) return open.front();
  if (open.empty()) {
    return Status(StatusCode::kFailedPrecondition,
                  "debt is already " + std::string(store::DebtStateName(debts->front().state)));
  }
  std::string kinds;
  for (store::DebtKind k : open) {
    if (!kinds.empty()) kinds += ", ";
    kinds += store::DebtKindName(k);
  }
  return Status(StatusCode::kFailedPrecondition,
                "the shopper has " + std::to_string(open.size()) + " open debts for trip " +
                    std::string(trip_id) + " (" + kinds + "): say which kind to settle");
}

Status SetOverride(store::WriteTxn& txn, std::string_view shopper_id, store::Override mode,
                   std::string_view by, std::string_view reason, int64_t now_ms) {
  if (mode != store::Override::kNone && (by.empty() || reason.empty())) {
    return Status(StatusCode::kInvalidArgument, "an override needs who and why");
  }
  if (Status s = CheckLength("override actor", by, kMaxNameBytes); !s.ok()) return s;
  if (Status s = CheckLength("override reason", reason, kMaxTextBytes); !s.ok()) return s;
  auto shopper = LoadOrNew(txn, shopper_id);
  if (!shopper.ok()) return shopper.status();
  shopper->override_mode = mode;
  shopper->override_by = std::string(by);
  shopper->override_reason = std::string(reason);
  shopper->override_at_ms = now_ms;
  shopper->updated_ms = now_ms;
  return SaveShopper(txn, shopper_id, *shopper);
}

Status SetChainOverride(store::WriteTxn& txn, std::string_view shopper_id, store::Override mode,
                        std::string_view by, std::string_view reason, std::string_view origin,
                        int64_t at_ms, bool publish) {
  if (mode != store::Override::kNone && (by.empty() || reason.empty())) {
    return Status(StatusCode::kInvalidArgument, "an override needs who and why");
  }
  if (Status s = CheckLength("override actor", by, kMaxNameBytes); !s.ok()) return s;
  if (Status s = CheckLength("override reason", reason, kMaxTextBytes); !s.ok()) return s;
  if (Status s = CheckLength("origin store", origin, kMaxNameBytes); !s.ok()) return s;
  auto shopper = LoadOrNew(txn, shopper_id);
  if (!shopper.ok()) return shopper.status();
  // An operator's new setting is later than every one this store has seen, whatever the
  // clocks of the stores say (the latest setting wins: chain/chain_override.h).
  if (publish) at_ms = std::max(at_ms, shopper->chain_override_at_ms + 1);
  shopper->chain_override_mode = mode;
  shopper->chain_override_by = std::string(by);
  shopper->chain_override_reason = std::string(reason);
  shopper->chain_override_origin = std::string(origin);
  shopper->chain_override_at_ms = at_ms;
  shopper->updated_ms = std::max(shopper->updated_ms, at_ms);
  if (Status s = SaveShopper(txn, shopper_id, *shopper); !s.ok()) return s;
  return publish ? QueueChainOverride(txn, shopper_id) : Status::Ok();
}

Status QueueChainOverride(store::WriteTxn& txn, std::string_view shopper_id) {
  if (!txn.publish_debts()) return Status::Ok();
  return AppendToOutbox(txn, Table::kChainOverrideOutbox, shopper_id);
}

core::Result<uint64_t> AppendAudit(store::WriteTxn& txn, store::AuditRecord record) {
  for (const Status& s : {CheckLength("audit actor", record.actor, kMaxNameBytes),
                          CheckLength("audit action", record.action, kMaxNameBytes),
                          CheckLength("audit detail", record.detail, kMaxTextBytes),
                          CheckLength("audit reason", record.reason, kMaxTextBytes)}) {
    if (!s.ok()) return s;
  }
  auto last = txn.Last(Table::kAudit);
  if (!last.ok()) return last.status();
  record.sequence = last->has_value() ? store::FromBigEndianKey((*last)->first) + 1 : 1;
  if (Status s =
          txn.Put(Table::kAudit, store::BigEndianKey(record.sequence), store::EncodeAudit(record));
      !s.ok()) {
    return s;
  }
  return record.sequence;
}

core::Result<std::vector<store::AuditRecord>> RecentAudit(const store::ReadTxn& txn, size_t limit,
                                                          std::string_view shopper_id) {
  // The audit table is small (manual changes only); a forward scan keeping the tail is fine.
  std::vector<store::AuditRecord> all;
  Status decode_error;
  Status s = txn.Scan(Table::kAudit, {}, [&](std::string_view k, std::string_view v) {
    auto r = store::DecodeAudit(k, v);
    if (!r.ok()) {
      decode_error = r.status();
      return false;
    }
    if (shopper_id.empty() || r->shopper_id == shopper_id) all.push_back(std::move(*r));
    return true;
  });
  if (!s.ok()) return s;
  if (!decode_error.ok()) return decode_error;
  std::reverse(all.begin(), all.end());
  if (all.size() > limit) all.resize(limit);
  return all;
}

}  // namespace jwo::ledger
