#include "payments/payment_connection.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cerrno>
#include <chrono>
#include <optional>
#include <utility>

#include "payments/payment_wire.h"

namespace jwo::payments {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using error_code = boost::system::error_code;
using tcp = asio::ip::tcp;
using Millis = std::chrono::milliseconds;

struct ConnectionSettings {
  EndpointAddress address;
  std::string authority;  // "host:port", for messages
  Millis connect_timeout;
  Millis request_timeout;
  Millis idle_timeout;
  std::shared_ptr<asio::ssl::context> tls;  // null: plain HTTP
};

namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr uint32_t kMaxResponseHeaderBytes = 64 * 1024;
// Payment Service answers are a few hundred bytes; anything near this is not one of them.
constexpr uint64_t kMaxResponseBodyBytes = 8 * 1024 * 1024;

using SteadyClock = std::chrono::steady_clock;
using StrandSocket = asio::basic_stream_socket<tcp, Strand>;
using Timer = asio::basic_waitable_timer<SteadyClock, asio::wait_traits<SteadyClock>, Strand>;
using Resolver = asio::ip::basic_resolver<tcp, Strand>;
using Parser = bhttp::response_parser<bhttp::string_body>;

class Connection final : public PaymentConnection, public std::enable_shared_from_this<Connection> {
 public:
  Connection(Strand strand, std::shared_ptr<const ConnectionSettings> settings,
             IdleClosed on_idle_closed)
      : settings_(std::move(settings)),
        on_idle_closed_(std::move(on_idle_closed)),
        socket_(strand),
        timer_(strand),
        resolver_(strand) {}

  bool StillUsable() override;
  void Exchange(OutboundRequest req, PaymentClient::SignFn sign, ExchangeDone done) override;
  void Close() override;

 private:
  enum class State { kNew, kConnecting, kHandshaking, kBusy, kIdle, kClosed };
  // Why the connection itself cut an operation short.
  enum class Abort { kNone, kTimeout, kStopped };

  void OnResolved(const error_code& ec, const tcp::resolver::results_type& results);
  void OnConnected(const error_code& ec);
  void OnHandshake(const error_code& ec);
  void FailConnect(TransportOutcome outcome, const std::string& what, const error_code& ec);
  void StartWrite();
  void OnWrite(const error_code& ec, size_t bytes);
  void ReadMore();
  void OnRead(const error_code& ec, size_t bytes);
  void ParseBuffered();
  void ResetParser();
  void MaybeFinishExchange();
  OutboundResult ExchangeResult(ConnectionFate* fate);
  void GoIdle();
  void CloseIdle();
  void Complete(OutboundResult result, ConnectionFate fate);
  void ArmTimer(Millis after);
  void CancelTimer();
  void OnTimer();
  void CloseSocket();

  const std::shared_ptr<const ConnectionSettings> settings_;
  const IdleClosed on_idle_closed_;
  StrandSocket socket_;
  std::optional<asio::ssl::stream<StrandSocket&>> tls_;
  Timer timer_;
  Resolver resolver_;
  uint64_t timer_generation_ = 0;

  State state_ = State::kNew;
  Abort abort_ = Abort::kNone;
  bool reused_ = false;  // an exchange completed on it before: the server may have closed it

