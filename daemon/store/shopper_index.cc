#include "store/shopper_index.h"

#include <charconv>

#include "core/ascii.h"
#include "core/ids.h"
#include "core/time_format.h"
#include "store/codec.h"

namespace jwo::store {
namespace {

using core::Status;

Status Corrupt(std::string_view key) {
  return Status(core::StatusCode::kCorruption,
                "shopper_index: row '" + std::string(key.substr(0, 80)) + "' does not decode");
}

std::string EmailRowKey(std::string_view hash, std::string_view trip) {
  return "e/" + std::string(hash) + "/" + std::string(trip);
}

// "<created ms> <shopper id>"
core::Result<IndexedTrip> DecodeEmailRow(std::string_view key, std::string_view value) {
  IndexedTrip t;
  // e/ + 64 hex + / + trip
  if (key.size() < 2 + 64 + 2 || key[2 + 64] != '/') return Corrupt(key);
  t.trip_id = std::string(key.substr(2 + 64 + 1));
  const size_t space = value.find(' ');
  if (space == std::string_view::npos) return Corrupt(key);
  auto [p, ec] = std::from_chars(value.data(), value.data() + space, t.created_ms);
  if (ec != std::errc() || p != value.data() + space) return Corrupt(key);
  t.shopper_id = std::string(value.substr(space + 1));
  return t;
}

std::string TripDate(const TripRecord& t) {
  return core::FormatUtc(t.start_ms != 0 ? t.start_ms : t.created_ms, "%Y-%m-%d");
}

}  // namespace

std::string EmailHash(std::string_view email) {
  return core::Sha256Hex(core::AsciiLowerCopy(email));
}

Status IndexTrip(WriteTxn& txn, const TripRecord& trip) {
  if (!trip.shopper_email.empty()) {
    if (Status s =
            txn.Put(Table::kShopperIndex, EmailRowKey(EmailHash(trip.shopper_email), trip.trip_id),
                    std::to_string(trip.created_ms) + " " + trip.shopper_id);
        !s.ok()) {
      return s;
    }
  }
  if (trip.state == TripState::kCaptured && trip.have_transactional_data) {
    if (Status s = txn.Put(Table::kShopperIndex, "d/" + TripDate(trip) + "/" + trip.trip_id, "");
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

core::Result<std::vector<IndexedTrip>> TripsForEmailHash(const ReadTxn& txn,
                                                         std::string_view email_hash) {
  std::vector<IndexedTrip> out;
  Status bad = Status::Ok();
  Status s = txn.Scan(Table::kShopperIndex, "e/" + std::string(email_hash) + "/",
                      [&](std::string_view k, std::string_view v) {
                        auto row = DecodeEmailRow(k, v);
                        if (!row.ok()) {
                          bad = row.status();
                          return false;
                        }
                        out.push_back(std::move(*row));
                        return true;
                      });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return out;
}

core::Result<std::vector<std::string>> TripsOnDate(const ReadTxn& txn, std::string_view date,
                                                   size_t limit) {
  std::vector<std::string> out;
  const std::string prefix = "d/" + std::string(date) + "/";
  Status s = txn.Scan(Table::kShopperIndex, prefix, [&](std::string_view k, std::string_view) {
    out.emplace_back(k.substr(prefix.size()));
    return out.size() < limit;
  });
  if (!s.ok()) return s;
  return out;
}

core::Result<std::vector<EmailRow>> EmailRowsBefore(const ReadTxn& txn, int64_t cutoff_ms,
                                                    size_t limit) {
  std::vector<EmailRow> out;
  Status bad = Status::Ok();
  Status s = txn.Scan(Table::kShopperIndex, "e/", [&](std::string_view k, std::string_view v) {
    auto row = DecodeEmailRow(k, v);
    if (!row.ok()) {
      bad = row.status();
      return false;
    }
    if (row->created_ms < cutoff_ms) {
      out.push_back({std::string(k.substr(2, 64)), std::move(*row)});
    }
    return out.size() < limit;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  return out;
}

Status EraseShopperEmail(WriteTxn& txn, std::string_view email_hash, std::string_view trip_id,
                         int64_t now_ms) {
  Status d = txn.Delete(Table::kShopperIndex, EmailRowKey(email_hash, trip_id));
  if (!d.ok() && d.code() != core::StatusCode::kNotFound) return d;
  auto bytes = txn.Get(Table::kTrips, trip_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) {
    return Status(core::StatusCode::kNotFound, "no trip " + std::string(trip_id));
  }
  auto trip = DecodeTrip(**bytes);
  if (!trip.ok()) return trip.status();
  if (trip->shopper_email.empty()) return Status::Ok();
  trip->shopper_email.clear();
  trip->Record(now_ms, "shopper_email_erased", "retention");
  return txn.Put(Table::kTrips, trip_id, EncodeTrip(*trip));
}

Status QueuePortalPublication(WriteTxn& txn, std::string_view bucket_key) {
  auto last = txn.Last(Table::kChainPortalOutbox);
  if (!last.ok()) return last.status();
  const uint64_t seq = last->has_value() ? FromBigEndianKey((*last)->first) + 1 : 1;
  return txn.Put(Table::kChainPortalOutbox, BigEndianKey(seq), bucket_key);
}

std::string ReceiptBucketKey(std::string_view store_id, std::string_view trip_id) {
  return "r." + std::string(store_id) + "." + std::string(trip_id);
}

Status IndexAllTrips(WriteTxn& txn) {
  Status bad = Status::Ok();
  std::vector<TripRecord> trips;
  Status s = txn.Scan(Table::kTrips, "", [&](std::string_view, std::string_view v) {
    auto t = DecodeTrip(v);
    if (!t.ok()) {
      bad = t.status();
      return false;
    }
    trips.push_back(std::move(*t));
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  for (const TripRecord& t : trips) {
    if (Status i = IndexTrip(txn, t); !i.ok()) return i;
  }
  return Status::Ok();
}

}  // namespace jwo::store
