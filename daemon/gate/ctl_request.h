// GateCtlRequest: turns `jwo-edgectl gate ...` arguments into a control-socket request.
//
//   gate status                                  every gate's state (also in `status`)
//   gate mode GATE LANE normal|locked|out_of_service
//   gate control GATE JSON                       any request for the driver's control()
// and shorthands for the sim driver's requests (lanes are the sim's lane numbers):
//   gate state GATE                              the simulated lanes
//   gate tap GATE LANE [CARD]
//   gate pass GATE LANE [in|out|unknown]
//   gate door GATE LANE forced|held_open|closed
//   gate tamper GATE [LANE]
//   gate fault GATE [LANE [CODE [DETAIL]]]
//   gate recover GATE [LANE [CODE]]
//   gate emergency GATE on|off [LANE]
//   gate heartbeat GATE on|off
// Pure function; any thread.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace jwo::gate {

// `args` are the words after "gate". Returns true and fills *request, or returns false and
// sets *usage to the usage line of the form that did not fit (or the whole list).
bool GateCtlRequest(const std::vector<std::string>& args, boost::json::object* request,
                    std::string* usage);

// The usage lines above, for jwo-edgectl --help.
const char* GateCtlUsage();

}  // namespace jwo::gate
