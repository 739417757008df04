// The shopper index (table shopper_index, schema 6): how the portal finds a shopper's trips
// without reading every trip. Two kinds of rows, both derived from trips and rebuilt from them
// by the 5->6 migration:
//
//   "e/" hex SHA-256(lower-case e-mail) "/" trip id -> "<trip created ms> <shopper id>"
//       written when Get Shopper Identity gave the trip an address; erased with the address
//       (retention, EraseShopperEmail). Sign-in by e-mail reads these.
//   "d/" YYYY-MM-DD (UTC, of the trip's start) "/" trip id -> ""
//       written once a captured trip has its transactional data (its receipt can be shown).
//       Receipt-only access by date, last four and amount reads these. No personal data.
//
// Functions take the caller's transaction; as thread-safe as it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/env.h"
#include "store/trip_record.h"

namespace jwo::store {

// Hex SHA-256 of the address in ASCII lower case: the same shopper typing Ann@Example.com and
// ann@example.com finds the same trips.
std::string EmailHash(std::string_view email);

// Writes the rows the trip qualifies for (idempotent: a repeat rewrites the same rows).
core::Status IndexTrip(WriteTxn& txn, const TripRecord& trip);

struct IndexedTrip {
  std::string trip_id;
  std::string shopper_id;
  int64_t created_ms = 0;
};

// Every trip whose address has EmailHash `email_hash`, in trip id order. kCorruption for a row
// that does not decode.
core::Result<std::vector<IndexedTrip>> TripsForEmailHash(const ReadTxn& txn,
                                                         std::string_view email_hash);

// Trip ids whose receipt can be shown and that started on `date` (YYYY-MM-DD, UTC), at most
// `limit`.
core::Result<std::vector<std::string>> TripsOnDate(const ReadTxn& txn, std::string_view date,
                                                   size_t limit);

// E-mail rows of trips created before `cutoff_ms`, at most `limit`, as (address hash, trip).
struct EmailRow {
  std::string email_hash;
  IndexedTrip trip;
};
core::Result<std::vector<EmailRow>> EmailRowsBefore(const ReadTxn& txn, int64_t cutoff_ms,
                                                    size_t limit);

// Erases the trip's shopper address and its index row, with a line in the trip's history.
// A trip without an address only loses a stale row. kNotFound for an unknown trip.
core::Status EraseShopperEmail(WriteTxn& txn, std::string_view email_hash, std::string_view trip_id,
                               int64_t now_ms);

// Queues `bucket_key` in chain_portal_outbox for the chain's portal bucket (chain_portal.h).
core::Status QueuePortalPublication(WriteTxn& txn, std::string_view bucket_key);
// "r.<store id>.<trip id>": where a trip's receipt lives in the portal bucket.
std::string ReceiptBucketKey(std::string_view store_id, std::string_view trip_id);

// The 5->6 migration: indexes every stored trip.
core::Status IndexAllTrips(WriteTxn& txn);

}  // namespace jwo::store
