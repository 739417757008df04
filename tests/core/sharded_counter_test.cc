#include "core/sharded_counter.h"

#include <catch2/catch_test_macros.hpp>
#include <thread>
#include <vector>

namespace jwo::core {
namespace {

TEST_CASE("a sharded counter sums every thread's additions exactly") {
  ShardedCounter c;
  CHECK(c.Value() == 0);
  // More threads than shards: some share one, and nothing may be lost.
  constexpr int kThreads = static_cast<int>(kCounterShards) + 4;
  constexpr int kEach = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < kEach; ++i) c.Add();
      c.Add(5);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(c.Value() == static_cast<uint64_t>(kThreads) * (kEach + 5));
}

TEST_CASE("a sharded histogram counts each value in the first bucket whose bound is not below it") {
  ShardedHistogram h({1.0, 2.0, 5.0});
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 5.0, 7.0, 100.0}) h.Observe(v);
  const ShardedHistogram::Snapshot s = h.Read();
  CHECK(s.upper_bounds == std::vector<double>{1.0, 2.0, 5.0});
  // le=1: 0.5, 1.0; le=2: + 1.5, 2.0; le=5: + 4.0, 5.0; +Inf: + 7, 100.
  CHECK(s.cumulative == std::vector<uint64_t>{2, 4, 6, 8});
  CHECK(s.count == 8);
  CHECK(s.sum == 121.0);
}

TEST_CASE("a sharded histogram loses nothing to concurrent observers") {
  ShardedHistogram h({10.0});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 10'000; ++i) h.Observe(t % 2 == 0 ? 1.0 : 20.0);
    });
  }
  for (auto& t : threads) t.join();
  const ShardedHistogram::Snapshot s = h.Read();
  CHECK(s.cumulative == std::vector<uint64_t>{20'000, 40'000});
  CHECK(s.sum == 20'000 * 1.0 + 20'000 * 20.0);
}

}  // namespace
}  // namespace jwo::core
