#include "gate/command_queue.h"

#include <catch2/catch_test_macros.hpp>

using jwo::gate::CommandQueue;
using jwo::gate::LaneCommand;

TEST_CASE("the queue keeps order and, when full, drops the oldest") {
  CommandQueue q(3);
  for (uint32_t lane = 1; lane <= 3; ++lane)
    CHECK_FALSE(q.Push(LaneCommand{{}, lane, {}, 0, 0, {}}));
  CHECK(q.Push(LaneCommand{{}, 4, {}, 0, 0, {}}));
  CHECK(q.size() == 3);
  auto all = q.TakeAll();
  REQUIRE(all.size() == 3);
  CHECK(all[0].lane == 2);
  CHECK(all[2].lane == 4);
  CHECK(q.size() == 0);
  CHECK(q.TakeAll().empty());
}
