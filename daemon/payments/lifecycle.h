// The payment state machine of a trip (docs/payments.md), as functions that run inside the
// caller's write transaction: every transition commits together with the outbox entries it
// creates and the debt it records (transactional outbox), so a crash can never leave a trip
// whose next call is lost or whose decline was not recorded.
//
//   created ── empty cart ──► Cancel ──► cancelled
//      │ (unknown SKU) held ── operator resolves ─┐
//      └──────────────► Adjust(total) ◄───────────┘
//                         ├─ APPROVED ─► Capture ─► captured ─► GetTransactionalData,
//                         │                                     GetShopperIdentity,
//                         │                                     [ReportPaymentStatus]
//                         ├─ DECLINED ─► debt recorded ─► declined ─► [ReportPaymentStatus 0]
//                         └─ PENDING ──► Adjust again later (same request)
//   any 400 ─► the entry becomes a dead letter; a trip not yet settled goes to "attention".
//
// Pure with respect to the outside world: no I/O besides the transaction. Thread-compatible
// (the writer thread runs them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/env.h"
#include "store/records.h"
#include "store/trip_record.h"

namespace jwo::payments {

struct LifecyclePolicy {
  std::string store_id;
  bool report_payment_status = false;  // amazon_managed: report every terminal outcome
  bool partial_capture = true;         // capture what was authorized when it is below the total
  // `mail:` is configured: a trip whose receipt completes (captured, transactional data and
  // shopper e-mail applied) queues its receipt mail in the same transaction.
  bool queue_receipts = false;
};

// Appends an outbox entry for `trip_id` with the next sequence number. Returns the sequence.
core::Result<uint64_t> Enqueue(store::WriteTxn& txn, store::Operation op, std::string_view trip_id,
                               std::string body, int64_t now_ms);

// Saves a new trip and starts its lifecycle: a held trip just waits; an empty cart queues a
// Cancel; otherwise an Adjust for the cart total.
core::Status StartTrip(store::WriteTxn& txn, store::TripRecord& trip, const LifecyclePolicy& policy,
                       int64_t now_ms);

// Queues Get Shopper Identity for the trip once (trip.identity_requested), for an id Amazon's
// API accepts: after a capture (the receipt's address) and when the trip becomes debt (the
// address the shopper signs in to the portal with). The caller saves the trip.
core::Status QueueShopperIdentity(store::WriteTxn& txn, store::TripRecord& trip,
                                  const LifecyclePolicy& policy, int64_t now_ms);

// A debt of a trip this store booked was settled — here, in another store, or in the portal
// (the chain ledger says so): in amazon_managed mode (policy.report_payment_status), queues
// Report Payment Status for the trip with settledAmount = what was captured plus every settled
// debt of the trip, so Amazon admits the shopper again. A debt without a trip record here (an
// operator's manual debt) has nothing to report. Store errors only.
core::Status QueueDebtSettledReport(store::WriteTxn& txn, const store::DebtRecord& debt,
                                    const LifecyclePolicy& policy, int64_t now_ms);

// What the dispatcher should do with an outbox entry after an answer from the Payment Service.
enum class AnswerVerdict {
  kDone,       // the entry is consumed; the trip moved on (committed in this transaction)
  kRetry,      // transient: keep the entry and send the same request again later
  kDeadLetter  // permanent (any 4xx other than 401/403/408/429): kept as a dead letter
};

// Why an entry is sent again. Typed, so that retry timing never depends on message wording.
enum class RetryReason : uint8_t {
  kNone = 0,
  kTransport,           // connection, TLS or write failure before the request was wholly sent
  kThrottled,           // 429
  kServiceUnavailable,  // 503
  kServerError,         // another 5xx
  kAuthRefused,         // 401, 403 (credentials, clock skew)
  kRequestTimeout,      // 408
  kPending,             // Adjust answered PENDING: ask again after pending_retry_ms
  kUnreadableAnswer,    // a 2xx whose body we cannot read
  kUnknownStatus,       // an Adjust status we do not know
  kOutcomeUnknown,      // wholly sent, no answer; repeatable (every call but Capture under hold)
  kStoreBusy,           // the answer could not be committed (writer full or store error)
};
std::string_view RetryReasonName(RetryReason r);

struct AnswerOutcome {
  AnswerVerdict verdict = AnswerVerdict::kDone;
  RetryReason reason = RetryReason::kNone;  // kRetry only
  std::string detail;                       // kRetry / kDeadLetter: for logs and last_error
};

// Applies a definitive HTTP answer to entry `e` inside `txn`: deletes or updates the entry,
// updates the trip, records debt, queues what follows. Store errors come back as the Status
// of the Result; so does an answer that contradicts the trip (kDataLoss, see the .cc), which
// leaves the store unchanged.
core::Result<AnswerOutcome> ApplyAnswer(store::WriteTxn& txn, const store::OutboxEntry& e,
                                        int http_status, std::string_view body,
                                        const LifecyclePolicy& policy, int64_t now_ms);

// A Capture answered 2xx after its outbox entry was withdrawn (dropped by an operator while on
// the wire): the money was taken, so the trip records the capture, any expired-pre-auth debt of
// the trip is settled, and the trip is left in `attention` for an operator to review.
core::Status ApplyOrphanCapture(store::WriteTxn& txn, const store::OutboxEntry& sent,
                                int64_t now_ms);

// Body builders (exact decimals in the currency's digits).
std::string AdjustBody(const std::string& store_id, const store::TripRecord& t);
std::string CaptureBody(const std::string& store_id, const store::TripRecord& t, int64_t amount);
std::string CancelBody(const std::string& store_id, const store::TripRecord& t);
std::string RefundBody(const std::string& store_id, const store::TripRecord& t,
                       const store::RefundRecord& r);
std::string PaymentStatusBody(const std::string& store_id, const store::TripRecord& t,
                              int64_t settled, int64_t at_ms);

// The amount (minor units of the trip's currency) of a request we built, e.g. a Capture.
// kCorruption when the stored body carries none: never guessed.
core::Result<int64_t> SentAmount(std::string_view sent_body, const store::TripRecord& t);

// Marks the pending refund whose request `sent_body` carries as failed (its dead-letter entry
// was dropped by an operator), which frees its amount for another refund.
void MarkRefundFailed(store::TripRecord& t, std::string_view sent_body);

// Reads and writes a trip record. kNotFound when absent.
core::Result<store::TripRecord> LoadTrip(const store::ReadTxn& txn, std::string_view trip_id);
// The trip without its cart and priced lines (store::DecodeTripHead: kept as stored text, which
// SaveTrip writes back): what the lifecycle reads to apply an answer, at a cost that does not
// grow with the cart. REQUIRES: the caller neither reads nor edits `cart` and `priced`.
core::Result<store::TripRecord> LoadTripHead(const store::ReadTxn& txn, std::string_view trip_id);
core::Status SaveTrip(store::WriteTxn& txn, const store::TripRecord& t);

}  // namespace jwo::payments
