// ShardedCounter and ShardedHistogram: metrics that hot paths on several threads update and a
// scrape reads now and then.
//
// Each thread adds to a shard of its own (a cache line apart from the others'), so two connection
// threads never contend for one line; a reader sums the shards. prometheus-cpp's own Histogram
// takes a mutex per observation and its Counter is one atomic shared by every thread: both were
// on the gate decision's path (docs/performance.md, issue "Hot paths").
//
// Thread safety: Add/Observe from any thread; Value/Read from any thread, concurrently with them
// (a read sees each shard atomically, the sum not as one instant).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace jwo::core {

inline constexpr size_t kCounterShards = 16;

// This thread's shard, 0 .. kCounterShards-1: threads take shards in turn as they first ask (past
// kCounterShards threads, two share a shard, which is still correct, only contended).
size_t ThisThreadShard();

class ShardedCounter {
 public:
  void Add(uint64_t n = 1) {
    shards_[ThisThreadShard()].value.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const;

 private:
  struct alignas(64) Shard {
    std::atomic<uint64_t> value{0};
  };
  std::array<Shard, kCounterShards> shards_;
};

class ShardedHistogram {
 public:
  // `upper_bounds`: ascending, finite; a last bucket (+Inf) is implied.
  explicit ShardedHistogram(std::vector<double> upper_bounds);

  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;  // as given, without +Inf
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (= count)
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Read() const;

 private:
  struct alignas(64) Shard {
    std::vector<std::atomic<uint64_t>> buckets;  // per bound, then +Inf
    std::atomic<double> sum{0};
  };
  const std::vector<double> bounds_;
  std::array<Shard, kCounterShards> shards_;
};

}  // namespace jwo::core
