#include "tests/fakes/payment_sim/script.h"

#include <boost/json.hpp>
#include <cmath>

#include "core/ids.h"
#include "core/json.h"

namespace jwo::payment_sim {
namespace {

namespace json = boost::json;
using core::Status;

Status Invalid(std::string_view path, std::string_view rule) {
  return core::InvalidArgument(std::string(path) + " " + std::string(rule));
}

std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

Status GetString(const json::value& v, std::string_view path, std::string& out) {
  if (!v.is_string()) return Invalid(path, "must be a string");
  out.assign(v.get_string().data(), v.get_string().size());
  return Status::Ok();
}

Status GetBool(const json::value& v, std::string_view path, bool& out) {
  if (!v.is_bool()) return Invalid(path, "must be true or false");
  out = v.get_bool();
  return Status::Ok();
}

// A non-negative integer; a JSON number with a fraction is refused rather than truncated.
Status GetCount(const json::value& v, std::string_view path, int64_t& out) {
  if (v.is_int64() && v.get_int64() >= 0) {
    out = v.get_int64();
    return Status::Ok();
  }
  return Invalid(path, "must be a non-negative integer");
}

// Seconds as a non-negative number (fractions allowed: "outage_seconds": 0.5), in milliseconds.
Status GetSecondsAsMs(const json::value& v, std::string_view path, int64_t& out) {
  double seconds = -1;
  if (v.is_int64()) seconds = static_cast<double>(v.get_int64());
  if (v.is_double()) seconds = v.get_double();
  if (!(seconds >= 0) || seconds > 365.0 * 24 * 3600) {
    return Invalid(path, "must be a number of seconds between 0 and one year");
  }
  out = static_cast<int64_t>(std::llround(seconds * 1000));
  return Status::Ok();
}

Status GetTrip(const json::value& v, std::string_view path, std::string& out) {
  if (Status s = GetString(v, path, out); !s.ok()) return s;
  if (!core::IsIdToken(out) || out.size() > 255) {
    return Invalid(path, "must be a shopping trip id (1-255 characters, ^[0-9a-zA-Z_-]+$)");
  }
  return Status::Ok();
}

Status GetStringList(const json::value& v, std::string_view path, bool trips,
                     std::vector<std::string>& out) {
  if (!v.is_array()) return Invalid(path, "must be an array of strings");
  const json::array& a = v.get_array();
  for (size_t i = 0; i < a.size(); ++i) {
    std::string s;
    Status st = trips ? GetTrip(a[i], Index(path, i), s) : GetString(a[i], Index(path, i), s);
    if (!st.ok()) return st;
    out.push_back(std::move(s));
  }
  return Status::Ok();
}

Status GetOutcome(const json::value& v, std::string_view path, AdjustOutcome& out) {
  std::string s;
  if (Status st = GetString(v, path, s); !st.ok()) return st;
  for (AdjustOutcome o :
       {AdjustOutcome::kApproved, AdjustOutcome::kDeclined, AdjustOutcome::kPending}) {
    if (AdjustOutcomeName(o) == s) {
      out = o;
      return Status::Ok();
    }
  }
  return Invalid(path, "must be APPROVED, DECLINED or PENDING");
}

Status ParseTrip(const json::value& v, std::string_view path, TripScript& out) {
  if (!v.is_object()) return Invalid(path, "must be an object");
  const json::object& o = v.get_object();
  for (const auto& kv : o) {
    const std::string key = std::string(path) + "." + std::string(kv.key());
    if (kv.key() == "trip") {
      if (Status s = GetTrip(kv.value(), key, out.trip); !s.ok()) return s;
    } else if (kv.key() == "adjust") {
      if (!kv.value().is_array() || kv.value().get_array().empty()) {
        return Invalid(key, "must be a non-empty array of outcomes");
      }
      const json::array& a = kv.value().get_array();
      for (size_t i = 0; i < a.size(); ++i) {
        AdjustOutcome outcome;
        if (Status s = GetOutcome(a[i], Index(key, i), outcome); !s.ok()) return s;
        out.adjust.push_back(outcome);
      }
    } else {
      return Invalid(key, "is not a known key (trip, adjust)");
    }
  }
  if (out.trip.empty()) return Invalid(std::string(path) + ".trip", "is required");
  if (out.adjust.empty()) return Invalid(std::string(path) + ".adjust", "is required");
  return Status::Ok();
}

Status GetKind(const json::value& v, std::string_view path, FaultKind& out) {
  std::string s;
  if (Status st = GetString(v, path, s); !st.ok()) return st;
  for (FaultKind k : {FaultKind::kThrottle, FaultKind::kServerError, FaultKind::kUnavailable,
                      FaultKind::kSlow, FaultKind::kDrop, FaultKind::kDropAfter}) {
    if (FaultKindName(k) == s) {
      out = k;
      return Status::Ok();
    }
  }
  return Invalid(path, "must be one of 429, 500, 503, slow, drop, drop_after");
}

Status ParseFault(const json::value& v, std::string_view path, FaultRule& out) {
  if (!v.is_object()) return Invalid(path, "must be an object");
  bool has_kind = false;
  for (const auto& kv : v.get_object()) {
    const std::string key = std::string(path) + "." + std::string(kv.key());
    const json::value& value = kv.value();
    Status s;
    if (kv.key() == "api") {
      std::string name;
      s = GetString(value, key, name);
      if (s.ok() && name != "*") {
        out.api = ApiFromName(name);
        if (!out.api) {
          s = Invalid(key,
                      "must be \"*\" or one of adjust, cancel, capture, refund, "
                      "payment-status, transactional-data, shopper-identity");
        }
      }
    } else if (kv.key() == "trip") {
      s = GetTrip(value, key, out.trip);
    } else if (kv.key() == "kind") {
      has_kind = true;
      s = GetKind(value, key, out.kind);
    } else if (kv.key() == "count") {
      s = GetCount(value, key, out.count);
    } else if (kv.key() == "probability") {
      const bool number = value.is_double() || value.is_int64();
      out.probability = value.is_double() ? value.get_double()
                                          : static_cast<double>(number ? value.get_int64() : -1);
      if (!number || !(out.probability >= 0.0 && out.probability <= 1.0)) {
        s = Invalid(key, "must be a number between 0 and 1");
      }
    } else if (kv.key() == "retry_after") {
      s = GetCount(value, key, out.retry_after_s);
    } else if (kv.key() == "delay_ms") {
      s = GetCount(value, key, out.delay_ms);
      if (s.ok() && out.delay_ms > kMaxDelayMs) s = Invalid(key, "must be at most 600000");
    } else {
      s = Invalid(key,
                  "is not a known key (api, trip, kind, count, probability, retry_after, "
                  "delay_ms)");
    }
    if (!s.ok()) return s;
  }
  if (!has_kind) return Invalid(std::string(path) + ".kind", "is required");
  return Status::Ok();
}

Status ParseKey(std::string_view key, const json::value& v, Script& out) {
  if (key == "default_adjust") {
    AdjustOutcome o;
    if (Status s = GetOutcome(v, key, o); !s.ok()) return s;
    out.default_adjust = o;
  } else if (key == "trips") {
    if (!v.is_array()) return Invalid(key, "must be an array");
    const json::array& a = v.get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      TripScript trip;
      if (Status s = ParseTrip(a[i], Index(key, i), trip); !s.ok()) return s;
      out.trips.push_back(std::move(trip));
    }
  } else if (key == "unknown_trips") {
    return GetStringList(v, key, true, out.unknown_trips);
  } else if (key == "faults") {
    if (!v.is_array()) return Invalid(key, "must be an array");
    const json::array& a = v.get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      FaultRule rule;
      if (Status s = ParseFault(a[i], Index(key, i), rule); !s.ok()) return s;
      out.faults.push_back(std::move(rule));
    }
  } else if (key == "outage_seconds") {
    int64_t ms = 0;
    if (Status s = GetSecondsAsMs(v, key, ms); !s.ok()) return s;
    out.outage_ms = ms;
  } else if (key == "unknown_shoppers") {
    return GetStringList(v, key, false, out.unknown_shoppers);
  } else if (key == "all_shoppers_unknown") {
    bool b = false;
    if (Status s = GetBool(v, key, b); !s.ok()) return s;
    out.all_shoppers_unknown = b;
  } else if (key == "shopper_email_domain") {
    std::string d;
    if (Status s = GetString(v, key, d); !s.ok()) return s;
    if (d.empty() || d.size() > 64 || d.find_first_of("@ \"\\") != std::string::npos) {
      return Invalid(key, "must be a domain name of at most 64 characters");
    }
    out.shopper_email_domain = std::move(d);
  } else if (key == "payment_status") {
    std::string p;
    if (Status s = GetString(v, key, p); !s.ok()) return s;
    if (p != "Accepted" && p != "Rejected") return Invalid(key, "must be Accepted or Rejected");
    out.payment_status = std::move(p);
  } else if (key == "refund_answer") {
    std::string r;
    if (Status s = GetString(v, key, r); !s.ok()) return s;
    if (r != "empty" && r != "reconciliation") {
      return Invalid(key, "must be empty or reconciliation");
    }
    out.refund_reconciliation_id = r == "reconciliation";
  } else if (key == "capture_replay") {
    std::string mode;
    if (Status s = GetString(v, key, mode); !s.ok()) return s;
    if (mode == CaptureReplayName(CaptureReplay::kNoop)) {
      out.capture_replay = CaptureReplay::kNoop;
    } else if (mode == CaptureReplayName(CaptureReplay::kApply)) {
      out.capture_replay = CaptureReplay::kApply;
    } else {
      return Invalid(key, "must be noop or apply");
    }
  } else if (key == "seed") {
    int64_t seed = 0;
    if (Status s = GetCount(v, key, seed); !s.ok()) return s;
    out.seed = static_cast<uint64_t>(seed);
  } else {
    return Invalid(key, "is not a known script key");
  }
  return Status::Ok();
}

}  // namespace

