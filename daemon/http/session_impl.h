// The Session class: internal to http/ (session.cc and session_timeouts.cc). See session.h for
// what a session does; this is its state.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/answer_queue.h"
#include "http/request_parser.h"
#include "http/server_state.h"
#include "http/session.h"
#include "http/transport.h"

namespace jwo::http {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Clock = std::chrono::steady_clock;
  using error_code = boost::system::error_code;

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
  using Timer = boost::asio::basic_waitable_timer<Clock, boost::asio::wait_traits<Clock>, Executor>;
  using Millis = std::chrono::milliseconds;
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
  void WriteLater();
  void ReadAfterWrite();
  template <typename Buffers>
  void StartWrite(const Buffers& buffers);
  void OnWrite(const error_code& ec);
  // The end of a write: false when the session stopped or closes, so nothing more is written.
  bool FinishWrite(const error_code& ec);
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

  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  Request spare_;  // what the last handler left of its request: storage for the next one
  AnswerQueue answers_;
  std::vector<boost::asio::const_buffer> write_buffers_;
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
  bool read_later_ = false;        // a ReadMore is posted
  bool write_later_ = false;       // a MaybeWrite is posted
  bool read_after_write_ = false;  // the next write's completion posts a ReadMore
  bool write_pending_ = false;
  bool request_active_ = false;  // part of a request (or of a body being dropped) has arrived
  bool stop_reading_ = false;    // no new request will be taken on this connection
  bool paused_ = false;          // answers_ is full: parsing waits for a write to finish
  bool draining_ = false;
  bool continue_sent_ = false;
  bool tls_shutdown_started_ = false;
};

}  // namespace jwo::http
