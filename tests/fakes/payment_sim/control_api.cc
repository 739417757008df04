#include "tests/fakes/payment_sim/control_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "core/json.h"
#include "tests/fakes/payment_sim/simulator.h"

namespace jwo::payment_sim {
namespace {

namespace json = boost::json;

http::Response Ok(std::string body) {
  http::Response r;
  r.body = std::move(body);
  return r;
}

http::Response FromStatus(const core::Status& s) {
  if (!s.ok()) return http::JsonError(400, s.message());
  return Ok(R"({"ok":true})");
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

core::Status StartOutage(PaymentSimulator& sim, std::string_view body) {
  auto parsed = core::ParseJson(body);
  if (!parsed.ok() || !parsed->is_object()) {
    return core::InvalidArgument("body must be {\"seconds\": N}");
  }
  const json::value* v = parsed->get_object().if_contains("seconds");
  double seconds = -1;
  if (v != nullptr && v->is_int64()) seconds = static_cast<double>(v->get_int64());
  if (v != nullptr && v->is_double()) seconds = v->get_double();
  if (!(seconds >= 0) || seconds > 365.0 * 24 * 3600) {
    return core::InvalidArgument("seconds must be a number of seconds between 0 and one year");
  }
  sim.StartOutage(static_cast<int64_t>(std::llround(seconds * 1000)));
  return core::Status::Ok();
}

}  // namespace

std::string QueryParam(std::string_view target, std::string_view name) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return "";
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

void AddControlRoutes(http::Router& router, const std::shared_ptr<PaymentSimulator>& sim) {
  router.Add("GET", "/_sim/health",
             [](http::Request&&, http::Respond respond) { respond(Ok(R"({"ok":true})")); });
  router.Add("GET", "/_sim/requests", [sim](http::Request&& r, http::Respond respond) {
    RecordFilter filter;
    filter.api = QueryParam(r.target, "api");
    filter.trip = QueryParam(r.target, "trip");
    const std::string after = QueryParam(r.target, "after");
    if (!after.empty()) {
      const auto [end, ec] =
          std::from_chars(after.data(), after.data() + after.size(), filter.after_seq);
      if (ec != std::errc() || end != after.data() + after.size()) {
        respond(http::JsonError(400, "after must be a sequence number"));
        return;
      }
    }
    respond(Ok(sim->RequestsJson(filter)));
  });
  router.Add("GET", "/_sim/trips", [sim](http::Request&& r, http::Respond respond) {
    const std::string id = QueryParam(r.target, "id");
    if (id.empty()) {
      respond(Ok(sim->TripsJson()));
      return;
    }
    std::string trip = sim->TripJson(id);
    respond(trip.empty() ? http::JsonError(404, "no call was applied for shopping trip " + id)
                         : Ok(std::move(trip)));
  });
  router.Add("GET", "/_sim/violations",
             [sim](http::Request&&, http::Respond respond) { respond(Ok(sim->ViolationsJson())); });
  router.Add("GET", "/_sim/summary",
             [sim](http::Request&&, http::Respond respond) { respond(Ok(sim->SummaryJson())); });
  router.Add("GET", "/_sim/behaviour",
             [sim](http::Request&&, http::Respond respond) { respond(Ok(sim->BehaviourJson())); });
  router.Add("POST", "/_sim/script", [sim](http::Request&& r, http::Respond respond) {
    respond(FromStatus(sim->ApplyScript(r.body)));
  });
  router.Add("POST", "/_sim/faults", [sim](http::Request&& r, http::Respond respond) {
    respond(FromStatus(sim->SetFaults(r.body)));
  });
  router.Add("POST", "/_sim/outage", [sim](http::Request&& r, http::Respond respond) {
    respond(FromStatus(StartOutage(*sim, r.body)));
  });
  router.Add("POST", "/_sim/reset", [sim](http::Request&&, http::Respond respond) {
    sim->Reset();
    respond(Ok(R"({"ok":true})"));
  });
}

}  // namespace jwo::payment_sim
