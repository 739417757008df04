#include "fa/request.h"

#include "core/flat_json.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/time_format.h"

namespace jwo::fa {
namespace {

using core::Status;
using Node = core::FlatJson::Node;

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
Status GetStringView(const core::FlatJson& doc, const Node& obj, std::string_view parent,
                     std::string_view key, bool required, size_t max_len, std::string_view& out) {
  const std::string rule = core::TextRule(doc.Find(obj, key), required, max_len, out);
  return rule.empty() ? Status::Ok() : Invalid(PathOf(parent, key), rule);
}

// The same, copied into `out` (its storage reused); `out` is left alone when the key is absent.
Status GetString(const core::FlatJson& doc, const Node& obj, std::string_view parent,
                 std::string_view key, bool required, size_t max_len, std::string& out) {
  std::string_view view;
  if (Status s = GetStringView(doc, obj, parent, key, required, max_len, view); !s.ok()) return s;
  if (!view.empty()) out.assign(view);
  return Status::Ok();
}

Status GetObject(const core::FlatJson& doc, const Node& obj, std::string_view parent,
                 std::string_view key, bool required, const Node*& out) {
  out = nullptr;
  const Node* v = doc.Find(obj, key);
  if (v == nullptr || v->is_null()) {
    return required ? Invalid(PathOf(parent, key), "is required") : Status::Ok();
  }
  if (!v->is_object()) return Invalid(PathOf(parent, key), "must be an object");
  out = v;
  return Status::Ok();
}

// {"value": <number>, "currencyCode": "USD"}: the F&A API's money shape.
Status GetMoney(const core::FlatJson& doc, const Node& obj, std::string_view path,
                core::Money& out) {
  std::string_view code;
  if (Status s = GetStringView(doc, obj, path, "currencyCode", true, 3, code); !s.ok()) return s;
  auto currency = core::FindCurrency(code);
  if (!currency) return Invalid(Join(path, "currencyCode"), "must be an ISO 4217 currency code");
  const Node* v = doc.Find(obj, "value");
  if (v == nullptr || v->is_null()) return Invalid(Join(path, "value"), "is required");
  auto minor = core::JsonToMinorUnits(core::FlatJson::Scalar(*v), *currency);
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

Status ParseGateEvent(const core::FlatJson& doc, const Node& obj, GateEvent& ev) {
  constexpr std::string_view p = "shopperInteraction.gateAuthenticationEvent";
  if (Status s = GetString(doc, obj, p, "id", true, 255, ev.id); !s.ok()) return s;
  if (Status s = GetString(doc, obj, p, "type", false, 64, ev.type); !s.ok()) return s;
  if (!ev.type.empty() && !IsRiskToken(ev.type)) return Invalid(Join(p, "type"), "must be a token");
  if (Status s = GetString(doc, obj, p, "interactionType", false, 64, ev.interaction_type);
      !s.ok()) {
    return s;
  }
  if (Status s = GetString(doc, obj, p, "location", false, 64, ev.location); !s.ok()) return s;
  std::string_view ts;
  if (Status s = GetStringView(doc, obj, p, "timestamp", false, 64, ts); !s.ok()) return s;
  if (!ts.empty()) {
    auto ms = core::ParseIso8601(ts);
    if (!ms.ok()) return Invalid(Join(p, "timestamp"), "must be an ISO 8601 date-time");
    ev.timestamp_ms = *ms;
  }
  const Node* data = nullptr;
  if (Status s = GetObject(doc, obj, p, "data", false, data); !s.ok()) return s;
  if (data != nullptr) {
    if (data->size > 32) return Invalid(Join(p, "data"), "must have at most 32 entries");
    for (const Node* kv = doc.First(*data); kv != nullptr; kv = doc.Next(*data, *kv)) {
      if (!kv->is_string()) return Invalid(Join(Join(p, "data"), kv->key), "must be a string");
      if (kv->key.size() > 64 || kv->text.size() > 255) {
        return Invalid(Join(p, "data"), "keys must be at most 64 and values 255 characters");
      }
      ev.data.emplace_back(kv->key, kv->text);
    }
  }
  return Status::Ok();
}

Status ParseRecommendation(const core::FlatJson& doc, const Node& obj, Recommendation& rec) {
  constexpr std::string_view p = "shopperInteraction.recommendation";
  const Node* authorized = doc.Find(obj, "shopperAuthorized");
  if (authorized == nullptr || authorized->is_null()) {
    return Invalid(Join(p, "shopperAuthorized"), "is required");
  }
  if (!authorized->is_bool()) return Invalid(Join(p, "shopperAuthorized"), "must be a boolean");
  rec.shopper_authorized = authorized->boolean;

  if (const Node* conds = doc.Find(obj, "authorizationConditions");
      conds != nullptr && !conds->is_null()) {
    const std::string cp = Join(p, "authorizationConditions");
    if (!conds->is_array()) return Invalid(cp, "must be an array");
    if (conds->size > 16) return Invalid(cp, "must have at most 16 entries");
    size_t i = 0;
    for (const Node* c = doc.First(*conds); c != nullptr; c = doc.Next(*conds, *c)) {
      const std::string ip = cp + "[" + std::to_string(i++) + "]";
      if (!c->is_object()) return Invalid(ip, "must be an object");
      std::string_view type;
      if (Status s = GetStringView(doc, *c, ip, "type", true, 32, type); !s.ok()) return s;
      if (type != "ADJUST") return Invalid(Join(ip, "type"), "must be ADJUST");
      const Node* amount = nullptr;
      if (Status s = GetObject(doc, *c, ip, "amount", true, amount); !s.ok()) return s;
      AdjustCondition cond;
      if (Status s = GetMoney(doc, *amount, Join(ip, "amount"), cond.amount); !s.ok()) return s;
      rec.conditions.push_back(cond);
    }
  }
  if (const Node* risks = doc.Find(obj, "shopperRisks"); risks != nullptr && !risks->is_null()) {
    const std::string rp = Join(p, "shopperRisks");
    if (!risks->is_array()) return Invalid(rp, "must be an array");
    if (risks->size > 16) return Invalid(rp, "must have at most 16 entries");
    for (const Node* r = doc.First(*risks); r != nullptr; r = doc.Next(*risks, *r)) {
      if (!r->is_string() || !IsRiskToken(r->text)) {
        return Invalid(rp, "entries must be risk names such as BadDebt");
      }
      rec.risks.emplace_back(r->text);
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view AuthorizationRequest::GateData(std::string_view key) const {
  if (!gate_event) return {};
  for (const auto& [k, v] : gate_event->data) {
    if (k == key) return v;
  }
  return {};
}

core::Result<AuthorizationRequest> ParseAuthorizationRequest(std::string_view body) {
  AuthorizationRequest req;
  if (Status s = ParseAuthorizationRequest(body, req); !s.ok()) return s;
  return req;
}

// Every field is assigned into `req`'s existing strings (cleared first), so a caller that
// reuses one request per thread parses without allocating once the strings have grown.
Status ParseAuthorizationRequest(std::string_view body, AuthorizationRequest& req) {
  req.store_id.clear();
  req.shopper_id.clear();
  req.trip_id.clear();
  req.authorized_amount.reset();
  req.recommendation.reset();
  // One document per thread, parsed into again and again (core::FlatJson): no allocation once
  // it has grown, strings viewed in `body`. The views die with the next parse on this thread.
  thread_local core::FlatJson doc;
  if (Status s = doc.Parse(body, kMaxJsonValues); !s.ok()) return s;
  const Node& root = doc.Root();
  if (!root.is_object()) return Invalid("body", "must be a JSON object");

  if (Status s = GetString(doc, root, "", "storeId", true, 255, req.store_id); !s.ok()) return s;
  if (auto rule = core::CheckStoreId(req.store_id); !rule.empty()) return Invalid("storeId", rule);

  const Node* identity = nullptr;
  if (Status s = GetObject(doc, root, "", "shopperIdentity", true, identity); !s.ok()) return s;
  if (Status s = GetString(doc, *identity, "shopperIdentity", "id", true, 255, req.shopper_id);
      !s.ok())
    return s;
  if (auto rule = core::CheckShopperId(req.shopper_id); !rule.empty()) {
    return Invalid("shopperIdentity.id", rule);
  }

  const Node* amount = nullptr;
  if (Status s = GetObject(doc, root, "", "authorizedAmount", false, amount); !s.ok()) return s;
  if (amount != nullptr) {
    core::Money m;
    if (Status s = GetMoney(doc, *amount, "authorizedAmount", m); !s.ok()) return s;
    req.authorized_amount = m;
  }

  const Node* interaction = nullptr;
  if (Status s = GetObject(doc, root, "", "shopperInteraction", true, interaction); !s.ok())
    return s;
  if (Status s = GetString(doc, *interaction, "shopperInteraction", "shoppingTripId", true, 255,
                           req.trip_id);
      !s.ok()) {
    return s;
  }
  if (auto rule = core::CheckTripId(req.trip_id); !rule.empty()) {
    return Invalid("shopperInteraction.shoppingTripId", rule);
  }
  const Node* event = nullptr;
  if (Status s = GetObject(doc, *interaction, "shopperInteraction", "gateAuthenticationEvent",
                           false, event);
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
    if (Status s = ParseGateEvent(doc, *event, *req.gate_event); !s.ok()) return s;
  }
  const Node* rec = nullptr;
  if (Status s = GetObject(doc, *interaction, "shopperInteraction", "recommendation", false, rec);
      !s.ok()) {
    return s;
  }
  if (rec != nullptr) {
    req.recommendation.emplace();
    if (Status s = ParseRecommendation(doc, *rec, *req.recommendation); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace jwo::fa
