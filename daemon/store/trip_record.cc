#include "store/trip_record.h"

#include <algorithm>
#include <boost/json.hpp>

#include "store/codec.h"

namespace jwo::store {
namespace {

namespace json = boost::json;
using core::Status;
using core::StatusCode;

constexpr uint8_t kTripVersion = 2;
constexpr uint8_t kTripVersion1 = 1;  // schema 2: read by the migration only
constexpr uint8_t kV1 = 1;
constexpr uint8_t kOutboxV2 = 2;

Status Bad(std::string_view what) {
  return Status(StatusCode::kCorruption, std::string(what) + " record does not decode");
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// Readers that tolerate absent members (older writers) and throw on a wrong type; DecodeTrip
// turns any throw into kCorruption.
std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v == nullptr ? std::string() : std::string(v->as_string());
}
int64_t Int(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v == nullptr ? 0 : v->to_number<int64_t>();
}
std::vector<std::string> StrList(const json::object& o, std::string_view k) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(k)) {
    for (const auto& s : v->as_array()) out.emplace_back(s.as_string());
  }
  return out;
}
bool Bool(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr && v->as_bool();
}

// Version 1 named refund states; anything else was never written.
bool RefundStateFromName(std::string_view name, RefundState& out) {
  for (RefundState s : {RefundState::kPending, RefundState::kDone, RefundState::kFailed}) {
    if (RefundStateName(s) == name) {
      out = s;
      return true;
    }
  }
  return false;
}

// The members of versions 1 and 2 are the same except for the refund state (a name in
// version 1, the RefundState number in version 2) and the receipt flags (version 2).
core::Result<TripRecord> DecodeTripJson(std::string_view bytes, uint8_t version) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != version) return Bad("trip");
  TripRecord t;
  try {
    const json::value doc = json::parse(json::string_view(bytes.data() + 1, bytes.size() - 1));
    const json::object& o = doc.as_object();
    t.trip_id = Str(o, "trip");
    t.store_id = Str(o, "store");
    t.purchase_id = Str(o, "purchase");
    t.request_id = Str(o, "request");
    t.shopper_id = Str(o, "shopper");
    t.start_ms = Int(o, "start");
    t.end_ms = Int(o, "end");
    t.created_ms = Int(o, "created");
    t.auth_event_ids = StrList(o, "auth_events");
    for (const auto& v : o.at("cart").as_array()) {
      const auto& l = v.as_object();
      t.cart.push_back({Str(l, "line"), Str(l, "id"), Str(l, "type"), Str(l, "qty"), Str(l, "unit"),
                        StrList(l, "upcs")});
    }
    for (const auto& v : o.at("priced").as_array()) {
      const auto& l = v.as_object();
      t.priced.push_back({Str(l, "line"), Str(l, "sku"), Str(l, "name"), Str(l, "qty"),
                          Int(l, "unit_price"), Int(l, "gross"), Int(l, "discount"), Int(l, "tax"),
                          Int(l, "total"), StrList(l, "promotions")});
    }
    t.unpriced = StrList(o, "unpriced");
    t.currency = Str(o, "currency");
    t.subtotal = Int(o, "subtotal");
    t.discount = Int(o, "discount");
    t.tax = Int(o, "tax");
    t.total = Int(o, "total");
    const int64_t state = Int(o, "state");
    if (state < 1 || state > 10) return Bad("trip");
    t.state = static_cast<TripState>(state);
    t.authorized = Int(o, "authorized");
    t.captured = Int(o, "captured");
    t.refunded = Int(o, "refunded");
    for (const auto& v : o.at("refunds").as_array()) {
      const auto& r = v.as_object();
      RefundState state = RefundState::kPending;
      if (version == kTripVersion1) {
        if (!RefundStateFromName(Str(r, "state"), state)) return Bad("trip");
      } else {
        const int64_t n = Int(r, "state");
        if (n < 1 || n > 3) return Bad("trip");
        state = static_cast<RefundState>(n);
      }
      t.refunds.push_back({Str(r, "id"), Int(r, "amount"), Str(r, "reason"), Str(r, "actor"),
                           Int(r, "requested"), state, Str(r, "reconciliation")});
    }
    t.transactional_data = Str(o, "transactional_data");
    t.shopper_email = Str(o, "shopper_email");
    if (version != kTripVersion1) {
      t.have_transactional_data = Bool(o, "have_transactional_data");
      t.have_shopper_identity = Bool(o, "have_shopper_identity");
    }
    t.receipt_complete = Bool(o, "receipt_complete");
    t.identity_requested = Bool(o, "identity_requested");  // absent before schema 6: false
    for (const auto& v : o.at("history").as_array()) {
      const auto& h = v.as_object();
      t.history.push_back({Int(h, "at"), Str(h, "event"), Str(h, "detail")});
    }
  } catch (const std::exception&) {
    return Bad("trip");
  }
  return t;
}

}  // namespace

