#include "gate/lane_map.h"

namespace jwo::gate {

LaneMap::LaneMap(const std::vector<config::GateConfig>& gates) {
  for (const config::GateConfig& g : gates) gates_.push_back({g.gate_id, g.lanes});
}

std::optional<uint32_t> LaneMap::DriverLane(size_t gate, std::string_view lane_id) const {
  if (gate >= gates_.size()) return std::nullopt;
  const std::vector<config::GateLaneConfig>& lanes = gates_[gate].lanes;
  if (lane_id.empty()) {
    if (lanes.size() == 1) return lanes.front().lane;
    return std::nullopt;
  }
  for (const config::GateLaneConfig& l : lanes) {
    if (l.id == lane_id) return l.lane;
  }
  return std::nullopt;
}

std::optional<LaneTarget> LaneMap::Find(std::string_view gate_id, std::string_view lane_id) const {
  std::optional<size_t> gate;
  if (gate_id.empty()) {
    if (gates_.size() == 1) gate = 0;
  } else {
    for (size_t i = 0; i < gates_.size(); ++i) {
      if (gates_[i].gate_id == gate_id) gate = i;
    }
  }
  if (!gate) return std::nullopt;
  auto lane = DriverLane(*gate, lane_id);
  if (!lane) return std::nullopt;
  return LaneTarget{*gate, *lane};
}

}  // namespace jwo::gate
