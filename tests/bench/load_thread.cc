#include "tests/bench/load_thread.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "tests/bench/http_response_parser.h"

namespace jwo::bench {
namespace {

constexpr int kMaxEvents = 256;
constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr uint64_t kReconnectBackoffNs = 50'000'000;
// A quiet loop still looks at the stop flag this often.
constexpr uint64_t kStopPollNs = 100'000'000;

RequestSpec SpecFrom(const LoadOptions& options, int index) {
  RequestSpec spec;
  const bool ipv6 = options.host.find(':') != std::string::npos;
  spec.host_header =
      (ipv6 ? "[" + options.host + "]" : options.host) + ":" + std::to_string(options.port);
  spec.path = options.path;
  spec.fixed_body = !options.body_file.empty();
  spec.body = options.body;
  spec.shoppers = options.shoppers;
  spec.debt_every = options.debt_every;
  spec.store_id = options.store_id;
  // Threads draw from distinct streams; thread 0 uses the seed as given.
  spec.seed = options.seed + static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ull;
  return spec;
}

void SetNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

uint64_t NowNanos() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(now.tv_nsec);
}

LoadThread::LoadThread(const LoadOptions& options, const sockaddr_storage& address,
                       socklen_t address_length, int index, int threads, int connections)
    : options_(options),
      address_(address),
      address_length_(address_length),
      index_(index),
      threads_(threads),
      requests_(SpecFrom(options, index)),
      conns_(static_cast<size_t>(connections)),
      read_buffer_(kReadBufferBytes) {}

LoadThread::~LoadThread() {
  for (Connection& conn : conns_) {
    if (conn.fd >= 0) close(conn.fd);
  }
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

bool LoadThread::Connect(std::string* error) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    *error = std::string("epoll_create1: ") + std::strerror(errno);
    return false;
  }
  for (size_t c = 0; c < conns_.size(); ++c) {
    Connection& conn = conns_[c];
    conn.fd = socket(address_.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (conn.fd < 0 ||
        connect(conn.fd, reinterpret_cast<const sockaddr*>(&address_), address_length_) != 0) {
      *error = "connect to " + options_.host + ":" + std::to_string(options_.port) + ": " +
               std::strerror(errno);
      return false;
    }
    SetNoDelay(conn.fd);
    fcntl(conn.fd, F_SETFL, fcntl(conn.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(c);
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, conn.fd, &ev) != 0) {
      *error = std::string("epoll_ctl: ") + std::strerror(errno);
      return false;
    }
    conn.state = ConnState::kOpen;
  }
  return true;
}

void LoadThread::Run(const RunTimes& times, const std::atomic<bool>* stop) {
  times_ = times;
  // The default 50 us timer slack would add up to 50 us to every wake-up at a due time.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const timespec start{static_cast<time_t>(times_.start_ns / 1'000'000'000u),
                       static_cast<long>(times_.start_ns % 1'000'000'000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &start, nullptr) == EINTR) {
  }
  started_ = true;
  const bool open = options_.open_loop();
  next_due_ns_ = open ? DueTime(0) : 0;
  for (size_t c = 0; c < conns_.size(); ++c) {
    if (open) {
      OfferIdle(static_cast<int>(c));
    } else {
      FillClosedLoop(static_cast<int>(c));
    }
  }

  bool stopping = false;
  for (;;) {
    const uint64_t now = NowNanos();
    if (!stopping && stop->load(std::memory_order_relaxed)) {
      stopping = true;
      times_.window_end_ns = std::min(times_.window_end_ns, now);
      times_.drain_deadline_ns = std::min(
          times_.drain_deadline_ns, now + static_cast<uint64_t>(options_.drain_timeout_s * 1e9));
    }
    if (open) {
      ScheduleDue(now);
      Dispatch();
    }
    if (down_ > 0) ReconnectDue(now);
    if (now >= times_.window_end_ns && outstanding_ == 0 && pending_.empty()) break;
    if (now >= times_.drain_deadline_ns) break;
    Wait(now, NextWake(now));
  }

  for (uint64_t due : pending_) {
    if (due >= times_.window_start_ns) ++stats_.unfinished;
  }
  for (const Connection& conn : conns_) {
    for (const InFlight& request : conn.inflight) {
      if (request.recorded) ++stats_.unfinished;
    }
  }
  stats_.window_ns = times_.window_end_ns > times_.window_start_ns
                         ? times_.window_end_ns - times_.window_start_ns
                         : 0;
}

uint64_t LoadThread::DueTime(uint64_t slot) const {
  const long double global = static_cast<long double>(index_) +
                             static_cast<long double>(threads_) * static_cast<long double>(slot);
  return times_.start_ns + static_cast<uint64_t>(global * 1e9L / options_.rate);
}

void LoadThread::ScheduleDue(uint64_t now) {
  while (next_due_ns_ <= now && next_due_ns_ < times_.window_end_ns) {
    pending_.push_back(next_due_ns_);
    if (next_due_ns_ >= times_.window_start_ns) {
      ++stats_.scheduled;
      stats_.schedule_lag.Record(now - next_due_ns_);
    }
    next_due_ns_ = DueTime(++next_slot_);
  }
}

void LoadThread::Dispatch() {
  while (!pending_.empty() && !idle_.empty()) {
    const int c = idle_.front();
    idle_.pop_front();
    conns_[c].in_idle_queue = false;
    if (!HasRoom(conns_[c])) continue;
    const uint64_t due = pending_.front();
    pending_.pop_front();
    Send(c, due, NowNanos());
    // Back of the queue: successive requests spread over the connections (and so over the
    // server's threads) instead of piling onto one.
    OfferIdle(c);
  }
}

void LoadThread::FillClosedLoop(int c) {
  for (;;) {
    const uint64_t now = NowNanos();
    if (!HasRoom(conns_[c]) || now >= times_.window_end_ns) return;
    Send(c, now, now);
  }
}

bool LoadThread::HasRoom(const Connection& conn) const {
  return conn.state == ConnState::kOpen &&
         conn.inflight.size() < static_cast<size_t>(options_.pipeline);
}

void LoadThread::OfferIdle(int c) {
  Connection& conn = conns_[c];
  if (conn.in_idle_queue || !HasRoom(conn)) return;
  conn.in_idle_queue = true;
  idle_.push_back(c);
}

void LoadThread::Send(int c, uint64_t due_ns, uint64_t now) {
  Connection& conn = conns_[c];
  const OutgoingRequest request = requests_.Next();
  const bool recorded = due_ns >= times_.window_start_ns;
  conn.inflight.push_back({due_ns, recorded, request.in_debt});
  ++outstanding_;
  if (recorded) {
    ++stats_.sent;
    if (options_.open_loop()) {
      stats_.send_delay.Record(now - due_ns);
    } else {
      ++stats_.scheduled;
    }
  }
  if (conn.out_offset < conn.out.size()) {
    conn.out.append(request.bytes);
    return;
  }
  ssize_t n = send(conn.fd, request.bytes.data(), request.bytes.size(), MSG_NOSIGNAL);
  if (n == static_cast<ssize_t>(request.bytes.size())) return;
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      Drop(c, true);
      return;
    }
    n = 0;
  }
  conn.out.assign(request.bytes.substr(static_cast<size_t>(n)));
  conn.out_offset = 0;
  SetEvents(c, EPOLLIN | EPOLLOUT);
}

