// ShardedSharedMutex: a reader-writer lock for a read path that many threads take all the time
// and a writer that almost never does (the store's map resize).
//
// A reader locks only its own thread's shard (core::ThisThreadShard(), a cache line apart from
// the others'), so readers on two threads never write to one cache line; the writer locks every
// shard, in order. std::shared_mutex alone made every gate read on every connection thread
// bounce one lock word between the cores (docs/performance.md, issue "Hot paths").
//
// Meets SharedMutex: use it with std::shared_lock and std::unique_lock. A thread must unlock the
// shard it locked, which it does: its shard never changes.
#pragma once

#include <array>
#include <shared_mutex>

#include "core/sharded_counter.h"

namespace jwo::core {

class ShardedSharedMutex {
 public:
  void lock_shared() { shards_[ThisThreadShard()].mutex.lock_shared(); }
  bool try_lock_shared() { return shards_[ThisThreadShard()].mutex.try_lock_shared(); }
  void unlock_shared() { shards_[ThisThreadShard()].mutex.unlock_shared(); }

  void lock() {
    for (Shard& s : shards_) s.mutex.lock();
  }
  void unlock() {
    for (Shard& s : shards_) s.mutex.unlock();
  }

 private:
  struct alignas(64) Shard {
    std::shared_mutex mutex;
  };
  std::array<Shard, kCounterShards> shards_;
};

}  // namespace jwo::core
