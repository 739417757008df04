#include "http/server_state.h"

#include <boost/asio/post.hpp>

namespace jwo::http {

namespace asio = boost::asio;

ServerStats ServerCounters::Snapshot() const {
  auto get = [](const std::atomic<uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  ServerStats s;
  s.open_connections = get(open_connections);
  s.accepted = get(accepted);
  s.rejected_over_limit = get(rejected_over_limit);
  s.requests = requests.Value();
  s.responses_1xx = responses_by_class[1].Value();
  s.responses_2xx = responses_by_class[2].Value();
  s.responses_3xx = responses_by_class[3].Value();
  s.responses_4xx = responses_by_class[4].Value();
  s.responses_5xx = responses_by_class[5].Value();
  s.malformed_requests = get(malformed_requests);
  s.request_timeouts = get(request_timeouts);
  s.idle_timeouts = get(idle_timeouts);
  s.tls_handshake_failures = get(tls_handshake_failures);
  s.accept_errors = get(accept_errors);
  return s;
}

ServerState::ServerState(asio::io_context& io, ServerLimits limits)
    : io_(io),
      limits_(limits),
      deadline_strand_(asio::make_strand(io)),
      deadline_timer_(deadline_strand_) {}

void ServerState::SetConnectionExecutors(std::vector<asio::io_context::executor_type> executors) {
  for (const auto& executor : executors) {
    connection_threads_.push_back(std::make_unique<ConnectionThread>(executor));
  }
}

uint32_t ServerState::PickConnectionThread() const {
  uint32_t best = 0;
  uint32_t fewest = UINT32_MAX;
  for (uint32_t i = 0; i < connection_threads_.size(); ++i) {
    const uint32_t n = connection_threads_[i]->sessions.load(std::memory_order_relaxed);
    if (n < fewest) {
      fewest = n;
      best = i;
    }
  }
  return best;
}

bool ServerState::OpenConnection() {
  const uint64_t before = counters_.open_connections.fetch_add(1, std::memory_order_relaxed);
  if (before >= limits_.max_connections) {
    counters_.open_connections.fetch_sub(1, std::memory_order_relaxed);
    ServerCounters::Bump(counters_.rejected_over_limit);
    return false;
  }
  ServerCounters::Bump(counters_.accepted);
  return true;
}

void ServerState::CloseConnection() {
  counters_.open_connections.fetch_sub(1, std::memory_order_relaxed);
}

bool ServerState::Register(Session* session, std::weak_ptr<Session> weak) {
  std::lock_guard lock(mu_);
  sessions_.emplace(session, std::move(weak));
  return !shutting_down_;
}

void ServerState::Unregister(Session* session) {
  bool idle;
  {
    std::lock_guard lock(mu_);
    sessions_.erase(session);
    idle = shutting_down_ && sessions_.empty();
  }
  if (idle) FinishShutdown();
}

std::vector<std::shared_ptr<Session>> ServerState::BeginShutdown(std::function<void()> done,
                                                                 bool* first) {
  std::lock_guard lock(mu_);
  *first = !shutting_down_;
  shutting_down_ = true;
  if (finished_) {
    if (done) asio::post(io_, std::move(done));
    return {};
  }
  if (done) done_.push_back(std::move(done));
  std::vector<std::shared_ptr<Session>> live;
  if (!*first) return live;
  live.reserve(sessions_.size());
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

std::vector<std::shared_ptr<Session>> ServerState::LiveSessions() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Session>> live;
  live.reserve(sessions_.size());
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

bool ServerState::shutting_down() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

void ServerState::ArmShutdownDeadline(std::chrono::milliseconds deadline,
                                      std::function<void()> on_deadline) {
  asio::post(deadline_strand_,
             [self = shared_from_this(), deadline, on_deadline = std::move(on_deadline)]() mutable {
               {
                 std::lock_guard lock(self->mu_);
                 if (self->finished_) return;
               }
               self->deadline_timer_.expires_after(deadline);
               self->deadline_timer_.async_wait(
                   [self, on_deadline = std::move(on_deadline)](boost::system::error_code ec) {
                     if (ec) return;
                     on_deadline();
                     self->FinishShutdown();
                   });
             });
}

void ServerState::FinishShutdownIfIdle() {
  bool idle;
  {
    std::lock_guard lock(mu_);
    idle = shutting_down_ && sessions_.empty();
  }
  if (idle) FinishShutdown();
}

void ServerState::FinishShutdown() {
  std::vector<std::function<void()>> done;
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    done.swap(done_);
  }
  asio::post(deadline_strand_, [self = shared_from_this()] { self->deadline_timer_.cancel(); });
  for (auto& fn : done) asio::post(io_, std::move(fn));
}

}  // namespace jwo::http