bool LoadThread::Flush(int c) {
  Connection& conn = conns_[c];
  while (conn.out_offset < conn.out.size()) {
    const ssize_t n = send(conn.fd, conn.out.data() + conn.out_offset,
                           conn.out.size() - conn.out_offset, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
      Drop(c, true);
      return false;
    }
    conn.out_offset += static_cast<size_t>(n);
  }
  conn.out.clear();
  conn.out_offset = 0;
  SetEvents(c, EPOLLIN);
  return true;
}

void LoadThread::OnEvent(int c, uint32_t events) {
  Connection& conn = conns_[c];
  if (conn.state == ConnState::kConnecting) {
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(conn.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error == 0 && (events & EPOLLOUT) != 0) {
      OnConnected(c);
      return;
    }
    ++stats_.connect_failures;
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn.fd, nullptr);
    close(conn.fd);
    conn.fd = -1;
    conn.state = ConnState::kDown;
    conn.retry_at_ns = NowNanos() + kReconnectBackoffNs;
    ++down_;
    return;
  }
  if (conn.state != ConnState::kOpen) return;
  if ((events & EPOLLOUT) != 0 && !Flush(c)) return;
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) OnReadable(c);
}

void LoadThread::OnReadable(int c) {
  const ssize_t n = read(conns_[c].fd, read_buffer_.data(), read_buffer_.size());
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    Drop(c, true);
    return;
  }
  ConsumeAnswers(c, read_buffer_.data(), static_cast<size_t>(n), NowNanos());
}

