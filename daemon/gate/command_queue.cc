#include "gate/command_queue.h"

namespace jwo::gate {

bool CommandQueue::Push(LaneCommand command) {
  std::lock_guard lock(mutex_);
  bool dropped = false;
  if (queue_.size() >= capacity_) {
    queue_.pop_front();
    dropped = true;
  }
  queue_.push_back(std::move(command));
  return dropped;
}

std::vector<LaneCommand> CommandQueue::TakeAll() {
  std::lock_guard lock(mutex_);
  std::vector<LaneCommand> out(std::make_move_iterator(queue_.begin()),
                               std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

size_t CommandQueue::size() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace jwo::gate
