#include "admin/control_server.h"

#include <poll.h>
#include <pwd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/log.h"

namespace jwo::admin {
namespace {

constexpr size_t kMaxRequestBytes = 64 * 1024;
// Sending the answer: a client that does not read it is not waited for longer than this.
constexpr int kSendTimeoutMs = 5000;

core::Status Errno(const std::string& what) {
  return core::IoError(what + ": " + std::strerror(errno));
}

std::string PeerName(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return "unknown";
  passwd pw{};
  passwd* result = nullptr;
  char buf[1024];
  if (getpwuid_r(cred.uid, &pw, buf, sizeof buf, &result) == 0 && result != nullptr) {
    return result->pw_name;
  }
  return "uid:" + std::to_string(cred.uid);
}

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

ControlServer::~ControlServer() { Stop(); }

core::Status ControlServer::Start(const std::string& path, uint32_t mode) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    return core::InvalidArgument("control socket path is longer than " +
                                 std::to_string(sizeof addr.sun_path - 1) + " bytes: " + path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);

  // A socket file whose owner is alive answers connect(); only a stale one may be replaced.
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0) {
    const bool alive = ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(probe);
    if (alive) return core::IoError("control socket " + path + " is in use by a running daemon");
  }
  ::unlink(path.c_str());

  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Errno("socket");
  // Create the socket file with no access, then open it up to `mode`: no window in which a
  // wider umask would expose it.
  const mode_t old_umask = ::umask(0777);
  const int rc = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old_umask);
  if (rc != 0) return Errno("bind " + path);
  if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) return Errno("chmod " + path);
  if (::listen(listen_fd_, 16) != 0) return Errno("listen " + path);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return Errno("eventfd");
  path_ = path;
  thread_ = std::thread([this] { Run(); });
  return core::Status::Ok();
}

void ControlServer::Stop() {
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    // An eventfd write fails only when the counter would overflow, i.e. it is already
    // signalled; either way the threads wake. (A cast to void does not silence
    // warn_unused_result under _FORTIFY_SOURCE.)
    if (::write(wake_fd_, &one, sizeof one) < 0) {
    }
  }
  if (thread_.joinable()) thread_.join();
  // The accept thread is gone: no new clients; the running ones see the wake fd and return.
  std::list<Client> all;
  {
    std::lock_guard lock(clients_mu_);
    all.swap(clients_);
  }
  for (Client& c : all) c.thread.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    ::unlink(path_.c_str());
  }
  if (wake_fd_ >= 0) {
    ::close(wake_fd_);
    wake_fd_ = -1;
  }
}

void ControlServer::Run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      core::LogError("control socket poll failed", {{"error", std::strerror(errno)}});
      return;
    }
    if (fds[1].revents != 0) return;
    if (!(fds[0].revents & POLLIN)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ReapFinished();
    std::lock_guard lock(clients_mu_);
    if (clients_.size() >= static_cast<size_t>(options_.max_clients)) {
      // Never blocks for long: the answer fits in an empty socket buffer.
      const timeval tv{0, 100'000};
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      WriteAll(fd, R"({"ok":false,"code":"unavailable","error":"too many control clients are )"
                   R"(connected; try again in a few seconds"})"
                   "\n");
      ::close(fd);
      core::LogWarning("control socket busy: client refused",
                       {{"clients", std::to_string(clients_.size())}});
      continue;
    }
    Client& client = clients_.emplace_back();
    client.thread = std::thread([this, fd, &client] {
      Serve(fd);
      ::close(fd);
      std::lock_guard done_lock(clients_mu_);
      client.done = true;
    });
  }
}

void ControlServer::ReapFinished() {
  std::list<Client> finished;
  {
    std::lock_guard lock(clients_mu_);
    for (auto it = clients_.begin(); it != clients_.end();) {
      auto next = std::next(it);
      if (it->done) finished.splice(finished.end(), clients_, it);
      it = next;
    }
  }
  for (Client& c : finished) c.thread.join();
}

void ControlServer::Serve(int fd) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(options_.request_deadline_ms);
  std::string line;
  char buf[4096];
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return;  // the whole request is late, however it trickled in
    // The wake eventfd stays readable once Stop writes it: every client thread sees it.
    pollfd p[2] = {{fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int rc = ::poll(p, 2, static_cast<int>(left));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0 || p[1].revents != 0) return;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
    if (line.find('\n') != std::string::npos) break;
    if (line.size() > kMaxRequestBytes) {
      WriteAll(fd, R"({"ok":false,"code":"invalid_argument","error":"request too large"})"
                   "\n");
      return;
    }
  }
  const size_t nl = line.find('\n');
  if (nl != std::string::npos) line.resize(nl);
  if (line.empty()) return;
  std::string answer;
  {
    std::lock_guard lock(api_mu_);
    answer = api_.Handle(line, PeerName(fd));
  }
  const timeval tv{kSendTimeoutMs / 1000, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  WriteAll(fd, answer + "\n");
}

}  // namespace jwo::admin
