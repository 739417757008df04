// SimGate: the simulated gate behind the `sim` driver - lanes that open, show deny messages and
// change mode on command, and inputs (taps, passages, doors, faults, emergency release) that
// are injected from outside as JSON requests.
//
// Requests arrive through the driver's control() function (`jwo-edgectl gate control ...`) or
// its own unix socket (SimControlSocket); both end in HandleRequest(). The protocol is one JSON
// object per request, one per answer (docs/hal.md, "The sim driver"):
//   {"op":"state"}                                      -> every lane's state
//   {"op":"tap","lane":1,"card":"04a1b2"}               -> CARD_TAPPED
//   {"op":"pass","lane":1,"direction":"in"}             -> PERSON_PASSED (in, out, unknown)
//   {"op":"door","lane":1,"state":"forced"}             -> DOOR_FORCED / _HELD_OPEN / _CLOSED
//   {"op":"tamper","lane":0,"detail":"cabinet open"}    -> TAMPER
//   {"op":"fault","lane":0,"code":7,"detail":"..."}     -> FAULT
//   {"op":"recover","lane":0,"code":7}                  -> RECOVERED
//   {"op":"emergency","lane":0,"active":true}           -> EMERGENCY_RELEASE_ACTIVE / _CLEARED
//   {"op":"heartbeat","enabled":false}                  -> stop (or resume) heartbeats
// Answers: {"ok":true,...} or {"ok":false,"error":"..."}.
//
// stimulate() (tests only; the daemon never calls it) injects the same inputs as these requests.
// Like real hardware under a fire-alarm release, a lane under emergency release refuses admit,
// deny and mode commands (JWO_HAL_ESTATE) and counts them in `commands_during_emergency`, so a
// test can prove the daemon never fought a release. Time comes from the host clock only.
// Not thread-safe: the driver calls it from the one thread that calls the instance.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jwo_edge/gate_hal.hpp"

namespace jwo::hal::sim {

struct SimSettings {
  uint32_t lanes = 2;       // 1..16
  std::string socket_path;  // empty: no control socket
  uint32_t open_ms = 2000;  // how long an admitted lane shows as open
  bool heartbeat = true;
};

// Parses the driver's settings JSON: {"lanes":2,"socket":"/run/...","open_ms":2000,
// "heartbeat":true}; every key optional. Throws jwo_edge::hal::SettingsError.
SimSettings ParseSimSettings(std::string_view json);

class SimGate {
 public:
  SimGate(jwo_edge::hal::Host host, const SimSettings& settings);

  uint32_t LaneCount() const { return static_cast<uint32_t>(lanes_.size()); }
  void Poll();
  int Admit(uint32_t lane);
  int Deny(uint32_t lane, std::string_view message);
  int SetLaneMode(uint32_t lane, jwo_hal_lane_mode_t mode);

  // Runs one request; returns the JSON answer and sets *rc (JWO_HAL_OK or JWO_HAL_EINVAL).
  std::string HandleRequest(std::string_view request, int* rc);

  // The driver's stimulate() (gate_hal.h section 10): the same injection as the matching
  // request (tap, pass, door, tamper, emergency), so the event comes from this call. Lanes
  // 1..LaneCount(); JWO_HAL_LANE_NONE for tamper and emergency (the whole gate). Returns
  // JWO_HAL_OK, or JWO_HAL_EINVAL (no such lane or input, a card of 0 or over 64 bytes).
  int Stimulate(jwo_hal_input_t input, uint32_t lane, std::string_view data);

 private:
  struct Lane {
    jwo_hal_lane_mode_t mode = JWO_HAL_LANE_MODE_NORMAL;
    bool emergency = false;
    bool open = false;
    uint64_t open_until_ns = 0;
    std::string display;
    std::string last_command;
    std::string last_deny_message;
    std::string door = "closed";
    uint64_t admits = 0;
    uint64_t denies = 0;
  };

  // The inputs, as requests and stimulate() inject them; lanes already checked.
  void Door(uint32_t lane, const std::string& state, jwo_hal_event_type_t type);
  void Tamper(uint32_t lane, const std::string& detail);
  void Emergency(uint32_t lane, bool active);

  bool UnderEmergency(uint32_t lane) const;
  bool ValidLane(uint32_t lane) const { return lane >= 1 && lane <= lanes_.size(); }
  std::string StateJson() const;

  jwo_edge::hal::Host host_;
  SimSettings settings_;
  std::vector<Lane> lanes_;
  bool emergency_all_ = false;
  bool heartbeat_enabled_;
  uint64_t next_heartbeat_ns_ = 0;
  std::set<std::pair<uint32_t, int32_t>> faults_;  // (lane, code)
  uint64_t commands_during_emergency_ = 0;
  uint64_t tampers_ = 0;
};

}  // namespace jwo::hal::sim
