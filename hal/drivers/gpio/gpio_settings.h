// GpioSettings: what the `gpio` driver drives, read from its JSON settings.
//
//   {"chip": "gpiochip0", "consumer": "jwo-edge", "debounce_ms": 30, "heartbeat": true,
//    "lanes": [{"relay": {"line": 17}, "pulse_ms": 500,
//               "deny": {"line": 27}, "deny_ms": 2000,
//               "door": {"line": 22, "active_low": true}, "door_held_ms": 15000,
//               "door_grace_ms": 5000,
//               "passage": {"line": 23, "active_low": true, "debounce_ms": 10},
//               "passage_direction": "in"}],
//    "emergency": {"line": 24, "active_low": true},
//    "tamper": {"line": 25, "active_low": true}}
//
// Every lane needs a relay; the rest is optional. A line is used at most once. Plain values;
// ParseGpioSettings is a pure function (any thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jwo_edge/gate_hal.h"

namespace jwo::hal::gpio {

struct LineSpec {
  uint32_t line = 0;         // offset on the chip
  bool active_low = false;   // true: the active state is the low level
  uint32_t debounce_ms = 0;  // inputs: a new level must hold this long to count
};

struct GpioLaneSettings {
  LineSpec relay;  // pulsed active for pulse_ms to admit
  uint32_t pulse_ms = 500;
  std::optional<LineSpec> deny;  // indicator, active for deny_ms on a denial
  uint32_t deny_ms = 2000;
  std::optional<LineSpec> door;     // active = door open
  uint32_t door_held_ms = 15000;    // open longer than this: DOOR_HELD_OPEN
  uint32_t door_grace_ms = 5000;    // an opening this long after an admit is not "forced"
  std::optional<LineSpec> passage;  // active = someone in the beam
  jwo_hal_direction_t passage_direction = JWO_HAL_DIRECTION_IN;
};

struct GpioSettings {
  std::string chip;                     // "gpiochip0", "/dev/gpiochip0", or a chip label
  std::string consumer = "jwo-edge";    // shown by gpioinfo
  std::vector<GpioLaneSettings> lanes;  // 1..16
  std::optional<LineSpec> emergency;    // active = emergency release (fire alarm) in force
  std::optional<LineSpec> tamper;       // active = cabinet open / tamper switch
  bool heartbeat = true;

  // Every input, then every output, as requested from the chip.
  std::vector<LineSpec> Inputs() const;
  std::vector<LineSpec> Outputs() const;
};

// Throws jwo_edge::hal::SettingsError naming the key and the rule.
GpioSettings ParseGpioSettings(std::string_view json);

}  // namespace jwo::hal::gpio
