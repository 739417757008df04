// Listener: one bound socket (plain or TLS) that accepts connections and starts a session for
// each, within the server's connection limit.
//
// Internal to http/. The acceptor lives on its own strand of the server's io_context; Start and
// Stop post to it. Each accepted connection is handed over (its descriptor) to the connection
// thread serving the fewest.
//
// Thread safety: Open from the setup thread; Start, Stop and port from any thread.
#pragma once

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>

#include "core/status.h"
#include "http/server.h"
#include "http/session.h"

namespace jwo::http {

class ServerState;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Loads TLS material, binds and listens. Errors as for Server::AddListener.
  static core::Result<std::shared_ptr<Listener>> Open(const ListenerSpec& spec,
                                                      std::shared_ptr<ServerState> state);

  uint16_t port() const { return port_; }
  void Start();
  // Closes the acceptor; connections already accepted are not affected.
  void Stop();

  // Use Open.
  Listener(std::shared_ptr<ServerState> state, std::shared_ptr<const ListenerContext> context);

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Acceptor = boost::asio::basic_socket_acceptor<boost::asio::ip::tcp, Strand>;
  using AcceptedSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Strand>;
  using Timer = boost::asio::basic_waitable_timer<
      std::chrono::steady_clock, boost::asio::wait_traits<std::chrono::steady_clock>, Strand>;

  void Accept();
  void OnAccept(const boost::system::error_code& ec, AcceptedSocket peer);

  std::shared_ptr<ServerState> state_;
  std::shared_ptr<const ListenerContext> context_;
  Strand strand_;
  Acceptor acceptor_;
  Timer retry_timer_;  // backs off after an accept error such as EMFILE
  uint16_t port_ = 0;
  bool stopped_ = false;  // used on strand_ only
};

}  // namespace jwo::http
