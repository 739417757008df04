#include "store/records.h"

#include <algorithm>

#include "core/ids.h"
#include "store/codec.h"
#include "store/table.h"

namespace jwo::store {
namespace {

using core::Status;
using core::StatusCode;

constexpr uint8_t kV1 = 1;

Status Bad(std::string_view what) {
  return Status(StatusCode::kCorruption, std::string(what) + " record does not decode");
}

bool ReadVersion(Decoder& d) {
  uint8_t v = 0;
  return d.U8(v) && v == kV1;
}

// Splits a "u8 length + first id + second id" key.
bool SplitKey(std::string_view key, std::string& first, std::string& second) {
  if (key.empty()) return false;
  const size_t n = static_cast<unsigned char>(key[0]);
  if (key.size() < 1 + n) return false;
  first.assign(key.substr(1, n));
  second.assign(key.substr(1 + n));
  return true;
}

core::Result<std::string> PairKey(std::string_view what1, std::string_view id1,
                                  std::string_view what2, std::string_view id2) {
  if (Status s = CheckId(what1, id1); !s.ok()) return s;
  if (Status s = CheckId(what2, id2); !s.ok()) return s;
  std::string k;
  k.reserve(1 + id1.size() + id2.size());
  k.push_back(static_cast<char>(id1.size()));
  k.append(id1);
  k.append(id2);
  return k;
}

// Stored records hold only codes that passed FindCurrency when they were written: a code this
// build does not know is damage, not a default.
bool ReadMoney(Decoder& d, core::Money& m) {
  std::string code;
  if (!d.Str(code) || !d.I64(m.minor)) return false;
  auto currency = core::FindCurrency(code);
  if (!currency) return false;
  m.currency = *currency;
  return true;
}

}  // namespace

Status CheckId(std::string_view what, std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return Status(StatusCode::kInvalidArgument, std::string(what) + " must be 1 to 255 bytes long");
  }
  if (!core::IsPrintable(id)) {
    return Status(StatusCode::kInvalidArgument,
                  std::string(what) + " must not contain control characters");
  }
  return Status::Ok();
}

int64_t ShopperRecord::OpenDebt(std::string_view currency) const {
  for (const core::Money& b : open_debt) {
    if (b.currency.Code() == currency) return b.minor;
  }
  return 0;
}

std::string EncodeShopper(const ShopperRecord& r) {
  Encoder e;
  // Version 1 while no chain override was ever set: the same bytes as before schema 4.
  const bool chain = r.chain_override_mode != Override::kNone || !r.chain_override_by.empty() ||
                     r.chain_override_at_ms != 0;
  e.U8(chain ? 2 : kV1);
  e.U8(static_cast<uint8_t>(r.open_debt.size()));
  for (const core::Money& b : r.open_debt) {
    e.Str(b.currency.Code());
    e.I64(b.minor);
  }
  e.U32(r.open_debt_count);
  e.U8(static_cast<uint8_t>(r.override_mode));
  e.Str(r.override_by);
  e.I64(r.override_at_ms);
  e.Str(r.override_reason);
  e.I64(r.updated_ms);
  if (chain) {
    e.U8(static_cast<uint8_t>(r.chain_override_mode));
    e.Str(r.chain_override_by);
    e.I64(r.chain_override_at_ms);
    e.Str(r.chain_override_reason);
    e.Str(r.chain_override_origin);
  }
  return e.Take();
}

core::Result<ShopperRecord> DecodeShopper(std::string_view bytes) {
  Decoder d(bytes);
  ShopperRecord r;
  uint8_t n = 0, mode = 0, version = 0;
  if (!d.U8(version) || (version != 1 && version != 2) || !d.U8(n)) return Bad("shopper");
  r.open_debt.resize(n);
  for (core::Money& b : r.open_debt) {
    if (!ReadMoney(d, b)) return Bad("shopper");
  }
  if (!d.U32(r.open_debt_count) || !d.U8(mode) || mode > 2 || !d.Str(r.override_by) ||
      !d.I64(r.override_at_ms) || !d.Str(r.override_reason) || !d.I64(r.updated_ms)) {
    return Bad("shopper");
  }
  r.override_mode = static_cast<Override>(mode);
  if (version == 2) {
    uint8_t chain_mode = 0;
    if (!d.U8(chain_mode) || chain_mode > 2 || !d.Str(r.chain_override_by) ||
        !d.I64(r.chain_override_at_ms) || !d.Str(r.chain_override_reason) ||
        !d.Str(r.chain_override_origin)) {
      return Bad("shopper");
    }
    r.chain_override_mode = static_cast<Override>(chain_mode);
  }
  if (!d.done()) return Bad("shopper");
  return r;
}

std::string_view DebtCauseName(DebtCause c) {
  switch (c) {
    case DebtCause::kDeclinedAdjust:
      return "declined_adjust";
    case DebtCause::kPartialCapture:
      return "partial_capture";
    case DebtCause::kExpiredPreAuth:
      return "expired_preauth";
    case DebtCause::kManual:
      return "manual";
  }
  return "unknown";
}