  // The exchange in progress.
  OutboundRequest request_;
  PaymentClient::SignFn sign_;
  ExchangeDone done_;
  std::string wire_;
  beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  bool read_pending_ = false;
  bool write_pending_ = false;
  bool write_done_ = false;
  size_t written_ = 0;
  error_code write_error_;
  error_code read_error_;
  bool malformed_ = false;
  bool response_complete_ = false;
};

bool Connection::StillUsable() {
  if (state_ != State::kIdle || !socket_.is_open()) return false;
  // The idle read notices a close soon, but its completion may not have run yet. A peek sees
  // the same end of stream, reset or stray bytes now, before a request is risked on it.
  char byte;
  const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void Connection::Exchange(OutboundRequest req, PaymentClient::SignFn sign, ExchangeDone done) {
  request_ = std::move(req);
  sign_ = std::move(sign);
  done_ = std::move(done);
  abort_ = Abort::kNone;
  if (state_ == State::kIdle) {
    StartWrite();
    return;
  }
  if (state_ != State::kNew) {
    FailConnect(TransportOutcome::kConnectFailed,
                "connection to " + settings_->authority + " was already closed", error_code());
    return;
  }
  state_ = State::kConnecting;
  ArmTimer(settings_->connect_timeout);
  const EndpointAddress& address = settings_->address;
  if (address.host_is_ip) {
    error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address(address.host, ec), address.port);
    socket_.async_connect(
        endpoint, [self = shared_from_this()](const error_code& e) { self->OnConnected(e); });
    return;
  }
  resolver_.async_resolve(
      address.host, std::to_string(address.port),
      [self = shared_from_this()](const error_code& ec, const tcp::resolver::results_type& r) {
        self->OnResolved(ec, r);
      });
}

void Connection::OnResolved(const error_code& ec, const tcp::resolver::results_type& results) {
  if (abort_ != Abort::kNone || ec) {
    FailConnect(TransportOutcome::kConnectFailed, "cannot resolve " + settings_->address.host, ec);
    return;
  }
  asio::async_connect(socket_, results,
                      [self = shared_from_this()](const error_code& e, const tcp::endpoint&) {
                        self->OnConnected(e);
                      });
}

void Connection::OnConnected(const error_code& ec) {
  if (abort_ != Abort::kNone || ec) {
    FailConnect(TransportOutcome::kConnectFailed, "cannot connect to " + settings_->authority, ec);
    return;
  }
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (!settings_->tls) {
    StartWrite();
    return;
  }
  tls_.emplace(socket_, *settings_->tls);
  SSL* ssl = tls_->native_handle();
  const std::string& host = settings_->address.host;
  // The name (or address) the certificate must carry; OpenSSL checks it during the handshake
  // and names a mismatch in the verify result. SNI carries names only (RFC 6066).
  if (settings_->address.host_is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, host.c_str());
    SSL_set1_host(ssl, host.c_str());
  }
  state_ = State::kHandshaking;
  tls_->async_handshake(asio::ssl::stream_base::client,
                        [self = shared_from_this()](const error_code& e) { self->OnHandshake(e); });
}

void Connection::OnHandshake(const error_code& ec) {
  if (abort_ != Abort::kNone || ec) {
    std::string what = "TLS handshake with " + settings_->authority + " failed";
    const long verify = SSL_get_verify_result(tls_->native_handle());
    if (ec && verify != X509_V_OK) {
      what.append(" (").append(X509_verify_cert_error_string(verify)).append(")");
    }
    FailConnect(TransportOutcome::kTlsFailed, what, ec);
    return;
  }
  StartWrite();
}

void Connection::FailConnect(TransportOutcome outcome, const std::string& what,
                             const error_code& ec) {
  CancelTimer();
  CloseSocket();
  state_ = State::kClosed;
  OutboundResult result;
  result.outcome = outcome;
  result.error = what;
  if (abort_ == Abort::kStopped) {
    result.outcome = TransportOutcome::kStopped;
    result.error = what + ": the client was stopped";
  } else if (abort_ == Abort::kTimeout) {
    result.error =
        what + ": timed out after " + std::to_string(settings_->connect_timeout.count()) + " ms";
  } else if (ec) {
    result.error = what + ": " + ec.message();
  }
  Complete(std::move(result), ConnectionFate::kClosed);
}

void Connection::StartWrite() {
  OutboundRequest signed_request = sign_(std::move(request_));
  sign_ = nullptr;
  if (std::string fault = InvalidRequestReason(signed_request); !fault.empty()) {
    OutboundResult result;
    result.outcome = TransportOutcome::kConnectFailed;
    result.error = std::move(fault);
    GoIdle();
    Complete(std::move(result), ConnectionFate::kReusable);
    return;
  }
  state_ = State::kBusy;
  wire_ = SerializeRequest(signed_request, settings_->address.host_header);
  ResetParser();
  if (signed_request.method == "HEAD") parser_->skip(true);
  write_done_ = false;
  written_ = 0;
  write_error_ = {};
  read_error_ = {};
  malformed_ = false;
  response_complete_ = false;
  ArmTimer(settings_->request_timeout);
  // A reused connection still has its idle read pending; it now waits for this answer.
  if (!read_pending_) ReadMore();
  write_pending_ = true;
  auto on_write = [self = shared_from_this()](const error_code& ec, size_t n) {
    self->OnWrite(ec, n);
  };
  if (tls_) {
    asio::async_write(*tls_, asio::buffer(wire_), std::move(on_write));
  } else {
    asio::async_write(socket_, asio::buffer(wire_), std::move(on_write));
  }
}

