#include "payments/credentials_refresh.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/time_format.h"
#include "payments/credentials.h"
#include "payments/credentials_http.h"

namespace jwo::payments {
namespace {

using Catch::Matchers::ContainsSubstring;
using core::StatusCode;

const int64_t kT0 = *core::ParseIso8601("2026-01-01T00:00:00Z");
constexpr int64_t kMinute = 60'000;
constexpr std::string_view kRolePath = "/latest/meta-data/iam/security-credentials/";

// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
int ListenOnLoopback(uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 8) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

std::string CredentialsJson(const std::string& akid, int64_t expires_ms) {
  return R"({"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC",)"
         R"("AccessKeyId":")" +
         akid + R"(","SecretAccessKey":"secret-)" + akid + R"(","Token":"token-)" + akid +
         R"(","Expiration":")" + core::FormatIso8601(expires_ms) + R"("})";
}

// A tiny IMDSv2 server on a thread with blocking sockets: one request per connection, the
// token checked as IMDS does, replies from settable state.
class FakeImds {
 public:
  FakeImds() {
    listen_fd_ = ListenOnLoopback(port_);
    REQUIRE(::pipe2(wake_, O_CLOEXEC) == 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeImds() {
    Release();
    (void)!::write(wake_[1], "x", 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void SetDocument(std::string json) {
    std::lock_guard lock(mu_);
    document_ = std::move(json);
  }
  void SetDocumentStatus(int status) {
    std::lock_guard lock(mu_);
    document_status_ = status;
  }
  void SetChunked(bool chunked) {
    std::lock_guard lock(mu_);
    chunked_ = chunked;
  }
  int document_requests() const {
    std::lock_guard lock(mu_);
    return document_requests_;
  }
  // While stalled, every request is read and then left unanswered until Release().
  void Stall() {
    std::lock_guard lock(mu_);
    stalled_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    stalled_ = false;
    release_.notify_all();
  }
  int requests_held() const {
    std::lock_guard lock(mu_);
    return requests_held_;
  }

 private:
  void Serve() {
    while (true) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      ::poll(fds, 2, -1);
      if (fds[1].revents != 0) return;
      const int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      Handle(conn);
      ::close(conn);
    }
  }

  void Handle(int conn) {
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return;
      request.append(buf, static_cast<size_t>(n));
    }
    const std::string line = request.substr(0, request.find("\r\n"));
    const std::string method = line.substr(0, line.find(' '));
    const std::string path = line.substr(method.size() + 1, line.rfind(' ') - method.size() - 1);
    const auto header = [&](const std::string& name) {
      const size_t at = request.find("\r\n" + name + ": ");
      if (at == std::string::npos) return std::string();
      const size_t start = at + name.size() + 4;
      return request.substr(start, request.find("\r\n", start) - start);
    };

    std::unique_lock lock(mu_);
    if (stalled_) {
      ++requests_held_;
      release_.wait(lock, [&] { return !stalled_; });
    }
    int status = 200;
    std::string body;
    if (method == "PUT" && path == "/latest/api/token") {
      if (header("X-aws-ec2-metadata-token-ttl-seconds").empty()) {
        status = 400;
      } else {
        token_ = "imds-token-" + std::to_string(++tokens_issued_);
        body = token_;
      }
    } else if (method == "GET" && path.starts_with(kRolePath)) {
      if (header("X-aws-ec2-metadata-token") != token_ || token_.empty()) {
        status = 401;
      } else if (path == kRolePath) {
        body = "jwo-edge-role\n";
      } else if (path == std::string(kRolePath) + "jwo-edge-role") {
        ++document_requests_;
        status = document_status_;
        body = status == 200 ? document_ : "internal error";
      } else {
        status = 404;
      }
    } else {
      status = 404;
    }
    std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
    if (chunked_ && body.size() > 1) {
      const size_t half = body.size() / 2;
      char sizes[64];
      std::snprintf(sizes, sizeof sizes, "%zx", half);
      reply += "Transfer-Encoding: chunked\r\n\r\n" + std::string(sizes) + "\r\n" +
               body.substr(0, half) + "\r\n";
      std::snprintf(sizes, sizeof sizes, "%zx;ext=1", body.size() - half);
      reply += std::string(sizes) + "\r\n" + body.substr(half) + "\r\n0\r\n\r\n";
    } else {
      reply += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    (void)!::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable release_;
  bool stalled_ = false;
  int requests_held_ = 0;
  std::string document_;
  int document_status_ = 200;
  bool chunked_ = false;
  std::string token_;
  int tokens_issued_ = 0;
  int document_requests_ = 0;
};

// Polls `condition` until it holds or 10 s have passed (a generous bound, not a timing
// assertion: each condition holds within milliseconds when the code is right).
template <class Condition>
bool Eventually(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Refresh thread settings for tests: the thread re-reads the FakeClock every 2 ms.
RefreshOptions TestRefresh() {
  RefreshOptions o;
  o.refresh_margin = std::chrono::minutes(5);
  o.retry_base = std::chrono::seconds(10);
  o.retry_cap = std::chrono::seconds(10);
  o.clock_recheck = std::chrono::milliseconds(2);
  return o;
}

std::string AccessKeyAt(CredentialsProvider& p, int64_t now_ms) {
  core::Result<AwsCredentials> c = p.Get(now_ms);
  return c.ok() ? c->access_key_id : c.status().ToString();
}

TEST_CASE("IMDS provider refreshes in the background before expiry; Get makes no request") {
  FakeImds imds;
  imds.SetDocument(CredentialsJson("AKID1", kT0 + 60 * kMinute));
  core::FakeClock clock(kT0);
  auto provider = MakeImdsProvider(imds.url(), clock, std::chrono::seconds(2), TestRefresh());

  // The first fetch starts at construction, on the provider's thread.
  REQUIRE(Eventually([&] { return AccessKeyAt(*provider, kT0) == "AKID1"; }));
  const core::Result<AwsCredentials> c = provider->Get(kT0);
  CHECK(c->secret_access_key == "secret-AKID1");
  CHECK(c->session_token == "token-AKID1");
  CHECK(c->expires_unix_ms == kT0 + 60 * kMinute);
  CHECK(imds.document_requests() == 1);

  // Asked at a time inside the 5-minute margin, Get still serves the cache without a request:
  // only the refresh thread fetches, on its clock, which is still at kT0.
  imds.SetDocument(CredentialsJson("AKID2", kT0 + 120 * kMinute));
  for (int i = 0; i < 50; ++i) CHECK(AccessKeyAt(*provider, kT0 + 56 * kMinute) == "AKID1");
  CHECK(imds.document_requests() == 1);

  // Once the clock reaches Expiration - margin, the thread refreshes on its own.
  clock.Advance(std::chrono::minutes(55));
  CHECK(Eventually([&] { return imds.document_requests() == 2; }));
  CHECK(Eventually([&] { return AccessKeyAt(*provider, clock.NowUnixMs()) == "AKID2"; }));
  CHECK(imds.document_requests() == 2);
}

TEST_CASE("IMDS provider serves cached credentials while a refresh hangs") {
  FakeImds imds;
  imds.SetDocument(CredentialsJson("AKID1", kT0 + 60 * kMinute));
  core::FakeClock clock(kT0);
  auto provider = MakeImdsProvider(imds.url(), clock, std::chrono::seconds(30), TestRefresh());
  REQUIRE(Eventually([&] { return AccessKeyAt(*provider, kT0) == "AKID1"; }));

  imds.Stall();
  imds.SetDocument(CredentialsJson("AKID2", kT0 + 120 * kMinute));
  clock.Advance(std::chrono::minutes(56));
  REQUIRE(Eventually([&] { return imds.requests_held() == 1; }));
  // The refresh is stuck in the endpoint; Get answers from the cache regardless.
  CHECK(AccessKeyAt(*provider, clock.NowUnixMs()) == "AKID1");
  imds.Release();
  CHECK(Eventually([&] { return AccessKeyAt(*provider, clock.NowUnixMs()) == "AKID2"; }));
}

TEST_CASE("IMDS provider's Get returns at once, with an error, before any fetch has ended") {
  uint16_t port = 0;
  const int fd = ListenOnLoopback(port);  // accepts connections (backlog) but never answers
  core::FakeClock clock(kT0);
  auto provider = MakeImdsProvider("http://127.0.0.1:" + std::to_string(port), clock,
                                   std::chrono::seconds(30), TestRefresh());
  // The fetch cannot end while the endpoint is silent (its timeout is 30 s).
  const core::Status s = provider->Get(kT0).status();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message() ==
        "AWS credentials from IMDS http://127.0.0.1:" + std::to_string(port) + ": not fetched yet");
  ::close(fd);  // resets the pending connection, so the fetch fails and the provider can stop
}

TEST_CASE("IMDS provider keeps valid credentials while refreshes fail, then reports it") {
  FakeImds imds;
  imds.SetDocument(CredentialsJson("AKID1", kT0 + 60 * kMinute));
  core::FakeClock clock(kT0);
  auto provider = MakeImdsProvider(imds.url(), clock, std::chrono::seconds(2), TestRefresh());
  // Waits until the provider has recorded `n` fetches: the schedule of the next one is fixed
  // then, so advancing the clock afterwards is not racing it.
  const auto recorded = [&](uint64_t n) {
    return Eventually([&] { return provider->Stats().fetches >= n; });
  };
  REQUIRE(recorded(1));
  CHECK(AccessKeyAt(*provider, kT0) == "AKID1");

  imds.SetDocumentStatus(500);
  clock.Advance(std::chrono::minutes(56));
  REQUIRE(recorded(2));
  CHECK(imds.document_requests() == 2);
  CHECK(AccessKeyAt(*provider, clock.NowUnixMs()) == "AKID1");
  // Retried after the backoff (10 s here), each time on the refresh thread.
  clock.Advance(std::chrono::seconds(10));
  REQUIRE(recorded(3));
  CHECK(imds.document_requests() == 3);
  CHECK(provider->Stats().consecutive_failures == 2);

  // Past Expiration, Get reports the last failure.
  const core::Status expired = provider->Get(kT0 + 60 * kMinute).status();
  CHECK(expired.code() == StatusCode::kUnavailable);
  CHECK_THAT(expired.message(), ContainsSubstring("expired at 2026-01-01T01:00:00.000Z"));
  CHECK_THAT(expired.message(),
             ContainsSubstring(imds.url() + "/latest/meta-data/iam/security-credentials/"
                                            "jwo-edge-role: HTTP status 500 internal error"));

  imds.SetDocumentStatus(200);
  imds.SetDocument(CredentialsJson("AKID3", kT0 + 120 * kMinute));
  clock.Advance(std::chrono::seconds(10));
  REQUIRE(recorded(4));
  CHECK(AccessKeyAt(*provider, kT0 + 61 * kMinute) == "AKID3");
}

TEST_CASE("IMDS provider refuses credentials that have already expired") {
  FakeImds imds;
  imds.SetDocument(CredentialsJson("AKIDOLD", kT0 - kMinute));
  core::FakeClock clock(kT0);
  auto provider = MakeImdsProvider(imds.url(), clock, std::chrono::seconds(2), TestRefresh());
  CHECK(Eventually([&] {
    return provider->Get(kT0).status().message().find(
               "served credentials that expired at 2025-12-31T23:59:00.000Z") != std::string::npos;
  }));
}

TEST_CASE("FetchImdsCredentials goes through the IMDSv2 exchange and reads chunked replies") {
  FakeImds imds;
  imds.SetChunked(true);
  imds.SetDocument(CredentialsJson("AKIDCHUNKED", kT0 + 60 * kMinute));
  core::Result<AwsCredentials> c = FetchImdsCredentials(imds.url() + "/");
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "AKIDCHUNKED");
  CHECK(c->session_token == "token-AKIDCHUNKED");
  CHECK(c->expires_unix_ms == kT0 + 60 * kMinute);
}

TEST_CASE("FetchImdsCredentials rejects malformed credentials documents") {
  FakeImds imds;
  auto expect_error = [&](const std::string& document, const std::string& why) {
    imds.SetDocument(document);
    const core::Status s = FetchImdsCredentials(imds.url()).status();
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK_THAT(s.message(), ContainsSubstring(why));
  };
  expect_error("not json", "credentials document: ");
  expect_error(R"({"Code":"Expired","AccessKeyId":"A"})",
               "credentials document has Code 'Expired'");
  expect_error(R"({"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"2026-01-02T00:00:00Z"})",
               "credentials document lacks a string Token");
  expect_error(R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"soon"})",
               "'soon' is not an ISO 8601 date-time");
}