void LoadThread::ConsumeAnswers(int c, const char* data, size_t size, uint64_t now) {
  Connection& conn = conns_[c];
  // Usually a read holds whole answers: parse in place and keep only a trailing fragment.
  const bool buffered = !conn.in.empty();
  if (buffered) conn.in.append(data, size);
  const std::string_view view = buffered ? std::string_view(conn.in) : std::string_view(data, size);
  size_t consumed = 0;
  while (consumed < view.size()) {
    HttpResponse response;
    const ParseOutcome outcome =
        ParseHttpResponse(view.substr(consumed), &response, &chunk_scratch_);
    if (outcome == ParseOutcome::kIncomplete) break;
    if (outcome == ParseOutcome::kMalformed || (response.status >= 200 && conn.inflight.empty())) {
      ++stats_.malformed;
      Drop(c, true);
      return;
    }
    consumed += response.size;
    if (response.status < 200) continue;
    const InFlight request = conn.inflight.front();
    conn.inflight.pop_front();
    --outstanding_;
    OnAnswer(request, response.status, response.size, response.body, now);
    if (!response.keep_alive) {
      Drop(c, false);
      return;
    }
  }
  if (buffered) {
    conn.in.erase(0, consumed);
  } else {
    conn.in.assign(view.substr(consumed));
  }
  if (options_.open_loop()) {
    OfferIdle(c);
  } else {
    FillClosedLoop(c);
  }
}

void LoadThread::OnAnswer(const InFlight& request, int status, size_t response_bytes,
                          std::string_view body, uint64_t now) {
  if (now >= times_.window_start_ns && now < times_.window_end_ns) ++stats_.answered_in_window;
  if (!request.recorded) return;
  ++stats_.completed;
  stats_.latency.Record(now - request.due_ns);
  ++stats_.status_counts[static_cast<size_t>(status)];
  if (status < 200 || status >= 300) {
    ++stats_.http_errors;
    return;
  }
  stats_.response_bytes_min = std::min<uint64_t>(stats_.response_bytes_min, response_bytes);
  stats_.response_bytes_max = std::max<uint64_t>(stats_.response_bytes_max, response_bytes);
  stats_.body_bytes_min = std::min<uint64_t>(stats_.body_bytes_min, body.size());
  stats_.body_bytes_max = std::max<uint64_t>(stats_.body_bytes_max, body.size());
  if (request.in_debt) ++stats_.expected_denied;
  if (!options_.count_outcomes) return;
  const bool generated = options_.shoppers > 0;
  if (body.find("\"APPROVED\"") != std::string_view::npos) {
    ++stats_.approved;
    if (generated && request.in_debt) ++stats_.mismatched;
  } else if (body.find("\"DENIED\"") != std::string_view::npos) {
    ++stats_.denied;
    if (generated && !request.in_debt) ++stats_.mismatched;
  } else {
    ++stats_.other_outcome;
  }
}

