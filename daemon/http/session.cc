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
#include "http/answer_queue.h"
#include "http/request_parser.h"
#include "http/server_state.h"
#include "http/tls_context.h"
#include "http/transport.h"

namespace jwo::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, Executor>;
using Millis = std::chrono::milliseconds;

constexpr size_t kReadChunk = 16 * 1024;
// The body of a request refused with 413 is read and dropped, keeping the connection, when it
// declares at most this many bytes; a larger one costs more than a new connection: close.
constexpr uint64_t kMaxSkippedBody = 1 << 20;
// How long a closing connection waits for the peer to finish (TCP FIN or TLS close_notify), so
// that unread input does not turn the close into a reset that destroys our last answer.
constexpr uint32_t kMaxLingerMs = 1000;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, uint32_t thread, std::shared_ptr<const ListenerContext> listener,
          std::shared_ptr<ServerState> state);
  ~Session();

  void Start();
  void BeginDrain();
  void CloseNow();
  // A handler's answer for the request in slot `index`.
  void Complete(uint32_t index, uint32_t generation, Response&& response);
  const Executor& executor() const { return executor_; }

 private:
  enum class Phase { kHandshake, kOpen, kClosing, kClosed };

  void OnHandshake(const error_code& ec);
  void StartRequest();
  void ReadMore();
  void ReadLater();
  void OnRead(const error_code& ec, size_t bytes);
  void ParseBuffered();
  void MaybeSendContinue();
  uint32_t OpenAnswer(bool close, bool keep_alive_10, bool head);
  void Dispatch();
  bool RefuseRequest(const error_code& ec);
  void Answer(uint32_t index, const Response& response);
  void MaybeWrite();
  template <typename Buffers>
  void StartWrite(const Buffers& buffers);
  void OnWrite(const error_code& ec);
  void GracefulClose();
  void StartTlsShutdown();
  void OnClosingRead(const error_code& ec, size_t bytes);
  Clock::time_point Deadline() const;
  void ArmTimer(Clock::time_point deadline);
  void OnTimer(const error_code& ec, uint64_t generation);
  void OnTimeout();

  Transport transport_;
  Executor executor_;
  const uint32_t thread_;  // the connection thread (index) that serves us
  Timer timer_;
  std::shared_ptr<const ListenerContext> listener_;
  std::shared_ptr<ServerState> state_;
  const ServerLimits& limits_;
  ServerCounters& counters_;
  const Millis request_timeout_;
  const Millis idle_timeout_;
  const Millis linger_;

  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  AnswerQueue answers_;
  std::vector<asio::const_buffer> write_buffers_;
  uint32_t writing_ = 0;  // answers from the front in the write in flight
  uint32_t unanswered_ = 0;
  std::shared_ptr<Session> pin_;  // keeps us alive while a handler owes an answer
  uint64_t skip_remaining_ = 0;   // body bytes of a refused request still to drop
  std::string peer_;
  std::string client_subject_;

  Phase phase_ = Phase::kHandshake;
  Clock::time_point request_start_;
  Clock::time_point idle_since_;
  Clock::time_point closing_since_;
  Clock::time_point timer_expiry_;
  uint64_t timer_generation_ = 0;
  bool timer_pending_ = false;
  bool read_pending_ = false;
  bool read_later_ = false;  // a ReadMore is posted
  bool write_pending_ = false;
  bool request_active_ = false;  // part of a request (or of a body being dropped) has arrived
  bool stop_reading_ = false;    // no new request will be taken on this connection
  bool paused_ = false;          // answers_ is full: parsing waits for a write to finish
  bool draining_ = false;
  bool continue_sent_ = false;
  bool tls_shutdown_started_ = false;
};

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
  parser_.emplace(limits_.max_header_bytes, limits_.max_body_bytes);
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
// docs/performance.md, "The gate decision").
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
      if (dispatched) {
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
  MaybeWrite();
}

void Session::MaybeWrite() {
  if (write_pending_ || phase_ != Phase::kOpen) return;
  const uint32_t ready = answers_.ReadyCount();
  if (ready == 0) return;
  writing_ = ready;
  write_pending_ = true;
  if (ready == 1) {
    StartWrite(asio::buffer(answers_.WireFromFront(0)));
    return;
  }
  write_buffers_.clear();
  for (uint32_t i = 0; i < ready; ++i) {
    write_buffers_.push_back(asio::buffer(answers_.WireFromFront(i)));
  }
  StartWrite(write_buffers_);
}

template <typename Buffers>
void Session::StartWrite(const Buffers& buffers) {
  transport_.AsyncWrite(
      buffers, [self = shared_from_this()](const error_code& ec, size_t) { self->OnWrite(ec); });
}

void Session::OnWrite(const error_code& ec) {
  write_pending_ = false;
  if (phase_ != Phase::kOpen) return;
  if (ec) {
    CloseNow();
    return;
  }
  const bool close = answers_.PopFront(writing_);
  writing_ = 0;
  if (close) {
    GracefulClose();
    return;
  }
  if (answers_.empty() && !request_active_) {
    if (stop_reading_) {
      GracefulClose();
      return;
    }
    idle_since_ = Clock::now();
  }
  if (paused_) {
    paused_ = false;
    ParseBuffered();
  }
  MaybeWrite();
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

Clock::time_point Session::Deadline() const {
  switch (phase_) {
    case Phase::kHandshake:
      return request_start_ + request_timeout_;
    case Phase::kClosing:
      return closing_since_ + linger_;
    default:
      if (!answers_.empty()) return answers_.front().start + request_timeout_;
      if (request_active_) return request_start_ + request_timeout_;
      return idle_since_ + idle_timeout_;
  }
}

// One timer per session, re-armed lazily: most deadline changes only move it later, and those
// are picked up when it fires, so a request costs no timer operation in the common case.
void Session::ArmTimer(Clock::time_point deadline) {
  if (phase_ == Phase::kClosed) return;
  if (timer_pending_ && timer_expiry_ <= deadline) return;
  timer_pending_ = true;
  timer_expiry_ = deadline;
  const uint64_t generation = ++timer_generation_;
  timer_.expires_at(deadline);
  timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
    self->OnTimer(ec, generation);
  });
}

void Session::OnTimer(const error_code& ec, uint64_t generation) {
  if (generation != timer_generation_) return;
  timer_pending_ = false;
  if (ec || phase_ == Phase::kClosed) return;
  const auto deadline = Deadline();
  if (Clock::now() < deadline) {
    ArmTimer(deadline);
    return;
  }
  OnTimeout();
}

void Session::OnTimeout() {
  switch (phase_) {
    case Phase::kHandshake:
      ServerCounters::Bump(counters_.tls_handshake_failures);
      CloseNow();
      return;
    case Phase::kOpen:
      break;
    default:
      CloseNow();
      return;
  }
  if (answers_.empty() && !request_active_) {
    ServerCounters::Bump(counters_.idle_timeouts);
    CloseNow();
    return;
  }
  ServerCounters::Bump(counters_.request_timeouts);
  if (answers_.empty() && !write_pending_ && skip_remaining_ == 0) {
    // The client is still sending its request: tell it why the connection ends.
    request_start_ = Clock::now();
    const uint32_t index = OpenAnswer(true, false, false);
    Answer(index, JsonError(408, "request not received within " +
                                     std::to_string(limits_.request_timeout_ms) + " ms"));
    ArmTimer(Deadline());
    return;
  }
  CloseNow();
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
