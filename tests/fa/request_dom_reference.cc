// The gate's request parser as it was before core::FlatJson: the same rules, read from a
// boost::json::value built by core::ParseJson. Kept only as the oracle of the differential test
// in request_differential_test.cc, which feeds both parsers the same mutated requests.
#include "tests/fa/request_dom_reference.h"

#include <boost/json.hpp>

#include "core/ids.h"
#include "core/json.h"
#include "core/time_format.h"

namespace jwo::fa::dom_reference {
namespace {

namespace json = boost::json;
using core::Status;

Status Invalid(std::string_view path, std::string_view rule) {
  return core::InvalidArgument(std::string(path) + " " + std::string(rule));
}

std::string Join(std::string_view a, std::string_view b) {
  return std::string(a) + "." + std::string(b);
}

// The JSON path of `key` under `parent`, built only when an error needs it: this runs for every
// field of every gate request.
std::string PathOf(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : Join(parent, key);
}

// Reads obj[key] as a string view into the document (valid while it lives): `required` decides
// whether absence (or null) is an error; empty and whitespace-only strings are rejected.
Status GetStringView(const json::object& obj, std::string_view parent, std::string_view key,
                     bool required, size_t max_len, std::string_view& out) {
  const auto path = [&] { return PathOf(parent, key); };
  out = {};
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return required ? Invalid(path(), "is required") : Status::Ok();
  }
  if (!v->is_string()) return Invalid(path(), "must be a string");
  const std::string_view s = v->get_string();
  if (s.empty() || s.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Invalid(path(), "must not be empty");
  }
  if (s.size() > max_len) {
    return Invalid(path(), "must be at most " + std::to_string(max_len) + " characters");
  }
  if (!core::IsPrintable(s)) return Invalid(path(), "must not contain control characters");
  out = s;
  return Status::Ok();
}

// The same, copied into `out` (its storage reused); `out` is left alone when the key is absent.
Status GetString(const json::object& obj, std::string_view parent, std::string_view key,
                 bool required, size_t max_len, std::string& out) {
  std::string_view view;
  if (Status s = GetStringView(obj, parent, key, required, max_len, view); !s.ok()) return s;
  if (!view.empty()) out.assign(view);
  return Status::Ok();
}

Status GetObject(const json::object& obj, std::string_view parent, std::string_view key,
                 bool required, const json::object*& out) {
  out = nullptr;
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) {
    return required ? Invalid(PathOf(parent, key), "is required") : Status::Ok();
  }
  if (!v->is_object()) return Invalid(PathOf(parent, key), "must be an object");
  out = &v->get_object();
  return Status::Ok();
}

// {"value": <number>, "currencyCode": "USD"}: the F&A API's money shape.
Status GetMoney(const json::object& obj, std::string_view path, core::Money& out) {
  std::string code;
  if (Status s = GetString(obj, path, "currencyCode", true, 3, code); !s.ok()) return s;
  auto currency = core::FindCurrency(code);
  if (!currency) return Invalid(Join(path, "currencyCode"), "must be an ISO 4217 currency code");
  const json::value* v = obj.if_contains("value");
  if (v == nullptr || v->is_null()) return Invalid(Join(path, "value"), "is required");
  auto minor = core::JsonToMinorUnits(*v, *currency);
  if (!minor.ok()) return Invalid(Join(path, "value"), minor.status().message());
  if (*minor < 0) return Invalid(Join(path, "value"), "must not be negative");
  out = core::Money{*minor, *currency};
  return Status::Ok();
}

