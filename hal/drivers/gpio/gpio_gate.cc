#include "hal/drivers/gpio/gpio_gate.h"

namespace jwo::hal::gpio {
namespace {

constexpr uint64_t kNsPerMs = 1'000'000;

}  // namespace

GpioGate::GpioGate(jwo_edge::hal::Host host, GpioSettings settings,
                   std::unique_ptr<GpioLines> lines)
    : host_(host), settings_(std::move(settings)), lines_(std::move(lines)) {
  const uint64_t now = host_.MonotonicNs();
  bool io_ok = true;
  auto initial = [&](const std::optional<LineSpec>& spec) -> std::optional<Input> {
    if (!spec) return std::nullopt;
    Input in;
    in.spec = *spec;
    in.candidate_since_ns = now;
    bool high = false;
    if (lines_->Read(spec->line, &high)) {
      in.stable = in.candidate = high != spec->active_low;
    } else {
      io_ok = false;
    }
    return in;
  };
  for (const GpioLaneSettings& cfg : settings_.lanes) {
    Lane lane;
    lane.cfg = cfg;
    lane.door = initial(cfg.door);
    lane.passage = initial(cfg.passage);
    if (lane.door && lane.door->stable) lane.door_opened_ns = now;
    lanes_.push_back(std::move(lane));
  }
  emergency_ = initial(settings_.emergency);
  tamper_ = initial(settings_.tamper);
  for (const Lane& lane : lanes_) {
    io_ok = Drive(lane.cfg.relay, false) && io_ok;
    if (lane.cfg.deny) io_ok = Drive(*lane.cfg.deny, false) && io_ok;
  }
  SetIoOk(io_ok);
  if (EmergencyActive()) {
    host_.Event(JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE, JWO_HAL_LANE_NONE,
                "emergency release input active at start");
  }
  if (tamper_ && tamper_->stable) {
    host_.Event(JWO_HAL_EVENT_TAMPER, JWO_HAL_LANE_NONE, "tamper input active at start");
  }
  next_heartbeat_ns_ = now;
}

GpioGate::~GpioGate() {
  for (const Lane& lane : lanes_) {
    Drive(lane.cfg.relay, false);
    if (lane.cfg.deny) Drive(*lane.cfg.deny, false);
  }
}

bool GpioGate::Drive(const LineSpec& spec, bool active) {
  return lines_->Write(spec.line, active != spec.active_low);
}

void GpioGate::SetIoOk(bool ok) {
  if (ok == io_ok_) return;
  io_ok_ = ok;
  if (ok) {
    host_.Recovered(JWO_HAL_LANE_NONE, kFaultIo);
  } else {
    host_.Fault(JWO_HAL_LANE_NONE, kFaultIo, "GPIO line read or write failed");
  }
}

bool GpioGate::Sample(Input& in, uint64_t now, bool* io_ok) {
  bool high = false;
  if (!lines_->Read(in.spec.line, &high)) {
    *io_ok = false;
    return false;
  }
  const bool active = in.forced.empty() ? high != in.spec.active_low : in.forced.front();
  if (active != in.candidate) {
    in.candidate = active;
    in.candidate_since_ns = now;
  }
  bool changed = false;
  if (in.candidate != in.stable && now - in.candidate_since_ns >= in.spec.debounce_ms * kNsPerMs) {
    in.stable = in.candidate;
    changed = true;
  }
  // A stimulated level the debounce has accepted gives way to the next one, or to the line.
  if (!in.forced.empty() && in.stable == in.forced.front() && (in.forced.size() > 1 || !in.hold)) {
    in.forced.erase(in.forced.begin());
  }
  return changed;
}

void GpioGate::OnDoor(Lane& lane, uint32_t number, uint64_t now) {
  if (lane.door->stable) {
    lane.door_opened_ns = now;
    lane.held_reported = false;
    lane.door_reported = false;
    if (now >= lane.expected_open_until_ns && !lane.relay_on && !EmergencyActive()) {
      host_.Event(JWO_HAL_EVENT_DOOR_FORCED, number);
      lane.door_reported = true;
    }
  } else if (lane.door_reported) {
    host_.Event(JWO_HAL_EVENT_DOOR_CLOSED, number);
    lane.door_reported = false;
    lane.held_reported = false;
  }
}

int GpioGate::Poll() {
  const uint64_t now = host_.MonotonicNs();
  bool io_ok = true;
  if (emergency_ && Sample(*emergency_, now, &io_ok)) {
    host_.Event(emergency_->stable ? JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE
                                   : JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED,
                JWO_HAL_LANE_NONE);
  }
  if (tamper_ && Sample(*tamper_, now, &io_ok) && tamper_->stable) {
    host_.Event(JWO_HAL_EVENT_TAMPER, JWO_HAL_LANE_NONE, "tamper input active");
  }
  for (size_t i = 0; i < lanes_.size(); ++i) {
    Lane& lane = lanes_[i];
    const auto number = static_cast<uint32_t>(i + 1);
    if (lane.relay_on && now >= lane.relay_until_ns) {
      io_ok = Drive(lane.cfg.relay, false) && io_ok;
      lane.relay_on = false;
    }
    if (lane.deny_on && now >= lane.deny_until_ns &&
        lane.mode != JWO_HAL_LANE_MODE_OUT_OF_SERVICE) {
      io_ok = Drive(*lane.cfg.deny, false) && io_ok;
      lane.deny_on = false;
    }
    if (lane.door) {
      if (Sample(*lane.door, now, &io_ok)) OnDoor(lane, number, now);
      if (lane.door->stable && !lane.held_reported && !EmergencyActive() &&
          now - lane.door_opened_ns >= lane.cfg.door_held_ms * kNsPerMs) {
        host_.Event(JWO_HAL_EVENT_DOOR_HELD_OPEN, number);
        lane.held_reported = true;
        lane.door_reported = true;
      }
    }
    if (lane.passage && Sample(*lane.passage, now, &io_ok) && lane.passage->stable) {
      host_.PersonPassed(number, lane.cfg.passage_direction);
    }
  }
  SetIoOk(io_ok);
  if (!io_ok) return JWO_HAL_EIO;
  if (settings_.heartbeat && now >= next_heartbeat_ns_) {
    host_.Heartbeat();
    next_heartbeat_ns_ = now + JWO_HAL_HEARTBEAT_INTERVAL_MS * kNsPerMs;
  }
  return JWO_HAL_OK;
}

int GpioGate::Admit(uint32_t number) {
  if (number < 1 || number > lanes_.size()) return JWO_HAL_EINVAL;
  Lane& lane = lanes_[number - 1];
  if (lane.mode != JWO_HAL_LANE_MODE_NORMAL || EmergencyActive()) return JWO_HAL_ESTATE;
  if (!Drive(lane.cfg.relay, true)) {
    SetIoOk(false);
    return JWO_HAL_EIO;
  }
  const uint64_t now = host_.MonotonicNs();
  lane.relay_on = true;
  lane.relay_until_ns = now + lane.cfg.pulse_ms * kNsPerMs;
  lane.expected_open_until_ns = lane.relay_until_ns + lane.cfg.door_grace_ms * kNsPerMs;
  return JWO_HAL_OK;
}

int GpioGate::Deny(uint32_t number) {
  if (number < 1 || number > lanes_.size()) return JWO_HAL_EINVAL;
  Lane& lane = lanes_[number - 1];
  if (EmergencyActive()) return JWO_HAL_ESTATE;
  if (!lane.cfg.deny) return JWO_HAL_OK;
  if (!Drive(*lane.cfg.deny, true)) {
    SetIoOk(false);
    return JWO_HAL_EIO;
  }
  lane.deny_on = true;
  lane.deny_until_ns = host_.MonotonicNs() + lane.cfg.deny_ms * kNsPerMs;
  return JWO_HAL_OK;
}

int GpioGate::SetLaneMode(uint32_t number, jwo_hal_lane_mode_t mode) {
  if (number < 1 || number > lanes_.size()) return JWO_HAL_EINVAL;
  if (EmergencyActive()) return JWO_HAL_ESTATE;
  Lane& lane = lanes_[number - 1];
  lane.mode = mode;
  bool ok = true;
  if (mode != JWO_HAL_LANE_MODE_NORMAL && lane.relay_on) {
    ok = Drive(lane.cfg.relay, false);
    lane.relay_on = false;
  }
  if (lane.cfg.deny) {
    const bool indicator = mode == JWO_HAL_LANE_MODE_OUT_OF_SERVICE;
    ok = Drive(*lane.cfg.deny, indicator) && ok;
    lane.deny_on = indicator;
  }
  if (!ok) {
    SetIoOk(false);
    return JWO_HAL_EIO;
  }
  return JWO_HAL_OK;
}

int GpioGate::Stimulate(jwo_hal_input_t input, uint32_t number) {
  if (input < JWO_HAL_INPUT_CARD_TAP || input > JWO_HAL_INPUT_EMERGENCY_OFF ||
      number > lanes_.size()) {
    return JWO_HAL_EINVAL;
  }
  const bool gate_input = input == JWO_HAL_INPUT_TAMPER || input == JWO_HAL_INPUT_EMERGENCY_ON ||
                          input == JWO_HAL_INPUT_EMERGENCY_OFF;
  if (number == JWO_HAL_LANE_NONE && !gate_input) return JWO_HAL_EINVAL;
  if (number != JWO_HAL_LANE_NONE && gate_input) return JWO_HAL_EUNSUPPORTED;
  Lane* lane = number == JWO_HAL_LANE_NONE ? nullptr : &lanes_[number - 1];
  std::optional<Input>* in = nullptr;
  std::vector<bool> levels = {true};  // held, unless a pulse or a return to rest
  bool hold = true;
  switch (input) {
    case JWO_HAL_INPUT_CARD_TAP:
      return JWO_HAL_EUNSUPPORTED;  // no card reader on a GPIO gate
    case JWO_HAL_INPUT_PERSON_IN:
    case JWO_HAL_INPUT_PERSON_OUT:
      if (lane->cfg.passage_direction !=
          (input == JWO_HAL_INPUT_PERSON_IN ? JWO_HAL_DIRECTION_IN : JWO_HAL_DIRECTION_OUT)) {
        return JWO_HAL_EUNSUPPORTED;  // the beam reports its lane's one direction
      }
      in = &lane->passage;
      levels = {true, false};
      hold = false;
      break;
    case JWO_HAL_INPUT_DOOR_FORCED:
    case JWO_HAL_INPUT_DOOR_HELD_OPEN:
      in = &lane->door;
      break;
    case JWO_HAL_INPUT_DOOR_CLOSED:
      in = &lane->door;
      levels = {false};
      hold = false;
      break;
    case JWO_HAL_INPUT_TAMPER:
      in = &tamper_;
      levels = {true, false};
      hold = false;
      break;
    case JWO_HAL_INPUT_EMERGENCY_ON:
      in = &emergency_;
      break;
    case JWO_HAL_INPUT_EMERGENCY_OFF:
      in = &emergency_;
      levels = {false};
      hold = false;
      break;
  }
  if (in == nullptr || !*in) return JWO_HAL_EUNSUPPORTED;  // not wired in the settings
  Input& wired = **in;
  if (!wired.forced.empty() && !wired.hold) return JWO_HAL_EBUSY;
  wired.forced = std::move(levels);
  wired.hold = hold;
  return JWO_HAL_OK;
}

}  // namespace jwo::hal::gpio
