// Session: one accepted connection, plain or TLS, from handshake to close.
//
// Internal to http/. A session reads requests (pipelined up to max_pipelined_requests), hands
// each to its listener's router, and writes answers in request order, whatever thread they
// come from. All its work runs on its socket's io_context, which exactly one thread runs (the
// server's connection threads), so its handlers never run concurrently without a strand. Its
// shared_ptr is held by its pending I/O and, while a handler owes an answer, by itself.
//
// Thread safety: the functions below may be called from any thread; they post to the session's
// io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "http/router.h"

namespace jwo::http {

class ServerState;
class Session;

// A connection's executor: its connection thread's io_context (run by that thread only).
using Executor = boost::asio::io_context::executor_type;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Executor>;

// What every session of one listener shares, read-only.
struct ListenerContext {
  std::string name;
  std::shared_ptr<const Router> router;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
  bool verify_client = false;                      // TLS requires a verified client certificate
};

// Takes ownership of an accepted socket, already counted by ServerState::OpenConnection, and
// starts serving it (TLS handshake first when the listener has TLS).
// `thread` is the connection thread whose io_context the socket is on.
void StartSession(Socket socket, uint32_t thread, std::shared_ptr<const ListenerContext> listener,
                  std::shared_ptr<ServerState> state);

// Server shutdown: stop taking new requests, answer those already received, then close. An
// idle connection closes at once.
void DrainSession(const std::shared_ptr<Session>& session);

// Closes the connection now; answers still owed are discarded when they come.
void CloseSession(const std::shared_ptr<Session>& session);

}  // namespace jwo::http
