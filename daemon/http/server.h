// Server: the HTTP/1.1 front door. Listeners (plain or TLS) accept connections on the daemon's
// io_context and hand each to one of the server's connection threads: each runs an io_context of
// its own, so a connection is served start to finish on one thread, with no strand, no lock and
// no hand-off between threads on the way from its bytes to a synchronous handler's answer
// (measured: docs/performance.md, issue "Hot paths"). A session reads requests, hands them to
// its listener's Router and writes the answers back in request order.
//
// Keep-alive and pipelining are supported within ServerLimits. A request over a limit gets its
// precise status (413, 431, 408, 400) on its own connection and disturbs no other connection.
// Errors are JSON: {"errorMsg": "..."}.
//
// Thread safety: AddListener and Start are called from one thread during setup; Shutdown and
// Stats may be called from any thread. The server does not run the daemon's io_context (the
// daemon owns it and its threads); it runs its connection threads itself.
//
// Lifetime: destroy the Server (or call StopThreads) only after Shutdown's `done` has run, or
// before Start: sessions live on the connection threads' io_contexts, which the Server owns. A
// Respond posts to its connection thread's io_context: stop the threads that may still answer
// (e.g. a store writer) before StopThreads or destroying the Server.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "http/router.h"

namespace boost::asio {
class io_context;
}

namespace jwo::http {

// REQUIRES: every field > 0.
struct ServerLimits {
  uint32_t max_body_bytes = 1 << 20;     // larger bodies: 413
  uint32_t max_header_bytes = 16 << 10;  // request line + fields; larger: 431 and close
  uint32_t idle_timeout_ms = 60'000;     // keep-alive connection with nothing in flight: close
  // From a request's first byte until its answer is written (covers a slow upload, a slow
  // handler and a client that does not read). A request still being received gets 408 and the
  // connection closes; otherwise the connection just closes. Also bounds the TLS handshake.
  uint32_t request_timeout_ms = 10'000;
  uint32_t max_connections = 1024;  // all listeners together; over it: accepted, closed, counted
  uint32_t max_pipelined_requests = 16;  // read but unanswered; reading pauses at the bound
};

struct TlsSettings {
  std::string certificate_file;  // PEM, server certificate first, then its chain
  std::string private_key_file;  // PEM
  // PEM CA bundle. Non-empty: every client must present a certificate that verifies against
  // it, or the handshake fails. Empty: client certificates are not asked for.
  std::string client_ca_file;
};

struct ListenerSpec {
  std::string name;                // appears in Request::listener and in error messages
  std::string address;             // numeric IPv4/IPv6 address: "127.0.0.1", "0.0.0.0", "::"
  uint16_t port = 0;               // 0: an ephemeral port, returned by AddListener
  std::optional<TlsSettings> tls;  // TLS 1.2+ when set
  std::shared_ptr<const Router> router;
};

// A snapshot of the server's counters (each read atomically, the set not as a whole).
struct ServerStats {
  uint64_t open_connections = 0;
  uint64_t accepted = 0;             // connections taken into service
  uint64_t rejected_over_limit = 0;  // accepted and closed at once: max_connections reached
  uint64_t requests = 0;             // complete requests parsed (routed or answered 404/405)
  uint64_t responses_1xx = 0;        // final answers by status class (not 100 Continue)
  uint64_t responses_2xx = 0;
  uint64_t responses_3xx = 0;
  uint64_t responses_4xx = 0;
  uint64_t responses_5xx = 0;
  uint64_t malformed_requests = 0;  // 400, 413 and 431 answers to unparsable or oversize input
  uint64_t request_timeouts = 0;    // connections closed by request_timeout_ms
  uint64_t idle_timeouts = 0;       // keep-alive connections closed by idle_timeout_ms
  uint64_t tls_handshake_failures = 0;
  uint64_t accept_errors = 0;  // accept() failures (e.g. EMFILE); accepting resumes shortly
};

class Server {
 public:
  // `io` must outlive the server; it runs the listeners and the shutdown timer. The limits apply
  // to every listener. `connection_threads` (>= 1) threads serve the connections, from Start.
  Server(boost::asio::io_context& io, ServerLimits limits, int connection_threads = 1);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (TLS material is loaded now, so a bad file fails here). Returns the bound
  // port (useful with port 0). Errors, each naming the listener and address or file:
  //   kInvalidArgument: no router, an address that is not a numeric IP, unreadable or
  //     mismatched certificate/key, unreadable client CA file;
  //   kIoError: the socket could not be opened/bound/listened on (EADDRINUSE, EACCES, ...);
  //   kFailedPrecondition: called after Start or Shutdown.
  // REQUIRES: called before Start, from one thread.
  core::Result<uint16_t> AddListener(const ListenerSpec& spec);

  // Starts the connection threads and accepting on every listener. Idempotent.
  void Start();

  // Stops accepting, lets in-flight requests finish (requests already received are answered;
  // the last answer on each connection says "Connection: close") and closes idle keep-alive
  // connections. `done` runs once, on an io thread, when all sessions are gone or when
  // `deadline` has passed (then the remaining sessions are closed first). A second call only
  // runs its `done` when the first shutdown completes.
  void Shutdown(std::chrono::milliseconds deadline, std::function<void()> done);

  ServerStats Stats() const;

  // Stops the connection threads and joins them; connections still open are cut and answers
  // still owed are dropped. Call after Shutdown's `done` (or its deadline). Idempotent; the
  // destructor calls it.
  void StopThreads();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jwo::http
