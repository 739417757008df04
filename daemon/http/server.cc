#include "http/server.h"

#include <pthread.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <cassert>
#include <string>
#include <thread>
#include <vector>

#include "http/listener.h"
#include "http/server_state.h"
#include "http/session.h"

namespace jwo::http {

namespace asio = boost::asio;

struct Server::Impl {
  // Declared first, destroyed last: sessions destroyed with their io_context still count and
  // unregister there.
  std::shared_ptr<ServerState> state;
  std::vector<std::shared_ptr<Listener>> listeners;  // set up before Start, then read-only
  // One io_context per connection thread, each run by exactly that thread (concurrency hint 1:
  // Asio skips the wake-ups a shared scheduler needs).
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  bool started = false;
};

Server::Server(asio::io_context& io, ServerLimits limits, int connection_threads)
    : impl_(std::make_unique<Impl>()) {
  assert(limits.idle_timeout_ms > 0 && limits.request_timeout_ms > 0);
  assert(limits.max_connections > 0 && limits.max_header_bytes > 0);
  assert(connection_threads >= 1);
  impl_->state = std::make_shared<ServerState>(io, limits);
  std::vector<asio::io_context::executor_type> executors;
  for (int i = 0; i < std::max(1, connection_threads); ++i) {
    impl_->contexts.push_back(std::make_unique<asio::io_context>(1));
    executors.push_back(impl_->contexts.back()->get_executor());
  }
  impl_->state->SetConnectionExecutors(std::move(executors));
}

Server::~Server() {
  for (auto& listener : impl_->listeners) listener->Stop();
  StopThreads();
}

void Server::StopThreads() {
  impl_->work.clear();
  for (auto& context : impl_->contexts) context->stop();
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

core::Result<uint16_t> Server::AddListener(const ListenerSpec& spec) {
  if (impl_->started || impl_->state->shutting_down()) {
    return core::Status(core::StatusCode::kFailedPrecondition,
                        "listener '" + spec.name + "': the server has already started");
  }
  auto listener = Listener::Open(spec, impl_->state);
  if (!listener.ok()) return listener.status();
  const uint16_t port = listener.value()->port();
  impl_->listeners.push_back(std::move(listener).value());
  return port;
}

void Server::Start() {
  if (impl_->started) return;
  impl_->started = true;
  for (size_t i = 0; i < impl_->contexts.size(); ++i) {
    asio::io_context& context = *impl_->contexts[i];
    impl_->work.push_back(asio::make_work_guard(context));
    impl_->threads.emplace_back([&context, i] {
      const std::string name = "jwo-http-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      context.run();
    });
  }
  for (auto& listener : impl_->listeners) listener->Start();
}

void Server::Shutdown(std::chrono::milliseconds deadline, std::function<void()> done) {
  bool first = false;
  auto sessions = impl_->state->BeginShutdown(std::move(done), &first);
  if (!first) return;
  for (auto& listener : impl_->listeners) listener->Stop();
  for (auto& session : sessions) DrainSession(session);
  std::weak_ptr<ServerState> weak = impl_->state;
  impl_->state->ArmShutdownDeadline(deadline, [weak] {
    if (auto state = weak.lock()) {
      for (auto& session : state->LiveSessions()) CloseSession(session);
    }
  });
  impl_->state->FinishShutdownIfIdle();
}

ServerStats Server::Stats() const { return impl_->state->counters().Snapshot(); }

}  // namespace jwo::http