bool IsRiskToken(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

Status ParseGateEvent(const json::object& obj, GateEvent& ev) {
  constexpr std::string_view p = "shopperInteraction.gateAuthenticationEvent";
  if (Status s = GetString(obj, p, "id", true, 255, ev.id); !s.ok()) return s;
  if (Status s = GetString(obj, p, "type", false, 64, ev.type); !s.ok()) return s;
  if (!ev.type.empty() && !IsRiskToken(ev.type)) return Invalid(Join(p, "type"), "must be a token");
  if (Status s = GetString(obj, p, "interactionType", false, 64, ev.interaction_type); !s.ok())
    return s;
  if (Status s = GetString(obj, p, "location", false, 64, ev.location); !s.ok()) return s;
  std::string_view ts;
  if (Status s = GetStringView(obj, p, "timestamp", false, 64, ts); !s.ok()) return s;
  if (!ts.empty()) {
    auto ms = core::ParseIso8601(ts);
    if (!ms.ok()) return Invalid(Join(p, "timestamp"), "must be an ISO 8601 date-time");
    ev.timestamp_ms = *ms;
  }
  const json::object* data = nullptr;
  if (Status s = GetObject(obj, p, "data", false, data); !s.ok()) return s;
  if (data != nullptr) {
    if (data->size() > 32) return Invalid(Join(p, "data"), "must have at most 32 entries");
    for (const auto& kv : *data) {
      if (!kv.value().is_string()) {
        return Invalid(Join(Join(p, "data"), kv.key()), "must be a string");
      }
      const auto& s = kv.value().get_string();
      if (kv.key().size() > 64 || s.size() > 255) {
        return Invalid(Join(p, "data"), "keys must be at most 64 and values 255 characters");
      }
      ev.data.emplace_back(std::string(kv.key()), std::string(s.data(), s.size()));
    }
  }
  return Status::Ok();
}

Status ParseRecommendation(const json::object& obj, Recommendation& rec) {
  constexpr std::string_view p = "shopperInteraction.recommendation";
  const json::value* authorized = obj.if_contains("shopperAuthorized");
  if (authorized == nullptr || authorized->is_null()) {
    return Invalid(Join(p, "shopperAuthorized"), "is required");
  }
  if (!authorized->is_bool()) return Invalid(Join(p, "shopperAuthorized"), "must be a boolean");
  rec.shopper_authorized = authorized->get_bool();

  if (const json::value* conds = obj.if_contains("authorizationConditions");
      conds != nullptr && !conds->is_null()) {
    const std::string cp = Join(p, "authorizationConditions");
    if (!conds->is_array()) return Invalid(cp, "must be an array");
    if (conds->get_array().size() > 16) return Invalid(cp, "must have at most 16 entries");
    size_t i = 0;
    for (const json::value& c : conds->get_array()) {
      const std::string ip = cp + "[" + std::to_string(i++) + "]";
      if (!c.is_object()) return Invalid(ip, "must be an object");
      std::string type;
      if (Status s = GetString(c.get_object(), ip, "type", true, 32, type); !s.ok()) return s;
      if (type != "ADJUST") return Invalid(Join(ip, "type"), "must be ADJUST");
      const json::object* amount = nullptr;
      if (Status s = GetObject(c.get_object(), ip, "amount", true, amount); !s.ok()) return s;
      AdjustCondition cond;
      if (Status s = GetMoney(*amount, Join(ip, "amount"), cond.amount); !s.ok()) return s;
      rec.conditions.push_back(cond);
    }
  }
  if (const json::value* risks = obj.if_contains("shopperRisks");
      risks != nullptr && !risks->is_null()) {
    const std::string rp = Join(p, "shopperRisks");
    if (!risks->is_array()) return Invalid(rp, "must be an array");
    if (risks->get_array().size() > 16) return Invalid(rp, "must have at most 16 entries");
    for (const json::value& r : risks->get_array()) {
      if (!r.is_string() || !IsRiskToken(std::string_view(r.get_string()))) {
        return Invalid(rp, "entries must be risk names such as BadDebt");
      }
      rec.risks.emplace_back(r.get_string().data(), r.get_string().size());
    }
  }
  return Status::Ok();
}

}  // namespace

// Every field is assigned into `req`'s existing strings (cleared first), so a caller that
// reuses one request per thread parses without allocating once the strings have grown.
Status Parse(std::string_view body, AuthorizationRequest& req) {
  req.store_id.clear();
  req.shopper_id.clear();
  req.trip_id.clear();
  req.authorized_amount.reset();
  req.recommendation.reset();
  // Every request is parsed into a stack buffer: no heap allocation for the document (the
  // resource falls back to the heap only for unusually large bodies). `doc` dies with it.
  unsigned char buffer[8192];
  json::monotonic_resource resource(buffer, sizeof buffer);
  auto doc = core::ParseJson(body, &resource);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return Invalid("body", "must be a JSON object");
  const json::object& root = doc->get_object();

  if (Status s = GetString(root, "", "storeId", true, 255, req.store_id); !s.ok()) return s;
  if (auto rule = core::CheckStoreId(req.store_id); !rule.empty()) return Invalid("storeId", rule);

  const json::object* identity = nullptr;
  if (Status s = GetObject(root, "", "shopperIdentity", true, identity); !s.ok()) return s;
  if (Status s = GetString(*identity, "shopperIdentity", "id", true, 255, req.shopper_id); !s.ok())
    return s;
  if (auto rule = core::CheckShopperId(req.shopper_id); !rule.empty()) {
    return Invalid("shopperIdentity.id", rule);
  }

  const json::object* amount = nullptr;
  if (Status s = GetObject(root, "", "authorizedAmount", false, amount); !s.ok()) return s;
  if (amount != nullptr) {
    core::Money m;
    if (Status s = GetMoney(*amount, "authorizedAmount", m); !s.ok()) return s;
    req.authorized_amount = m;
  }

  const json::object* interaction = nullptr;
  if (Status s = GetObject(root, "", "shopperInteraction", true, interaction); !s.ok()) return s;
  if (Status s =
          GetString(*interaction, "shopperInteraction", "shoppingTripId", true, 255, req.trip_id);
      !s.ok()) {
    return s;
  }
  if (auto rule = core::CheckTripId(req.trip_id); !rule.empty()) {
    return Invalid("shopperInteraction.shoppingTripId", rule);
  }
  const json::object* event = nullptr;
  if (Status s =
          GetObject(*interaction, "shopperInteraction", "gateAuthenticationEvent", false, event);
      !s.ok()) {
    return s;
  }
  if (event == nullptr) {
    req.gate_event.reset();
  } else {
    if (req.gate_event) {
      GateEvent& ev = *req.gate_event;
      ev.id.clear();
      ev.type.clear();
      ev.interaction_type.clear();
      ev.timestamp_ms = 0;
      ev.location.clear();
      ev.data.clear();
    } else {
      req.gate_event.emplace();
    }
    if (Status s = ParseGateEvent(*event, *req.gate_event); !s.ok()) return s;
  }
  const json::object* rec = nullptr;
  if (Status s = GetObject(*interaction, "shopperInteraction", "recommendation", false, rec);
      !s.ok()) {
    return s;
  }
  if (rec != nullptr) {
    req.recommendation.emplace();
    if (Status s = ParseRecommendation(*rec, *req.recommendation); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace jwo::fa::dom_reference
