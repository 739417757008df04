#include "store/migration_steps.h"

#include "store/gate_filter.h"
#include "store/gate_shoppers.h"
#include "store/shopper_index.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/ids.h"

#include "store/codec.h"
#include "store/records.h"
#include "store/trip_record.h"

namespace jwo::store {

using core::Status;
using core::StatusCode;

namespace {

namespace legacy {

// Schema 2 kept one debt per shopper and trip id. When a trip that already had debt (a decline
// or a partial capture) expired, the remainder went under this id instead: ledger's
// ExpiredDebtTripId of that build, kept here so the migration can recognise it.
std::string ExpiredDebtTripId(std::string_view trip_id) {
  constexpr std::string_view kSuffix = "-expired";
  constexpr size_t kMax = 255;
  if (trip_id.size() + kSuffix.size() <= kMax) return std::string(trip_id) + std::string(kSuffix);
  constexpr size_t kDigest = 16;
  std::string id(trip_id.substr(0, kMax - kSuffix.size() - kDigest - 1));
  id += '~';
  id += core::Sha256Hex(trip_id).substr(0, kDigest);
  id += kSuffix;
  return id;
}

}  // namespace legacy

// Debts are few (open and settled debts of debtors), so the table is read whole, emptied and
// written again under the schema-3 keys.
Status RekeyDebts(WriteTxn& txn) {
  std::vector<std::string> old_keys;
  std::vector<DebtRecord> rows;
  Status decode = Status::Ok();
  Status scan = txn.Scan(Table::kDebts, {}, [&](std::string_view k, std::string_view v) {
    auto d = DecodeDebtSchema2(k, v);
    if (!d.ok()) {
      // The key holds a shopper id, which is not logged.
      decode = Status(StatusCode::kCorruption,
                      "debt row " + std::to_string(rows.size() + 1) + ": " + d.status().message());
      return false;
    }
    old_keys.emplace_back(k);
    rows.push_back(std::move(*d));
    return true;
  });
  if (!scan.ok()) return scan;
  if (!decode.ok()) return decode;

  // Per shopper, the trips with a debt of their own: only their expired remainders were booked
  // under the legacy id. Matching against these (not stripping "-expired" from any id) keeps a
  // trip whose real id ends in "-expired" intact, and finds the trip of a shortened legacy id.
  std::map<std::string, std::vector<std::string>> own_debt_trips;
  for (const DebtRecord& r : rows) {
    if (DebtKindOf(r.cause) == DebtKind::kTrip) own_debt_trips[r.shopper_id].push_back(r.trip_id);
  }
  for (DebtRecord& r : rows) {
    r.kind = DebtKindOf(r.cause);
    if (r.kind != DebtKind::kExpired) continue;
    for (const std::string& trip : own_debt_trips[r.shopper_id]) {
      if (legacy::ExpiredDebtTripId(trip) == r.trip_id) {
        r.trip_id = trip;
        break;
      }
    }
  }

  for (const std::string& k : old_keys) {
    if (Status s = txn.Delete(Table::kDebts, k); !s.ok()) return s;
  }
  for (const DebtRecord& r : rows) {
    auto key = DebtKey(r.shopper_id, r.trip_id, r.kind);
    if (!key.ok()) return key.status();
    auto existing = txn.Get(Table::kDebts, *key);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      return Status(StatusCode::kCorruption, "two schema-2 debts of trip " + r.trip_id +
                                                 " would both be its " +
                                                 std::string(DebtKindName(r.kind)) + " debt");
    }
    if (Status s = txn.Put(Table::kDebts, *key, EncodeDebt(r)); !s.ok()) return s;
  }
  return Status::Ok();
}

// Rewrites the trips table in chunks: it holds every trip ever stored, and only a chunk of
// them needs to be in memory at a time. Keys do not change, so replacing values while walking
// the table in key order visits each row once.
Status ReencodeTrips(WriteTxn& txn) {
  constexpr size_t kChunk = 512;
  std::string after;  // the last key rewritten; "" before the first chunk
  for (;;) {
    std::vector<std::pair<std::string, std::string>> chunk;
    Status decode = Status::Ok();
    Status scan = txn.ScanFrom(Table::kTrips, after, [&](std::string_view k, std::string_view v) {
      if (!after.empty() && k == after) return true;  // ScanFrom starts at the key itself
      auto t = DecodeTripVersion1(v);
      if (!t.ok()) {
        decode = Status(StatusCode::kCorruption,
                        "trip '" + std::string(k) + "': " + t.status().message());
        return false;
      }
      chunk.emplace_back(std::string(k), EncodeTrip(*t));
      return chunk.size() < kChunk;
    });
    if (!scan.ok()) return scan;
    if (!decode.ok()) return decode;
    for (const auto& [key, value] : chunk) {
      if (Status s = txn.Put(Table::kTrips, key, value); !s.ok()) return s;
    }
    if (chunk.size() < kChunk) return Status::Ok();
    after = chunk.back().first;
  }
}

}  // namespace

