// How driver events reach the daemon's log: one line per event (heartbeats excepted), at a
// level that matches what an operator must do about it (door forced, tamper and emergency
// release: warning; fault: error; the rest: info), with the gate, lane and correlated trip.
// Card reader data is never logged, only its size and a pseudonym. Any thread.
#pragma once

#include <string>

#include "gate/gate_state.h"

namespace jwo::gate {

void LogGateEvent(const std::string& gate, const GateEvent& event);

}  // namespace jwo::gate
