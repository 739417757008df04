// PaymentClient: the HTTP/1.1 client that carries requests to Amazon's Payment Service (or its
// simulator) over a bounded pool of keep-alive connections, HTTPS or plain HTTP.
//
// It sends each request once and reports precisely what happened (an answer of any status, or
// how the transport failed and whether the request may have reached the server). Retrying is
// the outbox dispatcher's job; the one retry made here is safe by construction: a request whose
// write fails on a reused connection before any byte left goes once more on a fresh connection.
//
// At most max_connections requests are in flight, each on its own connection (no pipelining);
// later ones wait in a FIFO queue of at most max_queued. HTTPS verifies the server certificate
// (against ca_file or the system store) and its name or IP address, with SNI, TLS 1.2 or newer.
//
// Thread safety: Send, Stop, GetStats and host may be called from any thread. All work runs on
// one strand of the io_context given to the constructor; `sign` and `done` callbacks run there
// (on an io thread, never inside Send), one at a time, and must not block.
//
// Lifetime: the io_context must outlive the client and keep running until every `done` has run;
// a `done` may run after the destructor returns (the destructor stops the client: see Stop).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "payments/payment_endpoint.h"

namespace boost::asio {
class io_context;
}

namespace jwo::payments {

struct OutboundRequest {
  std::string method = "POST";
  std::string path;  // "/v1/adjust/charge" (with "?query" when one is needed)
  std::string body;
  // Sent in order, e.g. Content-Type, X-Amz-Date, Authorization. Content-Length, Connection and
  // Transfer-Encoding belong to the client and are dropped here.
  std::vector<std::pair<std::string, std::string>> headers;
};

enum class TransportOutcome {
  kResponse,  // a complete HTTP answer arrived, whatever its status
  // DNS, TCP connect or the connect timeout failed: nothing was sent. Also a request breaking
  // Send's contract, and every request of a client whose endpoint is unusable.
  kConnectFailed,
  kTlsFailed,       // the TLS handshake failed (e.g. certificate not trusted): nothing was sent
  kTimeout,         // no complete answer within request_timeout_ms after writing began
  kConnectionLost,  // the connection broke, or the answer was malformed, before it completed
  kQueueFull,       // max_queued requests were already waiting: not queued, nothing was sent
  kStopped,         // Stop() ended it (queued, connecting or in flight)
};

// Stable lower-case name of an outcome ("response", "connect_failed", ...), for logs and metrics.
std::string_view TransportOutcomeName(TransportOutcome outcome);

struct OutboundResult {
  TransportOutcome outcome = TransportOutcome::kStopped;
  int status = 0;  // kResponse only: 100..999 as received
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // kResponse only, as received
  std::string error;  // otherwise: what failed, naming host:port and the system's reason
  // True when bytes of the request were written and no answer completed (kTimeout,
  // kConnectionLost, kStopped after writing began): the server may have acted on it, so the
  // outcome is unknown and only the same request may be retried. Always true for kResponse.
  bool request_may_have_been_sent = false;
  // True when every byte of the request was handed to the connection (the server could have
  // read all of it and acted). A request broken off before its last byte cannot have been
  // processed: HTTP servers act on a whole message only. Always true for kResponse.
  bool request_fully_written = false;

  // Value of the first header named `name` (ASCII case-insensitive); "" when absent. The view
  // lives as long as this result.
  std::string_view Header(std::string_view name) const;
};

// The seam between the outbox dispatcher and the network: PaymentClient in the daemon, a
// scripted transport in tests. Contract as PaymentClient::Send and PaymentClient::host.
class PaymentTransport {
 public:
  using SignFn = std::function<OutboundRequest(OutboundRequest)>;
  using DoneFn = std::function<void(OutboundResult)>;
  virtual ~PaymentTransport() = default;
  virtual const std::string& host() const = 0;
  virtual void Send(OutboundRequest req, SignFn sign, DoneFn done) = 0;
};

class PaymentClient final : public PaymentTransport {
 public:
  // Keeps a reference to `io`. Never fails: when ValidateEndpoint(endpoint) would fail, every
  // Send completes with kConnectFailed (bad URL or limits) or kTlsFailed (bad ca_file) carrying
  // that message, so call ValidateEndpoint at startup.
  PaymentClient(boost::asio::io_context& io, PaymentEndpoint endpoint);
  // Stops the client (see Stop) and returns without waiting for the `done` callbacks.
  ~PaymentClient();
  PaymentClient(const PaymentClient&) = delete;
  PaymentClient& operator=(const PaymentClient&) = delete;

  // The Host header value the request will carry ("us-east-1.payments.amazonphysicalstores.com",
  // "127.0.0.1:8080"), e.g. to derive the SigV4 region. "" when base_url does not parse.
  const std::string& host() const override;

  // Queues `req` and returns at once. `done` runs exactly once, with the result.
  // Before signing, the client adds "Content-Type: application/json" unless `req` has a
  // Content-Type. `sign` runs on the strand right before the request is written to a
  // connection (so a request that waited is signed fresh, and a retried one is signed again);
  // it receives that request and returns it with its headers added. The Host header is not in
  // the request `sign` sees: sign it as host(). The client writes "Host: <host()>" unless the
  // signed request carries its own Host header.
  // REQUIRES: `sign` and `done` are callable and do not throw; req.method is an HTTP token and
  // req.path starts with '/' and has no spaces or control characters (a request breaking this,
  // or a header name or value with CR, LF or NUL, is not sent: done gets kConnectFailed, with
  // request_may_have_been_sent false, naming the fault).
  void Send(OutboundRequest req, SignFn sign, DoneFn done) override;

  // Fails the queued requests with kStopped, aborts those in flight (kStopped, with
  // request_may_have_been_sent set when writing had begun), closes the pooled connections, and
  // makes every later Send complete with kStopped. Returns at once; the callbacks run on the
  // strand. Idempotent.
  void Stop();

  // A snapshot of the counters (each read atomically, the set not as a whole).
  struct Stats {
    uint64_t in_flight = 0;         // requests on a connection (connecting, writing or waiting)
    uint64_t queued = 0;            // requests waiting for a connection
    uint64_t open_connections = 0;  // connecting, busy or idle in the pool
    uint64_t sent = 0;              // finished requests that were (maybe partly) written
    uint64_t responses = 0;         // finished with kResponse
    uint64_t failures = 0;          // finished with any other outcome
  };
  Stats GetStats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace jwo::payments
