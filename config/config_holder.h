// ConfigHolder: the daemon's current configuration, swapped atomically on SIGHUP.
//
// Current() is for hot paths: it returns a reference to a per-thread cached snapshot and
// touches shared state only through one relaxed atomic load (the generation number), so
// threads do not contend on a reference count per request. The snapshot a thread holds stays
// valid until that thread calls Current() again after a Replace().
// Replace() may be called from any thread (in practice: the signal-handling one).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "config/config.h"

namespace jwo::config {

class ConfigHolder {
 public:
  explicit ConfigHolder(std::shared_ptr<const Config> initial) : current_(std::move(initial)) {}

  const Config& Current() const {
    thread_local const ConfigHolder* t_owner = nullptr;
    thread_local uint64_t t_generation = 0;
    thread_local std::shared_ptr<const Config> t_snapshot;
    const uint64_t gen = generation_.load(std::memory_order_acquire);
    if (t_owner != this || t_generation != gen || !t_snapshot) {
      t_snapshot = Snapshot();
      t_owner = this;
      t_generation = gen;
    }
    return *t_snapshot;
  }

  std::shared_ptr<const Config> Snapshot() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  void Replace(std::shared_ptr<const Config> next) {
    {
      std::lock_guard lock(mutex_);
      current_ = std::move(next);
    }
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Config> current_;
  std::atomic<uint64_t> generation_{1};
};

}  // namespace jwo::config
