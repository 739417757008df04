#include "chain/chain_record.h"

#include <boost/json.hpp>

#include "core/json.h"
#include "core/json_writer.h"
#include "ledger/ledger.h"

namespace jwo::chain {
namespace {

using core::Status;
using core::StatusCode;

constexpr char kHex[] = "0123456789ABCDEF";

bool Plain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Bad(std::string what) { return Status(StatusCode::kInvalidArgument, std::move(what)); }

std::optional<store::DebtCause> CauseFromName(std::string_view name) {
  for (store::DebtCause c : {store::DebtCause::kDeclinedAdjust, store::DebtCause::kPartialCapture,
                             store::DebtCause::kExpiredPreAuth, store::DebtCause::kManual}) {
    if (store::DebtCauseName(c) == name) return c;
  }
  return std::nullopt;
}

std::optional<store::DebtState> StateFromName(std::string_view name) {
  for (store::DebtState s :
       {store::DebtState::kOpen, store::DebtState::kSettled, store::DebtState::kWrittenOff}) {
    if (store::DebtStateName(s) == name) return s;
  }
  return std::nullopt;
}

// Field readers: each names the field it refuses.
core::Result<std::string> Text(const boost::json::object& o, std::string_view field,
                               size_t max_bytes, bool required) {
  const boost::json::value* v = o.if_contains(field);
  if (v == nullptr || !v->is_string())
    return Bad("field '" + std::string(field) + "' is not a string");
  std::string text(v->get_string());
  if (required && text.empty()) return Bad("field '" + std::string(field) + "' is empty");
  if (text.size() > max_bytes) {
    return Bad("field '" + std::string(field) + "' is over " + std::to_string(max_bytes) +
               " bytes");
  }
  return text;
}

core::Result<int64_t> Integer(const boost::json::object& o, std::string_view field, int64_t min,
                              int64_t max) {
  const boost::json::value* v = o.if_contains(field);
  int64_t n = 0;
  if (v != nullptr && v->is_int64()) {
    n = v->get_int64();
  } else if (v != nullptr && v->is_uint64() && v->get_uint64() <= uint64_t(INT64_MAX)) {
    n = static_cast<int64_t>(v->get_uint64());
  } else {
    return Bad("field '" + std::string(field) + "' is not an integer");
  }
  if (n < min || n > max) {
    return Bad("field '" + std::string(field) + "' is out of range: " + std::to_string(n));
  }
  return n;
}

}  // namespace

uint32_t VersionOf(store::DebtState state) {
  return state == store::DebtState::kOpen ? kOpenVersion : kClosedVersion;
}

std::string EncodeKeyToken(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  for (unsigned char c : id) {
    if (Plain(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('_');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::optional<std::string> DecodeKeyToken(std::string_view token) {
  if (token.empty()) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    const unsigned char c = token[i];
    if (Plain(c)) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (c != '_' || i + 2 >= token.size()) return std::nullopt;
    const int hi = HexValue(token[i + 1]);
    const int lo = HexValue(token[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const unsigned char decoded = static_cast<unsigned char>(hi * 16 + lo);
    if (Plain(decoded)) return std::nullopt;  // not what EncodeKeyToken writes: one spelling only
    out.push_back(static_cast<char>(decoded));
    i += 2;
  }
  return out;
}

core::Result<std::string> BucketKey(std::string_view origin_store, std::string_view trip_id,
                                    store::DebtKind kind) {
  if (origin_store.empty()) return Bad("a chain debt needs its origin store");
  if (trip_id.empty()) return Bad("a chain debt needs its trip id");
  return EncodeKeyToken(origin_store) + "." + EncodeKeyToken(trip_id) + "." +
         std::string(store::DebtKindName(kind));
}

std::string BucketKeyPrefix(std::string_view origin_store) {
  return EncodeKeyToken(origin_store) + ".";
}

std::optional<KeyParts> ParseBucketKey(std::string_view key) {
  const size_t first = key.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = key.find('.', first + 1);
  if (second == std::string_view::npos || key.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto origin = DecodeKeyToken(key.substr(0, first));
  auto trip = DecodeKeyToken(key.substr(first + 1, second - first - 1));
  auto kind = store::DebtKindFromName(key.substr(second + 1));
  if (!origin || !trip || !kind) return std::nullopt;
  return KeyParts{std::move(*origin), std::move(*trip), *kind};
}

std::string EncodeChainDebt(const ChainDebt& record) {
  const store::DebtRecord& d = record.debt;
  core::JsonWriter w;
  w.BeginObject();
  w.Key("format").Int(1);
  w.Key("shopper").String(d.shopper_id);
  w.Key("trip").String(d.trip_id);
  w.Key("kind").String(store::DebtKindName(d.kind));
  w.Key("cause").String(store::DebtCauseName(d.cause));
  w.Key("amount_minor").Int(d.amount.minor);
  w.Key("currency").String(d.amount.currency.Code());
  w.Key("origin").String(d.origin_store);
  w.Key("created_ms").Int(d.created_ms);
  w.Key("state").String(store::DebtStateName(d.state));
  w.Key("settlement_ref").String(d.settlement_ref);
  w.Key("settled_ms").Int(d.settled_ms);
  w.Key("note").String(d.note);
  w.Key("version").Int(record.version);
  w.EndObject();
  return w.Take();
}

core::Result<ChainDebt> DecodeChainDebt(std::string_view key, std::string_view value) {
  auto parsed = core::ParseJson(value);
  if (!parsed.ok()) return Bad("value is not JSON: " + parsed.status().message());
  if (!parsed->is_object()) return Bad("value is not a JSON object");
  const boost::json::object& o = parsed->get_object();
  auto format = Integer(o, "format", 0, INT64_MAX);
  if (!format.ok()) return format.status();
  if (*format != 1) return Bad("value has format " + std::to_string(*format) + ", not 1");

  ChainDebt out;
  store::DebtRecord& d = out.debt;
  auto shopper = Text(o, "shopper", store::kMaxIdBytes, true);
  auto trip = Text(o, "trip", store::kMaxIdBytes, true);
  auto kind = Text(o, "kind", 16, true);
  auto cause = Text(o, "cause", 32, true);
  auto currency = Text(o, "currency", 3, true);
  auto origin = Text(o, "origin", ledger::kMaxNameBytes, true);
  auto state = Text(o, "state", 16, true);
  auto ref = Text(o, "settlement_ref", ledger::kMaxNameBytes, false);
  auto note = Text(o, "note", ledger::kMaxTextBytes, false);
  for (const auto* r : {&shopper, &trip, &kind, &cause, &currency, &origin, &state, &ref, &note}) {
    if (!r->ok()) return r->status();
  }
  auto amount = Integer(o, "amount_minor", 1, core::kMaxMinorUnits);
  auto created = Integer(o, "created_ms", 0, INT64_MAX);
  auto settled = Integer(o, "settled_ms", 0, INT64_MAX);
  auto version = Integer(o, "version", 1, UINT32_MAX);
  for (const auto* r : {&amount, &created, &settled, &version}) {
    if (!r->ok()) return r->status();
  }
  if (Status s = store::CheckId("shopper id", *shopper); !s.ok()) return Bad(s.message());
  if (Status s = store::CheckId("trip id", *trip); !s.ok()) return Bad(s.message());
  const auto k = store::DebtKindFromName(*kind);
  if (!k) return Bad("field 'kind' is not trip, expired or manual: " + *kind);
  const auto c = CauseFromName(*cause);
  if (!c) return Bad("field 'cause' is unknown: " + *cause);
  if (store::DebtKindOf(*c) != *k) return Bad("a " + *cause + " debt cannot be of kind " + *kind);
  const auto cur = core::FindCurrency(*currency);
  if (!cur) return Bad("field 'currency' is not an ISO 4217 code: " + *currency);
  const auto st = StateFromName(*state);
  if (!st) return Bad("field 'state' is not open, settled or written_off: " + *state);
  const uint32_t v = static_cast<uint32_t>(*version);
  if ((*st == store::DebtState::kOpen) != (v == kOpenVersion)) {
    return Bad("version " + std::to_string(v) + " does not fit state " + *state);
  }
  auto expected_key = BucketKey(*origin, *trip, *k);
  if (!expected_key.ok()) return expected_key.status();
  if (*expected_key != key) {
    return Bad("the record belongs under " + *expected_key + ", not " + std::string(key));
  }
  d.shopper_id = std::move(*shopper);
  d.trip_id = std::move(*trip);
  d.kind = *k;
  d.cause = *c;
  d.amount = {*amount, *cur};
  d.origin_store = std::move(*origin);
  d.created_ms = *created;
  d.state = *st;
  d.settlement_ref = std::move(*ref);
  d.settled_ms = *settled;
  d.note = std::move(*note);
  out.version = v;
  return out;
}

}  // namespace jwo::chain
