// The records of the money path: a shopping trip with its payment state, the idempotency
// record of a Create Purchases request, and an entry of the durable outbox.
//
// Trips are large and nested (cart, priced lines, history, refunds, receipt data), change
// rarely, and are read by operators, so they are stored as a version byte followed by compact
// JSON (docs/store-format.md); outbox entries and purchase records use the binary codec of
// records.h. Plain values; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace jwo::store {

// Where a trip's money is. Terminal states: kCaptured, kDeclined, kCancelled, kExpired.
enum class TripState : uint8_t {
  kHeld = 1,        // bad cart: not charged, not dropped; waits for an operator
  kAdjusting = 2,   // Adjust (cart total) queued or in flight
  kCapturing = 3,   // Adjust APPROVED; Capture queued or in flight
  kCaptured = 4,    // money collected (receipt data fetched after)
  kDeclined = 5,    // Adjust DECLINED: the amount is a debt of the shopper
  kCancelling = 6,  // empty cart: Cancel queued or in flight
  kCancelled = 7,   // empty cart, pre-auth released
  kExpired = 8,     // pre-auth expired before the money was settled: the amount is a debt
  kAttention = 9,   // a permanent error (dead letter): an operator must look
  // A Capture was fully sent and its answer never came (timeout, reset, a crash before the
  // answer was committed). It may have taken the money: it is not sent again, the trip never
  // becomes debt by expiry, and an operator resolves it (`jwo-edgectl trip resolve TRIP
  // captured AMOUNT | not-captured`) after checking with Amazon.
  kCaptureUnknown = 10,
};
std::string_view TripStateName(TripState s);
bool IsTerminal(TripState s);

struct PricedLineRecord {
  std::string line_id, sku, name, quantity;
  int64_t unit_price = 0, gross = 0, discount = 0, tax = 0, total = 0;
  std::vector<std::string> promotions;
};

struct CartLineRecord {  // as Amazon sent it
  std::string line_id, item_id, item_type, quantity, unit;
  std::vector<std::string> upcs;
};

// Where a refund is. Money decisions compare these values, never display text: the number is
// what is stored (trip record version 2), RefundStateName only what operators see.
enum class RefundState : uint8_t {
  kPending = 1,  // queued or in flight (or a dead letter): its amount stays reserved
  kDone = 2,     // Amazon acknowledged it; counted in TripRecord::refunded
  kFailed = 3,   // given up (its dead letter was dropped): the amount is free again
};
// "pending", "done", "failed": the control API shows these; stable across releases.
std::string_view RefundStateName(RefundState s);

struct RefundRecord {
  std::string refund_request_id;  // UUID, reused on every retry
  int64_t amount = 0;
  std::string reason;
  std::string actor;
  int64_t requested_ms = 0;
  RefundState state = RefundState::kPending;
  std::string reconciliation_id;
};

struct HistoryEntry {
  int64_t at_ms = 0;
  std::string event;  // "created", "adjust_approved", "capture_sent", ...
  std::string detail;
};

struct TripRecord {
  std::string trip_id;  // idempotentShoppingTripId = Amazon's shopping trip id
  std::string store_id;
  std::string purchase_id;
  std::string request_id;
  std::string shopper_id;  // who pays: shopperIdentity.id, else the shopper of the F&A decision
  int64_t start_ms = 0, end_ms = 0, created_ms = 0;
  std::vector<std::string> auth_event_ids;
  std::vector<CartLineRecord> cart;
  std::vector<PricedLineRecord> priced;
  std::vector<std::string> unpriced;  // "line L: unknown SKU X" — why the trip is held
  std::string currency;
  int64_t subtotal = 0, discount = 0, tax = 0, total = 0;
  TripState state = TripState::kAdjusting;
  int64_t authorized = 0;  // from Adjust APPROVED
  int64_t captured = 0;    // Capture sent and acknowledged
  int64_t refunded = 0;    // sum of acknowledged refunds
  std::vector<RefundRecord> refunds;
  std::string transactional_data;  // Get Transactional Data answer (JSON text), for the receipt
  std::string shopper_email;       // Get Shopper Identity answer; never logged
  // Set when the Get Transactional Data / Get Shopper Identity answer is applied. Decisions
  // read these flags, never the history: history wording is for people and may change.
  bool have_transactional_data = false;
  bool have_shopper_identity = false;
  // Everything the receipt needs is here; derived from the two flags when an answer is applied.
  bool receipt_complete = false;
  // Get Shopper Identity is queued (after a capture, or when the trip became debt: the shopper
  // signs in to the portal with that address). Absent in records before schema 6: false.
  bool identity_requested = false;
  std::vector<HistoryEntry> history;  // for operators; nothing decides on its wording