std::string_view DebtStateName(DebtState s) {
  switch (s) {
    case DebtState::kOpen:
      return "open";
    case DebtState::kSettled:
      return "settled";
    case DebtState::kWrittenOff:
      return "written_off";
  }
  return "unknown";
}

std::string_view DebtKindName(DebtKind k) {
  switch (k) {
    case DebtKind::kTrip:
      return "trip";
    case DebtKind::kExpired:
      return "expired";
    case DebtKind::kManual:
      return "manual";
  }
  return "unknown";
}

std::optional<DebtKind> DebtKindFromName(std::string_view name) {
  for (DebtKind k : {DebtKind::kTrip, DebtKind::kExpired, DebtKind::kManual}) {
    if (DebtKindName(k) == name) return k;
  }
  return std::nullopt;
}

DebtKind DebtKindOf(DebtCause c) {
  switch (c) {
    case DebtCause::kExpiredPreAuth:
      return DebtKind::kExpired;
    case DebtCause::kManual:
      return DebtKind::kManual;
    case DebtCause::kDeclinedAdjust:
    case DebtCause::kPartialCapture:
      break;
  }
  return DebtKind::kTrip;
}

core::Result<std::string> DebtTripKeyPrefix(std::string_view shopper_id, std::string_view trip_id) {
  if (Status s = CheckId("shopper id", shopper_id); !s.ok()) return s;
  if (Status s = CheckId("trip id", trip_id); !s.ok()) return s;
  // Three bytes of the key are lengths and kind.
  const size_t room = kMaxKeyBytes - 3 - shopper_id.size();
  std::string trip(trip_id);
  if (trip.size() > room) {
    constexpr size_t kDigest = 16;
    trip = std::string(trip_id.substr(0, room - kDigest - 1)) + "~" +
           core::Sha256Hex(trip_id).substr(0, kDigest);
  }
  std::string k = DebtKeyPrefix(shopper_id);
  k.push_back(static_cast<char>(trip.size()));
  k.append(trip);
  return k;
}

core::Result<std::string> DebtKey(std::string_view shopper_id, std::string_view trip_id,
                                  DebtKind kind) {
  auto k = DebtTripKeyPrefix(shopper_id, trip_id);
  if (!k.ok()) return k;
  k->push_back(static_cast<char>(kind));
  return k;
}

std::string DebtKeyPrefix(std::string_view shopper_id) {
  std::string k(1, static_cast<char>(shopper_id.size()));
  k.append(shopper_id);
  return k;
}

std::string EncodeDebt(const DebtRecord& r) {
  Encoder e;
  e.U8(kV1);
  e.I64(r.amount.minor);
  e.Str(r.amount.currency.Code());
  e.U8(static_cast<uint8_t>(r.cause));
  e.Str(r.origin_store);
  e.I64(r.created_ms);
  e.U8(static_cast<uint8_t>(r.state));
  e.Str(r.settlement_ref);
  e.I64(r.settled_ms);
  e.Str(r.note);
  return e.Take();
}

namespace {

// The value is the same in schemas 2 and 3.
bool DecodeDebtValue(std::string_view bytes, DebtRecord& r) {
  Decoder d(bytes);
  uint8_t cause = 0, state = 0;
  std::string code;
  if (!ReadVersion(d) || !d.I64(r.amount.minor) || !d.Str(code) || !d.U8(cause) || cause < 1 ||
      cause > 4 || !d.Str(r.origin_store) || !d.I64(r.created_ms) || !d.U8(state) || state < 1 ||
      state > 3 || !d.Str(r.settlement_ref) || !d.I64(r.settled_ms) || !d.Str(r.note) ||
      !d.done()) {
    return false;
  }
  auto currency = core::FindCurrency(code);
  if (!currency) return false;
  r.amount.currency = *currency;
  r.cause = static_cast<DebtCause>(cause);
  r.state = static_cast<DebtState>(state);
  return true;
}

}  // namespace

core::Result<DebtRecord> DecodeDebt(std::string_view key, std::string_view bytes) {
  DebtRecord r;
  std::string rest;
  if (!SplitKey(key, r.shopper_id, rest) || rest.empty()) return Bad("debt key");
  const size_t n = static_cast<unsigned char>(rest[0]);
  const uint8_t kind = rest.size() == n + 2 ? static_cast<uint8_t>(rest.back()) : 0;
  if (kind < 1 || kind > 3) return Bad("debt key");
  r.trip_id = rest.substr(1, n);
  r.kind = static_cast<DebtKind>(kind);
  if (!DecodeDebtValue(bytes, r)) return Bad("debt");
  return r;
}

