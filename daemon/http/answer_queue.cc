#include "http/answer_queue.h"

#include <cassert>

#include "http/response_writer.h"

namespace jwo::http {
namespace {

// An entry's wire buffer is kept for reuse unless a large answer grew it past this.
constexpr size_t kMaxRetainedWire = 64 * 1024;

}  // namespace

AnswerQueue::AnswerQueue(uint32_t capacity) : entries_(capacity) { assert(capacity >= 1); }

uint32_t AnswerQueue::Open(TimePoint start, bool close, bool keep_alive_10, bool head) {
  assert(!full());
  const auto index = static_cast<uint32_t>((head_ + count_) % entries_.size());
  ++count_;
  Entry& entry = entries_[index];
  entry.start = start;
  entry.answered = false;
  entry.close = close;
  entry.keep_alive_10 = keep_alive_10;
  entry.head = head;
  return index;
}

bool AnswerQueue::Owes(uint32_t index, uint32_t generation) const {
  if (index >= entries_.size()) return false;
  const uint32_t offset = (index + entries_.size() - head_) % entries_.size();
  const Entry& entry = entries_[index];
  return offset < count_ && entry.generation == generation && !entry.answered;
}

int AnswerQueue::Answer(uint32_t index, const Response& response) {
  Entry& entry = entries_[index];
  SerializeResponse(response, WireOptions{entry.close, entry.keep_alive_10, entry.head},
                    &entry.wire);
  entry.answered = true;
  return WireStatus(response.status);
}

uint32_t AnswerQueue::ReadyCount() const {
  uint32_t ready = 0;
  while (ready < count_) {
    const Entry& entry = entries_[(head_ + ready) % entries_.size()];
    if (!entry.answered) break;
    ++ready;
    if (entry.close) break;
  }
  return ready;
}

bool AnswerQueue::PopFront(uint32_t n) {
  assert(n <= ReadyCount());
  bool close = false;
  for (; n > 0; --n) {
    Entry& entry = entries_[head_];
    close = close || entry.close;
    if (entry.wire.capacity() > kMaxRetainedWire) {
      std::string().swap(entry.wire);
    } else {
      entry.wire.clear();
    }
    entry.answered = false;
    ++entry.generation;
    head_ = static_cast<uint32_t>((head_ + 1) % entries_.size());
    --count_;
  }
  return close;
}

}  // namespace jwo::http
