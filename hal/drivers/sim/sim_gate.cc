#include "hal/drivers/sim/sim_gate.h"

#include <boost/json.hpp>

#include "hal/drivers/common/settings_reader.h"

namespace jwo::hal::sim {
namespace {

namespace json = boost::json;
using drivers::SettingsReader;

constexpr uint64_t kNsPerMs = 1'000'000;
constexpr size_t kMaxSocketPath = 107;
constexpr size_t kMaxCard = 64;

std::string_view ModeName(jwo_hal_lane_mode_t mode) {
  switch (mode) {
    case JWO_HAL_LANE_MODE_NORMAL:
      return "normal";
    case JWO_HAL_LANE_MODE_LOCKED:
      return "locked";
    case JWO_HAL_LANE_MODE_OUT_OF_SERVICE:
      return "out_of_service";
  }
  return "unknown";
}

// A request that cannot be carried out; becomes {"ok":false,"error":...}.
struct BadRequest {
  std::string error;
};

int64_t IntField(const json::object& req, std::string_view key, int64_t min, int64_t max,
                 int64_t fallback) {
  const json::value* v = req.if_contains(key);
  if (v == nullptr) return fallback;
  if (!v->is_int64() || v->get_int64() < min || v->get_int64() > max) {
    throw BadRequest{"'" + std::string(key) + "' must be an integer from " + std::to_string(min) +
                     " to " + std::to_string(max)};
  }
  return v->get_int64();
}

std::string StringField(const json::object& req, std::string_view key, std::string fallback) {
  const json::value* v = req.if_contains(key);
  if (v == nullptr) return fallback;
  if (!v->is_string()) throw BadRequest{"'" + std::string(key) + "' must be a string"};
  return std::string(v->get_string());
}

}  // namespace

SimSettings ParseSimSettings(std::string_view text) {
  const json::object obj = SettingsReader::ParseObject(text);
  SettingsReader r(obj, "settings");
  SimSettings s;
  s.lanes = static_cast<uint32_t>(r.Int("lanes", 1, 16, s.lanes));
  s.socket_path = r.String("socket", "", kMaxSocketPath);
  if (r.Has("socket") && (s.socket_path.empty() || s.socket_path[0] != '/')) {
    throw jwo_edge::hal::SettingsError("settings.socket: must be an absolute path");
  }
  s.open_ms = static_cast<uint32_t>(r.Int("open_ms", 1, 60'000, s.open_ms));
  s.heartbeat = r.Bool("heartbeat", s.heartbeat);
  r.Finish();
  return s;
}

SimGate::SimGate(jwo_edge::hal::Host host, const SimSettings& settings)
    : host_(host),
      settings_(settings),
      lanes_(settings.lanes),
      heartbeat_enabled_(settings.heartbeat),
      next_heartbeat_ns_(host.MonotonicNs()) {}

bool SimGate::UnderEmergency(uint32_t lane) const {
  return emergency_all_ || (ValidLane(lane) && lanes_[lane - 1].emergency);
}

void SimGate::Poll() {
  const uint64_t now = host_.MonotonicNs();
  for (Lane& lane : lanes_) {
    if (lane.open && now >= lane.open_until_ns) lane.open = false;
  }
  if (heartbeat_enabled_ && now >= next_heartbeat_ns_) {
    host_.Heartbeat();
    next_heartbeat_ns_ = now + JWO_HAL_HEARTBEAT_INTERVAL_MS * kNsPerMs;
  }
}

int SimGate::Admit(uint32_t lane) {
  if (!ValidLane(lane)) return JWO_HAL_EINVAL;
  if (UnderEmergency(lane)) {
    ++commands_during_emergency_;
    return JWO_HAL_ESTATE;
  }
  Lane& l = lanes_[lane - 1];
  if (l.mode != JWO_HAL_LANE_MODE_NORMAL) return JWO_HAL_ESTATE;
  l.open = true;
  l.open_until_ns = host_.MonotonicNs() + settings_.open_ms * kNsPerMs;
  l.display = "Welcome";
  l.last_command = "admit";
  ++l.admits;
  return JWO_HAL_OK;
}

int SimGate::Deny(uint32_t lane, std::string_view message) {
  if (!ValidLane(lane)) return JWO_HAL_EINVAL;
  if (UnderEmergency(lane)) {
    ++commands_during_emergency_;
    return JWO_HAL_ESTATE;
  }
  Lane& l = lanes_[lane - 1];
  l.open = false;
  l.display = std::string(message.substr(0, JWO_HAL_MESSAGE_MAX));
  l.last_deny_message = l.display;
  l.last_command = "deny";
  ++l.denies;
  return JWO_HAL_OK;
}

int SimGate::SetLaneMode(uint32_t lane, jwo_hal_lane_mode_t mode) {
  if (!ValidLane(lane)) return JWO_HAL_EINVAL;
  if (UnderEmergency(lane)) {
    ++commands_during_emergency_;
    return JWO_HAL_ESTATE;
  }
  Lane& l = lanes_[lane - 1];
  l.mode = mode;
  if (mode != JWO_HAL_LANE_MODE_NORMAL) l.open = false;
  l.display = mode == JWO_HAL_LANE_MODE_OUT_OF_SERVICE ? "Out of service" : "";
  l.last_command = "mode " + std::string(ModeName(mode));
  return JWO_HAL_OK;
}

std::string SimGate::StateJson() const {
  json::array lanes;
  for (size_t i = 0; i < lanes_.size(); ++i) {
    const Lane& l = lanes_[i];
    lanes.push_back(json::object{{"lane", i + 1},
                                 {"mode", ModeName(l.mode)},
                                 {"open", l.open},
                                 {"emergency_release", emergency_all_ || l.emergency},
                                 {"display", l.display},
                                 {"last_command", l.last_command},
                                 {"last_deny_message", l.last_deny_message},
                                 {"door", l.door},
                                 {"admits", l.admits},
                                 {"denies", l.denies}});
  }
  json::array faults;
  for (const auto& [lane, code] : faults_) {
    faults.push_back(json::object{{"lane", lane}, {"code", code}});
  }
  return json::serialize(json::object{{"ok", true},
                                      {"lanes", lanes},
                                      {"emergency_release", emergency_all_},
                                      {"faults", faults},
                                      {"tampers", tampers_},
                                      {"heartbeat", heartbeat_enabled_},
                                      {"commands_during_emergency", commands_during_emergency_}});
}

void SimGate::Door(uint32_t lane, const std::string& state, jwo_hal_event_type_t type) {
  lanes_[lane - 1].door = state;
  host_.Event(type, lane);
}

void SimGate::Tamper(uint32_t lane, const std::string& detail) {
  ++tampers_;
  host_.Event(JWO_HAL_EVENT_TAMPER, lane, detail.c_str());
}

void SimGate::Emergency(uint32_t lane, bool active) {
  bool& flag = lane == JWO_HAL_LANE_NONE ? emergency_all_ : lanes_[lane - 1].emergency;
  flag = active;
  if (flag) {
    for (uint32_t i = 1; i <= LaneCount(); ++i) {
      if (lane == JWO_HAL_LANE_NONE || lane == i) lanes_[i - 1].open = false;
    }
  }
  host_.Event(
      flag ? JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE : JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED,
      lane);
}

int SimGate::Stimulate(jwo_hal_input_t input, uint32_t lane, std::string_view data) {
  const bool whole_gate_ok = input == JWO_HAL_INPUT_TAMPER || input == JWO_HAL_INPUT_EMERGENCY_ON ||
                             input == JWO_HAL_INPUT_EMERGENCY_OFF;
  if (lane > LaneCount() || (lane == JWO_HAL_LANE_NONE && !whole_gate_ok)) return JWO_HAL_EINVAL;
  switch (input) {
    case JWO_HAL_INPUT_CARD_TAP:
      if (data.empty() || data.size() > kMaxCard) return JWO_HAL_EINVAL;
      host_.CardTapped(lane, data.data(), data.size());
      return JWO_HAL_OK;
    case JWO_HAL_INPUT_PERSON_IN:
    case JWO_HAL_INPUT_PERSON_OUT:
      host_.PersonPassed(
          lane, input == JWO_HAL_INPUT_PERSON_IN ? JWO_HAL_DIRECTION_IN : JWO_HAL_DIRECTION_OUT);
      return JWO_HAL_OK;
    case JWO_HAL_INPUT_DOOR_FORCED:
      Door(lane, "forced", JWO_HAL_EVENT_DOOR_FORCED);
      return JWO_HAL_OK;
    case JWO_HAL_INPUT_DOOR_HELD_OPEN:
      Door(lane, "held_open", JWO_HAL_EVENT_DOOR_HELD_OPEN);
      return JWO_HAL_OK;
    case JWO_HAL_INPUT_DOOR_CLOSED:
      Door(lane, "closed", JWO_HAL_EVENT_DOOR_CLOSED);
      return JWO_HAL_OK;
    case JWO_HAL_INPUT_TAMPER:
      Tamper(lane, "sim tamper (stimulated)");
      return JWO_HAL_OK;
    case JWO_HAL_INPUT_EMERGENCY_ON:
    case JWO_HAL_INPUT_EMERGENCY_OFF:
      Emergency(lane, input == JWO_HAL_INPUT_EMERGENCY_ON);
      return JWO_HAL_OK;
  }
  return JWO_HAL_EINVAL;
}

std::string SimGate::HandleRequest(std::string_view request, int* rc) {
  *rc = JWO_HAL_EINVAL;
  boost::system::error_code ec;
  json::value parsed = json::parse(json::string_view(request.data(), request.size()), ec);
  if (ec || !parsed.is_object()) {
    return R"({"ok":false,"error":"request must be a JSON object"})";
  }
  const json::object& req = parsed.get_object();
  const uint32_t n = LaneCount();
  try {
    const std::string op = StringField(req, "op", "");
    if (op == "state") {
      *rc = JWO_HAL_OK;
      return StateJson();
    } else if (op == "tap") {
      const std::string card = StringField(req, "card", "sim-card");
      if (card.empty() || card.size() > kMaxCard) throw BadRequest{"'card' must be 1 to 64 bytes"};
      host_.CardTapped(static_cast<uint32_t>(IntField(req, "lane", 1, n, 1)), card.data(),
                       card.size());
    } else if (op == "pass") {
      const std::string dir = StringField(req, "direction", "in");
      jwo_hal_direction_t d = JWO_HAL_DIRECTION_UNKNOWN;
      if (dir == "in") {
        d = JWO_HAL_DIRECTION_IN;
      } else if (dir == "out") {
        d = JWO_HAL_DIRECTION_OUT;
      } else if (dir != "unknown") {
        throw BadRequest{"'direction' must be in, out or unknown"};
      }
      host_.PersonPassed(static_cast<uint32_t>(IntField(req, "lane", 1, n, 1)), d);
    } else if (op == "door") {
      const auto lane = static_cast<uint32_t>(IntField(req, "lane", 1, n, 1));
      const std::string state = StringField(req, "state", "");
      jwo_hal_event_type_t type;
      if (state == "forced") {
        type = JWO_HAL_EVENT_DOOR_FORCED;
      } else if (state == "held_open") {
        type = JWO_HAL_EVENT_DOOR_HELD_OPEN;
      } else if (state == "closed") {
        type = JWO_HAL_EVENT_DOOR_CLOSED;
      } else {
        throw BadRequest{"'state' must be forced, held_open or closed"};
      }
      Door(lane, state, type);
    } else if (op == "tamper") {
      const std::string detail = StringField(req, "detail", "sim tamper");
      Tamper(static_cast<uint32_t>(IntField(req, "lane", 0, n, 0)), detail);
    } else if (op == "fault") {
      const auto lane = static_cast<uint32_t>(IntField(req, "lane", 0, n, 0));
      const auto code = static_cast<int32_t>(IntField(req, "code", 1, INT32_MAX, 1));
      const std::string detail = StringField(req, "detail", "simulated fault");
      faults_.emplace(lane, code);
      host_.Fault(lane, code, detail.c_str());
    } else if (op == "recover") {
      const auto lane = static_cast<uint32_t>(IntField(req, "lane", 0, n, 0));
      const auto code = static_cast<int32_t>(IntField(req, "code", 0, INT32_MAX, 0));
      for (auto it = faults_.begin(); it != faults_.end();) {
        it = (it->first == lane && (code == 0 || it->second == code)) ? faults_.erase(it)
                                                                      : std::next(it);
      }
      host_.Recovered(lane, code);
    } else if (op == "emergency") {
      const auto lane = static_cast<uint32_t>(IntField(req, "lane", 0, n, 0));
      const json::value* active = req.if_contains("active");
      if (active == nullptr || !active->is_bool()) throw BadRequest{"'active' must be true/false"};
      Emergency(lane, active->get_bool());
    } else if (op == "heartbeat") {
      const json::value* enabled = req.if_contains("enabled");
      if (enabled == nullptr || !enabled->is_bool()) {
        throw BadRequest{"'enabled' must be true/false"};
      }
      heartbeat_enabled_ = enabled->get_bool();
    } else {
      throw BadRequest{"unknown op '" + op +
                       "'; one of state, tap, pass, door, tamper, fault, recover, emergency, "
                       "heartbeat"};
    }
  } catch (const BadRequest& bad) {
    return json::serialize(json::object{{"ok", false}, {"error", bad.error}});
  }
  *rc = JWO_HAL_OK;
  return R"({"ok":true})";
}

}  // namespace jwo::hal::sim
