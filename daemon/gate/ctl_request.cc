#include "gate/ctl_request.h"

#include <boost/json.hpp>
#include <cstdlib>

namespace jwo::gate {
namespace {

namespace json = boost::json;

constexpr const char* kUsage =
    "  gate status                              gates, lanes, faults, recent events\n"
    "  gate mode GATE LANE normal|locked|out_of_service\n"
    "  gate control GATE JSON                   a request for the gate driver\n"
    "  gate state GATE                          sim: the simulated lanes\n"
    "  gate tap GATE LANE [CARD]                sim: a card tap\n"
    "  gate pass GATE LANE [in|out|unknown]     sim: a person passes\n"
    "  gate door GATE LANE forced|held_open|closed\n"
    "  gate tamper GATE [LANE]\n"
    "  gate fault GATE [LANE [CODE [DETAIL]]]\n"
    "  gate recover GATE [LANE [CODE]]\n"
    "  gate emergency GATE on|off [LANE]\n"
    "  gate heartbeat GATE on|off\n";

// A lane or code argument: a non-negative decimal integer.
bool Number(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 9) return false;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
  }
  *out = std::strtoll(text.c_str(), nullptr, 10);
  return true;
}

json::object Sim(const std::string& gate, json::object request) {
  return json::object{{"command", "gate.control"}, {"gate", gate}, {"request", std::move(request)}};
}

}  // namespace

const char* GateCtlUsage() { return kUsage; }

bool GateCtlRequest(const std::vector<std::string>& a, json::object* out, std::string* usage) {
  const std::string verb = a.empty() ? "" : a[0];
  const size_t n = a.size();
  auto fail = [&](const char* form) {
    *usage = std::string("gate ") + form;
    return false;
  };
  int64_t lane = 0;
  int64_t code = 0;
  if (verb == "status" && n == 1) {
    *out = {{"command", "gate.status"}};
  } else if (verb == "mode") {
    if (n != 4) return fail("mode GATE LANE normal|locked|out_of_service");
    *out = {{"command", "gate.mode"}, {"gate", a[1]}, {"lane", a[2]}, {"mode", a[3]}};
  } else if (verb == "control") {
    if (n != 3) return fail("control GATE JSON");
    boost::system::error_code ec;
    json::value request = json::parse(a[2], ec);
    if (ec || !request.is_object()) return fail("control GATE JSON (JSON must be an object)");
    *out = {{"command", "gate.control"}, {"gate", a[1]}, {"request", std::move(request)}};
  } else if (verb == "state") {
    if (n != 2) return fail("state GATE");
    *out = Sim(a[1], {{"op", "state"}});
  } else if (verb == "tap") {
    if ((n != 3 && n != 4) || !Number(a[2], &lane)) return fail("tap GATE LANE [CARD]");
    json::object r{{"op", "tap"}, {"lane", lane}};
    if (n == 4) r["card"] = a[3];
    *out = Sim(a[1], std::move(r));
  } else if (verb == "pass") {
    if ((n != 3 && n != 4) || !Number(a[2], &lane)) return fail("pass GATE LANE [in|out|unknown]");
    *out = Sim(a[1], {{"op", "pass"}, {"lane", lane}, {"direction", n == 4 ? a[3] : "in"}});
  } else if (verb == "door") {
    if (n != 4 || !Number(a[2], &lane)) return fail("door GATE LANE forced|held_open|closed");
    *out = Sim(a[1], {{"op", "door"}, {"lane", lane}, {"state", a[3]}});
  } else if (verb == "tamper") {
    if ((n != 2 && n != 3) || (n == 3 && !Number(a[2], &lane))) return fail("tamper GATE [LANE]");
    *out = Sim(a[1], {{"op", "tamper"}, {"lane", lane}});
  } else if (verb == "fault" || verb == "recover") {
    const bool fault = verb == "fault";
    const size_t max = fault ? 5 : 4;
    if (n < 2 || n > max || (n >= 3 && !Number(a[2], &lane)) || (n >= 4 && !Number(a[3], &code))) {
      return fail(fault ? "fault GATE [LANE [CODE [DETAIL]]]" : "recover GATE [LANE [CODE]]");
    }
    json::object r{{"op", verb}, {"lane", lane}};
    if (n >= 4) r["code"] = code;
    if (fault && n == 5) r["detail"] = a[4];
    *out = Sim(a[1], std::move(r));
  } else if (verb == "emergency") {
    if ((n != 3 && n != 4) || (a[2] != "on" && a[2] != "off") || (n == 4 && !Number(a[3], &lane))) {
      return fail("emergency GATE on|off [LANE]");
    }
    *out = Sim(a[1], {{"op", "emergency"}, {"active", a[2] == "on"}, {"lane", lane}});
  } else if (verb == "heartbeat") {
    if (n != 3 || (a[2] != "on" && a[2] != "off")) return fail("heartbeat GATE on|off");
    *out = Sim(a[1], {{"op", "heartbeat"}, {"enabled", a[2] == "on"}});
  } else {
    *usage = std::string("gate COMMAND ...\n") + kUsage;
    return false;
  }
  return true;
}

}  // namespace jwo::gate
