#include "http/session.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cassert>
#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/log.h"
#include "http/session_impl.h"
#include "http/tls_context.h"

namespace jwo::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using error_code = boost::system::error_code;
using Clock = Session::Clock;

constexpr size_t kReadChunk = 16 * 1024;
// The body of a request refused with 413 is read and dropped, keeping the connection, when it
// declares at most this many bytes; a larger one costs more than a new connection: close.
constexpr uint64_t kMaxSkippedBody = 1 << 20;
// How long a closing connection waits for the peer to finish (TCP FIN or TLS close_notify), so
// that unread input does not turn the close into a reset that destroys our last answer.
constexpr uint32_t kMaxLingerMs = 1000;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Removes the first `n` bytes from a buffer sequence. REQUIRES: n <= its size.
void DropFront(std::vector<asio::const_buffer>& buffers, size_t n) {
  size_t whole = 0;
  while (n > 0 && n >= buffers[whole].size()) n -= buffers[whole++].size();
  buffers.erase(buffers.begin(), buffers.begin() + static_cast<std::ptrdiff_t>(whole));
  if (n > 0) buffers.front() += n;
}

}  // namespace

namespace {

// The Respond given to handlers. Trivially copyable and 16 bytes, so std::function stores it
// without allocating. The raw pointer is safe: the session pins itself while answers are owed.
struct Responder {
  Session* session;
  uint32_t index;
  uint32_t generation;

  void operator()(Response response) const {
    if (session->executor().running_in_this_thread()) {
      session->Complete(index, generation, std::move(response));
      return;
    }
    asio::post(session->executor(),
               [s = session, i = index, g = generation, r = std::move(response)]() mutable {
                 s->Complete(i, g, std::move(r));
               });
  }
};
static_assert(std::is_trivially_copyable_v<Responder> && sizeof(Responder) <= 16);

}  // namespace

Session::Session(Socket socket, uint32_t thread, std::shared_ptr<const ListenerContext> listener,
                 std::shared_ptr<ServerState> state)
    : transport_(std::move(socket), listener->tls),
      executor_(transport_.executor()),
      thread_(thread),
      timer_(executor_),
      listener_(std::move(listener)),
      state_(std::move(state)),
      limits_(state_->limits()),
      counters_(state_->counters()),
      request_timeout_(limits_.request_timeout_ms),
      idle_timeout_(limits_.idle_timeout_ms),
      linger_(std::min(limits_.request_timeout_ms, kMaxLingerMs)),
      answers_(std::max<uint32_t>(1, limits_.max_pipelined_requests)) {
  state_->SessionStarted(thread_);
}

Session::~Session() {
  state_->SessionEnded(thread_);
  state_->CloseConnection();
  state_->Unregister(this);
}

void Session::Start() {
  peer_ = transport_.Peer();
  transport_.SetNoDelay();
  transport_.SetNonBlocking();
  if (!state_->Register(this, weak_from_this())) {
    CloseNow();
    return;
  }
  const auto now = Clock::now();
  if (transport_.is_tls()) {
    request_start_ = now;
    ArmTimer(Deadline());
    transport_.AsyncHandshake(
        [self = shared_from_this()](const error_code& ec) { self->OnHandshake(ec); });
    return;
  }
  phase_ = Phase::kOpen;
  idle_since_ = now;
  StartRequest();
  ArmTimer(Deadline());
  ReadMore();
}

void Session::OnHandshake(const error_code& ec) {
  if (phase_ != Phase::kHandshake) return;
  if (ec) {
    ServerCounters::Bump(counters_.tls_handshake_failures);
    if (core::LogEnabled(core::LogLevel::kDebug)) {
      core::LogDebug("TLS handshake failed",
                     {{"listener", listener_->name}, {"peer", peer_}, {"error", ec.message()}});
    }
    CloseNow();
    return;
  }
  if (listener_->verify_client) client_subject_ = VerifiedPeerSubject(transport_.tls_handle());
  phase_ = Phase::kOpen;
  idle_since_ = Clock::now();
  StartRequest();
  ReadMore();
}

void Session::StartRequest() {
  parser_.emplace(limits_.max_header_bytes, limits_.max_body_bytes, std::move(spare_));
  continue_sent_ = false;
  request_active_ = buffer_.size() > 0 || skip_remaining_ > 0;
  if (request_active_) request_start_ = Clock::now();
}

