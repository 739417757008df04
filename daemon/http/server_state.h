// ServerState: what a Server shares with its listeners and sessions: the limits, the counters,
// the registry of live sessions and the shutdown bookkeeping.
//
// Internal to http/. Held by shared_ptr by the server, every listener and every session, so a
// session that outlives the Server object still has somewhere to count and unregister. It also
// knows the connection threads' executors and how many connections each one serves, so a
// listener can give a new connection to the least busy one.
//
// Thread safety: all members may be used from any thread. Counters are relaxed atomics; the
// registry and shutdown state are guarded by mu_.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/sharded_counter.h"
#include "http/server.h"

namespace jwo::http {

class Session;

struct ServerCounters {
  std::atomic<uint64_t> open_connections{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> rejected_over_limit{0};
  // Per request: sharded, so connection threads do not share a cache line for them.
  core::ShardedCounter requests;
  core::ShardedCounter responses_by_class[6];  // index: status / 100
  std::atomic<uint64_t> malformed_requests{0};
  std::atomic<uint64_t> request_timeouts{0};
  std::atomic<uint64_t> idle_timeouts{0};
  std::atomic<uint64_t> tls_handshake_failures{0};
  std::atomic<uint64_t> accept_errors{0};

  static void Bump(std::atomic<uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
  // REQUIRES: 100 <= status <= 599.
  void CountResponse(int status) { responses_by_class[status / 100].Add(); }
  ServerStats Snapshot() const;
};

class ServerState : public std::enable_shared_from_this<ServerState> {
 public:
  ServerState(boost::asio::io_context& io, ServerLimits limits);

  boost::asio::io_context& io() { return io_; }

  // The connection threads' io_contexts, each run by one thread. REQUIRES: called once, before
  // any listener starts; non-empty.
  void SetConnectionExecutors(std::vector<boost::asio::io_context::executor_type> executors);
  // The connection thread for the next accepted connection: the one serving the fewest. Any
  // thread (listeners on different strands may ask at once; a tie or a race only moves one
  // connection to another thread).
  uint32_t PickConnectionThread() const;
  boost::asio::io_context::executor_type ConnectionExecutor(uint32_t thread) const {
    return connection_threads_[thread]->executor;
  }
  // A session on `thread` began / ended (counted for PickConnectionThread).
  void SessionStarted(uint32_t thread) {
    connection_threads_[thread]->sessions.fetch_add(1, std::memory_order_relaxed);
  }
  void SessionEnded(uint32_t thread) {
    connection_threads_[thread]->sessions.fetch_sub(1, std::memory_order_relaxed);
  }
  const ServerLimits& limits() const { return limits_; }
  ServerCounters& counters() { return counters_; }

  // Counts a new connection against max_connections. Returns false (and counts the rejection)
  // when the limit is reached; on true the caller must eventually call CloseConnection.
  bool OpenConnection();
  void CloseConnection();

  // Registers a live session. Returns false when shutdown has begun: the session should close
  // at once. Either way the session calls Unregister when it is destroyed.
  bool Register(Session* session, std::weak_ptr<Session> weak);
  void Unregister(Session* session);

  // Marks shutdown begun and queues `done`. Returns the sessions live now (to be drained) and
  // whether this call began the shutdown. When shutdown has already finished, posts `done`.
  std::vector<std::shared_ptr<Session>> BeginShutdown(std::function<void()> done, bool* first);
  std::vector<std::shared_ptr<Session>> LiveSessions();
  bool shutting_down() const;

  // Calls FinishShutdown after `deadline` unless it has run by then; `on_deadline` runs first,
  // on an io thread, to close what is left.
  void ArmShutdownDeadline(std::chrono::milliseconds deadline, std::function<void()> on_deadline);
  // Finishes the shutdown now if no session is left.
  void FinishShutdownIfIdle();
  // Posts every queued `done` once and cancels the deadline.
  void FinishShutdown();

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Timer = boost::asio::basic_waitable_timer<
      std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Strand>;

  struct ConnectionThread {
    explicit ConnectionThread(boost::asio::io_context::executor_type e) : executor(e) {}
    boost::asio::io_context::executor_type executor;
    std::atomic<uint32_t> sessions{0};
  };

  boost::asio::io_context& io_;
  const ServerLimits limits_;
  std::vector<std::unique_ptr<ConnectionThread>> connection_threads_;  // set before Start
  ServerCounters counters_;
  Strand deadline_strand_;
  Timer deadline_timer_;  // used only on deadline_strand_

  mutable std::mutex mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // guarded by mu_
  bool shutting_down_ = false;                                     // guarded by mu_
  bool finished_ = false;                                          // guarded by mu_
  std::vector<std::function<void()>> done_;                        // guarded by mu_
};

}  // namespace jwo::http