TEST_CASE("FetchImdsCredentials reports a clear error when the endpoint is down") {
  uint16_t port = 0;
  ::close(ListenOnLoopback(port));  // a port nothing listens on any more
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const core::Status s = FetchImdsCredentials(url).status();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message() ==
        "IMDS credentials: PUT " + url + "/latest/api/token: cannot connect: Connection refused");
}

TEST_CASE("FetchImdsCredentials gives up on a silent endpoint after its timeout") {
  uint16_t port = 0;
  const int fd = ListenOnLoopback(port);  // accepts connections (backlog) but never answers
  const core::Status s = FetchImdsCredentials("http://127.0.0.1:" + std::to_string(port),
                                              std::chrono::milliseconds(200))
                             .status();
  ::close(fd);
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK_THAT(s.message(), ContainsSubstring("timed out waiting for the response"));
}

TEST_CASE("FetchImdsCredentials rejects an endpoint that is not http://host[:port]") {
  for (const char* url : {"https://127.0.0.1:9911", "http://", "http://127.0.0.1:0",
                          "http://127.0.0.1:9911/latest", "127.0.0.1:9911"}) {
    CAPTURE(url);
    CHECK(FetchImdsCredentials(url).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("ParseHttpEndpoint splits host and port") {
  core::Result<HttpEndpoint> ep = ParseHttpEndpoint("http://169.254.169.254");
  REQUIRE(ep.ok());
  CHECK(ep->host == "169.254.169.254");
  CHECK(ep->port == "80");
  ep = ParseHttpEndpoint("HTTP://[::1]:9911/");
  REQUIRE(ep.ok());
  CHECK(ep->host == "::1");
  CHECK(ep->port == "9911");
  CHECK(ep->authority == "[::1]:9911");
  CHECK(ParseHttpEndpoint("http://host:99999").status().message() ==
        "endpoint URL 'http://host:99999' has a port outside 1-65535");
}

}  // namespace
}  // namespace jwo::payments