void Connection::OnWrite(const error_code& ec, size_t bytes) {
  write_pending_ = false;
  written_ = bytes;
  if (ec) {
    write_error_ = ec;
    CloseSocket();  // ends the read too: nothing more can come of this exchange
  } else {
    write_done_ = true;
  }
  MaybeFinishExchange();
}

void Connection::ReadMore() {
  read_pending_ = true;
  const auto buffers = buffer_.prepare(kReadChunk);
  auto on_read = [self = shared_from_this()](const error_code& ec, size_t n) {
    self->OnRead(ec, n);
  };
  if (tls_) {
    tls_->async_read_some(buffers, std::move(on_read));
  } else {
    socket_.async_read_some(buffers, std::move(on_read));
  }
}

void Connection::OnRead(const error_code& ec, size_t bytes) {
  read_pending_ = false;
  if (state_ == State::kIdle) {
    // Nothing is owed on an idle connection: whatever came (a close, a reset, a stray answer
    // such as a 408) ends it.
    CloseIdle();
    return;
  }
  if (state_ != State::kBusy) return;
  if (!ec) {
    buffer_.commit(bytes);
    ParseBuffered();
  } else if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    // An answer without Content-Length or chunking ends with the stream (Beast requires some
    // bytes before put_eof).
    error_code eof_ec = ec;
    if (parser_->got_some()) parser_->put_eof(eof_ec);
    if (!eof_ec && parser_->is_done()) {
      response_complete_ = true;
    } else {
      read_error_ = ec;
    }
  } else {
    read_error_ = ec;
  }
  if (!response_complete_ && !read_error_) {
    ReadMore();
    return;
  }
  // A broken or malformed answer ends the write too. A complete one may well be read before
  // the write's own completion has run (the strand does not order completions that two io
  // threads deliver): wait for it; the request timeout bounds a write that never ends.
  if (read_error_ && write_pending_) CloseSocket();
  MaybeFinishExchange();
}

void Connection::ParseBuffered() {
  while (buffer_.size() > 0 && !response_complete_) {
    error_code ec;
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) return;
    if (ec) {
      malformed_ = true;
      read_error_ = ec;
      return;
    }
    if (!parser_->is_done()) {
      if (used == 0) return;
      continue;
    }
    const int status = parser_->get().result_int();
    if (status >= 100 && status < 200 && status != 101) {
      ResetParser();  // an interim answer (e.g. 100 Continue): the final one follows
      continue;
    }
    response_complete_ = true;
  }
}

void Connection::ResetParser() {
  parser_.emplace();
  parser_->header_limit(kMaxResponseHeaderBytes);
  parser_->body_limit(kMaxResponseBodyBytes);
  parser_->eager(true);
}

void Connection::MaybeFinishExchange() {
  if (read_pending_ || write_pending_ || state_ != State::kBusy) return;
  CancelTimer();
  ConnectionFate fate = ConnectionFate::kClosed;
  OutboundResult result = ExchangeResult(&fate);
  if (fate == ConnectionFate::kReusable) {
    GoIdle();
  } else {
    CloseSocket();
    state_ = State::kClosed;
  }
  Complete(std::move(result), fate);
}

