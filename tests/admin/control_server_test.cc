#include "admin/control_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "admin/control_api.h"
#include "tests/support/temp_dir.h"

namespace jwo::admin {
namespace {

int Connect(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

// Reads one answer line, waiting at most `timeout_ms`; "" when none came (or the server closed).
std::string ReadLine(int fd, int timeout_ms) {
  std::string answer;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return "";
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return "";
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return "";
    answer.append(buf, static_cast<size_t>(n));
    if (const size_t nl = answer.find('\n'); nl != std::string::npos) return answer.substr(0, nl);
  }
}

std::string Ask(const std::string& path, const std::string& line, int timeout_ms) {
  const int fd = Connect(path);
  const std::string out = line + "\n";
  // A refused client may find the connection closed before it sends: the answer is still there.
  (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
  std::string answer = ReadLine(fd, timeout_ms);
  ::close(fd);
  return answer;
}

// True when the server closed `fd` within `timeout_ms`.
bool ClosedWithin(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

ControlApi::Deps StatusOnly() {
  ControlApi::Deps deps;
  deps.status = [] { return boost::json::object{{"up", true}}; };
  return deps;
}

ControlServer::Options Deadline(int ms) {
  ControlServer::Options o;
  o.request_deadline_ms = ms;
  return o;
}

ControlServer::Options MaxClients(int n) {
  ControlServer::Options o;
  o.max_clients = n;
  return o;
}

struct Fixture {
  testing::TempDir dir;
  std::string path = dir.path() + "/ctl.sock";
  ControlApi api{StatusOnly()};
};

}  // namespace

TEST_CASE("a silent client does not delay another client's status") {
  Fixture f;
  ControlServer server(f.api);  // default deadline: 5 s
  REQUIRE(server.Start(f.path, 0600).ok());
  std::vector<int> silent;
  for (int i = 0; i < 17; ++i) silent.push_back(Connect(f.path));
  // Before: served one at a time, this answer waited 5 s per silent client ahead of it.
  CHECK(Ask(f.path, R"({"command":"status"})", 2000) == R"({"ok":true,"result":{"up":true}})");
  for (int fd : silent) ::close(fd);
}

TEST_CASE("a client dripping bytes is dropped at the deadline for the whole request") {
  Fixture f;
  ControlServer server(f.api, Deadline(300));
  REQUIRE(server.Start(f.path, 0600).ok());
  const int fd = Connect(f.path);
  bool closed = false;
  // One byte every 100 ms: each read is quick, the request never ends.
  for (int i = 0; i < 30 && !closed; ++i) {
    (void)::send(fd, "{", 1, MSG_NOSIGNAL);
    closed = ClosedWithin(fd, 100);
  }
  CHECK(closed);
  ::close(fd);
}

TEST_CASE("clients beyond the bound are told the server is busy, not queued") {
  Fixture f;
  ControlServer server(f.api, MaxClients(2));
  REQUIRE(server.Start(f.path, 0600).ok());
  const int a = Connect(f.path);
  const int b = Connect(f.path);
  const std::string answer = Ask(f.path, R"({"command":"status"})", 2000);
  CHECK(answer.find(R"("code":"unavailable")") != std::string::npos);
  ::close(a);
  ::close(b);
  // Once they are gone, a client is served again.
  std::string later;
  for (int i = 0; i < 250 && later.find(R"("ok":true)") == std::string::npos; ++i) {
    later = Ask(f.path, R"({"command":"status"})", 2000);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // their threads are finishing
  }
  CHECK(later == R"({"ok":true,"result":{"up":true}})");
}

TEST_CASE("Stop returns while clients are connected") {
  Fixture f;
  ControlServer server(f.api);
  REQUIRE(server.Start(f.path, 0600).ok());
  const int fd = Connect(f.path);
  (void)::send(fd, "{", 1, MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // being served, not queued
  const auto t0 = std::chrono::steady_clock::now();
  server.Stop();
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  ::close(fd);
}

}  // namespace jwo::admin
