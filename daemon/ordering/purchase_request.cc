#include "ordering/purchase_request.h"

#include <string_view>
#include <unordered_set>

#include "core/flat_json.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/time_format.h"

namespace jwo::ordering {
namespace {

using core::Status;
using Node = core::FlatJson::Node;

// A field's JSON path ("cartItems[3].quantity.value"), as a chain of views on the stack: the
// text is built only for an error message. Every field of every line of a cart of up to 10,000
// lines is read under one; building its text up front cost allocations for each of them.
class Path {
 public:
  Path() = default;
  Path(const Path& parent, std::string_view key) : parent_(&parent), key_(key) {}
  Path(const Path& parent, size_t index) : parent_(&parent), index_(index), indexed_(true) {}

  std::string str() const {
    if (parent_ == nullptr) return {};
    std::string text = parent_->str();
    if (indexed_) return text + "[" + std::to_string(index_) + "]";
    if (!text.empty()) text += '.';
    text.append(key_);
    return text;
  }

 private:
  const Path* parent_ = nullptr;  // nullptr: the document itself
  std::string_view key_;
  size_t index_ = 0;
  bool indexed_ = false;
};

constexpr Path kRoot{};

Status Invalid(std::string_view path, std::string_view rule) {
  return core::InvalidArgument(std::string(path) + " " + std::string(rule));
}

Status Invalid(const Path& path, std::string_view rule) { return Invalid(path.str(), rule); }

// obj[key] as a non-empty, printable string of at most max_len characters.
Status GetString(const core::FlatJson& doc, const Node& obj, const Path& parent,
                 std::string_view key, bool required, size_t max_len, std::string& out) {
  std::string_view text;
  const std::string rule = core::TextRule(doc.Find(obj, key), required, max_len, text);
  if (!rule.empty()) return Invalid(Path(parent, key), rule);
  if (!text.empty()) out.assign(text);
  return Status::Ok();
}

Status GetEnum(const core::FlatJson& doc, const Node& obj, const Path& parent, std::string_view key,
               bool required, std::initializer_list<std::string_view> allowed, std::string& out) {
  if (Status s = GetString(doc, obj, parent, key, required, 64, out); !s.ok()) return s;
  if (out.empty()) return Status::Ok();
  for (std::string_view a : allowed) {
    if (out == a) return Status::Ok();
  }
  std::string list;
  for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return Invalid(Path(parent, key), "must be one of " + list);
}

Status GetTime(const core::FlatJson& doc, const Node& obj, const Path& parent, std::string_view key,
               bool required, int64_t& out) {
  std::string text;
  if (Status s = GetString(doc, obj, parent, key, required, 64, text); !s.ok()) return s;
  if (text.empty()) return Status::Ok();
  auto ms = core::ParseIso8601(text);
  if (!ms.ok()) return Invalid(Path(parent, key), "must be an ISO 8601 date-time with a zone");
  out = *ms;
  return Status::Ok();
}

const Node* Member(const core::FlatJson& doc, const Node& obj, std::string_view key) {
  const Node* v = doc.Find(obj, key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

Status GetObject(const core::FlatJson& doc, const Node& obj, const Path& parent,
                 std::string_view key, bool required, const Node*& out) {
  out = nullptr;
  const Node* v = Member(doc, obj, key);
  if (v == nullptr) return required ? Invalid(Path(parent, key), "is required") : Status::Ok();
  if (!v->is_object()) return Invalid(Path(parent, key), "must be an object");
  out = v;
  return Status::Ok();
}

Status GetArray(const core::FlatJson& doc, const Node& obj, const Path& parent,
                std::string_view key, bool required, const Node*& out) {
  out = nullptr;
  const Node* v = Member(doc, obj, key);
  if (v == nullptr) return required ? Invalid(Path(parent, key), "is required") : Status::Ok();
  if (!v->is_array()) return Invalid(Path(parent, key), "must be an array");
  out = v;
  return Status::Ok();
}

// A positive decimal: digits, at most one '.', at least one non-zero digit.
bool IsPositiveDecimal(std::string_view s) {
  bool dot = false, digit = false, nonzero = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return false;
      dot = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
      nonzero = nonzero || c != '0';
    } else {
      return false;
    }
  }
  return digit && nonzero && s.front() != '.' && s.back() != '.';
}

Status ParseAuthEvent(const core::FlatJson& doc, const Node& o, const Path& path, AuthEvent& ev) {
  if (!o.is_object()) return Invalid(path, "must be an object");
  if (Status s = GetString(doc, o, path, "id", true, 255, ev.id); !s.ok()) return s;
  if (!core::IsUuid(ev.id)) return Invalid(Path(path, "id"), "must be a UUID");
  if (Status s = GetTime(doc, o, path, "timestamp", false, ev.timestamp_ms); !s.ok()) return s;
  if (Status s =
          GetEnum(doc, o, path, "location", false, {"ENTRY", "MANUAL_IN_STORE"}, ev.location);
      !s.ok()) {
    return s;
  }
  if (Status s =
          GetEnum(doc, o, path, "payloadType", true, {"FINANCIAL", "SCAN_CODE"}, ev.payload_type);
      !s.ok()) {
    return s;
  }
  const Node* scan = nullptr;
  if (Status s = GetObject(doc, o, path, "scanResult", false, scan); !s.ok()) return s;
  if (scan != nullptr) {
    const Path sp(path, "scanResult");
    if (Status s = GetString(doc, *scan, sp, "id", true, 255, ev.scan_result_id); !s.ok()) return s;
    std::string type;
    if (Status s = GetEnum(doc, *scan, sp, "type", false, {"SHOPPER"}, type); !s.ok()) return s;
  }
  return Status::Ok();
}

Status ParseCartItem(const core::FlatJson& doc, const Node& o, const Path& path,
                     store::CartLineRecord& line) {
  if (!o.is_object()) return Invalid(path, "must be an object");
  if (Status s = GetString(doc, o, path, "id", true, 255, line.item_id); !s.ok()) return s;
  if (Status s = GetEnum(doc, o, path, "type", true, {"SKU", "SCANCODE"}, line.item_type); !s.ok())
    return s;
  const Node* qty = nullptr;
  if (Status s = GetObject(doc, o, path, "quantity", true, qty); !s.ok()) return s;
  const Path qp(path, "quantity");
  if (Status s = GetString(doc, *qty, qp, "value", true, 10, line.quantity); !s.ok()) return s;
  if (!IsPositiveDecimal(line.quantity)) {
    return Invalid(Path(qp, "value"), "must be a positive decimal number such as \"1.0\"");
  }
  // Required, like value (Amazon's validation case 3.26); its meaning is the pricing engine's.
  if (Status s = GetString(doc, *qty, qp, "unit", true, 32, line.unit); !s.ok()) return s;
  if (Status s = GetString(doc, o, path, "lineItemId", false, 255, line.line_id); !s.ok()) return s;
  const Node* ids = nullptr;
  if (Status s = GetArray(doc, o, path, "externalIdentifiers", false, ids); !s.ok()) return s;
  if (ids != nullptr) {
    const Path ids_path(path, "externalIdentifiers");
    size_t i = 0;
    for (const Node* e = doc.First(*ids); e != nullptr; e = doc.Next(*ids, *e)) {
      const Path ep(ids_path, i++);
      if (!e->is_object()) return Invalid(ep, "must be an object");
      std::string id, type;
      if (Status s = GetString(doc, *e, ep, "id", true, 255, id); !s.ok()) return s;
      if (Status s = GetEnum(doc, *e, ep, "type", true, {"UPC"}, type); !s.ok()) return s;
      line.upcs.push_back(std::move(id));
    }
  }
  return Status::Ok();
}

}  // namespace

core::Result<PurchaseRequest> ParsePurchaseRequest(std::string_view body) {
  // The document lives only while its fields are copied out: one array of nodes with strings
  // viewed in `body` (core::FlatJson), where a boost::json document made an object, a table
  // and a string copy for each value of a cart that may have 10,000 lines. Reused per thread.
  thread_local core::FlatJson doc;
  if (Status s = doc.Parse(body, kMaxPurchaseJsonValues); !s.ok()) return s;
  const Node& root = doc.Root();
  if (!root.is_object()) return Invalid("body", "must be a JSON object");
  if (root.size == 0) return Invalid("body", "is an empty request");
  PurchaseRequest req;

  if (Status s = GetString(doc, root, kRoot, "requestId", true, 255, req.request_id); !s.ok())
    return s;
  if (!core::IsUuid(req.request_id)) return Invalid("requestId", "must be a UUID");
  if (Status s = GetString(doc, root, kRoot, "idempotentShoppingTripId", true, 255, req.trip_id);
      !s.ok())
    return s;
  if (auto rule = core::CheckTripId(req.trip_id); !rule.empty()) {
    return Invalid("idempotentShoppingTripId", rule);
  }
  if (Status s = GetString(doc, root, kRoot, "storeId", true, 255, req.store_id); !s.ok()) return s;
  if (auto rule = core::CheckStoreId(req.store_id); !rule.empty()) return Invalid("storeId", rule);

  const Node* trip = nullptr;
  if (Status s = GetObject(doc, root, kRoot, "shoppingTrip", true, trip); !s.ok()) return s;
  const Path trip_path(kRoot, "shoppingTrip");
  if (Status s = GetTime(doc, *trip, trip_path, "startTime", true, req.start_ms); !s.ok()) return s;
  if (Status s = GetTime(doc, *trip, trip_path, "endTime", true, req.end_ms); !s.ok()) return s;
  if (req.end_ms < req.start_ms) {
    return Invalid("shoppingTrip.endTime", "must not be before shoppingTrip.startTime");
  }
  const Node* events = nullptr;
  if (Status s = GetArray(doc, *trip, trip_path, "authEvents", true, events); !s.ok()) return s;
  const Path events_path(trip_path, "authEvents");
  if (events->size == 0) return Invalid("shoppingTrip.authEvents", "must not be empty");
  if (events->size > 64) return Invalid("shoppingTrip.authEvents", "must have at most 64 events");
  size_t i = 0;
  for (const Node* e = doc.First(*events); e != nullptr; e = doc.Next(*events, *e)) {
    AuthEvent ev;
    const Path path(events_path, i++);
    if (Status s = ParseAuthEvent(doc, *e, path, ev); !s.ok()) return s;
    req.auth_events.push_back(std::move(ev));
  }

  const Node* items = nullptr;
  if (Status s = GetArray(doc, root, kRoot, "cartItems", true, items); !s.ok()) return s;
  if (items->size > 10000) return Invalid("cartItems", "must have at most 10000 items");
  const Path items_path(kRoot, "cartItems");
  // Views into req.cart's lines, which the reservation keeps in place.
  req.cart.reserve(items->size);
  std::unordered_set<std::string_view> line_ids;
  line_ids.reserve(items->size);
  i = 0;
  for (const Node* item = doc.First(*items); item != nullptr; item = doc.Next(*items, *item)) {
    store::CartLineRecord line;
    const Path path(items_path, i++);
    if (Status s = ParseCartItem(doc, *item, path, line); !s.ok()) return s;
    req.cart.push_back(std::move(line));
    const std::string& id = req.cart.back().line_id;
    if (!id.empty() && !line_ids.insert(id).second) {
      return Invalid(Path(path, "lineItemId"), "duplicates '" + id + "'");
    }
  }

  const Node* identity = nullptr;
  if (Status s = GetObject(doc, root, kRoot, "shopperIdentity", false, identity); !s.ok()) return s;
  if (identity != nullptr) {
    const Path identity_path(kRoot, "shopperIdentity");
    if (Status s = GetString(doc, *identity, identity_path, "id", false, 255, req.shopper_id);
        !s.ok()) {
      return s;
    }
  }
  if (Status s = GetString(doc, root, kRoot, "shopperDeviceId", false, 255, req.device_id); !s.ok())
    return s;
  const Node* source = nullptr;
  if (Status s = GetObject(doc, root, kRoot, "paymentSource", false, source); !s.ok()) return s;
  if (source != nullptr) {
    const Path source_path(kRoot, "paymentSource");
    if (Status s = GetString(doc, *source, source_path, "id", false, 255, req.payment_source_id);
        !s.ok()) {
      return s;
    }
  }
  return req;
}

std::string CartDigest(const std::vector<store::CartLineRecord>& cart) {
  std::string canonical;
  auto add = [&](const std::string& s) {
    canonical += std::to_string(s.size());
    canonical += ':';
    canonical += s;
  };
  for (const auto& l : cart) {
    add(l.line_id);
    add(l.item_id);
    add(l.item_type);
    add(l.quantity);
    add(l.unit);
    for (const auto& u : l.upcs) add(u);
    canonical += ';';
  }
  return core::Sha256Hex(canonical);
}

}  // namespace jwo::ordering
