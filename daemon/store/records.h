// The records stored in each table and their byte encodings (docs/store-format.md).
//
// Every value starts with a record version byte; Decode* accepts the versions this build knows
// and returns kCorruption for anything else or for truncated bytes. Keys are built by the
// *Key functions, which enforce LMDB's limits (kInvalidArgument when an id is empty, too long,
// or holds control characters). Plain values; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/status.h"

namespace jwo::store {

// Ids used in keys: 1..255 bytes without control characters.
inline constexpr size_t kMaxIdBytes = 255;
core::Status CheckId(std::string_view what, std::string_view id);

// --- shoppers ---------------------------------------------------------------------------------

enum class Override : uint8_t { kNone = 0, kAlwaysAllow = 1, kAlwaysBlock = 2 };

// What the gate reads at every tap: the shopper's open debt and any manual override.
struct ShopperRecord {
  // The open debt per currency: one entry per currency with open debt (minor > 0), sorted by
  // currency code.
  std::vector<core::Money> open_debt;
  uint32_t open_debt_count = 0;  // open debt records
  Override override_mode = Override::kNone;
  std::string override_by;  // operator who set it
  int64_t override_at_ms = 0;
  std::string override_reason;
  int64_t updated_ms = 0;
  // The chain-scoped override (record version 2, docs/ledger.md), set from the overrides bucket.
  Override chain_override_mode = Override::kNone;
  std::string chain_override_by;
  int64_t chain_override_at_ms = 0;
  std::string chain_override_reason;
  std::string chain_override_origin;  // the store where it was set

  // The override the gate applies: this store's own when set (the more specific decision),
  // else the chain's.
  Override EffectiveOverride() const {
    return override_mode != Override::kNone ? override_mode : chain_override_mode;
  }

