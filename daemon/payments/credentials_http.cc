#include "payments/credentials_http.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>
#include <system_error>
#include <utility>

#include "core/ascii.h"

namespace jwo::payments {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxHeaderBytes = 16 * 1024;
constexpr size_t kMaxResponseBytes = 1024 * 1024;

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Owns a socket descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Close(); }
  int get() const { return fd_; }

 private:
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_;
};

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits until `fd` is ready for `events`. False on timeout or poll failure.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, RemainingMs(deadline));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

// Connects to the first address of `endpoint` that accepts before `deadline`. On failure the
// message says why (for the caller to prefix with the endpoint).
core::Status Connect(const HttpEndpoint& endpoint, Clock::time_point deadline, Fd& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* addrs = nullptr;
  if (const int rc = ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &addrs);
      rc != 0) {
    return core::IoError(std::string("cannot resolve host: ") + ::gai_strerror(rc));
  }
  std::string error = "no address";
  for (addrinfo* a = addrs; a != nullptr; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (fd.get() < 0) {
      error = ErrnoText(errno);
      continue;
    }
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        error = ErrnoText(errno);
        continue;
      }
      if (!WaitFor(fd.get(), POLLOUT, deadline)) {
        error = "connect timed out";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        error = ErrnoText(err);
        continue;
      }
    }
    out = std::move(fd);
    break;
  }
  ::freeaddrinfo(addrs);
  if (out.get() < 0) return core::IoError("cannot connect: " + error);
  return core::Status::Ok();
}

core::Status SendAll(int fd, std::string_view data, Clock::time_point deadline) {
  for (size_t sent = 0; sent < data.size();) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFor(fd, POLLOUT, deadline)) return core::IoError("timed out sending the request");
    } else {
      return core::IoError("send failed: " + ErrnoText(errno));
    }
  }
  return core::Status::Ok();
}

struct ResponseHead {
  int status = 0;
  std::optional<size_t> content_length;
  bool chunked = false;
};

// Parses the status line and the framing headers of `head` (the text before the blank line).
core::Result<ResponseHead> ParseHead(std::string_view head) {
  ResponseHead out;
  const size_t line_end = std::min(head.find("\r\n"), head.size());
  const std::string_view status_line = head.substr(0, line_end);
  if (status_line.substr(0, 7) != "HTTP/1." || status_line.size() < 12 ||
      std::from_chars(status_line.data() + 9, status_line.data() + 12, out.status).ec !=
          std::errc()) {
    return core::IoError("malformed status line '" + std::string(status_line) + "'");
  }
  for (size_t pos = line_end + 2; pos < head.size();) {
    const size_t next = std::min(head.find("\r\n", pos), head.size());
    const std::string_view line = head.substr(pos, next - pos);
    pos = next + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = core::AsciiLowerCopy(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-length") {
      size_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n > kMaxResponseBytes) {
        return core::IoError("bad Content-Length '" + std::string(value) + "'");
      }
      out.content_length = n;
    } else if (name == "transfer-encoding") {
      out.chunked = core::AsciiLowerCopy(value).find("chunked") != std::string::npos;
    }
  }
  return out;
}

// A chunked body: complete with its decoded bytes, incomplete (more data needed), or an error.
struct ChunkedResult {
  bool complete = false;
  std::string body;
  std::string error;
};

ChunkedResult DecodeChunked(std::string_view data) {
  ChunkedResult r;
  size_t pos = 0;
  while (true) {
    const size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return r;
    std::string_view size_text = data.substr(pos, eol - pos);
    size_text = Trim(size_text.substr(0, size_text.find(';')));
    size_t size = 0;
    const auto [end, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (ec != std::errc() || end != size_text.data() + size_text.size() || size_text.empty() ||
        size > kMaxResponseBytes) {
      r.error = "bad chunk size '" + std::string(size_text) + "'";
      return r;
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailer lines, if any, up to an empty line.
      while (true) {
        const size_t line_end = data.find("\r\n", pos);
        if (line_end == std::string_view::npos) return r;
        if (line_end == pos) {
          r.complete = true;
          return r;
        }
        pos = line_end + 2;
      }
    }
    if (data.size() < pos + size + 2) return r;
    if (data.substr(pos + size, 2) != "\r\n") {
      r.error = "chunk not followed by CRLF";
      return r;
    }
    r.body.append(data.substr(pos, size));
    pos += size + 2;
  }
}

}  // namespace

