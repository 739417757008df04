// The read-only staff view: gate states, held carts, the outbox's dead letters, trips needing
// attention and payoffs to look at, behind HTTP Basic authentication with the staff password
// (portal.staff_password_file) — separate from every shopper session. It runs only read
// commands of the control API and changes nothing; changes stay with jwo-edgectl.
#include <openssl/evp.h>

#include <boost/json.hpp>

#include "core/json.h"
#include "portal/portal_service.h"
#include "portal/portal_visit.h"

namespace jwo::portal {
namespace {

namespace json = boost::json;
using web::Escape;

std::string Base64Decode(std::string_view in) {
  std::string out(3 * (in.size() / 4) + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return {};
  out.resize(static_cast<size_t>(n));
  size_t pad = 0;  // EVP_DecodeBlock counts the '=' padding as zero bytes
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  out.resize(out.size() - std::min(pad, out.size()));
  return out;
}

std::string Cell(const json::value& v) {
  if (v.is_string()) return Escape(v.as_string());
  if (v.is_object() || v.is_array()) return "<code>" + Escape(json::serialize(v)) + "</code>";
  return Escape(json::serialize(v));
}

// An array of objects as a table (columns: the keys of the first rows), anything else as code.
std::string Table(const json::value& v, std::string_view caption) {
  if (!v.is_array() || v.as_array().empty()) return "<p>None.</p>";
  std::vector<std::string> cols;
  for (const json::value& row : v.as_array()) {
    if (!row.is_object()) continue;
    for (const auto& kv : row.as_object()) {
      if (std::find(cols.begin(), cols.end(), kv.key()) == cols.end() && cols.size() < 8) {
        cols.emplace_back(kv.key());
      }
    }
  }
  std::string h = "<table><caption class=\"hint\">" + Escape(caption) + "</caption><thead><tr>";
  for (const auto& c : cols) h += "<th scope=\"col\">" + Escape(c) + "</th>";
  h += "</tr></thead><tbody>";
  for (const json::value& row : v.as_array()) {
    if (!row.is_object()) continue;
    h += "<tr>";
    for (const auto& c : cols) {
      const json::value* cell = row.as_object().if_contains(c);
      h += "<td>" + (cell ? Cell(*cell) : std::string()) + "</td>";
    }
    h += "</tr>";
  }
  return h + "</tbody></table>";
}

}  // namespace

http::Response PortalService::Staff(Visit& v) {
  const auto challenge = [&](int status, std::string_view text) {
    http::Response r =
        web::Html(status, web::Page(v.frame, "Staff view", "<p>" + std::string(text) + "</p>"));
    if (status == 401)
      r.headers.emplace_back("WWW-Authenticate",
                             "Basic realm=\"jwo-edge staff\", charset=\"UTF-8\"");
    return r;
  };
  if (deps_.staff_password.empty()) {
    return challenge(404, "The staff view is not enabled (portal.staff_password_file).");
  }
  if (const int64_t until = LockedUntil("p/" + v.peer)) {
    return challenge(429, "Too many failed sign-ins from this address; try again later.");
  }
  const std::string_view auth = v.request.Header("Authorization");
  if (auth.empty()) return challenge(401, "Staff sign-in required.");
  const bool basic = auth.size() > 6 && auth.substr(0, 6) == "Basic ";
  const std::string given = basic ? Base64Decode(auth.substr(6)) : std::string();
  if (!ConstantTimeEquals(HmacHex(secret_, given),
                          HmacHex(secret_, "staff:" + deps_.staff_password))) {
    RecordFailure({"p/" + v.peer});
    return challenge(401, "Wrong staff name or password.");
  }
  const auto ask = [&](json::object request) -> json::value {
    auto answer = core::ParseJson(deps_.control(json::serialize(request)));
    if (!answer.ok() || !answer->is_object()) return json::value("unreadable answer");
    const json::object& o = answer->as_object();
    if (const json::value* r = o.if_contains("result")) return *r;
    const json::value* e = o.if_contains("error");
    return e ? *e : json::value("error");
  };
  const auto member = [](const json::value& v, std::string_view key) -> json::value {
    if (v.is_object()) {
      if (const json::value* m = v.as_object().if_contains(key)) return *m;
    }
    return json::value(nullptr);
  };
  std::string h =
      "<p class=\"hint\">Read-only. Changes are made with jwo-edgectl on the "
      "appliance.</p>";
  const json::value status = ask({{"command", "status"}});
  h += "<h2>Daemon</h2><table><tbody>";
  for (const char* key : {"version", "store_id", "ready", "store", "outbox", "mail", "ledger"}) {
    const json::value m = member(status, key);
    if (!m.is_null())
      h += "<tr><th scope=\"row\">" + std::string(key) + "</th><td>" + Cell(m) + "</td></tr>";
  }
  h += "</tbody></table>";
  h += "<h2>Gates</h2>" + Table(member(ask({{"command", "gate.status"}}), "gates"), "Gate states");
  for (const auto& [state, label] :
       {std::pair<const char*, const char*>{"held", "Held carts (an item the catalog lacks)"},
        {"attention", "Trips needing attention (a permanent payment error)"},
        {"capture_unknown", "Captures with an unknown outcome"}}) {
    h += "<h2>" + std::string(label) + "</h2>" +
         Table(member(ask({{"command", "trip.list"}, {"state", state}, {"limit", "100"}}), "trips"),
               label);
  }
  h += "<h2>Outbox dead letters</h2>" +
       Table(member(ask({{"command", "outbox.list"}, {"dead", "true"}}), "entries"),
             "Payment calls waiting for an operator");
  // Payoffs to look at: still charging after five minutes, or paid for debts settled meanwhile.
  json::array payoffs;
  const int64_t now = deps_.clock->NowUnixMs();
  (void)deps_.env->Read([&](const store::ReadTxn& txn) {
    return txn.Scan(store::Table::kPortal, "p/", [&](std::string_view, std::string_view v) {
      auto p = DecodePayoff(v);
      if (p.ok()) {
        const Payoff& po = *p;
        if ((po.state == PayoffState::kCharging && po.updated_ms < now - 300'000) ||
            po.unapplied > 0) {
          payoffs.push_back(json::object{{"payoff", po.id},
                                         {"state", PayoffStateName(po.state)},
                                         {"amount", FormatAmount(po.amount, po.currency)},
                                         {"unapplied", FormatAmount(po.unapplied, po.currency)},
                                         {"processor_ref", po.processor_ref}});
        }
      }
      return payoffs.size() < 100;
    });
  });
  h += "<h2>Payoffs to look at</h2>" +
       Table(payoffs, "Stuck payoffs, or paid twice over (refund the unapplied part)");
  http::Response r = web::Html(200, web::Page(v.frame, "Staff view", h));
  return r;
}

}  // namespace jwo::portal
