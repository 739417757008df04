// GateMetrics: the Prometheus metrics of the gate subsystem (docs/hal.md, "Metrics").
//
//   jwo_gate_events_total{gate,event}           driver events by type
//   jwo_gate_commands_total{gate,command,result} lane commands: sent, failed, dropped_emergency,
//                                               dropped_stale, dropped_overflow,
//                                               dropped_unavailable, unsupported
//   jwo_gate_ready{gate}                        1 when the gate has no unready reason
//   jwo_gate_emergency_release{gate}            1 while any lane is under emergency release
//   jwo_gate_faults{gate}                       active faults reported by the driver
//   jwo_gate_driver_slow_calls_total{gate,call} driver calls over JWO_HAL_CALL_BUDGET_US, by
//   function jwo_gate_driver_errors_total{gate,call}     driver calls that returned an error
//   jwo_gate_events_dropped_total{gate}         events lost to a full event queue
//   jwo_gate_unmapped_decisions_total           decisions that named no configured lane
//
// Families are registered once (GateMetricFamilies), children per gate at start. Every
// pointer may be used from any thread (prometheus-cpp metrics are atomic).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace jwo::gate {

// Command results, in the order of GateMetrics::commands' second index.
enum class CommandResult {
  kSent,
  kFailed,
  kDroppedEmergency,
  kDroppedStale,
  kDroppedOverflow,
  kDroppedUnavailable,
  kUnsupported,
};
inline constexpr size_t kCommandResultCount = 7;
std::string_view CommandResultName(CommandResult r);

struct GateMetricFamilies {
  explicit GateMetricFamilies(prometheus::Registry& registry);

  prometheus::Family<prometheus::Counter>* events;
  prometheus::Family<prometheus::Counter>* commands;
  prometheus::Family<prometheus::Gauge>* ready;
  prometheus::Family<prometheus::Gauge>* emergency;
  prometheus::Family<prometheus::Gauge>* faults;
  prometheus::Family<prometheus::Counter>* slow_calls;
  prometheus::Family<prometheus::Counter>* driver_errors;
  prometheus::Family<prometheus::Counter>* events_dropped;
  prometheus::Counter* unmapped = nullptr;
};

// The driver functions the gate calls, as jwo_gate_driver_slow_calls_total's `call` label.
inline constexpr size_t kDriverCallCount = 9;
inline constexpr std::array<std::string_view, kDriverCallCount> kDriverCallNames = {
    "open", "close",         "lane_count", "instance_capabilities", "poll", "admit",
    "deny", "set_lane_mode", "control"};

inline constexpr size_t kEventTypeSlots = 12;  // 0 = unknown, 1..11 = jwo_hal_event_type_t

struct GateMetrics {
  GateMetrics(GateMetricFamilies& families, const std::string& gate);

  std::array<prometheus::Counter*, kEventTypeSlots> events{};
  // commands[kind][result]; kind is CommandKind.
  std::array<std::array<prometheus::Counter*, kCommandResultCount>, 3> commands{};
  prometheus::Gauge* ready = nullptr;
  prometheus::Gauge* emergency = nullptr;
  prometheus::Gauge* faults = nullptr;
  // slow_calls[i] counts calls of kDriverCallNames[i] over the budget.
  std::array<prometheus::Counter*, kDriverCallCount> slow_calls{};
  prometheus::Counter* poll_errors = nullptr;
  prometheus::Counter* command_errors = nullptr;
  prometheus::Counter* open_errors = nullptr;
  prometheus::Counter* events_dropped = nullptr;
  // jwo_gate_events_total{event="malformed"}: NULL or short events, ignored;
  // {event="discarded"}: events of an open() that failed (or whose lanes were refused).
  prometheus::Counter* events_malformed = nullptr;
  prometheus::Counter* events_discarded = nullptr;

  void CountEvent(uint32_t type);
  void CountCommand(size_t kind, CommandResult result);
};

}  // namespace jwo::gate