void LoadThread::OnConnected(int c) {
  Connection& conn = conns_[c];
  conn.state = ConnState::kOpen;
  SetEvents(c, EPOLLIN);
  if (started_) ++stats_.reconnects;
  if (options_.open_loop()) {
    OfferIdle(c);
  } else {
    FillClosedLoop(c);
  }
}

void LoadThread::StartConnect(int c) {
  Connection& conn = conns_[c];
  const int fd = socket(address_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int rc =
      fd < 0 ? -1 : connect(fd, reinterpret_cast<const sockaddr*>(&address_), address_length_);
  if (fd < 0 || (rc != 0 && errno != EINPROGRESS)) {
    if (fd >= 0) close(fd);
    ++stats_.connect_failures;
    conn.retry_at_ns = NowNanos() + kReconnectBackoffNs;
    ++down_;
    return;
  }
  SetNoDelay(fd);
  conn.fd = fd;
  conn.state = ConnState::kConnecting;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u32 = static_cast<uint32_t>(c);
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  if (rc == 0) OnConnected(c);
}

void LoadThread::Drop(int c, bool count_error) {
  Connection& conn = conns_[c];
  if (count_error) ++stats_.connection_errors;
  for (const InFlight& request : conn.inflight) {
    if (request.recorded) ++stats_.lost;
  }
  outstanding_ -= conn.inflight.size();
  conn.inflight.clear();
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn.fd, nullptr);
  close(conn.fd);
  conn.fd = -1;
  conn.state = ConnState::kDown;
  conn.out.clear();
  conn.out_offset = 0;
  conn.in.clear();
  // Reconnect at once; only a failing connect backs off.
  conn.retry_at_ns = NowNanos();
  ++down_;
}

void LoadThread::SetEvents(int c, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u32 = static_cast<uint32_t>(c);
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conns_[c].fd, &ev);
}

bool LoadThread::WantsConnections(uint64_t now) const {
  return now < times_.window_end_ns || !pending_.empty();
}

void LoadThread::ReconnectDue(uint64_t now) {
  if (!WantsConnections(now)) return;
  for (size_t c = 0; c < conns_.size(); ++c) {
    Connection& conn = conns_[c];
    if (conn.state == ConnState::kDown && conn.retry_at_ns <= now) {
      --down_;
      StartConnect(static_cast<int>(c));
    }
  }
}

uint64_t LoadThread::NextWake(uint64_t now) const {
  uint64_t wake = std::min(times_.drain_deadline_ns, now + kStopPollNs);
  if (now < times_.window_end_ns) wake = std::min(wake, times_.window_end_ns);
  if (options_.open_loop() && next_due_ns_ < times_.window_end_ns) {
    wake = std::min(wake, next_due_ns_);
  }
  if (down_ > 0 && WantsConnections(now)) {
    for (const Connection& conn : conns_) {
      if (conn.state == ConnState::kDown) wake = std::min(wake, conn.retry_at_ns);
    }
  }
  return wake;
}

void LoadThread::Wait(uint64_t now, uint64_t wake) {
  epoll_event events[kMaxEvents];
  const uint64_t wait_ns = wake > now && !options_.busy_poll ? wake - now : 0;
  int n = -1;
  if (use_pwait2_) {
    const timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000u),
                           static_cast<long>(wait_ns % 1'000'000'000u)};
    n = epoll_pwait2(epoll_fd_, events, kMaxEvents, &timeout, nullptr);
    // Kernels before 5.11 lack it; millisecond epoll_wait then spins through the last
    // millisecond before a due time, costing CPU but not precision.
    if (n < 0 && errno == ENOSYS) use_pwait2_ = false;
  }
  if (!use_pwait2_) {
    n = epoll_wait(epoll_fd_, events, kMaxEvents, static_cast<int>(wait_ns / 1'000'000u));
  }
  for (int i = 0; i < n; ++i) OnEvent(static_cast<int>(events[i].data.u32), events[i].events);
}

}  // namespace jwo::bench
