#include "gate/lane_map.h"

#include <catch2/catch_test_macros.hpp>

using jwo::config::GateConfig;
using jwo::gate::LaneMap;

namespace {

GateConfig Gate(std::string id, std::vector<std::pair<std::string, uint32_t>> lanes) {
  GateConfig g;
  g.name = id;
  g.gate_id = id;
  for (auto& [lane_id, n] : lanes) g.lanes.push_back({lane_id, n});
  return g;
}

}  // namespace

TEST_CASE("a request maps to a gate by gate id and a lane by lane id") {
  LaneMap map({Gate("g1", {{"1", 1}, {"2", 4}}), Gate("g2", {{"A", 1}})});
  auto t = map.Find("g1", "2");
  REQUIRE(t);
  CHECK(t->gate == 0);
  CHECK(t->lane == 4);
  CHECK(map.Find("g2", "A")->gate == 1);
  CHECK_FALSE(map.Find("g3", "1"));
  CHECK_FALSE(map.Find("g1", "3"));
  CHECK_FALSE(map.Find("", "1"));   // two gates: a request without a gate is ambiguous
  CHECK_FALSE(map.Find("g1", ""));  // two lanes: a request without a lane is ambiguous
  CHECK(map.Find("g2", "")->lane == 1);
}

TEST_CASE("a single gate with a single lane takes requests that name neither") {
  LaneMap map({Gate("only", {{"1", 3}})});
  auto t = map.Find("", "");
  REQUIRE(t);
  CHECK(t->lane == 3);
  CHECK(map.DriverLane(0, "1") == 3u);
  CHECK_FALSE(map.DriverLane(1, "1"));
}
