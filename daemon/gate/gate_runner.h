// GateRunner: one configured gate - its driver, its own thread, and what is known about it.
//
// The thread loads the driver (hal::DriverLibrary), opens an instance with the gate's
// settings, then loops: run queued control tasks, send queued lane commands, call poll()
// every JWO_HAL_POLL_INTERVAL_MS, and apply the events the driver emitted. Every driver call
// happens on this thread, one at a time, as gate_hal.h promises. One thread per gate means a
// driver that blocks stalls only its own gate.
//
// Containment:
//   - a driver that cannot be loaded (wrong ABI, missing file) leaves the gate "faulty"
//     (driver_unavailable) for good; one that fails to open is retried every reopen_interval,
//     except for JWO_HAL_ESETTINGS (the settings will not change until a restart);
//   - a call that has not returned after stuck_after makes the gate unready (driver_stuck)
//     until it returns; Stop() gives up on such a thread after its deadline and leaves it
//     detached, touching nothing shared again;
//   - poll() errors (driver_error), FAULT events (fault) and, for heartbeat drivers, no
//     heartbeat for heartbeat_timeout (heartbeat_lost) make the gate unready as well.
// Life safety: no lane command is sent to a lane under emergency release (it is counted as
// dropped_emergency and logged); the release is shown as a state, never as a fault.
//
// Thread safety: Enqueue, Control, SetLaneMode, Status, UnreadyReasons and Supervise may be
// called from any thread. Enqueue never waits on the driver; Control and SetLaneMode wait up
// to sync_timeout for the gate's thread (call them from the control thread, never an I/O one).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "config/config.h"
#include "core/status.h"
#include "gate/command_queue.h"
#include "gate/driver_host.h"
#include "gate/gate_metrics.h"
#include "gate/gate_state.h"
#include "hal/loader/driver_library.h"

namespace jwo::gate {

struct GateRunnerOptions {
  std::chrono::milliseconds poll_interval{JWO_HAL_POLL_INTERVAL_MS};
  std::chrono::milliseconds stuck_after{1000};
  std::chrono::milliseconds reopen_interval{10'000};
  std::chrono::milliseconds heartbeat_timeout{JWO_HAL_HEARTBEAT_TIMEOUT_MS};
  std::chrono::milliseconds sync_timeout{2000};
  size_t command_capacity = 64;  // per gate; overflow drops the oldest (command_queue.h)
  size_t event_capacity = 1024;  // per gate, between two drains; overflow drops the newest
  // Called on the gate's thread for each event correlated with a trip (not heartbeats); must
  // not block (the daemon hands it to the store writer's queue).
  std::function<void(const std::string& gate, const GateEvent& event)> on_trip_event;
};

class GateRunner : public std::enable_shared_from_this<GateRunner> {
 public:
  GateRunner(config::GateConfig cfg, GateMetrics metrics, GateRunnerOptions options);
  ~GateRunner();

  // Starts the gate's thread. Call once.
  void Start();
  // Closes the driver and ends the thread, waiting up to `deadline`. Returns false when the
  // thread is stuck in a driver call; it is then detached and abandoned.
  bool Stop(std::chrono::milliseconds deadline);

  const config::GateConfig& config() const { return cfg_; }

  // Queues a lane command; never waits for the driver. Overflow is counted.
  void Enqueue(LaneCommand command);
  // Passes a request to the driver's control() and returns its JSON answer. Errors:
  // kFailedPrecondition (no JWO_HAL_CAP_CONTROL), kUnavailable (driver not open, gate busy or
  // stuck), kInvalidArgument (the driver refused the request; the message holds its answer).
  core::Result<boost::json::object> Control(const std::string& request);
  // Sets a lane's mode now. Errors: kFailedPrecondition (emergency release active on the lane,
  // or no JWO_HAL_CAP_LANE_MODE, or the driver refused), kUnavailable.
  core::Result<boost::json::object> SetLaneMode(uint32_t lane, uint32_t mode);

  boost::json::object Status() const;
  // "gate:<name>:<reason>" for each reason the gate is not ready; empty when ready.
  std::vector<std::string> UnreadyReasons() const;
  // Called about every 100 ms by the service: logs a stuck call once, updates the gauges.
  void Supervise();

 private:
  using Task = std::function<void(bool run)>;

  void Run();
  void LoadDriver();
  void TryOpen(int64_t now);
  void ExecuteCommands(int64_t now);
  void SendCommand(const LaneCommand& cmd, int64_t now);
  void PollOnce();
  void DrainEvents();
  core::Result<boost::json::object> RunSync(std::function<core::Result<boost::json::object>()> fn);
  std::vector<std::string> UnreadyReasonsLocked(int64_t now) const;

  // Runs one driver call with stuck detection and timing.
  template <typename F>
  auto Call(const char* name, F&& f);

  const config::GateConfig cfg_;
  GateMetrics m_;
  const GateRunnerOptions opt_;
  DriverHost host_;
  CommandQueue commands_;
  std::thread thread_;

  // Gate thread only.
  jwo_hal_driver_t fn_{};
  jwo_hal_instance_t* instance_ = nullptr;
  int64_t next_open_ns_ = 0;
  std::string last_logged_error_;

  std::mutex wake_mutex_;  // guards the members below
  std::condition_variable wake_cv_;
  std::condition_variable done_cv_;
  bool stop_ = false;
  bool done_ = false;
  std::deque<Task> tasks_;
  std::atomic<bool> commands_pending_{false};

  std::atomic<int64_t> call_started_ns_{0};  // 0: not inside a driver call
  std::atomic<const char*> call_name_{""};
  std::atomic<bool> stuck_logged_{false};
  std::atomic<bool> abandoned_{false};
  std::atomic<int64_t> last_heartbeat_ns_{0};

  mutable std::mutex state_mutex_;  // guards the members below
  GateState state_;
  std::shared_ptr<const hal::DriverLibrary> lib_;
  // The open instance's capabilities (the descriptor's, narrowed by instance_capabilities);
  // 0 while none is open. Written by the gate thread at open, read by any.
  std::atomic<uint64_t> caps_{0};
  uint64_t malformed_seen_ = 0;  // host_.malformed() already counted (gate thread)
  bool Has(uint64_t capability) const {
    return (caps_.load(std::memory_order_relaxed) & capability) != 0;
  }
  std::string driver_path_;
  std::string error_;             // why the driver is not open
  bool permanent_error_ = false;  // no further open attempts
  bool attempted_ = false;        // an open was tried (before: "starting")
  bool open_ = false;
  bool poll_failing_ = false;
};

}  // namespace jwo::gate
