// ConformanceHost: the host table jwo-hal-conformance gives a driver under test.
//
// Time is simulated (Advance), so heartbeats and pulses are checked without waiting. Every
// event is validated the moment it is emitted (its pointers are only borrowed for the call)
// and recorded with what was wrong with it, the instance it came from, and whether it arrived
// inside a driver call on the calling thread. Host functions may be called from any thread
// (drivers with JWO_HAL_CAP_OWN_THREADS); the recorded state is guarded by one mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hal/loader/host_settings.h"
#include "jwo_edge/gate_hal.h"

namespace jwo::hal::conformance {

struct RecordedEvent {
  int instance = 0;  // which Table() it came through
  uint32_t type = 0;
  uint32_t lane = 0;
  uint32_t direction = 0;
  std::string data;                   // CARD_TAPPED's data (compared by the "inputs" check)
  uint64_t at_ns = 0;                 // simulated time
  bool in_call = false;               // emitted inside a driver call, on that call's thread
  std::vector<std::string> problems;  // contract violations found in it
};

class ConformanceHost {
 public:
  explicit ConformanceHost(uint32_t lane_limit = 64);

  // The host table for instance number `instance` (0, 1, ...); stable for the host's life.
  const jwo_hal_host_t* Table(int instance);

  void Advance(uint64_t ms) { now_ns_ += ms * 1'000'000; }
  uint64_t now_ns() const { return now_ns_; }

  // Brackets a driver call made from the current thread.
  void EnterCall() { call_thread_ = std::this_thread::get_id(); }
  void LeaveCall() { call_thread_ = std::thread::id(); }

  // The lane count events are validated against.
  void SetLaneCount(int instance, uint32_t lanes);
  // What instance `instance`'s setting_* getters answer from: the text about to be handed to
  // its open(). Only while that instance is not open.
  void SetSettings(int instance, std::string_view settings_json);

  std::vector<RecordedEvent> Events() const;
  // The number of events recorded so far, and those from number `first` on.
  size_t EventCount() const;
  std::vector<RecordedEvent> EventsSince(size_t first) const;
  std::vector<std::string> Logs() const;

 private:
  struct Context {
    ConformanceHost* host;
    int instance;
    uint32_t lanes;
    jwo_hal_host_t table;
    HostSettings settings;
  };

  static void Emit(void* context, const jwo_hal_event_t* event);
  static void Log(void* context, uint32_t level, const char* message);
  static uint64_t MonotonicNs(void* context);
  static const HostSettings& SettingsOf(void* context);

  std::atomic<uint64_t> now_ns_{1'000'000'000};
  std::atomic<std::thread::id> call_thread_{};
  uint32_t lane_limit_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<RecordedEvent> events_;
  std::vector<std::string> logs_;
};

}  // namespace jwo::hal::conformance
