// Loading and saving trips (declared in payments/lifecycle.h): the trip row, and what follows a
// trip's every save — the expiry watch's open_trips index and, with `ledger.portal: publish`,
// the trip's receipt for the chain's portal.
#include "payments/lifecycle.h"
#include "store/codec.h"
#include "store/shopper_index.h"

namespace jwo::payments {

using core::Status;
using store::TripState;

core::Result<store::TripRecord> LoadTrip(const store::ReadTxn& txn, std::string_view trip_id) {
  auto bytes = txn.Get(store::Table::kTrips, trip_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return core::NotFound("no trip " + std::string(trip_id));
  return store::DecodeTrip(**bytes);
}

core::Result<store::TripRecord> LoadTripHead(const store::ReadTxn& txn, std::string_view trip_id) {
  auto bytes = txn.Get(store::Table::kTrips, trip_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return core::NotFound("no trip " + std::string(trip_id));
  return store::DecodeTripHead(**bytes);
}

Status SaveTrip(store::WriteTxn& txn, const store::TripRecord& t) {
  if (Status s = txn.Put(store::Table::kTrips, t.trip_id, store::EncodeTrip(t)); !s.ok()) return s;
  // `ledger.portal: publish`: the chain's portal shows this trip's receipt and refunds.
  if (txn.publish_portal() && !t.shopper_email.empty()) {
    if (Status s =
            store::QueuePortalPublication(txn, store::ReceiptBucketKey(t.store_id, t.trip_id));
        !s.ok()) {
      return s;
    }
  }
  // open_trips indexes the trips whose money is not settled yet, so the pre-auth expiry watch
  // never has to read the whole trips table.
  // A trip whose Capture may have happened is not subject to expiry: it leaves the index.
  if (!store::IsTerminal(t.state) && t.state != TripState::kCaptureUnknown) {
    store::Encoder e;
    e.I64(t.created_ms);
    return txn.Put(store::Table::kOpenTrips, t.trip_id, e.bytes());
  }
  Status s = txn.Delete(store::Table::kOpenTrips, t.trip_id);
  return s.code() == core::StatusCode::kNotFound ? Status::Ok() : s;
}

}  // namespace jwo::payments
