#include "store/trip_record.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/json_writer.h"
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
// `lines`: the record has its "cart" and "priced" members (false: DecodeTripHead cut them out).
core::Result<TripRecord> DecodeTripJson(std::string_view bytes, uint8_t version,
                                        bool lines = true) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != version) return Bad("trip");
  TripRecord t;
  try {
    // The tree lives only while the record is copied out: a monotonic resource (a stack buffer,
    // then a few growing blocks) instead of a heap allocation per node and string.
    unsigned char buffer[8192];
    json::monotonic_resource arena(buffer, sizeof buffer);
    const json::value doc =
        json::parse(json::string_view(bytes.data() + 1, bytes.size() - 1), &arena);
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
    if (lines) {
      const json::array& cart = o.at("cart").as_array();
      t.cart.reserve(cart.size());
      for (const auto& v : cart) {
        const auto& l = v.as_object();
        t.cart.push_back({Str(l, "line"), Str(l, "id"), Str(l, "type"), Str(l, "qty"),
                          Str(l, "unit"), StrList(l, "upcs")});
      }
      const json::array& priced = o.at("priced").as_array();
      t.priced.reserve(priced.size());
      for (const auto& v : priced) {
        const auto& l = v.as_object();
        t.priced.push_back({Str(l, "line"), Str(l, "sku"), Str(l, "name"), Str(l, "qty"),
                            Int(l, "unit_price"), Int(l, "gross"), Int(l, "discount"),
                            Int(l, "tax"), Int(l, "total"), StrList(l, "promotions")});
      }
    } else if (o.contains("cart") || o.contains("priced")) {
      return core::Status(core::StatusCode::kFailedPrecondition, "lines not where expected");
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

void StringArray(core::JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  w.Key(key).BeginArray();
  for (const std::string& s : v) w.String(s);
  w.EndArray();
}

// The "cart" and "priced" members, adjacent in this order: DecodeTripHead finds them there.
void EncodeLines(core::JsonWriter& w, const TripRecord& t) {
  w.Key("cart").BeginArray();
  for (const auto& l : t.cart) {
    w.BeginObject();
    w.Key("line").String(l.line_id);
    w.Key("id").String(l.item_id);
    w.Key("type").String(l.item_type);
    w.Key("qty").String(l.quantity);
    w.Key("unit").String(l.unit);
    StringArray(w, "upcs", l.upcs);
    w.EndObject();
  }
  w.EndArray();
  w.Key("priced").BeginArray();
  for (const auto& l : t.priced) {
    w.BeginObject();
    w.Key("line").String(l.line_id);
    w.Key("sku").String(l.sku);
    w.Key("name").String(l.name);
    w.Key("qty").String(l.quantity);
    w.Key("unit_price").Int(l.unit_price);
    w.Key("gross").Int(l.gross);
    w.Key("discount").Int(l.discount);
    w.Key("tax").Int(l.tax);
    w.Key("total").Int(l.total);
    StringArray(w, "promotions", l.promotions);
    w.EndObject();
  }
  w.EndArray();
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

// Written left to right with core::JsonWriter rather than built as a boost::json tree and
// serialized: a trip is saved at every step of its lifecycle (five to seven times), and the tree
// (a node and a string per member) was a quarter of the daemon's CPU under Create Purchases of
// large carts (docs/performance.md). Same members in the same order as before; text that is not
// UTF-8 is repaired (U+FFFD) instead of stored raw, where Boost's parser would refuse it.
std::string EncodeTrip(const TripRecord& t) {
  core::JsonWriter w(std::string(1, static_cast<char>(kTripVersion)));
  // About what a line and a history entry take, so a large trip is written into one buffer.
  w.Reserve(1024 + t.stored_lines.size() + 256 * (t.cart.size() + t.priced.size()) +
            t.transactional_data.size() + 96 * t.history.size());
  w.BeginObject();
  w.Key("trip").String(t.trip_id);
  w.Key("store").String(t.store_id);
  w.Key("purchase").String(t.purchase_id);
  w.Key("request").String(t.request_id);
  w.Key("shopper").String(t.shopper_id);
  w.Key("start").Int(t.start_ms);
  w.Key("end").Int(t.end_ms);
  w.Key("created").Int(t.created_ms);
  StringArray(w, "auth_events", t.auth_event_ids);
  if (!t.stored_lines.empty() && t.cart.empty() && t.priced.empty()) {
    w.RawMembers(t.stored_lines);  // read by DecodeTripHead: written back as it was
  } else {
    EncodeLines(w, t);
  }
  StringArray(w, "unpriced", t.unpriced);
  w.Key("currency").String(t.currency);
  w.Key("subtotal").Int(t.subtotal);
  w.Key("discount").Int(t.discount);
  w.Key("tax").Int(t.tax);
  w.Key("total").Int(t.total);
  w.Key("state").Int(static_cast<int>(t.state));
  w.Key("authorized").Int(t.authorized);
  w.Key("captured").Int(t.captured);
  w.Key("refunded").Int(t.refunded);
  w.Key("refunds").BeginArray();
  for (const auto& r : t.refunds) {
    w.BeginObject();
    w.Key("id").String(r.refund_request_id);
    w.Key("amount").Int(r.amount);
    w.Key("reason").String(r.reason);
    w.Key("actor").String(r.actor);
    w.Key("requested").Int(r.requested_ms);
    w.Key("state").Int(static_cast<int>(r.state));
    w.Key("reconciliation").String(r.reconciliation_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("transactional_data").String(t.transactional_data);
  w.Key("shopper_email").String(t.shopper_email);
  w.Key("have_transactional_data").Bool(t.have_transactional_data);
  w.Key("have_shopper_identity").Bool(t.have_shopper_identity);
  w.Key("receipt_complete").Bool(t.receipt_complete);
  w.Key("identity_requested").Bool(t.identity_requested);
  w.Key("history").BeginArray();
  for (const auto& h : t.history) {
    w.BeginObject();
    w.Key("at").Int(h.at_ms);
    w.Key("event").String(h.event);
    w.Key("detail").String(h.detail);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

core::Result<TripRecord> DecodeTrip(std::string_view bytes) {
  return DecodeTripJson(bytes, kTripVersion);
}

core::Result<TripRecord> DecodeTripHead(std::string_view bytes) {
  // EncodeTrip writes ...,"auth_events":[...],"cart":[...],"priced":[...],"unpriced":[...],...
  // A comma followed by a quote never occurs inside a JSON string (the quote would be escaped),
  // and no object inside the record has a member named "cart" or "unpriced", so the first
  // ',"cart":[' and the last ',"unpriced":[' are the members themselves: both are found without
  // reading the lines between them (the first near the start, the last near the end).
  constexpr std::string_view kCart = ",\"cart\":[";
  constexpr std::string_view kUnpriced = ",\"unpriced\":[";
  const size_t cart = bytes.find(kCart);
  const size_t unpriced = bytes.rfind(kUnpriced);
  if (cart == std::string_view::npos || unpriced == std::string_view::npos || unpriced < cart) {
    return DecodeTrip(bytes);  // not laid out as EncodeTrip writes: decode it whole
  }
  std::string head;
  head.reserve(bytes.size() - (unpriced - cart));
  head.append(bytes.substr(0, cart)).append(bytes.substr(unpriced));
  auto t = DecodeTripJson(head, kTripVersion, /*lines=*/false);
  // "priced" not between the two (another member order): decode it whole.
  if (t.status().code() == core::StatusCode::kFailedPrecondition) return DecodeTrip(bytes);
  if (!t.ok()) return t;
  t->stored_lines.assign(bytes.substr(cart + 1, unpriced - cart - 1));
  return t;
}

void HoldLinesAsText(TripRecord& t) {
  core::JsonWriter w;
  w.Reserve(16 + 256 * (t.cart.size() + t.priced.size()));
  // The members without the braces, written as such (erasing the braces afterwards moved the
  // whole text, 200 KB for a 1,000-line cart).
  w.BeginMembers();
  EncodeLines(w, t);
  w.EndMembers();
  t.stored_lines = w.Take();
  t.cart = {};
  t.priced = {};
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
