// DriverHost: the host table (jwo_hal_host_t) the daemon gives one driver instance, and the
// bounded inbox its events land in.
//
// emit() copies the event out of the driver's memory (detail cut to 200 bytes; card data
// reduced to its size and a pseudonym, never kept) and queues it for the gate's thread, which
// takes the batch after each driver call. The inbox holds `capacity` events; beyond that new
// events are dropped and counted (a driver flooding events must not exhaust memory; the
// counter and jwo_gate_events_dropped_total show it). log() writes to the daemon's log with
// the gate's name. monotonic_ns() is the steady clock. The setting_* getters read the
// instance's settings (SetSettings). Every host function is thread-safe, as
// gate_hal.h requires for drivers with their own threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "gate/gate_state.h"
#include "hal/loader/host_settings.h"
#include "jwo_edge/gate_hal.h"

namespace prometheus {
class Counter;
}

namespace jwo::gate {

class DriverHost {
 public:
  // `dropped` (may be null) counts events lost to a full inbox. The object must stay at one
  // address while a driver holds table() (it is the host context).
  DriverHost(std::string gate_name, size_t capacity, prometheus::Counter* dropped);
  DriverHost(const DriverHost&) = delete;
  DriverHost& operator=(const DriverHost&) = delete;

  const jwo_hal_host_t* table() const { return &table_; }
  // Names the driver in log lines (set once it is loaded).
  void SetDriverName(std::string name);
  // The settings the table's setting_* getters answer from (ABI 1.1): the text about to be
  // handed to open(). Only while no instance is open.
  void SetSettings(std::string_view settings_json) { settings_.Set(settings_json); }

  // Every event queued since the last call, oldest first.
  std::vector<GateEvent> TakeEvents();
  uint64_t dropped() const { return dropped_count_.load(); }
  // Events ignored because they were NULL or too short to hold a lane (a driver bug).
  uint64_t malformed() const { return malformed_count_.load(); }

  // Now on the clock drivers see.
  static int64_t NowNs();

 private:
  static void Emit(void* context, const jwo_hal_event_t* event);
  static void Log(void* context, uint32_t level, const char* message);
  static uint64_t MonotonicNs(void* context);
  static const hal::HostSettings& SettingsOf(void* context);

  const std::string gate_name_;
  const size_t capacity_;
  prometheus::Counter* const dropped_;
  jwo_hal_host_t table_{};
  hal::HostSettings settings_;
  std::mutex mutex_;  // guards the members below
  std::string driver_name_ = "?";
  std::vector<GateEvent> inbox_;
  std::atomic<uint64_t> dropped_count_{0};
  std::atomic<uint64_t> malformed_count_{0};
};

}  // namespace jwo::gate
