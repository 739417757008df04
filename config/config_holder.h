// ConfigHolder: the daemon's current configuration, swapped atomically on SIGHUP.
//
// Current() hands out a shared snapshot: hold it for the whole request (or other unit of
// work) and every read in that unit sees one configuration, however many Replace() calls
// happen meanwhile; the snapshot lives as long as some holder keeps it. (It used to return a
// reference to a per-thread cache that the next Current() call on the same thread, made
// invisibly by a callee, could free.) Any thread may call Current() and Replace().
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "config/config.h"

namespace jwo::config {

class ConfigHolder {
 public:
  explicit ConfigHolder(std::shared_ptr<const Config> initial)
      : current_(std::move(initial)), generation_(NextGeneration()) {}

  // The configuration now in force. Never null.
  std::shared_ptr<const Config> Current() const { return Snapshot(); }

  // Same as Current() (the name the reload code uses).
  std::shared_ptr<const Config> Snapshot() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  // Installs `next` for every later Current(); snapshots already handed out stay valid.
  void Replace(std::shared_ptr<const Config> next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
    generation_.store(NextGeneration(), std::memory_order_release);
  }

  // A number that changes with every Replace() and differs between holders (unique in the
  // process): a thread may keep its own snapshot while this stays the same, and so read the
  // configuration without touching the mutex or the snapshot's shared count (both cache lines
  // every connection thread would write; fa::AuthorizationHandler does this per tap).
  uint64_t Generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  static uint64_t NextGeneration() {
    static std::atomic<uint64_t> next{0};
    return next.fetch_add(1, std::memory_order_relaxed) + 1;
  }

  mutable std::mutex mutex_;
  std::shared_ptr<const Config> current_;
  std::atomic<uint64_t> generation_;
};

}  // namespace jwo::config
