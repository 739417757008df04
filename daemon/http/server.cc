#include "http/server.h"

#include <cassert>
#include <vector>

#include "http/listener.h"
#include "http/server_state.h"
#include "http/session.h"

namespace jwo::http {

struct Server::Impl {
  std::shared_ptr<ServerState> state;
  std::vector<std::shared_ptr<Listener>> listeners;  // set up before Start, then read-only
  bool started = false;
};

Server::Server(boost::asio::io_context& io, ServerLimits limits) : impl_(std::make_unique<Impl>()) {
  assert(limits.idle_timeout_ms > 0 && limits.request_timeout_ms > 0);
  assert(limits.max_connections > 0 && limits.max_header_bytes > 0);
  impl_->state = std::make_shared<ServerState>(io, limits);
}

Server::~Server() {
  for (auto& listener : impl_->listeners) listener->Stop();
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
