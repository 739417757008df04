// LoadThread: one thread's share of a jwo-loadgen run — its keep-alive connections, its epoll
// set and its slice of the schedule.
//
// Open loop: with T threads and a total rate R, thread k owns the requests i = k, k+T, k+2T,
// ... and request i is due at t0 + i/R whatever happened before it. A due request waits in a
// FIFO until one of the thread's connections has room (fewer than --pipeline requests in
// flight), and its latency runs from the due time, so waiting for a busy server is measured
// rather than hidden (no coordinated omission). The FIFO holds at most the requests due in the
// run, R * (warm-up + duration) / T entries; it cannot grow past that.
//
// Closed loop: every connection keeps --pipeline requests in flight and sends the next as soon
// as an answer arrives; latency runs from the send. This finds maximum throughput.
//
// The loop sleeps in epoll_pwait2 with a nanosecond timeout and 1 ns timer slack, so it wakes
// within a few microseconds of each due time without spinning a core away from the server.
//
// Thread-safety: a LoadThread is driven by one thread; its stats() are read after that thread
// has finished Run().
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "tests/bench/load_options.h"
#include "tests/bench/load_stats.h"
#include "tests/bench/shopper_request.h"

namespace jwo::bench {

// Monotonic clock in nanoseconds (CLOCK_MONOTONIC), the time base of every measurement.
uint64_t NowNanos();

// Moments of a run on the NowNanos() clock, shared by all threads.
struct RunTimes {
  uint64_t start_ns = 0;           // t0: warm-up begins
  uint64_t window_start_ns = 0;    // recording begins
  uint64_t window_end_ns = 0;      // no request is due or started after this
  uint64_t drain_deadline_ns = 0;  // answers still missing now are counted unfinished
};

class LoadThread {
 public:
  // `index` of `threads`, owning `connections` connections to `address`.
  LoadThread(const LoadOptions& options, const sockaddr_storage& address, socklen_t address_length,
             int index, int threads, int connections);
  ~LoadThread();
  LoadThread(const LoadThread&) = delete;
  LoadThread& operator=(const LoadThread&) = delete;

  // Opens every connection (blocking connect, then non-blocking). Returns true on success;
  // false with "connect to ...: <errno text>" in *error when a connection or the epoll set
  // cannot be created.
  bool Connect(std::string* error);

  // Sends and measures from times.start_ns until every recorded request is answered or
  // times.drain_deadline_ns passes. When *stop becomes true, the window ends early and the
  // loop drains as usual. REQUIRES: Connect() succeeded.
  void Run(const RunTimes& times, const std::atomic<bool>* stop);

  const LoadStats& stats() const { return stats_; }

 private:
  struct InFlight {
    uint64_t due_ns;  // open loop: due time; closed loop: send time
    bool recorded;
    bool in_debt;
  };
  enum class ConnState { kDown, kConnecting, kOpen };
  struct Connection {
    int fd = -1;
    ConnState state = ConnState::kDown;
    std::string out;  // request bytes the socket has not taken yet
    size_t out_offset = 0;
    std::string in;  // the start of an answer not yet complete
    std::deque<InFlight> inflight;
    bool in_idle_queue = false;
    uint64_t retry_at_ns = 0;
  };

  uint64_t DueTime(uint64_t slot) const;
  void ScheduleDue(uint64_t now);
  void Dispatch();
  void FillClosedLoop(int c);
  bool HasRoom(const Connection& conn) const;
  void OfferIdle(int c);
  void Send(int c, uint64_t due_ns, uint64_t now);
  bool Flush(int c);
  void OnEvent(int c, uint32_t events);
  void OnReadable(int c);
  void ConsumeAnswers(int c, const char* data, size_t size, uint64_t now);
  void OnAnswer(const InFlight& request, int status, size_t response_bytes, std::string_view body,
                uint64_t now);
  void OnConnected(int c);
  void StartConnect(int c);
  void Drop(int c, bool count_error);
  void SetEvents(int c, uint32_t events);
  bool WantsConnections(uint64_t now) const;
  void ReconnectDue(uint64_t now);
  uint64_t NextWake(uint64_t now) const;
  void Wait(uint64_t now, uint64_t wake);

  const LoadOptions& options_;
  sockaddr_storage address_;
  socklen_t address_length_;
  int index_;
  int threads_;
  RequestSource requests_;
  int epoll_fd_ = -1;
  std::vector<Connection> conns_;
  std::deque<int> idle_;          // open loop: connections with room, in FIFO order
  std::deque<uint64_t> pending_;  // open loop: due requests waiting for a connection
  uint64_t next_slot_ = 0;
  uint64_t next_due_ns_ = 0;
  uint64_t outstanding_ = 0;  // requests in flight over all connections
  int down_ = 0;              // connections waiting to reconnect
  RunTimes times_;
  bool started_ = false;  // initial connections done: later opens count as reconnects
  bool use_pwait2_ = true;
  std::string chunk_scratch_;
  std::vector<char> read_buffer_;
  LoadStats stats_;
};

}  // namespace jwo::bench
