// Pre-authorisation expiry (architecture.md §7): a trip whose money is still unsettled near the
// configured horizon raises an alert; past it, the trip's amount becomes debt with cause
// "expired pre-auth" and its pending Adjust/Capture/Cancel calls are withdrawn (a late Capture
// on an expired authorisation would fail anyway, and must not race the debt).
//
// Works on the `open_trips` index, which holds only unsettled trips. Functions run inside the
// caller's transaction; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "payments/lifecycle.h"
#include "store/env.h"

namespace jwo::payments {

struct ExpiryScan {
  std::vector<std::string> nearing;  // within `alert_ms` of expiring
  std::vector<std::string> overdue;  // past the horizon
};

// Classifies the unsettled trips at `now_ms` for a horizon of `expiry_ms` after creation.
core::Result<ExpiryScan> ScanExpiry(const store::ReadTxn& txn, int64_t now_ms, int64_t expiry_ms,
                                    int64_t alert_ms);

// Expires the overdue trips `trip_ids` in one pass over the outbox (work proportional to the
// outbox plus the trips, not their product): state `expired`, what is still owed (total minus
// captured minus debt already booked for the trip) recorded as the shopper's debt (cause
// expired_preauth), their pending Adjust/Capture/Cancel entries withdrawn. Left alone: a trip
// that settled meanwhile, and one whose Capture may have happened — held (capture_unknown) or
// started on the wire before a crash, which is held now: an unknown capture never becomes debt.
// Returns the trips that expired.
core::Result<std::vector<std::string>> ExpireTrips(store::WriteTxn& txn,
                                                   const std::vector<std::string>& trip_ids,
                                                   const LifecyclePolicy& policy, int64_t now_ms);

}  // namespace jwo::payments