void Session::ReadMore() {
  if (read_pending_ || phase_ == Phase::kClosed) return;
  read_pending_ = true;
  transport_.AsyncReadSome(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](const error_code& ec, size_t bytes) { self->OnRead(ec, bytes); });
}

// After a request was taken from a drained buffer, the client's next one cannot have arrived
// yet unless other work ran meanwhile: a read started now is a recv() that fails with EAGAIN
// (Asio tries every read at once before waiting for epoll). Queued behind the work already
// waiting on this thread (other connections' requests, our answer's write), the same read often
// finds the next request under load, and costs nothing more when idle (measured:
// docs/performance.md, issue "Hot paths").
void Session::ReadLater() {
  if (read_pending_ || read_later_) return;
  read_later_ = true;
  asio::post(executor_, [self = shared_from_this()] {
    self->read_later_ = false;
    // Closing meanwhile (a drain, a "Connection: close" answer written): the close reads by
    // itself, and a TLS close_notify must not race a read on the same stream.
    if (self->phase_ == Phase::kOpen) self->ReadMore();
  });
}

void Session::OnRead(const error_code& ec, size_t bytes) {
  read_pending_ = false;
  if (phase_ == Phase::kClosed) return;
  if (phase_ == Phase::kClosing) {
    OnClosingRead(ec, bytes);
    return;
  }
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // The peer closed or reset. Answers it is owed still go out if it only half-closed.
    stop_reading_ = true;
    if (request_active_ || answers_.empty()) CloseNow();
    return;
  }
  buffer_.commit(bytes);
  if (stop_reading_) {
    buffer_.consume(buffer_.size());
    return;
  }
  if (!request_active_) {
    request_active_ = true;
    request_start_ = Clock::now();
    ArmTimer(request_start_ + request_timeout_);
  }
  ParseBuffered();
}

void Session::ParseBuffered() {
  bool dispatched = false;
  for (;;) {
    if (stop_reading_ || phase_ != Phase::kOpen) return;
    if (skip_remaining_ > 0) {
      const auto dropped = static_cast<size_t>(std::min<uint64_t>(skip_remaining_, buffer_.size()));
      buffer_.consume(dropped);
      skip_remaining_ -= dropped;
      if (skip_remaining_ > 0) {
        ReadMore();
        return;
      }
      request_active_ = buffer_.size() > 0;
      if (request_active_) {
        request_start_ = Clock::now();
      } else if (answers_.empty()) {
        idle_since_ = Clock::now();
      }
    }
    if (answers_.full()) {
      paused_ = true;
      return;
    }
    if (buffer_.size() == 0) {
      MaybeSendContinue();
      if (dispatched && write_later_) {
        read_after_write_ = true;  // queued behind the answer's write: see WriteLater
      } else if (dispatched) {
        ReadLater();
      } else {
        ReadMore();
      }
      return;
    }
    error_code ec;
    const size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == beast::http::error::need_more) {
      MaybeSendContinue();
      ReadMore();
      return;
    }
    if (ec) {
      if (!RefuseRequest(ec)) return;
      StartRequest();
      continue;
    }
    if (parser_->is_done()) {
      dispatched = true;
      Dispatch();
      StartRequest();
      continue;
    }
    if (used == 0) {
      ReadMore();
      return;
    }
  }
}

void Session::MaybeSendContinue() {
  if (continue_sent_ || !parser_->is_header_done() || parser_->is_done() ||
      !parser_->ExpectsContinue() || parser_->request().version < 11) {
    return;
  }
  // An interim answer may not overtake final answers still owed on this connection.
  if (!answers_.empty() || write_pending_) return;
  continue_sent_ = true;
  write_pending_ = true;
  writing_ = 0;
  StartWrite(asio::const_buffer(kContinue.data(), kContinue.size()));
}

uint32_t Session::OpenAnswer(bool close, bool keep_alive_10, bool head) {
  if (close) stop_reading_ = true;
  return answers_.Open(request_start_, close, keep_alive_10, head);
}

