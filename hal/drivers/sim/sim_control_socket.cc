#include "hal/drivers/sim/sim_control_socket.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace jwo::hal::sim {

SimControlSocket::~SimControlSocket() {
  for (Client& c : clients_) CloseClient(c);
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(path_.c_str());
  }
}

bool SimControlSocket::Listen(const std::string& path, std::string* error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    *error = "socket path too long: " + path;
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  struct stat st {};
  // A socket file left by a crashed run would make bind fail forever; anything else at that
  // path is not ours to delete.
  if (lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) unlink(path.c_str());
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 8) != 0) {
    *error = "bind " + path + ": " + std::strerror(errno);
    close(fd);
    return false;
  }
  listen_fd_ = fd;
  path_ = path;
  return true;
}

void SimControlSocket::CloseClient(Client& c) {
  if (c.fd >= 0) close(c.fd);
  c.fd = -1;
}

void SimControlSocket::Flush(Client& c) {
  while (!c.out.empty()) {
    const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.out.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    CloseClient(c);
    return;
  }
  if (c.out.size() > kMaxPending) CloseClient(c);
}

void SimControlSocket::Service(const Handler& handler) {
  if (listen_fd_ < 0) return;
  while (clients_.size() < kMaxClients) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    clients_.push_back(Client{fd, {}, {}});
  }
  char buf[4096];
  for (Client& c : clients_) {
    while (c.fd >= 0) {
      const ssize_t n = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        c.in.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
      // Orderly shutdown: answer what was sent complete, then close.
      for (size_t nl; (nl = c.in.find('\n')) != std::string::npos; c.in.erase(0, nl + 1)) {
        c.out += handler(std::string_view(c.in).substr(0, nl)) + "\n";
      }
      Flush(c);
      CloseClient(c);
    }
    if (c.fd < 0) continue;
    for (size_t nl; (nl = c.in.find('\n')) != std::string::npos; c.in.erase(0, nl + 1)) {
      c.out += handler(std::string_view(c.in).substr(0, nl)) + "\n";
    }
    if (c.in.size() > kMaxLine) {
      CloseClient(c);
      continue;
    }
    Flush(c);
  }
  clients_.erase(
      std::remove_if(clients_.begin(), clients_.end(), [](const Client& c) { return c.fd < 0; }),
      clients_.end());
}

}  // namespace jwo::hal::sim
