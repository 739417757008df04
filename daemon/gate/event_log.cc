#include "gate/event_log.h"

#include "core/log.h"
#include "hal/loader/driver_library.h"
#include "jwo_edge/gate_hal.h"

namespace jwo::gate {

void LogGateEvent(const std::string& gate, const GateEvent& e) {
  core::LogLevel level = core::LogLevel::kInfo;
  switch (e.type) {
    case JWO_HAL_EVENT_DOOR_FORCED:
    case JWO_HAL_EVENT_DOOR_HELD_OPEN:
    case JWO_HAL_EVENT_TAMPER:
    case JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE:
      level = core::LogLevel::kWarning;
      break;
    case JWO_HAL_EVENT_FAULT:
      level = core::LogLevel::kError;
      break;
    default:
      break;
  }
  if (!core::LogEnabled(level)) return;
  std::string message = "gate event: " + std::string(hal::EventTypeName(e.type));
  if (e.type == JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE) {
    message += " (no lane command is sent to the released lanes until it clears)";
  }
  const std::string event(hal::EventTypeName(e.type));
  const std::string lane = std::to_string(e.lane);
  switch (e.type) {
    case JWO_HAL_EVENT_CARD_TAPPED:
      // Reader data is card data: only its size and a pseudonym reach the log.
      core::Log(level, message,
                {{"gate", gate},
                 {"lane", lane},
                 {"event", event},
                 {"trip", e.trip_id},
                 {"reader_data_bytes", std::to_string(e.data_size)},
                 {"reader_data", e.data_pseudonym}});
      break;
    case JWO_HAL_EVENT_PERSON_PASSED:
      core::Log(level, message,
                {{"gate", gate},
                 {"lane", lane},
                 {"event", event},
                 {"trip", e.trip_id},
                 {"direction", e.direction == JWO_HAL_DIRECTION_IN    ? "in"
                               : e.direction == JWO_HAL_DIRECTION_OUT ? "out"
                                                                      : "unknown"}});
      break;
    case JWO_HAL_EVENT_FAULT:
    case JWO_HAL_EVENT_RECOVERED:
      core::Log(level, message,
                {{"gate", gate},
                 {"lane", lane},
                 {"event", event},
                 {"code", std::to_string(e.code)},
                 {"detail", e.detail}});
      break;
    default:
      core::Log(level, message,
                {{"gate", gate},
                 {"lane", lane},
                 {"event", event},
                 {"detail", e.detail},
                 {"trip", e.trip_id}});
      break;
  }
}

}  // namespace jwo::gate
