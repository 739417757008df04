// GpioGate: the gpio driver's logic - relays pulsed to admit, a deny indicator, debounced
// door, passage, emergency-release and tamper inputs - over the GpioLines seam.
//
// Behaviour (docs/hal.md, "The gpio driver"):
//   - admit: the lane's relay goes active for pulse_ms (a new admit during a pulse extends
//     it); refused with JWO_HAL_ESTATE when the lane is not in normal mode or an emergency
//     release is active. deny: the deny indicator, if wired, goes active for deny_ms; the
//     message is not shown (no display). out_of_service keeps the indicator on.
//   - inputs are read every poll; a new level counts once it has held for debounce_ms.
//     Door opening within door_grace_ms after an admit pulse ends is expected; otherwise it
//     is DOOR_FORCED. Open for door_held_ms: DOOR_HELD_OPEN. Closing after either: DOOR_CLOSED.
//     During an emergency release, door openings are expected and not reported.
//   - passage active edge: PERSON_PASSED with the configured direction.
//   - emergency input: EMERGENCY_RELEASE_ACTIVE / _CLEARED for the whole gate (lane NONE),
//     also at open when the release is already active. Tamper active edge: TAMPER.
//   - stimulate() (tests only) overrides what an input line reads; see Stimulate().
//   - a failed read or write is FAULT code kFaultIo once (RECOVERED when I/O works again);
//     poll returns JWO_HAL_EIO while reads fail, and heartbeats pause.
// Time comes from the host only. Not thread-safe: one thread at a time, like the instance.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "hal/drivers/gpio/gpio_lines.h"
#include "jwo_edge/gate_hal.hpp"

namespace jwo::hal::gpio {

inline constexpr int32_t kFaultIo = 1;

class GpioGate {
 public:
  // Reads every input once (the initial state is taken as stable, without debounce) and
  // reports an active emergency release or tamper input.
  GpioGate(jwo_edge::hal::Host host, GpioSettings settings, std::unique_ptr<GpioLines> lines);
  // Drives every output to its inactive level.
  ~GpioGate();
  GpioGate(const GpioGate&) = delete;
  GpioGate& operator=(const GpioGate&) = delete;

  uint32_t LaneCount() const { return static_cast<uint32_t>(lanes_.size()); }
  int Poll();
  int Admit(uint32_t lane);
  int Deny(uint32_t lane);
  int SetLaneMode(uint32_t lane, jwo_hal_lane_mode_t mode);

  // The driver's stimulate() (gate_hal.h section 10), for tests: the input's line reads as the
  // stimulated level, whatever the line says, until the debounce has accepted it, so the events
  // come from Poll()'s own edge path. A passage or tamper is a pulse (active, then back at
  // rest); a door forced or held open stays open until DOOR_CLOSED, a release on until
  // EMERGENCY_OFF; back at rest, the line is read again. Tamper and emergency are the whole
  // gate's (JWO_HAL_LANE_NONE). Returns JWO_HAL_OK; JWO_HAL_EINVAL (no such lane or input,
  // JWO_HAL_LANE_NONE for a lane's input); JWO_HAL_EUNSUPPORTED (a card tap: no reader; an
  // input the settings do not wire; the other direction than the lane's passage_direction;
  // tamper or emergency on a lane); JWO_HAL_EBUSY (that input's previous pulse is still going
  // through the debounce: poll, then try again).
  int Stimulate(jwo_hal_input_t input, uint32_t lane);

 private:
  // One debounced input.
  struct Input {
    LineSpec spec;
    bool stable = false;  // active, after debounce
    bool candidate = false;
    uint64_t candidate_since_ns = 0;
    // Stimulate(): levels read instead of the line's, in order, each until the debounce has
    // accepted it; with `hold` the last one stays until the next stimulus.
    std::vector<bool> forced;
    bool hold = false;
  };
  struct Lane {
    GpioLaneSettings cfg;
    jwo_hal_lane_mode_t mode = JWO_HAL_LANE_MODE_NORMAL;
    bool relay_on = false;
    uint64_t relay_until_ns = 0;
    uint64_t expected_open_until_ns = 0;  // door opening before this is not forced
    bool deny_on = false;
    uint64_t deny_until_ns = 0;
    std::optional<Input> door;
    std::optional<Input> passage;
    uint64_t door_opened_ns = 0;
    bool door_reported = false;  // forced or held reported; a close is then reported too
    bool held_reported = false;
  };

  // Reads `in`; returns true when its debounced state changed. Sets *io_ok false on error.
  bool Sample(Input& in, uint64_t now, bool* io_ok);
  bool Drive(const LineSpec& spec, bool active);
  void SetIoOk(bool ok);
  void OnDoor(Lane& lane, uint32_t number, uint64_t now);
  bool EmergencyActive() const { return emergency_ && emergency_->stable; }

  jwo_edge::hal::Host host_;
  GpioSettings settings_;
  std::unique_ptr<GpioLines> lines_;
  std::vector<Lane> lanes_;
  std::optional<Input> emergency_;
  std::optional<Input> tamper_;
  bool io_ok_ = true;
  uint64_t next_heartbeat_ns_ = 0;
};

}  // namespace jwo::hal::gpio
