#include "gate/gate_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "gate/lane_command.h"
#include "hal/loader/driver_library.h"

namespace jwo::gate {

std::string_view CommandResultName(CommandResult r) {
  switch (r) {
    case CommandResult::kSent:
      return "sent";
    case CommandResult::kFailed:
      return "failed";
    case CommandResult::kDroppedEmergency:
      return "dropped_emergency";
    case CommandResult::kDroppedStale:
      return "dropped_stale";
    case CommandResult::kDroppedOverflow:
      return "dropped_overflow";
    case CommandResult::kDroppedUnavailable:
      return "dropped_unavailable";
    case CommandResult::kUnsupported:
      return "unsupported";
  }
  return "unknown";
}

GateMetricFamilies::GateMetricFamilies(prometheus::Registry& r)
    : events(&prometheus::BuildCounter()
                  .Name("jwo_gate_events_total")
                  .Help("Gate driver events by type")
                  .Register(r)),
      commands(&prometheus::BuildCounter()
                    .Name("jwo_gate_commands_total")
                    .Help("Lane commands by kind and result")
                    .Register(r)),
      ready(&prometheus::BuildGauge()
                 .Name("jwo_gate_ready")
                 .Help("1 when the gate has no unready reason")
                 .Register(r)),
      emergency(&prometheus::BuildGauge()
                     .Name("jwo_gate_emergency_release")
                     .Help("1 while an emergency release is active on the gate")
                     .Register(r)),
      faults(&prometheus::BuildGauge()
                  .Name("jwo_gate_faults")
                  .Help("Active faults reported by the gate driver")
                  .Register(r)),
      slow_calls(&prometheus::BuildCounter()
                      .Name("jwo_gate_driver_slow_calls_total")
                      .Help("Driver calls that took longer than the HAL call budget, by function")
                      .Register(r)),
      driver_errors(&prometheus::BuildCounter()
                         .Name("jwo_gate_driver_errors_total")
                         .Help("Driver calls that returned an error, by call")
                         .Register(r)),
      events_dropped(&prometheus::BuildCounter()
                          .Name("jwo_gate_events_dropped_total")
                          .Help("Driver events lost to a full event queue")
                          .Register(r)),
      unmapped(&prometheus::BuildCounter()
                    .Name("jwo_gate_unmapped_decisions_total")
                    .Help("F&A decisions whose gate/lane matched no configured lane")
                    .Register(r)
                    .Add({})) {}

GateMetrics::GateMetrics(GateMetricFamilies& f, const std::string& gate) {
  for (uint32_t type = 0; type < kEventTypeSlots; ++type) {
    events[type] =
        &f.events->Add({{"gate", gate}, {"event", std::string(hal::EventTypeName(type))}});
  }
  for (size_t kind = 0; kind < commands.size(); ++kind) {
    for (size_t result = 0; result < kCommandResultCount; ++result) {
      commands[kind][result] = &f.commands->Add(
          {{"gate", gate},
           {"command", std::string(CommandKindName(static_cast<CommandKind>(kind)))},
           {"result", std::string(CommandResultName(static_cast<CommandResult>(result)))}});
    }
  }
  ready = &f.ready->Add({{"gate", gate}});
  emergency = &f.emergency->Add({{"gate", gate}});
  faults = &f.faults->Add({{"gate", gate}});
  for (size_t i = 0; i < kDriverCallCount; ++i) {
    slow_calls[i] =
        &f.slow_calls->Add({{"gate", gate}, {"call", std::string(kDriverCallNames[i])}});
  }
  poll_errors = &f.driver_errors->Add({{"gate", gate}, {"call", "poll"}});
  command_errors = &f.driver_errors->Add({{"gate", gate}, {"call", "command"}});
  open_errors = &f.driver_errors->Add({{"gate", gate}, {"call", "open"}});
  events_dropped = &f.events_dropped->Add({{"gate", gate}});
  events_malformed = &f.events->Add({{"gate", gate}, {"event", "malformed"}});
  events_discarded = &f.events->Add({{"gate", gate}, {"event", "discarded"}});
}

void GateMetrics::CountEvent(uint32_t type) {
  events[type < kEventTypeSlots ? type : 0]->Increment();
}

void GateMetrics::CountCommand(size_t kind, CommandResult result) {
  commands[kind][static_cast<size_t>(result)]->Increment();
}

}  // namespace jwo::gate
