#include "payments/expiry.h"

#include "core/log.h"
#include "ledger/ledger.h"
#include "store/codec.h"

namespace jwo::payments {

core::Result<ExpiryScan> ScanExpiry(const store::ReadTxn& txn, int64_t now, int64_t expiry_ms,
                                    int64_t alert_ms) {
  ExpiryScan out;
  core::Status s =
      txn.Scan(store::Table::kOpenTrips, {}, [&](std::string_view k, std::string_view v) {
        store::Decoder d(v);
        int64_t created = 0;
        if (!d.I64(created)) return true;
        const int64_t age = now - created;
        if (age >= expiry_ms) {
          out.overdue.emplace_back(k);
        } else if (age >= expiry_ms - alert_ms) {
          out.nearing.emplace_back(k);
        }
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

core::Status ExpireTrip(store::WriteTxn& txn, const std::string& trip_id,
                        const LifecyclePolicy& policy, int64_t now) {
  auto trip = LoadTrip(txn, trip_id);
  if (!trip.ok()) return trip.status();
  store::TripRecord& t = *trip;
  if (store::IsTerminal(t.state)) return SaveTrip(txn, t);  // keeps the index right
  std::vector<std::string> withdraw;
  core::Status scan =
      txn.Scan(store::Table::kOutbox, {}, [&](std::string_view k, std::string_view v) {
        auto e = store::DecodeOutbox(k, v);
        if (e.ok() && e->trip_id == trip_id &&
            (e->operation == store::Operation::kAdjust ||
             e->operation == store::Operation::kCapture ||
             e->operation == store::Operation::kCancel)) {
          withdraw.emplace_back(k);
        }
        return true;
      });
  if (!scan.ok()) return scan;
  for (const std::string& key : withdraw) {
    if (core::Status s = txn.Delete(store::Table::kOutbox, key); !s.ok()) return s;
  }
  int64_t owed = t.total - t.captured;
  // A partial capture may already have recorded part of this trip as debt (one record per
  // shopper and trip): only the rest is new, under the trip id with an "-expired" suffix.
  int64_t already = 0;
  if (!t.shopper_id.empty()) {
    auto debts = ledger::ListDebts(txn, t.shopper_id);
    if (!debts.ok()) return debts.status();
    for (const auto& d : *debts) {
      if (d.trip_id == t.trip_id) already += d.amount_minor;
    }
  }
  owed -= already;
  if (owed > 0 && !t.shopper_id.empty()) {
    store::DebtRecord d;
    d.shopper_id = t.shopper_id;
    d.trip_id = already > 0 ? t.trip_id + "-expired" : t.trip_id;
    d.amount_minor = owed;
    d.currency = t.currency.empty() ? "USD" : t.currency;
    d.cause = store::DebtCause::kExpiredPreAuth;
    d.origin_store = policy.store_id;
    d.created_ms = now;
    core::Status s = ledger::AddDebt(txn, d, now);
    if (!s.ok() && s.code() != core::StatusCode::kAlreadyExists) return s;
  }
  t.Record(now, "preauth_expired",
           std::to_string(owed) + " owed; " + std::to_string(withdraw.size()) + " calls withdrawn");
  t.state = store::TripState::kExpired;
  return SaveTrip(txn, t);
}

}  // namespace jwo::payments
