#include "payments/expiry.h"

#include "core/log.h"
#include "core/money.h"
#include "ledger/ledger.h"
#include "payments/outbox_commits.h"
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

core::Result<std::vector<std::string>> ExpireTrips(store::WriteTxn& txn,
                                                   const std::vector<std::string>& trip_ids,
                                                   const LifecyclePolicy& policy, int64_t now) {
  struct Calls {
    std::vector<std::string> withdraw;      // outbox keys
    std::vector<uint64_t> capture_on_wire;  // Captures started and unanswered, or held
  };
  std::unordered_map<std::string, Calls> calls;
  for (const std::string& id : trip_ids) calls.emplace(id, Calls{});
  core::Status decode = core::Status::Ok();
  core::Status scan =
      txn.Scan(store::Table::kOutbox, {}, [&](std::string_view k, std::string_view v) {
        auto e = store::DecodeOutbox(k, v);
        if (!e.ok()) {
          // An undecodable row could be this trip's Capture: expiring blind could book debt
          // for money that was taken. Stop; the operator sees the error.
          decode = e.status();
          return false;
        }
        auto it = calls.find(e->trip_id);
        if (it == calls.end()) return true;
        if (e->operation == store::Operation::kCapture &&
            (e->attempt_started_ms != 0 || e->outcome_unknown)) {
          it->second.capture_on_wire.push_back(e->sequence);
        }
        if (e->operation == store::Operation::kAdjust ||
            e->operation == store::Operation::kCapture ||
            e->operation == store::Operation::kCancel) {
          it->second.withdraw.emplace_back(k);
        }
        return true;
      });
  if (!scan.ok()) return scan;
  if (!decode.ok()) return decode;

  std::vector<std::string> expired;
  for (const std::string& trip_id : trip_ids) {
    auto trip = LoadTripHead(txn, trip_id);
    if (!trip.ok()) return trip.status();
    store::TripRecord& t = *trip;
    if (store::IsTerminal(t.state) || t.state == store::TripState::kCaptureUnknown) {
      if (core::Status s = SaveTrip(txn, t); !s.ok()) return s;  // keeps the index right
      continue;
    }
    const Calls& c = calls[trip_id];
    if (!c.capture_on_wire.empty()) {
      if (core::Status s =
              HoldUnknownCapture(txn, c.capture_on_wire.front(),
                                 "pre-auth expiry found the Capture started and unanswered", now);
          !s.ok()) {
        return s;
      }
      continue;
    }
    for (const std::string& key : c.withdraw) {
      if (core::Status s = txn.Delete(store::Table::kOutbox, key); !s.ok()) return s;
    }
    // A partial capture or a partly declined Adjust may already have booked part of this
    // trip as debt: only the rest is new. An operator's manual debt is not part of the trip.
    int64_t already = 0;
    if (!t.shopper_id.empty()) {
      auto debts = ledger::ListTripDebts(txn, t.shopper_id, t.trip_id);
      if (!debts.ok()) return debts.status();
      for (const auto& d : *debts) {
        if (d.kind != store::DebtKind::kManual) already += d.amount.minor;
      }
    }
    const int64_t owed = t.total - t.captured - already;
    if (owed > 0 && !t.shopper_id.empty()) {
      store::DebtRecord d;
      d.shopper_id = t.shopper_id;
      d.trip_id = t.trip_id;
      d.kind = store::DebtKind::kExpired;
      d.amount = {owed, core::FindCurrency(t.currency).value_or(core::Currency{})};
      d.cause = store::DebtCause::kExpiredPreAuth;
      d.origin_store = policy.store_id;
      d.created_ms = now;
      core::Status s = ledger::AddDebt(txn, d, now);
      if (!s.ok() && s.code() != core::StatusCode::kAlreadyExists) return s;
      if (s = QueueShopperIdentity(txn, t, policy, now); !s.ok()) return s;
    } else if (owed > 0) {
      t.Record(now, "debt_unattributed", "no shopper id for this trip; " + std::to_string(owed));
    }
    t.Record(now, "preauth_expired",
             std::to_string(std::max<int64_t>(owed, 0)) + " owed; " +
                 std::to_string(c.withdraw.size()) + " calls withdrawn");
    t.state = store::TripState::kExpired;
    if (core::Status s = SaveTrip(txn, t); !s.ok()) return s;
    expired.push_back(trip_id);
  }
  return expired;
}

}  // namespace jwo::payments