std::string_view RefundStateName(RefundState s) {
  switch (s) {
    case RefundState::kPending:
      return "pending";
    case RefundState::kDone:
      return "done";
    case RefundState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string_view TripStateName(TripState s) {
  switch (s) {
    case TripState::kHeld:
      return "held";
    case TripState::kAdjusting:
      return "adjusting";
    case TripState::kCapturing:
      return "capturing";
    case TripState::kCaptured:
      return "captured";
    case TripState::kDeclined:
      return "declined";
    case TripState::kCancelling:
      return "cancelling";
    case TripState::kCancelled:
      return "cancelled";
    case TripState::kExpired:
      return "expired";
    case TripState::kAttention:
      return "attention";
    case TripState::kCaptureUnknown:
      return "capture_unknown";
  }
  return "unknown";
}

bool IsTerminal(TripState s) {
  return s == TripState::kCaptured || s == TripState::kDeclined || s == TripState::kCancelled ||
         s == TripState::kExpired;
}

void TripRecord::Record(int64_t at_ms, std::string event, std::string detail) {
  history.push_back({at_ms, std::move(event), std::move(detail)});
}

std::string EncodeTrip(const TripRecord& t) {
  json::array cart;
  for (const auto& l : t.cart) {
    cart.push_back(json::object{{"line", l.line_id},
                                {"id", l.item_id},
                                {"type", l.item_type},
                                {"qty", l.quantity},
                                {"unit", l.unit},
                                {"upcs", Strings(l.upcs)}});
  }
  json::array priced;
  for (const auto& l : t.priced) {
    priced.push_back(json::object{{"line", l.line_id},
                                  {"sku", l.sku},
                                  {"name", l.name},
                                  {"qty", l.quantity},
                                  {"unit_price", l.unit_price},
                                  {"gross", l.gross},
                                  {"discount", l.discount},
                                  {"tax", l.tax},
                                  {"total", l.total},
                                  {"promotions", Strings(l.promotions)}});
  }
  json::array refunds;
  for (const auto& r : t.refunds) {
    refunds.push_back(json::object{{"id", r.refund_request_id},
                                   {"amount", r.amount},
                                   {"reason", r.reason},
                                   {"actor", r.actor},
                                   {"requested", r.requested_ms},
                                   {"state", static_cast<int>(r.state)},
                                   {"reconciliation", r.reconciliation_id}});
  }
  json::array history;
  for (const auto& h : t.history) {
    history.push_back(json::object{{"at", h.at_ms}, {"event", h.event}, {"detail", h.detail}});
  }
  json::object o{{"trip", t.trip_id},
                 {"store", t.store_id},
                 {"purchase", t.purchase_id},
                 {"request", t.request_id},
                 {"shopper", t.shopper_id},
                 {"start", t.start_ms},
                 {"end", t.end_ms},
                 {"created", t.created_ms},
                 {"auth_events", Strings(t.auth_event_ids)},
                 {"cart", cart},
                 {"priced", priced},
                 {"unpriced", Strings(t.unpriced)},
                 {"currency", t.currency},
                 {"subtotal", t.subtotal},
                 {"discount", t.discount},
                 {"tax", t.tax},
                 {"total", t.total},
                 {"state", static_cast<int>(t.state)},
                 {"authorized", t.authorized},
                 {"captured", t.captured},
                 {"refunded", t.refunded},
                 {"refunds", refunds},
                 {"transactional_data", t.transactional_data},
                 {"shopper_email", t.shopper_email},
                 {"have_transactional_data", t.have_transactional_data},
                 {"have_shopper_identity", t.have_shopper_identity},
                 {"receipt_complete", t.receipt_complete},
                 {"identity_requested", t.identity_requested},
                 {"history", history}};
  std::string out(1, static_cast<char>(kTripVersion));
  out += json::serialize(o);
  return out;
}

core::Result<TripRecord> DecodeTrip(std::string_view bytes) {
  return DecodeTripJson(bytes, kTripVersion);
}

core::Result<TripRecord> DecodeTripVersion1(std::string_view bytes) {
  auto t = DecodeTripJson(bytes, kTripVersion1);
  if (!t.ok()) return t;
  t->have_transactional_data = !t->transactional_data.empty();
  t->have_shopper_identity =
      std::any_of(t->history.begin(), t->history.end(),
                  [](const HistoryEntry& h) { return h.event == "shopper_identity"; });
  return t;
}

std::string EncodePurchase(const PurchaseRecord& p) {
  Encoder e;
  e.U8(kV1);
  e.Str(p.trip_id);
  e.Str(p.purchase_id);
  e.Str(p.response_body);
  e.Str(p.cart_digest);
  e.I64(p.created_ms);
  return e.Take();
}

core::Result<PurchaseRecord> DecodePurchase(std::string_view bytes) {
  Decoder d(bytes);
  PurchaseRecord p;
  uint8_t v = 0;
  if (!d.U8(v) || v != kV1 || !d.Str(p.trip_id) || !d.Str(p.purchase_id) ||
      !d.Str(p.response_body) || !d.Str(p.cart_digest) || !d.I64(p.created_ms) || !d.done()) {
    return Bad("purchase");
  }
  return p;
}

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kAdjust:
      return "adjust";
    case Operation::kCapture:
      return "capture";
    case Operation::kCancel:
      return "cancel";
    case Operation::kRefund:
      return "refund";
    case Operation::kReportPaymentStatus:
      return "report_payment_status";
    case Operation::kGetTransactionalData:
      return "get_transactional_data";
    case Operation::kGetShopperIdentity:
      return "get_shopper_identity";
  }
  return "unknown";
}

