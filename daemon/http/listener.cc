#include "http/listener.h"

#include <unistd.h>

#include <boost/asio/post.hpp>

#include "core/log.h"
#include "http/server_state.h"
#include "http/tls_context.h"

namespace jwo::http {
namespace {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

core::Status SocketError(const ListenerSpec& spec, std::string_view step, const error_code& ec) {
  return core::IoError("listener '" + spec.name + "' on " + spec.address + ":" +
                       std::to_string(spec.port) + ": cannot " + std::string(step) + ": " +
                       ec.message());
}

}  // namespace

Listener::Listener(std::shared_ptr<ServerState> state,
                   std::shared_ptr<const ListenerContext> context)
    : state_(std::move(state)),
      context_(std::move(context)),
      strand_(asio::make_strand(state_->io())),
      acceptor_(strand_),
      retry_timer_(strand_) {}

core::Result<std::shared_ptr<Listener>> Listener::Open(const ListenerSpec& spec,
                                                       std::shared_ptr<ServerState> state) {
  if (!spec.router) {
    return core::InvalidArgument("listener '" + spec.name + "': no router");
  }
  error_code ec;
  const auto address = asio::ip::make_address(spec.address, ec);
  if (ec) {
    return core::InvalidArgument("listener '" + spec.name + "': address '" + spec.address +
                                 "' is not a numeric IP address");
  }
  auto context = std::make_shared<ListenerContext>();
  context->name = spec.name;
  context->router = spec.router;
  if (spec.tls) {
    auto tls = MakeServerTlsContext(*spec.tls, spec.name);
    if (!tls.ok()) return tls.status();
    context->tls = std::move(tls).value();
    context->verify_client = !spec.tls->client_ca_file.empty();
  }

  auto listener = std::make_shared<Listener>(std::move(state), std::move(context));
  Acceptor& acceptor = listener->acceptor_;
  const asio::ip::tcp::endpoint endpoint(address, spec.port);
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return SocketError(spec, "open socket", ec);
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return SocketError(spec, "set SO_REUSEADDR", ec);
  acceptor.bind(endpoint, ec);
  if (ec) return SocketError(spec, "bind", ec);
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return SocketError(spec, "listen", ec);
  listener->port_ = acceptor.local_endpoint(ec).port();
  if (ec) return SocketError(spec, "read bound port", ec);
  return listener;
}

void Listener::Start() {
  asio::post(strand_, [self = shared_from_this()] {
    if (!self->stopped_) self->Accept();
  });
}

void Listener::Stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    error_code ec;
    self->acceptor_.close(ec);
    self->retry_timer_.cancel();
  });
}

void Listener::Accept() {
  // Accepted on the listener's own io_context: a pending accept holds only objects of the
  // context that outlives the server (a socket of a connection thread's context, held there,
  // could outlive that context: caught by UBSan in a test's teardown).
  acceptor_.async_accept([self = shared_from_this()](const error_code& ec, AcceptedSocket peer) {
    self->OnAccept(ec, std::move(peer));
  });
}

void Listener::OnAccept(const error_code& ec, AcceptedSocket peer) {
  if (stopped_) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    ServerCounters::Bump(state_->counters().accept_errors);
    core::LogWarning("accept failed; retrying shortly",
                     {{"listener", context_->name}, {"error", ec.message()}});
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](const error_code& e) {
      if (!e && !self->stopped_) self->Accept();
    });
    return;
  }
  if (state_->OpenConnection()) {
    // The connection moves to the connection thread serving the fewest: all of its session's
    // work runs there, on that one thread.
    const uint32_t thread = state_->PickConnectionThread();
    error_code e;
    const asio::ip::tcp protocol = peer.local_endpoint(e).protocol();
    Socket socket(state_->ConnectionExecutor(thread));
    if (!e) {
      const auto fd = peer.release(e);
      if (!e) {
        socket.assign(protocol, fd, e);
        if (e) ::close(fd);
      }
    }
    if (e) {
      state_->CloseConnection();
      ServerCounters::Bump(state_->counters().accept_errors);
      core::LogWarning("an accepted connection could not be handed over; closed",
                       {{"listener", context_->name}, {"error", e.message()}});
    } else {
      StartSession(std::move(socket), thread, context_, state_);
    }
  } else {
    error_code ignored;
    peer.close(ignored);
  }
  Accept();
}

}  // namespace jwo::http
