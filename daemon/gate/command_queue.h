// CommandQueue: the bounded hand-off of lane commands from the I/O threads (F&A decisions) to
// one gate's thread.
//
// Push() never waits for the gate: it takes a mutex held only for a push or a swap (no driver
// call runs under it), so the F&A answer is never delayed by hardware. Overflow: when the
// queue holds `capacity` commands, the OLDEST is dropped to make room, because a command that
// has waited behind a stuck gate is the one least likely to still concern the shopper at the
// lane. The gate's thread drops commands older than the gate's command_max_age_ms for the same
// reason. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "gate/lane_command.h"

namespace jwo::gate {

class CommandQueue {
 public:
  explicit CommandQueue(size_t capacity) : capacity_(capacity) {}

  // Appends `command`; returns true when the oldest command was dropped to make room.
  bool Push(LaneCommand command);
  // Removes and returns every queued command, oldest first.
  std::vector<LaneCommand> TakeAll();
  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<LaneCommand> queue_;
};

}  // namespace jwo::gate