void Session::Dispatch() {
  RequestParser& parser = *parser_;
  Request& request = parser.request();
  const bool keep_alive = parser.KeepAlive() && !draining_;
  const uint32_t index =
      OpenAnswer(!keep_alive, keep_alive && request.version == 10, parser.IsHead());
  counters_.requests.Add();
  request.listener = listener_->name;
  request.peer = peer_;
  if (!client_subject_.empty()) request.client_cert_subject = client_subject_;

  Response error;
  const Handler* handler = listener_->router->Find(request.method, request.path, &error);
  if (handler == nullptr) {
    Answer(index, error);
    return;
  }
  ++unanswered_;
  if (!pin_) pin_ = shared_from_this();
  (*handler)(std::move(request), Respond(Responder{this, index, answers_.at(index).generation}));
  // A handler that answered at once usually leaves the request whole; one that kept it (an
  // answer that comes later) leaves an empty shell. Either way it is the next parse's storage.
  spare_ = std::move(request);
}

bool Session::RefuseRequest(const error_code& ec) {
  ServerCounters::Bump(counters_.malformed_requests);
  if (core::LogEnabled(core::LogLevel::kDebug)) {
    core::LogDebug("refused HTTP request",
                   {{"listener", listener_->name}, {"peer", peer_}, {"error", ec.message()}});
  }
  RequestParser& parser = *parser_;
  Response response;
  bool close = true;
  if (ec == beast::http::error::body_limit) {
    response =
        JsonError(413, "request body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes");
    // Beast refuses a declared length before reading any of the body, so dropping exactly that
    // many bytes lands on the next request. An Expect: 100-continue client will not send them.
    const auto skippable = parser.SkippableBodyLength();
    if (skippable && *skippable <= kMaxSkippedBody && !parser.is_header_done() &&
        !parser.ExpectsContinue() && parser.KeepAlive() && !draining_) {
      close = false;
      skip_remaining_ = *skippable;
    }
  } else if (ec == beast::http::error::header_limit) {
    response = JsonError(
        431, "request header exceeds " + std::to_string(limits_.max_header_bytes) + " bytes");
  } else {
    response = JsonError(400, "malformed HTTP request: " + ec.message());
  }
  const bool http10 = parser.request().version == 10;
  Answer(OpenAnswer(close, !close && http10, false), response);
  return !close;
}

void Session::Complete(uint32_t index, uint32_t generation, Response&& response) {
  std::shared_ptr<Session> keep_until_return;
  assert(unanswered_ > 0);
  if (--unanswered_ == 0) keep_until_return = std::move(pin_);
  if (phase_ != Phase::kOpen) return;
  if (!answers_.Owes(index, generation)) {
    assert(false && "a handler answered twice");
    return;
  }
  if (response.close_without_response) {
    CloseNow();
    return;
  }
  Answer(index, response);
}

void Session::Answer(uint32_t index, const Response& response) {
  counters_.CountResponse(answers_.Answer(index, response));
  WriteLater();
}

// The answer goes out after the handlers already queued on this thread have run, not at once:
// when one wait on the socket set returns several requests, they are all answered and then all
// sent, back to back. The first send wakes the client; the others find it awake. Sent one by
// one between the requests, each answer woke a client that had gone back to sleep meanwhile,
// and on a virtual machine that wake-up (an inter-processor interrupt) cost the sender more
// kernel time than the send itself (docs/performance.md, issue "Hot paths").
void Session::WriteLater() {
  if (write_pending_ || write_later_ || phase_ != Phase::kOpen) return;
  write_later_ = true;
  asio::post(executor_, [self = shared_from_this()] {
    self->write_later_ = false;
    self->MaybeWrite();
    if (!self->write_pending_) self->ReadAfterWrite();
  });
}

// Plain TCP sends at once, without the event loop: a send() that takes the whole answer (nearly
// always: answers are small and the socket's buffer empty) finishes the write then and there.
// Only what the socket does not take goes through Asio's asynchronous write, whose completion
// costs one more turn of the loop and one more wait on the socket set per answer (measured:
// docs/performance.md, issue "Hot paths").
void Session::MaybeWrite() {
  while (!write_pending_ && phase_ == Phase::kOpen) {
    const uint32_t ready = answers_.ReadyCount();
    if (ready == 0) return;
    writing_ = ready;
    write_pending_ = true;
    write_buffers_.clear();
    for (uint32_t i = 0; i < ready; ++i) {
      write_buffers_.push_back(asio::buffer(answers_.WireFromFront(i)));
    }
    if (transport_.is_tls()) {
      StartWrite(write_buffers_);
      return;
    }
    error_code ec;
    size_t sent = transport_.WriteNow(write_buffers_, ec);
    if (ec == asio::error::would_block) {
      ec = {};
      sent = 0;
    }
    if (!ec && sent < asio::buffer_size(write_buffers_)) {
      DropFront(write_buffers_, sent);
      StartWrite(write_buffers_);
      return;
    }
    if (!FinishWrite(ec)) return;
  }
}

