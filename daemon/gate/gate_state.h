// GateState: what the daemon knows about one gate's lanes, built from driver events and the
// commands it sent - lane modes, emergency release, active faults, door states, the last
// command and the last decided trip per lane, and the most recent events.
//
// Emergency release is a normal state here, not a fault: it never makes the gate unready, and
// UnderEmergency() is what the gate's thread asks before sending any lane command (it sends
// none to a released lane). Faults are keyed by (lane, code); RECOVERED with code 0 clears
// every fault of its lane (lane 0: of the whole gate). Events on a lane within
// kTripCorrelationWindow of a decision are tagged with that decision's trip.
// Not thread-safe: the owner (GateRunner) guards it with its mutex.
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace jwo::gate {

inline constexpr int64_t kTripCorrelationWindowNs = 60'000'000'000;
inline constexpr size_t kRecentEvents = 32;

// A driver event, copied out of the driver's memory.
struct GateEvent {
  uint32_t type = 0;  // jwo_hal_event_type_t
  uint32_t lane = 0;  // 0 = the whole gate
  uint32_t direction = 0;
  int32_t code = 0;
  std::string detail;    // at most 200 bytes
  size_t data_size = 0;  // card data is never kept, only its size and a pseudonym
  std::string data_pseudonym;
  int64_t at_unix_ms = 0;
  int64_t at_ns = 0;    // monotonic
  std::string trip_id;  // set by Apply() when correlated
};

class GateState {
 public:
  // Forgets everything and sizes the lanes (1..lane_count); `lanes` gives the configured ids.
  void Reset(uint32_t lane_count, const std::vector<config::GateLaneConfig>& lanes);

  // Updates the state from `event` and tags it with a correlated trip; keeps it in the recent
  // list.
  void Apply(GateEvent& event);

  bool UnderEmergency(uint32_t lane) const;
  bool AnyEmergency() const;
  bool HasFaults() const { return !faults_.empty(); }

  void RecordDecision(uint32_t lane, const std::string& trip_id, int64_t now_ns);
  // `result` is "sent", "failed: JWO_HAL_E...", "dropped: ..." .
  void RecordCommand(uint32_t lane, std::string_view command, std::string result,
                     int64_t now_unix_ms);
  void SetMode(uint32_t lane, uint32_t mode);

  uint32_t lane_count() const { return static_cast<uint32_t>(lanes_.size()); }
  boost::json::array LanesJson() const;
  boost::json::array FaultsJson() const;
  boost::json::array RecentJson() const;

 private:
  struct Lane {
    std::string id;     // the configured id, "" when the lane is not mapped
    uint32_t mode = 1;  // JWO_HAL_LANE_MODE_NORMAL until told otherwise
    bool emergency = false;
    std::string door = "closed";
    uint64_t taps = 0;
    uint64_t passages = 0;
    std::string last_command;
    std::string last_result;
    int64_t last_command_ms = 0;
    std::string last_trip;
    int64_t last_trip_ns = 0;
  };

  Lane* LaneAt(uint32_t lane);

  std::vector<Lane> lanes_;
  bool emergency_all_ = false;
  std::map<std::pair<uint32_t, int32_t>, std::string> faults_;  // (lane, code) -> detail
  std::deque<GateEvent> recent_;
};

}  // namespace jwo::gate