core::Result<HttpEndpoint> ParseHttpEndpoint(std::string_view url) {
  const auto bad = [&](const char* why) {
    return core::InvalidArgument("endpoint URL '" + std::string(url) + "' " + why);
  };
  constexpr std::string_view kScheme = "http://";
  if (core::AsciiLowerCopy(url.substr(0, kScheme.size())) != kScheme)
    return bad("must start with http://");
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return bad("must be http://host[:port] with no path, query or user");
  }
  HttpEndpoint ep;
  ep.authority = std::string(rest);
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed '['");
    ep.host = std::string(rest.substr(1, close - 1));
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("has text after the IPv6 address");
    if (!after.empty()) port = after.substr(1);
  } else {
    const size_t colon = rest.find(':');
    ep.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (ep.host.empty()) return bad("has no host");
  ep.port = "80";
  if (!port.empty() || rest.find(':') != std::string_view::npos) {
    int value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 ||
        value > 65535) {
      return bad("has a port outside 1-65535");
    }
    ep.port = std::to_string(value);
  }
  return ep;
}

core::Result<PlainHttpResponse> PlainHttpExchange(
    const HttpEndpoint& endpoint, std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout) {
  const std::string where =
      std::string(method) + " http://" + endpoint.authority + std::string(target);
  const auto fail = [&](const std::string& why) {
    return core::Status(core::StatusCode::kUnavailable, where + ": " + why);
  };
  const Clock::time_point deadline = Clock::now() + timeout;

  Fd sock;
  if (core::Status connected = Connect(endpoint, deadline, sock); !connected.ok()) {
    return fail(connected.message());
  }

  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: " + endpoint.authority + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (method != "GET") request += "Content-Length: 0\r\n";
  request += "Connection: close\r\n\r\n";
  if (core::Status sent = SendAll(sock.get(), request, deadline); !sent.ok()) {
    return fail(sent.message());
  }

  std::string data;
  std::optional<ResponseHead> head;
  bool eof = false;
  while (true) {
    if (!head) {
      const size_t end = data.find("\r\n\r\n");
      if (end != std::string::npos) {
        core::Result<ResponseHead> parsed = ParseHead(std::string_view(data).substr(0, end));
        if (!parsed.ok()) return fail(parsed.status().message());
        head = *parsed;
        data.erase(0, end + 4);
      } else if (data.size() > kMaxHeaderBytes) {
        return fail("response header larger than 16 KiB");
      }
    }
    if (head) {
      PlainHttpResponse response{head->status, {}};
      if (head->chunked) {
        ChunkedResult decoded = DecodeChunked(data);
        if (!decoded.error.empty()) return fail("malformed chunked body: " + decoded.error);
        if (decoded.complete) {
          response.body = std::move(decoded.body);
          return response;
        }
      } else if (head->content_length ? data.size() >= *head->content_length : eof) {
        response.body = data.substr(0, head->content_length.value_or(data.size()));
        return response;
      }
    }
    if (eof) return fail("connection closed before the response was complete");
    if (data.size() > kMaxResponseBytes) return fail("response larger than 1 MiB");

    char buf[4096];
    const ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
    if (n > 0) {
      data.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      eof = true;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!WaitFor(sock.get(), POLLIN, deadline)) return fail("timed out waiting for the response");
    } else {
      return fail("recv failed: " + ErrnoText(errno));
    }
  }
}

}  // namespace jwo::payments
