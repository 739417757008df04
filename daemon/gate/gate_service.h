// GateService: the daemon's side of the gate HAL - start here for daemon/gate/.
//
// Start() opens one GateRunner (driver instance + thread) per configured gate. After each F&A
// decision the handler calls OnDecision(), which maps the request's gate/lane to a configured
// lane (LaneMap) and queues "admit" or "deny with the configured message" for that lane; the
// HTTP answer never waits for hardware. Status() and UnreadyReasons() feed `jwo-edgectl
// status` (its "gate" section) and /readyz; metrics go to the registry given to Start().
// HandleControl() serves the `gate.*` commands of the control socket.
//
// With no gates configured, Start() does nothing: no thread, no metric, and every other call
// is a cheap no-op, so a configuration without `gates:` behaves exactly as before.
//
// Thread safety: Start and Stop from the thread that runs the daemon, once each, in that
// order. OnDecision from any I/O thread, concurrently; it never blocks on a driver (a mutex
// held for a queue push at most). Status, UnreadyReasons: any thread. HandleControl: the
// control thread (it may wait up to 2 s for a gate).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "config/config.h"
#include "core/status.h"
#include "fa/policy.h"
#include "fa/request.h"
#include "gate/gate_runner.h"
#include "gate/lane_map.h"

namespace prometheus {
class Registry;
}

namespace jwo::gate {

class GateService {
 public:
  struct Options {
    GateRunnerOptions runner;
    std::chrono::milliseconds stop_deadline{3000};  // per gate
  };

  GateService();
  explicit GateService(Options options);
  ~GateService();  // Stop()
  GateService(const GateService&) = delete;
  GateService& operator=(const GateService&) = delete;

  // Starts every gate. Never fails: a gate whose driver cannot be loaded or opened is shown
  // as faulty (with the reason) while the others run.
  void Start(const std::vector<config::GateConfig>& gates, prometheus::Registry& registry);
  // Closes every driver; a gate stuck in a driver call is abandoned after stop_deadline.
  void Stop();

  // Queues the lane command for a decision; unmapped requests are counted. Never blocks.
  void OnDecision(const fa::AuthorizationRequest& request, const fa::Decision& decision);

  // {"gates": [...]} with each gate's state, driver, lanes, faults and recent events.
  boost::json::object Status() const;
  // "gate:<name>:<reason>" tokens; empty when every gate is ready (or none is configured).
  std::vector<std::string> UnreadyReasons() const;
  bool configured() const { return !runners_.empty(); }

  // Control-socket commands (docs/hal.md, "jwo-edgectl gate"):
  //   {"command":"gate.status"}
  //   {"command":"gate.mode","gate":G,"lane":LANE_ID,"mode":"normal|locked|out_of_service"}
  //   {"command":"gate.control","gate":G,"request":{...}}   (passed to the driver's control())
  // Errors: kFailedPrecondition when no gate is configured or the lane is under emergency
  // release, kNotFound for an unknown gate or lane, kInvalidArgument for a bad argument,
  // kUnavailable when the gate does not answer.
  core::Result<boost::json::object> HandleControl(const boost::json::object& request);

 private:
  GateRunner* FindGate(const std::string& name) const;
  void Supervise();

  Options options_;
  std::unique_ptr<LaneMap> map_;
  std::unique_ptr<GateMetricFamilies> families_;
  std::vector<std::shared_ptr<GateRunner>> runners_;
  std::thread supervisor_;
  std::mutex supervisor_mutex_;
  std::condition_variable supervisor_cv_;
  bool stopping_ = false;
};

}  // namespace jwo::gate