std::string_view AdjustOutcomeName(AdjustOutcome outcome) {
  switch (outcome) {
    case AdjustOutcome::kApproved:
      return "APPROVED";
    case AdjustOutcome::kDeclined:
      return "DECLINED";
    case AdjustOutcome::kPending:
      return "PENDING";
  }
  return "APPROVED";
}

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kThrottle:
      return "429";
    case FaultKind::kServerError:
      return "500";
    case FaultKind::kUnavailable:
      return "503";
    case FaultKind::kSlow:
      return "slow";
    case FaultKind::kDrop:
      return "drop";
    case FaultKind::kDropAfter:
      return "drop_after";
  }
  return "500";
}

std::string_view CaptureReplayName(CaptureReplay mode) {
  return mode == CaptureReplay::kApply ? "apply" : "noop";
}

core::Result<Script> ParseScript(std::string_view text) {
  auto parsed = core::ParseJson(text);
  if (!parsed.ok())
    return core::InvalidArgument("script is not valid JSON: " + parsed.status().message());
  if (!parsed->is_object()) return core::InvalidArgument("script must be a JSON object");
  Script script;
  for (const auto& kv : parsed->get_object()) {
    if (Status s = ParseKey(kv.key(), kv.value(), script); !s.ok()) return s;
  }
  return script;
}

}  // namespace jwo::payment_sim