template <typename Buffers>
void Session::StartWrite(const Buffers& buffers) {
  transport_.AsyncWrite(
      buffers, [self = shared_from_this()](const error_code& ec, size_t) { self->OnWrite(ec); });
}

// The next request cannot come before the client has the answer: the read is queued once the
// write has completed, behind the other connections' work, not straight after the write (where
// it found nothing and cost a recv() that failed with EAGAIN on almost every request).
void Session::ReadAfterWrite() {
  if (!read_after_write_) return;
  read_after_write_ = false;
  ReadLater();
}

void Session::OnWrite(const error_code& ec) {
  if (FinishWrite(ec)) MaybeWrite();
}

bool Session::FinishWrite(const error_code& ec) {
  write_pending_ = false;
  ReadAfterWrite();
  if (phase_ != Phase::kOpen) return false;
  if (ec) {
    CloseNow();
    return false;
  }
  const bool close = answers_.PopFront(writing_);
  writing_ = 0;
  if (close) {
    GracefulClose();
    return false;
  }
  if (answers_.empty() && !request_active_) {
    if (stop_reading_) {
      GracefulClose();
      return false;
    }
    idle_since_ = Clock::now();
  }
  if (paused_) {
    paused_ = false;
    ParseBuffered();
  }
  return true;
}

void Session::GracefulClose() {
  if (phase_ == Phase::kClosing || phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosing;
  stop_reading_ = true;
  closing_since_ = Clock::now();
  ArmTimer(closing_since_ + linger_);
  if (transport_.is_tls()) {
    // close_notify must not race a read on the same TLS stream: stop the read first.
    if (read_pending_) {
      transport_.Cancel();
      return;
    }
    StartTlsShutdown();
    return;
  }
  transport_.ShutdownSend();
  buffer_.consume(buffer_.size());
  ReadMore();
}

void Session::StartTlsShutdown() {
  if (tls_shutdown_started_) return;
  tls_shutdown_started_ = true;
  transport_.AsyncTlsShutdown([self = shared_from_this()](const error_code&) { self->CloseNow(); });
}

void Session::OnClosingRead(const error_code& ec, size_t bytes) {
  if (transport_.is_tls()) {
    StartTlsShutdown();
    return;
  }
  if (ec) {
    CloseNow();
    return;
  }
  buffer_.commit(bytes);
  buffer_.consume(buffer_.size());
  ReadMore();
}

void Session::CloseNow() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  ++timer_generation_;
  timer_pending_ = false;
  timer_.cancel();
  transport_.Close();
}

void Session::BeginDrain() {
  if (phase_ == Phase::kClosed || draining_) return;
  draining_ = true;
  if (phase_ == Phase::kHandshake) {
    CloseNow();
    return;
  }
  if (phase_ == Phase::kClosing) return;
  if (answers_.empty() && !request_active_) {
    CloseNow();
    return;
  }
  // A request being received is finished and answered with "Connection: close" (Dispatch sees
  // draining_). Otherwise the newest request read gets that answer, if not answered yet.
  if (!request_active_) {
    stop_reading_ = true;
    if (!answers_.back().answered) answers_.back().close = true;
  }
}

void StartSession(Socket socket, uint32_t thread, std::shared_ptr<const ListenerContext> listener,
                  std::shared_ptr<ServerState> state) {
  auto session =
      std::make_shared<Session>(std::move(socket), thread, std::move(listener), std::move(state));
  asio::post(session->executor(), [session] { session->Start(); });
}

void DrainSession(const std::shared_ptr<Session>& session) {
  asio::post(session->executor(), [session] { session->BeginDrain(); });
}

void CloseSession(const std::shared_ptr<Session>& session) {
  asio::post(session->executor(), [session] { session->CloseNow(); });
}

}  // namespace jwo::http