  // Open debt in `currency`, 0 when none.
  int64_t OpenDebt(std::string_view currency) const;
};

std::string EncodeShopper(const ShopperRecord& r);
// kCorruption also for a balance whose currency code is not ISO 4217 (none can be written).
core::Result<ShopperRecord> DecodeShopper(std::string_view bytes);

// --- debts ------------------------------------------------------------------------------------

enum class DebtCause : uint8_t {
  kDeclinedAdjust = 1,
  kPartialCapture = 2,
  kExpiredPreAuth = 3,
  kManual = 4,  // entered by an operator (jwo-edgectl debt add)
};
enum class DebtState : uint8_t { kOpen = 1, kSettled = 2, kWrittenOff = 3 };

// Which of a trip's debts a record is. Part of the key, so a shopper has at most one debt of
// each kind per trip, and no kind of debt can take the place of another (schema 3; before, a
// manual debt under a trip id made a later decline of that trip look "recorded before").
enum class DebtKind : uint8_t {
  kTrip = 1,     // the trip's own debt: Adjust declined, or the rest of a partial capture
  kExpired = 2,  // what the pre-auth expiry left unpaid beyond the kTrip debt
  kManual = 3,   // booked by an operator (jwo-edgectl debt add)
};

struct DebtRecord {
  std::string shopper_id;           // in the key
  std::string trip_id;              // in the key
  DebtKind kind = DebtKind::kTrip;  // in the key; always DebtKindOf(cause)
  core::Money amount;               // > 0
  DebtCause cause = DebtCause::kManual;
  std::string origin_store;
  int64_t created_ms = 0;
  DebtState state = DebtState::kOpen;
  std::string settlement_ref;
  int64_t settled_ms = 0;
  std::string note;
};

std::string_view DebtCauseName(DebtCause c);
std::string_view DebtStateName(DebtState s);
// "trip", "expired", "manual": stable names for the control API and jwo-edgectl.
std::string_view DebtKindName(DebtKind k);
// The kind named by DebtKindName, or nullopt for any other text.
std::optional<DebtKind> DebtKindFromName(std::string_view name);
// The kind a debt of this cause is booked as: expired_preauth -> kExpired, manual -> kManual,
// declined_adjust and partial_capture -> kTrip.
DebtKind DebtKindOf(DebtCause c);

// Key (schema 3): u8 length of the shopper id, the shopper id, u8 length of the trip id, the
// trip id, u8 kind. Sorting groups a shopper's debts (DebtKeyPrefix) and, within them, a trip's
// (DebtTripKeyPrefix); the length bytes keep "shopper-1" and "t1" from matching the prefixes of
// "shopper-10" and "t10". LMDB keys stop at 511 bytes: when the two ids together pass 508
// bytes, the key holds the trip id shortened to its first bytes, "~" and 16 hex digits of its
// SHA-256 (distinct trips stay distinct), and DecodeDebt returns that shortened id.
// kInvalidArgument for an id CheckId refuses.
core::Result<std::string> DebtKey(std::string_view shopper_id, std::string_view trip_id,
                                  DebtKind kind);
std::string DebtKeyPrefix(std::string_view shopper_id);
core::Result<std::string> DebtTripKeyPrefix(std::string_view shopper_id, std::string_view trip_id);
std::string EncodeDebt(const DebtRecord& r);  // shopper, trip and kind live in the key
// kCorruption for a key or value that does not decode, or an unknown kind.
core::Result<DebtRecord> DecodeDebt(std::string_view key, std::string_view bytes);
// A schema-2 row (key u8 len(shopper) · shopper · trip id, no kind; the value encoding is the
// same), for the 2->3 migration only. `kind` is left kTrip for the migration to decide.
core::Result<DebtRecord> DecodeDebtSchema2(std::string_view key, std::string_view bytes);

// --- decisions --------------------------------------------------------------------------------

enum class Outcome : uint8_t { kApproved = 1, kDenied = 2 };

// One gate decision, kept for correlation (which shopper opened which trip) and audit.
// Stored under a big-endian u64 sequence (appended, schema 2); the trip and gate event ids are
// in the value. Schema-1 rows were keyed by DecisionKey and are decoded for the migration.
struct DecisionRecord {
  uint64_t sequence = 0;  // the key (schema 2); 0 for a schema-1 row
  std::string trip_id;
  std::string gate_event_id;
  std::string shopper_id;
  std::string store_id;
  int64_t decided_ms = 0;
  int64_t event_ms = 0;  // the gate event's own timestamp
  Outcome outcome = Outcome::kApproved;
  std::string reason;  // e.g. "ledger_clear", "open_debt", "override_block"
  std::vector<std::string> risks;
  std::string lane;         // from gateAuthenticationEvent.data, when present
  uint32_t latency_us = 0;  // time to decide, for audit of slow answers
};

// One decision's fields, borrowed (from the request being answered) for the length of a call:
// what the gate path hands the decision log, so that no string is copied to record it.
struct DecisionView {
  std::string_view trip_id;
  std::string_view gate_event_id;
  std::string_view shopper_id;
  std::string_view store_id;
  int64_t decided_ms = 0;
  int64_t event_ms = 0;
  Outcome outcome = Outcome::kApproved;
  std::string_view reason;
  std::span<const std::string> risks;
  std::string_view lane;
  uint32_t latency_us = 0;
};
DecisionView ViewOf(const DecisionRecord& r);

// Schema-1 key: u8 length of the trip id, the trip id, the gate event id.
core::Result<std::string> DecisionKey(std::string_view trip_id, std::string_view event_id);
// Record version 2: the ids in the value. Ids are checked (CheckId) by the caller.
std::string EncodeDecision(const DecisionRecord& r);
// Appends the same bytes as EncodeDecision to `out`.
void AppendDecision(std::string& out, const DecisionView& r);
// Decodes version 2 (key = sequence) or version 1 (key = DecisionKey).
core::Result<DecisionRecord> DecodeDecision(std::string_view key, std::string_view bytes);

// --- gate events -------------------------------------------------------------------------------

// A lane event (passage, door forced, ...) that the gate bridge correlated with a trip, kept so
// `jwo-edgectl trip show` can tell what happened at the gate for that trip.
struct GateEventRecord {
  std::string trip_id;  // in the key
  std::string gate;
  uint32_t lane = 0;
  std::string event;  // "person_passed", "door_forced", ...
  std::string detail;
  int64_t at_ms = 0;
};

// Key: u8 length of the trip id, the trip id, big-endian at_ms, big-endian u32 `n` (to keep
// events of the same millisecond apart). A trip's events sort by time under DebtKeyPrefix(trip).
core::Result<std::string> GateEventKey(std::string_view trip_id, int64_t at_ms, uint32_t n);
std::string EncodeGateEvent(const GateEventRecord& r);
core::Result<GateEventRecord> DecodeGateEvent(std::string_view key, std::string_view bytes);

// --- audit ------------------------------------------------------------------------------------

// One manual change made by an operator through the control socket.
struct AuditRecord {
  uint64_t sequence = 0;  // the key
  int64_t at_ms = 0;
  std::string actor;   // unix user of the control-socket peer
  std::string action;  // "shopper.block", "debt.add", ...
  std::string shopper_id;
  std::string detail;  // action-specific, e.g. "USD 10.00 trip T1"
  std::string reason;  // the operator's reason, required
};

std::string EncodeAudit(const AuditRecord& r);
core::Result<AuditRecord> DecodeAudit(std::string_view key, std::string_view bytes);

}  // namespace jwo::store
