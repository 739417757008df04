// The named LMDB databases of the environment (architecture.md §5, docs/store-format.md).
#pragma once

#include <array>
#include <string_view>

namespace jwo::store {

enum class Table {
  kMeta,        // name -> value: schema_version, store_id
  kShoppers,    // shopper id -> ShopperRecord (the gate reads those in kGateShoppers)
  kDebts,       // DebtKey(shopper, trip, kind) -> DebtRecord
  kDecisions,   // big-endian u64 sequence -> DecisionRecord (gate decision audit, appended)
  kAudit,       // big-endian u64 sequence -> AuditRecord (manual changes by operators)
  kTrips,       // trip id -> TripRecord (schema 2)
  kPurchases,   // idempotentShoppingTripId -> PurchaseRecord (schema 2)
  kOutbox,      // big-endian u64 sequence -> OutboxEntry (schema 2)
  kOpenTrips,   // trip id -> i64 created ms: trips not yet settled, for the expiry watch (schema 2)
  kGateEvents,  // GateEventKey(trip, time, n) -> GateEventRecord: lane events of a trip (schema 2)
  // The chain ledger (schema 4, docs/ledger.md):
  kChainOutbox,  // big-endian u64 sequence -> DebtKey of a local debt whose state is to publish
  kChainKeys,    // bucket key -> ChainKeyRecord: what the bucket holds, as applied here
  kChainHeld,    // bucket key -> record JSON held by the debt-inflow breaker until confirmed
  kChainOverrideOutbox,  // big-endian u64 sequence -> shopper id whose chain override to publish
  kChainOverrideKeys,    // overrides-bucket key -> what that bucket holds, as applied here
  // E-mail to shoppers (schema 5, daemon/mail/mail_outbox.h):
  kMailOutbox,  // "<kind>/<trip id>" -> MailEntry: a receipt to send, sent, or given up
  // The shoppers' portal (schema 6, store/shopper_index.h, docs/portal.md):
  kShopperIndex,       // "e/<hash of e-mail>/<trip>", "d/<date>/<trip>": how a shopper finds trips
  kPortal,             // sign-in codes, sessions, lock-outs, payoffs (portal/portal_store.h)
  kChainPortalOutbox,  // big-endian u64 sequence -> portal bucket key to publish (chain_portal.h)
  kChainPortalKeys,    // portal bucket key -> what that bucket holds, as applied here
  // The gate's index (schema 7, store/gate_shoppers.h): shopper id -> "" for each shopper whose
  // record can change a gate decision (open debt or an override).
  kGateShoppers,
  // The gate's filter (schema 8, store/gate_filter.h): "filter" -> a Bloom filter over the ids
  // in kGateShoppers, so a tap by a shopper who owes nothing does not search the index.
  kGateFilter,
};

inline constexpr std::array<Table, 22> kAllTables = {Table::kMeta,
                                                     Table::kShoppers,
                                                     Table::kDebts,
                                                     Table::kDecisions,
                                                     Table::kAudit,
                                                     Table::kTrips,
                                                     Table::kPurchases,
                                                     Table::kOutbox,
                                                     Table::kOpenTrips,
                                                     Table::kGateEvents,
                                                     Table::kChainOutbox,
                                                     Table::kChainKeys,
                                                     Table::kChainHeld,
                                                     Table::kChainOverrideOutbox,
                                                     Table::kChainOverrideKeys,
                                                     Table::kMailOutbox,
                                                     Table::kShopperIndex,
                                                     Table::kPortal,
                                                     Table::kChainPortalOutbox,
                                                     Table::kChainPortalKeys,
                                                     Table::kGateShoppers,
                                                     Table::kGateFilter};

inline constexpr std::string_view TableName(Table t) {
  switch (t) {
    case Table::kMeta:
      return "meta";
    case Table::kShoppers:
      return "shoppers";
    case Table::kDebts:
      return "debts";
    case Table::kDecisions:
      return "decisions";
    case Table::kAudit:
      return "audit";
    case Table::kTrips:
      return "trips";
    case Table::kPurchases:
      return "purchases";
    case Table::kOutbox:
      return "outbox";
    case Table::kOpenTrips:
      return "open_trips";
    case Table::kGateEvents:
      return "gate_events";
    case Table::kChainOutbox:
      return "chain_outbox";
    case Table::kChainKeys:
      return "chain_keys";
    case Table::kChainHeld:
      return "chain_held";
    case Table::kChainOverrideOutbox:
      return "chain_override_outbox";
    case Table::kChainOverrideKeys:
      return "chain_override_keys";
    case Table::kMailOutbox:
      return "mail_outbox";
    case Table::kShopperIndex:
      return "shopper_index";
    case Table::kPortal:
      return "portal";
    case Table::kChainPortalOutbox:
      return "chain_portal_outbox";
    case Table::kChainPortalKeys:
      return "chain_portal_keys";
    case Table::kGateShoppers:
      return "gate_shoppers";
    case Table::kGateFilter:
      return "gate_filter";
  }
  return "?";
}

// LMDB's limits on keys: not empty, at most 511 bytes (MDB_MAXKEYSIZE in Debian's build).
inline constexpr size_t kMaxKeyBytes = 511;

}  // namespace jwo::store
