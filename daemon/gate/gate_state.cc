#include "gate/gate_state.h"

#include <boost/json.hpp>

#include "core/time_format.h"
#include "hal/loader/driver_library.h"
#include "jwo_edge/gate_hal.h"

namespace jwo::gate {

namespace json = boost::json;

void GateState::Reset(uint32_t lane_count, const std::vector<config::GateLaneConfig>& lanes) {
  lanes_.assign(lane_count, Lane{});
  for (const config::GateLaneConfig& l : lanes) {
    if (Lane* lane = LaneAt(l.lane)) lane->id = l.id;
  }
  emergency_all_ = false;
  faults_.clear();
}

GateState::Lane* GateState::LaneAt(uint32_t lane) {
  return lane >= 1 && lane <= lanes_.size() ? &lanes_[lane - 1] : nullptr;
}

bool GateState::UnderEmergency(uint32_t lane) const {
  return emergency_all_ || (lane >= 1 && lane <= lanes_.size() && lanes_[lane - 1].emergency);
}

bool GateState::AnyEmergency() const {
  if (emergency_all_) return true;
  for (const Lane& l : lanes_) {
    if (l.emergency) return true;
  }
  return false;
}

void GateState::Apply(GateEvent& e) {
  Lane* lane = LaneAt(e.lane);
  if (lane != nullptr && !lane->last_trip.empty() &&
      e.at_ns - lane->last_trip_ns <= kTripCorrelationWindowNs) {
    e.trip_id = lane->last_trip;
  }
  switch (e.type) {
    case JWO_HAL_EVENT_CARD_TAPPED:
      if (lane) ++lane->taps;
      break;
    case JWO_HAL_EVENT_PERSON_PASSED:
      if (lane) ++lane->passages;
      break;
    case JWO_HAL_EVENT_DOOR_FORCED:
      if (lane) lane->door = "forced";
      break;
    case JWO_HAL_EVENT_DOOR_HELD_OPEN:
      if (lane) lane->door = "held_open";
      break;
    case JWO_HAL_EVENT_DOOR_CLOSED:
      if (lane) lane->door = "closed";
      break;
    case JWO_HAL_EVENT_FAULT:
      faults_[{e.lane, e.code}] = e.detail;
      break;
    case JWO_HAL_EVENT_RECOVERED:
      for (auto it = faults_.begin(); it != faults_.end();) {
        const bool match = it->first.first == e.lane && (e.code == 0 || it->first.second == e.code);
        it = match ? faults_.erase(it) : std::next(it);
      }
      break;
    case JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE:
    case JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED: {
      const bool active = e.type == JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE;
      if (e.lane == JWO_HAL_LANE_NONE) {
        emergency_all_ = active;
      } else if (lane) {
        lane->emergency = active;
      }
      break;
    }
    default:
      break;
  }
  if (e.type == JWO_HAL_EVENT_HEARTBEAT) return;  // once a second: not worth a slot
  recent_.push_back(e);
  if (recent_.size() > kRecentEvents) recent_.pop_front();
}

void GateState::RecordDecision(uint32_t lane, const std::string& trip_id, int64_t now_ns) {
  if (Lane* l = LaneAt(lane)) {
    l->last_trip = trip_id;
    l->last_trip_ns = now_ns;
  }
}

void GateState::RecordCommand(uint32_t lane, std::string_view command, std::string result,
                              int64_t now_unix_ms) {
  if (Lane* l = LaneAt(lane)) {
    l->last_command = std::string(command);
    l->last_result = std::move(result);
    l->last_command_ms = now_unix_ms;
  }
}

void GateState::SetMode(uint32_t lane, uint32_t mode) {
  if (Lane* l = LaneAt(lane)) l->mode = mode;
}

json::array GateState::LanesJson() const {
  json::array out;
  for (size_t i = 0; i < lanes_.size(); ++i) {
    const Lane& l = lanes_[i];
    json::object o{{"lane", i + 1},
                   {"id", l.id},
                   {"mode", hal::LaneModeName(l.mode)},
                   {"emergency_release", emergency_all_ || l.emergency},
                   {"door", l.door},
                   {"taps", l.taps},
                   {"passages", l.passages}};
    if (!l.last_command.empty()) {
      o["last_command"] = l.last_command;
      o["last_result"] = l.last_result;
      o["last_command_at"] = core::FormatIso8601(l.last_command_ms);
    }
    if (!l.last_trip.empty()) o["last_trip"] = l.last_trip;
    out.push_back(std::move(o));
  }
  return out;
}

json::array GateState::FaultsJson() const {
  json::array out;
  for (const auto& [key, detail] : faults_) {
    out.push_back(json::object{{"lane", key.first}, {"code", key.second}, {"detail", detail}});
  }
  return out;
}

json::array GateState::RecentJson() const {
  json::array out;
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
    json::object o{{"at", core::FormatIso8601(it->at_unix_ms)},
                   {"event", hal::EventTypeName(it->type)},
                   {"lane", it->lane}};
    if (it->type == JWO_HAL_EVENT_FAULT || it->type == JWO_HAL_EVENT_RECOVERED) {
      o["code"] = it->code;
    }
    if (!it->detail.empty()) o["detail"] = it->detail;
    if (!it->trip_id.empty()) o["trip"] = it->trip_id;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace jwo::gate
