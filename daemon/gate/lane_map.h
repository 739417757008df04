// LaneMap: which configured gate and lane an F&A decision belongs to.
//
// The F&A request's gateAuthenticationEvent.data carries the gate and lane as JWO sends them
// (keys "gate" and "lane"). A gate is chosen by its gate_id; when the request names no gate
// and exactly one gate is configured, that one. Within the gate, a lane by its configured id;
// when the request names no lane and the gate has exactly one lane, that one. Anything else
// is unmapped (counted, never guessed: opening the wrong lane is worse than opening none).
// Immutable after construction: any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace jwo::gate {

struct LaneTarget {
  size_t gate = 0;    // index into the configured gates
  uint32_t lane = 0;  // the driver's lane number
};

class LaneMap {
 public:
  explicit LaneMap(const std::vector<config::GateConfig>& gates);

  // See the header comment; nullopt when the request does not map to a configured lane.
  std::optional<LaneTarget> Find(std::string_view gate_id, std::string_view lane_id) const;

  // The driver lane of lane `lane_id` of gate `gate`, or nullopt.
  std::optional<uint32_t> DriverLane(size_t gate, std::string_view lane_id) const;

 private:
  struct Gate {
    std::string gate_id;
    std::vector<config::GateLaneConfig> lanes;
  };
  std::vector<Gate> gates_;
};

}  // namespace jwo::gate
