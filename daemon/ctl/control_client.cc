#include "ctl/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace jwo::ctl {

core::Result<std::string> Exchange(const std::string& socket_path,
                                   const std::string& request_line) {
  sockaddr_un addr{};
  if (socket_path.size() >= sizeof addr.sun_path) {
    return core::InvalidArgument("socket path too long: " + socket_path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::IoError(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    return core::Status(core::StatusCode::kUnavailable,
                        "cannot reach jwo-edged at " + socket_path + ": " + err +
                            " (is the daemon running, and may this user open the socket?)");
  }
  const std::string out = request_line + "\n";
  size_t off = 0;
  while (off < out.size()) {
    const ssize_t n = ::send(fd, out.data() + off, out.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return core::IoError("sending the request failed");
    }
    off += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[8192];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    // Store writes are fsynced; a slow disk may take a while, but not half a minute.
    if (::poll(&p, 1, 30'000) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
    if (answer.find('\n') != std::string::npos) break;
  }
  ::close(fd);
  const size_t nl = answer.find('\n');
  if (nl == std::string::npos) return core::IoError("the daemon closed the connection early");
  answer.resize(nl);
  return answer;
}

}  // namespace jwo::ctl
