// PaymentConnection: one keep-alive connection of PaymentClient's pool, carrying one exchange
// (sign, write a request, read its answer) at a time.
//
// Internal to payments/ (used by payment_client.cc). This header keeps Beast out: the one
// translation unit that instantiates the socket, TLS and parser code is payment_connection.cc.
//
// While idle in the pool a connection keeps a read pending, so a server that closes it (or
// sends anything unasked) is noticed at once and the connection leaves the pool on its own.
//
// Thread safety: none; every call, and every callback, happens on the strand given to Create.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "payments/payment_client.h"
#include "payments/payment_endpoint.h"

namespace jwo::payments {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// What every connection of one client shares, read-only (the parsed address, the timeouts and
// the TLS context).
struct ConnectionSettings;

// Parses the endpoint and builds its TLS context (TLS 1.2+, peer verification, trust from
// ca_file or the system store). On failure returns the ValidateEndpoint message, with
// `*tls_fault` set when the trust anchors are the problem.
core::Result<std::shared_ptr<const ConnectionSettings>> MakeConnectionSettings(
    const PaymentEndpoint& endpoint, bool* tls_fault);

// The Host header value of these settings.
const std::string& HostHeader(const ConnectionSettings& settings);

// What the pool should do with a connection after an exchange.
enum class ConnectionFate {
  kReusable,   // idle now, in the pool's hands
  kClosed,     // gone
  kRetrySafe,  // gone, and not a byte of the request left: send it again on a fresh connection
};

class PaymentConnection {
 public:
  // Runs on the strand, once per Exchange. For kRetrySafe the result (kConnectionLost, nothing
  // sent) is what to report when the retry is not made.
  using ExchangeDone =
      std::function<void(std::shared_ptr<PaymentConnection>, OutboundResult, ConnectionFate)>;
  // Runs on the strand when an idle connection closes by itself (peer closed, unasked data,
  // idle timeout). Not called for Close().
  using IdleClosed = std::function<void(PaymentConnection*)>;

  // A connection that connects on its first Exchange.
  static std::shared_ptr<PaymentConnection> Create(Strand strand,
                                                   std::shared_ptr<const ConnectionSettings> s,
                                                   IdleClosed on_idle_closed);
  virtual ~PaymentConnection() = default;

  // True when the connection is idle and its socket shows no sign of the peer having closed
  // (end of stream, a reset or unread bytes). False means it must not be used: Close it.
  virtual bool StillUsable() = 0;

  // Connects first when new (then within connect_timeout_ms), then signs `req` with `sign`,
  // writes it and reads the answer within request_timeout_ms. `done` runs exactly once.
  // REQUIRES: the connection is new, or idle with StillUsable() true.
  virtual void Exchange(OutboundRequest req, PaymentClient::SignFn sign, ExchangeDone done) = 0;

  // Closes the connection. An exchange in progress ends with kStopped through its `done`; an
  // idle connection just closes. Idempotent.
  virtual void Close() = 0;
};

}  // namespace jwo::payments
