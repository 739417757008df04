// RunConformance: checks a gate driver shared object against the HAL contract (gate_hal.h).
//
// Checks, in order (each adds one line to the report; docs/hal.md explains each):
//   load            the loader accepts the file (ABI major, descriptor size, required functions)
//   descriptor      known capability bits only, reserved fields zero, no function without its
//                   capability
//   open            opens with the given settings; lane_count() is 1..64 and stable
//   poll            300 polls over 3 simulated seconds return JWO_HAL_OK
//   heartbeat       with JWO_HAL_CAP_HEARTBEAT: a heartbeat at least every timeout
//   inputs          with stimulate (ABI 1.1): each declared input gives its event (type, lane,
//                   direction, card data); during a release every declared command answers
//                   JWO_HAL_ESTATE, and admit works after it; bad inputs and lanes refused
//                   (conformance_inputs.cc)
//   admit / deny / lane mode   per declared capability: valid lanes accepted, lane 0 and
//                   lane_count()+1 and bad modes rejected with JWO_HAL_EINVAL, admit on a
//                   locked lane refused with JWO_HAL_ESTATE; undeclared commands, if present,
//                   answer JWO_HAL_EUNSUPPORTED
//   control         with JWO_HAL_CAP_CONTROL: replies are NUL-terminated within the buffer
//   own threads     no new thread unless JWO_HAL_CAP_OWN_THREADS
//   bad settings    non-JSON and non-object settings fail with JWO_HAL_ESETTINGS, an error
//                   text, and *out_instance untouched (an unknown key accepted is a warning)
//   open/close cycles   50 open/poll/close cycles; two instances side by side, events routed
//                   to the right host context
//   events          every event well-formed, emitted inside a driver call (unless
//                   JWO_HAL_CAP_OWN_THREADS), of a type the capabilities announce
//   non-blocking    no call took longer than `slow_call` (fail) or JWO_HAL_CALL_BUDGET_US (warn)
// A call slower than `slow_call` ends the run early: the remaining checks would only repeat
// the wait. Time seen by the driver is simulated; only call durations use the real clock.
//
// Runs the driver on the calling thread. Not reentrant: one run per process at a time.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "hal/conformance/conformance_report.h"

namespace jwo::hal::conformance {

struct ConformanceOptions {
  std::string settings = "{}";  // what the instance under test is opened with
  std::chrono::milliseconds slow_call{100};
  // When set, a watchdog thread calls it (with the call's name) if a driver call has not
  // returned after hang_limit; jwo-hal-conformance prints the report and exits there.
  std::function<void(const std::string& call)> on_hang;
  std::chrono::milliseconds hang_limit{10'000};
};

void RunConformance(const std::string& driver_path, const ConformanceOptions& options,
                    ConformanceReport* report);

}  // namespace jwo::hal::conformance