core::Result<DebtRecord> DecodeDebtSchema2(std::string_view key, std::string_view bytes) {
  DebtRecord r;
  if (!SplitKey(key, r.shopper_id, r.trip_id) || r.trip_id.empty()) return Bad("debt key");
  if (!DecodeDebtValue(bytes, r)) return Bad("debt");
  return r;
}

core::Result<std::string> DecisionKey(std::string_view trip_id, std::string_view event_id) {
  return PairKey("trip id", trip_id, "gate event id", event_id);
}

DecisionView ViewOf(const DecisionRecord& r) {
  return DecisionView{r.trip_id,    r.gate_event_id, r.shopper_id, r.store_id,
                      r.decided_ms, r.event_ms,      r.outcome,    r.reason,
                      r.risks,      r.lane,          r.latency_us};
}

void AppendDecision(std::string& out, const DecisionView& r) {
  Encoder e(out);
  e.U8(2);
  e.Str(r.trip_id);
  e.Str(r.gate_event_id);
  e.Str(r.shopper_id);
  e.Str(r.store_id);
  e.I64(r.decided_ms);
  e.I64(r.event_ms);
  e.U8(static_cast<uint8_t>(r.outcome));
  e.Str(r.reason);
  e.U8(static_cast<uint8_t>(std::min<size_t>(r.risks.size(), 255)));
  for (size_t i = 0; i < r.risks.size() && i < 255; ++i) e.Str(r.risks[i]);
  e.Str(r.lane);
  e.U32(r.latency_us);
}

std::string EncodeDecision(const DecisionRecord& r) {
  std::string out;
  AppendDecision(out, ViewOf(r));
  return out;
}

core::Result<DecisionRecord> DecodeDecision(std::string_view key, std::string_view bytes) {
  DecisionRecord r;
  Decoder d(bytes);
  uint8_t version = 0, outcome = 0, n = 0;
  if (!d.U8(version) || (version != 1 && version != 2)) return Bad("decision");
  if (version == 2) {
    if (key.size() != 8 || !d.Str(r.trip_id) || !d.Str(r.gate_event_id)) return Bad("decision");
    r.sequence = FromBigEndianKey(key);
  } else if (!SplitKey(key, r.trip_id, r.gate_event_id)) {
    return Bad("decision key");
  }
  if (!d.Str(r.shopper_id) || !d.Str(r.store_id) || !d.I64(r.decided_ms) || !d.I64(r.event_ms) ||
      !d.U8(outcome) || outcome < 1 || outcome > 2 || !d.Str(r.reason) || !d.U8(n)) {
    return Bad("decision");
  }
  r.risks.resize(n);
  for (std::string& risk : r.risks) {
    if (!d.Str(risk)) return Bad("decision");
  }
  if (!d.Str(r.lane) || !d.U32(r.latency_us) || !d.done()) return Bad("decision");
  r.outcome = static_cast<Outcome>(outcome);
  return r;
}

core::Result<std::string> GateEventKey(std::string_view trip_id, int64_t at_ms, uint32_t n) {
  if (Status s = CheckId("trip id", trip_id); !s.ok()) return s;
  std::string k = DebtKeyPrefix(trip_id);
  k += BigEndianKey(static_cast<uint64_t>(at_ms));
  k += BigEndianKey(n).substr(4);
  return k;
}

std::string EncodeGateEvent(const GateEventRecord& r) {
  Encoder e;
  e.U8(kV1);
  e.Str(r.gate);
  e.U32(r.lane);
  e.Str(r.event);
  e.Str(r.detail);
  e.I64(r.at_ms);
  return e.Take();
}

core::Result<GateEventRecord> DecodeGateEvent(std::string_view key, std::string_view bytes) {
  GateEventRecord r;
  std::string rest;
  if (!SplitKey(key, r.trip_id, rest) || rest.size() != 12) return Bad("gate event key");
  Decoder d(bytes);
  if (!ReadVersion(d) || !d.Str(r.gate) || !d.U32(r.lane) || !d.Str(r.event) || !d.Str(r.detail) ||
      !d.I64(r.at_ms) || !d.done()) {
    return Bad("gate event");
  }
  return r;
}

std::string EncodeAudit(const AuditRecord& r) {
  Encoder e;
  e.U8(kV1);
  e.I64(r.at_ms);
  e.Str(r.actor);
  e.Str(r.action);
  e.Str(r.shopper_id);
  e.Str(r.detail);
  e.Str(r.reason);
  return e.Take();
}

core::Result<AuditRecord> DecodeAudit(std::string_view key, std::string_view bytes) {
  AuditRecord r;
  if (key.size() != 8) return Bad("audit key");
  r.sequence = FromBigEndianKey(key);
  Decoder d(bytes);
  if (!ReadVersion(d) || !d.I64(r.at_ms) || !d.Str(r.actor) || !d.Str(r.action) ||
      !d.Str(r.shopper_id) || !d.Str(r.detail) || !d.Str(r.reason) || !d.done()) {
    return Bad("audit");
  }
  return r;
}

}  // namespace jwo::store