  // Set by DecodeTripHead only: the record's "cart" and "priced" members exactly as stored
  // (`"cart":[...],"priced":[...]`), which that decoder does not decode; `cart` and `priced` are
  // then empty and EncodeTrip writes this text back unchanged. The payment lifecycle applies an
  // answer to a trip without reading its lines: a 1,000-line trip cost it milliseconds to decode
  // and encode per answer (docs/performance.md, "Create Purchases latency").
  std::string stored_lines;

  void Record(int64_t at_ms, std::string event, std::string detail = {});
};

// Trip record version 2 (schema 3): version byte + compact JSON (docs/store-format.md). A trip
// read by DecodeTripHead (stored_lines set, cart and priced empty) gets its stored lines back
// byte for byte; REQUIRES: such a trip's cart and priced stay empty (its lines are not edited).
std::string EncodeTrip(const TripRecord& t);
// Decodes record version 2. kCorruption for another version byte, bad JSON, a missing required
// member, a wrong type or an out-of-range state.
core::Result<TripRecord> DecodeTrip(std::string_view bytes);
// As DecodeTrip, but the "cart" and "priced" members are kept as text in stored_lines instead of
// decoded: the cost no longer grows with the cart. For code that never reads the lines (the
// payment lifecycle); SaveTrip/EncodeTrip write them back. Same errors as DecodeTrip; the lines'
// text is checked only to be where the record's layout puts it (EncodeTrip's member order), and
// a record laid out otherwise is decoded whole.
core::Result<TripRecord> DecodeTripHead(std::string_view bytes);
// Moves `t`'s cart and priced lines into stored_lines, as the text EncodeTrip writes for them
// (cart and priced are left empty): a trip built on the purchase worker takes its lines there
// as text, and the store's one writer thread only copies them.
void HoldLinesAsText(TripRecord& t);
// Decodes a schema-2 trip (record version 1), for the 2->3 migration only. Version 1 stored
// refund states as names ("pending", "done", "failed"; anything else is kCorruption) and had no
// receipt flags: have_transactional_data is derived from a non-empty transactional_data, and
// have_shopper_identity from a "shopper_identity" history event, the only place where history
// wording is read. Errors as DecodeTrip.
core::Result<TripRecord> DecodeTripVersion1(std::string_view bytes);

// purchases: idempotentShoppingTripId -> what was answered, and a digest of the cart, so a
// repeat gets the same answer and a repeat with a different cart is noticed.
struct PurchaseRecord {
  std::string trip_id;
  std::string purchase_id;  // "" for an empty cart
  std::string response_body;
  std::string cart_digest;  // hex SHA-256 of the canonical cart
  int64_t created_ms = 0;
};
std::string EncodePurchase(const PurchaseRecord& p);
core::Result<PurchaseRecord> DecodePurchase(std::string_view bytes);

// outbox: big-endian u64 sequence -> one Payment Service call, body exactly as it will be sent.
enum class Operation : uint8_t {
  kAdjust = 1,
  kCapture = 2,
  kCancel = 3,
  kRefund = 4,
  kReportPaymentStatus = 5,
  kGetTransactionalData = 6,
  kGetShopperIdentity = 7,
};
std::string_view OperationName(Operation op);  // "adjust", "capture", ...
std::string_view OperationPath(Operation op);  // "/v1/adjust/charge", ...

struct OutboxEntry {
  uint64_t sequence = 0;  // the key
  Operation operation = Operation::kAdjust;
  std::string trip_id;
  std::string body;  // exact JSON request body
  uint32_t attempts = 0;
  int64_t created_ms = 0;
  int64_t next_attempt_ms = 0;
  std::string last_error;
  bool dead = false;  // a permanent failure: waits for an operator (retry or drop)
  // A Capture whose outcome is unknown (see TripState::kCaptureUnknown): kept, never sent
  // again by the dispatcher, until an operator resolves the trip.
  bool outcome_unknown = false;
  // Set (committed) before a Capture's bytes go out, cleared when its attempt ends with a
  // known outcome. Found set at start-up, it means the daemon stopped while the Capture was on
  // the wire: its outcome is unknown. 0 = no attempt on the wire.
  int64_t attempt_started_ms = 0;

  bool live() const { return !dead && !outcome_unknown; }
};
std::string EncodeOutbox(const OutboxEntry& e);
core::Result<OutboxEntry> DecodeOutbox(std::string_view key, std::string_view bytes);

}  // namespace jwo::store