std::string_view OperationPath(Operation op) {
  switch (op) {
    case Operation::kAdjust:
      return "/v1/adjust/charge";
    case Operation::kCapture:
      return "/v1/capture/charge";
    case Operation::kCancel:
      return "/v1/cancel/charge";
    case Operation::kRefund:
      return "/v1/refund";
    case Operation::kReportPaymentStatus:
      return "/v1/feedback/payment-status";
    case Operation::kGetTransactionalData:
      return "/v1/payment/transactional-data";
    case Operation::kGetShopperIdentity:
      return "/v1/identity/shopper";
  }
  return "/";
}

std::string EncodeOutbox(const OutboxEntry& e) {
  Encoder enc;
  enc.U8(kOutboxV2);
  enc.U8(static_cast<uint8_t>(e.operation));
  enc.Str(e.trip_id);
  // Bodies can exceed the u16 string limit in principle; store them length-prefixed with u32.
  enc.U32(static_cast<uint32_t>(e.body.size()));
  enc.Raw(e.body);
  enc.U32(e.attempts);
  enc.I64(e.created_ms);
  enc.I64(e.next_attempt_ms);
  enc.Str(e.last_error.substr(0, 1024));
  enc.U8(e.dead ? 1 : 0);
  enc.U8(e.outcome_unknown ? 1 : 0);
  enc.I64(e.attempt_started_ms);
  return enc.Take();
}

core::Result<OutboxEntry> DecodeOutbox(std::string_view key, std::string_view bytes) {
  if (key.size() != 8) return Bad("outbox key");
  OutboxEntry e;
  e.sequence = FromBigEndianKey(key);
  Decoder d(bytes);
  uint8_t v = 0, op = 0, dead = 0;
  uint32_t body_len = 0;
  std::string_view body;
  uint8_t unknown = 0;
  if (!d.U8(v) || (v != kV1 && v != kOutboxV2) || !d.U8(op) || op < 1 || op > 7 ||
      !d.Str(e.trip_id) || !d.U32(body_len) || !d.Raw(body_len, body) || !d.U32(e.attempts) ||
      !d.I64(e.created_ms) || !d.I64(e.next_attempt_ms) || !d.Str(e.last_error) || !d.U8(dead)) {
    return Bad("outbox");
  }
  // Version 2 adds what the dispatcher needs to never send a Capture twice.
  if (v == kOutboxV2 && (!d.U8(unknown) || !d.I64(e.attempt_started_ms) || unknown > 1)) {
    return Bad("outbox");
  }
  if (!d.done()) return Bad("outbox");  // trailing bytes: not something we wrote
  e.outcome_unknown = unknown != 0;
  e.operation = static_cast<Operation>(op);
  e.body.assign(body);
  e.dead = dead != 0;
  return e;
}

}  // namespace jwo::store
