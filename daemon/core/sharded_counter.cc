#include "core/sharded_counter.h"

#include <algorithm>
#include <cassert>

namespace jwo::core {

size_t ThisThreadShard() {
  static std::atomic<size_t> next{0};
  thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kCounterShards;
  return shard;
}

uint64_t ShardedCounter::Value() const {
  uint64_t total = 0;
  for (const Shard& s : shards_) total += s.value.load(std::memory_order_relaxed);
  return total;
}

ShardedHistogram::ShardedHistogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
  for (Shard& s : shards_) s.buckets = std::vector<std::atomic<uint64_t>>(bounds_.size() + 1);
}

void ShardedHistogram::Observe(double value) {
  // Buckets are "less than or equal" (Prometheus' `le`); few bounds, so a linear scan.
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  Shard& s = shards_[ThisThreadShard()];
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  s.sum.fetch_add(value, std::memory_order_relaxed);
}

ShardedHistogram::Snapshot ShardedHistogram::Read() const {
  Snapshot out;
  out.upper_bounds = bounds_;
  std::vector<uint64_t> counts(bounds_.size() + 1, 0);
  for (const Shard& s : shards_) {
    for (size_t i = 0; i < counts.size(); ++i) {
      counts[i] += s.buckets[i].load(std::memory_order_relaxed);
    }
    out.sum += s.sum.load(std::memory_order_relaxed);
  }
  uint64_t running = 0;
  for (uint64_t c : counts) {
    running += c;
    out.cumulative.push_back(running);
  }
  out.count = running;
  return out;
}

}  // namespace jwo::core
