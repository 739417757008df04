// Transport: a session's byte stream, plain TCP or TLS over it, behind one set of operations.
//
// Internal to http/ (included by session.cc only). The operations are templates so that each
// completion handler keeps its own type: no type erasure and no allocation beyond Asio's
// recycled handler memory.
//
// Thread safety: none; used on the socket's connection thread. Not movable: the TLS stream refers
// to the socket member.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "http/session.h"

namespace jwo::http {

class Transport {
 public:
  // `tls` null: plain TCP.
  Transport(Socket socket, const std::shared_ptr<boost::asio::ssl::context>& tls)
      : socket_(std::move(socket)) {
    if (tls) tls_.emplace(socket_, *tls);
  }
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  bool is_tls() const { return tls_.has_value(); }
  Executor executor() { return socket_.get_executor(); }
  // REQUIRES: is_tls().
  SSL* tls_handle() { return tls_->native_handle(); }

  // The peer as "127.0.0.1:53422" or "[::1]:53422"; "unknown" when the socket cannot tell.
  std::string Peer() const {
    boost::system::error_code ec;
    const auto ep = socket_.remote_endpoint(ec);
    if (ec) return "unknown";
    std::string address = ep.address().to_string();
    if (ep.address().is_v6()) address = "[" + address + "]";
    return address + ":" + std::to_string(ep.port());
  }

  // Small answers go out at once instead of waiting for Nagle's algorithm.
  void SetNoDelay() {
    boost::system::error_code ignored;
    socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  }

  // A plain socket's synchronous calls never block (WriteNow). Asio's asynchronous operations
  // are unaffected: they make the descriptor non-blocking themselves.
  void SetNonBlocking() {
    boost::system::error_code ignored;
    if (!tls_) socket_.non_blocking(true, ignored);
  }

  // REQUIRES: is_tls().
  template <typename Handler>
  void AsyncHandshake(Handler&& handler) {
    tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(handler));
  }

  template <typename Buffers, typename Handler>
  void AsyncReadSome(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffers, std::forward<Handler>(handler));
    }
  }

  template <typename Buffers, typename Handler>
  void AsyncWrite(const Buffers& buffers, Handler&& handler) {
    if (tls_) {
      boost::asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
    } else {
      boost::asio::async_write(socket_, buffers, std::forward<Handler>(handler));
    }
  }

  // Plain TCP only (REQUIRES: !is_tls()): one send() of what the socket takes now; `ec` is
  // would_block when it takes nothing. Asio's async_write sends at once too when it can, but
  // then queues its completion behind everything else on the thread: one more turn of the event
  // loop (and a wait on the socket set) per answer.
  template <typename Buffers>
  size_t WriteNow(const Buffers& buffers, boost::system::error_code& ec) {
    return socket_.write_some(buffers, ec);
  }

  // Sends close_notify and waits for the peer's. REQUIRES: is_tls(), no read or write pending.
  template <typename Handler>
  void AsyncTlsShutdown(Handler&& handler) {
    tls_->async_shutdown(std::forward<Handler>(handler));
  }

  // Sends TCP FIN; reading stays possible.
  void ShutdownSend() {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::socket_base::shutdown_send, ignored);
  }
  // Completes pending operations with operation_aborted.
  void Cancel() {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }
  void Close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  using TlsStream = boost::asio::ssl::stream<Socket&>;

  Socket socket_;
  std::optional<TlsStream> tls_;
};

}  // namespace jwo::http