// Schema 1 keyed decisions by trip and gate event, which scatters a batch of inserts over the
// whole table; schema 2 appends them by sequence (see DecisionRecord). Old rows keep their
// order of decision time.
Status RekeyDecisions(WriteTxn& txn) {
  std::vector<DecisionRecord> rows;
  std::vector<std::string> keys;
  Status decode = Status::Ok();
  Status scan = txn.Scan(Table::kDecisions, {}, [&](std::string_view k, std::string_view v) {
    auto d = DecodeDecision(k, v);
    if (!d.ok()) {
      decode = d.status();
      return false;
    }
    keys.emplace_back(k);
    rows.push_back(std::move(*d));
    return true;
  });
  if (!scan.ok()) return scan;
  if (!decode.ok()) return decode;
  for (const std::string& k : keys) {
    if (Status s = txn.Delete(Table::kDecisions, k); !s.ok()) return s;
  }
  std::stable_sort(rows.begin(), rows.end(), [](const DecisionRecord& a, const DecisionRecord& b) {
    return a.decided_ms < b.decided_ms;
  });
  uint64_t seq = 0;
  for (const DecisionRecord& r : rows) {
    if (Status s = txn.Append(Table::kDecisions, BigEndianKey(++seq), EncodeDecision(r)); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Status UpgradeToSchema3(WriteTxn& txn) {
  if (Status s = RekeyDebts(txn); !s.ok()) return s;
  return ReencodeTrips(txn);
}

// --- migrations -------------------------------------------------------------------------------

std::span<const Migration> Migrations() {
  static const Migration kMigrations[] = {
      {0, "create the version-1 tables (meta, shoppers, debts, decisions, audit)",
       [](WriteTxn& txn) { return txn.Put(Table::kMeta, kFormatKey, kFormatValue); }},
      // The tables themselves are created at open (every table of this build is opened with
      // MDB_CREATE); the step records that a version-1 store now has them.
      {1,
       "add the money-path tables (trips, purchases, outbox, open_trips); re-key decisions "
       "by sequence",
       [](WriteTxn& txn) { return RekeyDecisions(txn); }},
      {2,
       "re-key debts by shopper, trip and kind; trip records to version 2 (refund states as "
       "numbers, receipt flags)",
       [](WriteTxn& txn) { return UpgradeToSchema3(txn); }},
      // Tables only (created at open): a build before 4 must not open the store, since it
      // would change debts without queueing them for the chain.
      {3,
       "add the chain-ledger tables (chain_outbox, chain_keys, chain_held, "
       "chain_override_outbox, chain_override_keys)",
       [](WriteTxn&) { return Status::Ok(); }},
      // A table only; a build before 5 would not know to mail the receipts it queues.
      {4, "add the mail outbox (mail_outbox)", [](WriteTxn&) { return Status::Ok(); }},
      // The portal's tables; the index is derived from the trips already stored.
      {5,
       "add the shopper index and the portal tables (shopper_index, portal, chain_portal_outbox, "
       "chain_portal_keys); index the trips",
       [](WriteTxn& txn) { return IndexAllTrips(txn); }},
      // Derived from the shopper records; a build before 7 would write records without it.
      {6, "add the gate's index of shoppers with debt or an override (gate_shoppers); build it",
       [](WriteTxn& txn) { return IndexAllShoppers(txn); }},
      // Derived from the index; a build before 8 would index shoppers without it.
      {7, "add the gate's filter over its index (gate_filter); build it",
       [](WriteTxn& txn) { return BuildGateFilter(txn); }},
  };
  return kMigrations;
}

}  // namespace jwo::store