OutboundResult Connection::ExchangeResult(ConnectionFate* fate) {
  OutboundResult r;
  const std::string& peer = settings_->authority;
  // A failed write that moved no byte left nothing the server could act on (with TLS, not even
  // one whole record).
  const bool nothing_sent = write_error_ && written_ == 0;
  r.request_may_have_been_sent = !nothing_sent;
  r.request_fully_written = write_done_ && !write_error_;
  if (response_complete_) {
    auto message = parser_->release();
    r.outcome = TransportOutcome::kResponse;
    r.request_may_have_been_sent = true;
    r.request_fully_written = true;
    r.status = message.result_int();
    for (const auto& field : message) {
      r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    r.body = std::move(message.body());
    const bool clean = abort_ == Abort::kNone && write_done_ && buffer_.size() == 0;
    if (clean && r.status >= 200 && message.keep_alive()) *fate = ConnectionFate::kReusable;
  } else if (abort_ == Abort::kStopped) {
    r.outcome = TransportOutcome::kStopped;
    r.error = "request to " + peer + " aborted: the client was stopped";
  } else if (abort_ == Abort::kTimeout) {
    r.outcome = TransportOutcome::kTimeout;
    r.error = "no complete answer from " + peer + " within " +
              std::to_string(settings_->request_timeout.count()) + " ms" +
              (write_done_ ? "" : " (the request was not fully written)");
  } else if (nothing_sent && reused_) {
    r.outcome = TransportOutcome::kConnectionLost;
    r.error = peer + " closed the kept-alive connection before the request was written: " +
              write_error_.message();
    *fate = ConnectionFate::kRetrySafe;
  } else if (malformed_) {
    r.outcome = TransportOutcome::kConnectionLost;
    r.error = "malformed answer from " + peer + ": " + read_error_.message();
  } else {
    r.outcome = TransportOutcome::kConnectionLost;
    const error_code& ec = write_error_ ? write_error_ : read_error_;
    r.error = "connection to " + peer + " lost before the answer completed: " + ec.message();
  }
  return r;
}

void Connection::GoIdle() {
  state_ = State::kIdle;
  reused_ = true;
  ArmTimer(settings_->idle_timeout);
  if (!read_pending_) ReadMore();
}

void Connection::CloseIdle() {
  CancelTimer();
  CloseSocket();
  state_ = State::kClosed;
  on_idle_closed_(this);
}

void Connection::Complete(OutboundResult result, ConnectionFate fate) {
  ExchangeDone done = std::move(done_);
  done_ = nullptr;
  // `done` may hand this connection its next exchange at once; nothing here runs after it.
  done(shared_from_this(), std::move(result), fate);
}

void Connection::Close() {
  switch (state_) {
    case State::kNew:
      state_ = State::kClosed;
      break;
    case State::kIdle:
      CancelTimer();
      CloseSocket();
      state_ = State::kClosed;
      break;
    case State::kConnecting:
    case State::kHandshaking:
    case State::kBusy:
      // The pending operations complete with errors and report kStopped.
      if (abort_ == Abort::kNone) abort_ = Abort::kStopped;
      CloseSocket();
      break;
    case State::kClosed:
      break;
  }
}

void Connection::ArmTimer(Millis after) {
  const uint64_t generation = ++timer_generation_;
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
    if (!ec && generation == self->timer_generation_) self->OnTimer();
  });
}

void Connection::CancelTimer() {
  ++timer_generation_;
  timer_.cancel();
}

void Connection::OnTimer() {
  switch (state_) {
    case State::kIdle:
      CloseIdle();
      break;
    case State::kConnecting:
    case State::kHandshaking:
    case State::kBusy:
      if (abort_ == Abort::kNone) abort_ = Abort::kTimeout;
      CloseSocket();
      break;
    default:
      break;
  }
}

void Connection::CloseSocket() {
  resolver_.cancel();
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace

core::Result<std::shared_ptr<const ConnectionSettings>> MakeConnectionSettings(
    const PaymentEndpoint& endpoint, bool* tls_fault) {
  *tls_fault = false;
  auto address = ParseEndpointUrl(endpoint.base_url);
  if (!address.ok()) return address.status();
  if (auto limits = CheckEndpointLimits(endpoint); !limits.ok()) return limits;

  auto settings = std::make_shared<ConnectionSettings>();
  settings->address = std::move(address).value();
  const bool v6 = settings->address.host.find(':') != std::string::npos;
  settings->authority = (v6 ? "[" + settings->address.host + "]" : settings->address.host) + ":" +
                        std::to_string(settings->address.port);
  settings->connect_timeout = Millis(endpoint.connect_timeout_ms);
  settings->request_timeout = Millis(endpoint.request_timeout_ms);
  settings->idle_timeout = Millis(endpoint.idle_timeout_ms);
  if (settings->address.tls) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
      return core::Status(core::StatusCode::kInternal, "cannot require TLS 1.2");
    }
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    if (auto trust = LoadServerTrust(native, endpoint.ca_file); !trust.ok()) {
      *tls_fault = true;
      return trust;
    }
    settings->tls = std::move(ctx);
  }
  return std::shared_ptr<const ConnectionSettings>(std::move(settings));
}

const std::string& HostHeader(const ConnectionSettings& settings) {
  return settings.address.host_header;
}

std::shared_ptr<PaymentConnection> PaymentConnection::Create(
    Strand strand, std::shared_ptr<const ConnectionSettings> settings, IdleClosed on_idle_closed) {
  return std::make_shared<Connection>(std::move(strand), std::move(settings),
                                      std::move(on_idle_closed));
}

}  // namespace jwo::payments
