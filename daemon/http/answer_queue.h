// AnswerQueue: the bounded, ordered queue of answers one connection owes (HTTP/1.1 pipelining).
//
// Internal to http/. Each request read opens an entry at the back; its answer may come in any
// order, but entries leave only from the front, so the wire carries answers in request order.
// The capacity is max_pipelined_requests: a full queue means the session stops reading.
// Entries are reused in a ring, and each keeps its wire buffer's capacity, so a steady stream of
// requests allocates nothing here.
//
// Thread safety: none; owned by one session on its connection thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "http/message.h"

namespace jwo::http {

class AnswerQueue {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Entry {
    std::string wire;         // the serialized answer once `answered`
    TimePoint start;          // when the request's first byte arrived
    uint32_t generation = 0;  // bumped on reuse, so a stray second answer is recognised
    bool answered = false;
    bool close = false;  // the connection ends after this answer
    bool keep_alive_10 = false;
    bool head = false;
  };

  // REQUIRES: capacity >= 1.
  explicit AnswerQueue(uint32_t capacity);

  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == entries_.size(); }
  uint32_t size() const { return count_; }

  // Opens the entry for a request just read and returns its index. REQUIRES: !full().
  uint32_t Open(TimePoint start, bool close, bool keep_alive_10, bool head);

  // REQUIRES: `index` came from Open and has not been popped.
  Entry& at(uint32_t index) { return entries_[index]; }
  // REQUIRES: !empty().
  const Entry& front() const { return entries_[head_]; }
  Entry& back() { return entries_[(head_ + count_ - 1) % entries_.size()]; }

  // True when (index, generation) names an open entry still waiting for its answer.
  bool Owes(uint32_t index, uint32_t generation) const;

  // Serializes `response` into the entry and marks it answered. Returns the status sent.
  int Answer(uint32_t index, const Response& response);

  // How many entries from the front are answered and may be written now: it stops before the
  // first unanswered one and after the first that closes the connection.
  uint32_t ReadyCount() const;

  // The wire bytes of the i-th entry from the front. REQUIRES: i < size().
  const std::string& WireFromFront(uint32_t i) const {
    return entries_[(head_ + i) % entries_.size()].wire;
  }

  // Releases `n` written entries from the front. Returns true when one of them closes the
  // connection. REQUIRES: n <= ReadyCount().
  bool PopFront(uint32_t n);

 private:
  std::vector<Entry> entries_;
  uint32_t head_ = 0;
  uint32_t count_ = 0;
};

}  // namespace jwo::http
