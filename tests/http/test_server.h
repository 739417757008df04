// TestServer: a real jwo::http::Server on 127.0.0.1 port 0, served by two connection threads, with
// routes the HTTP tests share.
//
// Routes:
//   POST /echo   200, text/plain, the request body; echoes X-Request-Id.
//   GET  /info   200, JSON {method,target,path,listener,peer,subject,headers}.
//   POST /defer  queued; the test answers it from its own thread via TakeDeferred().
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/json_writer.h"
#include "http/router.h"
#include "http/server.h"
#include "tests/support/http_client.h"

namespace jwo::http {

inline ServerLimits TestLimits() {
  ServerLimits limits;
  limits.max_body_bytes = 1024;
  limits.max_header_bytes = 2048;
  limits.idle_timeout_ms = 30'000;
  limits.request_timeout_ms = 30'000;
  limits.max_connections = 64;
  limits.max_pipelined_requests = 8;
  return limits;
}

// Requests parked by POST /defer until the test answers them.
class DeferredAnswers {
 public:
  void Push(Request&& request, Respond respond) {
    std::lock_guard lock(mu_);
    queue_.emplace_back(std::move(request), std::move(respond));
    cv_.notify_all();
  }
  // Waits for a parked request; nullopt on timeout.
  std::optional<std::pair<Request, Respond>> Take(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !queue_.empty(); })) {
      return std::nullopt;
    }
    auto item = std::move(queue_.front());
    queue_.pop_front();
    return item;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Request, Respond>> queue_;
};

// POST /block holds its connection thread (a handler doing long synchronous work) until the
// test releases it, or 10 s pass.
class Blocker {
 public:
  void Block() {
    std::unique_lock lock(mu_);
    entered_ = true;
    cv_.notify_all();
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return released_; })) {
      timed_out_ = true;
    }
  }
  bool WaitEntered() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  bool timed_out() {
    std::lock_guard lock(mu_);
    return timed_out_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool released_ = false;
  bool timed_out_ = false;
};

inline std::string InfoJson(const Request& r) {
  std::string out = "{";
  auto field = [&](const char* name, std::string_view value) {
    if (out.size() > 1) out.push_back(',');
    out.append("\"").append(name).append("\":\"");
    core::AppendJsonEscaped(value, &out);
    out.push_back('"');
  };
  field("method", r.method);
  field("target", r.target);
  field("path", r.path);
  field("listener", r.listener);
  field("peer", r.peer);
  field("subject", r.client_cert_subject);
  field("user_agent", r.Header("user-agent"));
  out.push_back('}');
  return out;
}

// A body whose every byte depends on its position and `seed`: a byte lost, repeated or taken
// from another answer shows.
inline std::string BigBody(size_t bytes, size_t seed) {
  std::string body(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i)
    body[i] = static_cast<char>('a' + (i / 7 + i * 13 + seed) % 26);
  return body;
}

inline std::shared_ptr<Router> StandardRouter(std::shared_ptr<DeferredAnswers> deferred,
                                              std::shared_ptr<Blocker> blocker) {
  auto router = std::make_shared<Router>();
  router->Add("POST", "/echo", [](Request&& r, Respond respond) {
    Response response;
    response.content_type = "text/plain";
    response.body = std::move(r.body);
    if (auto id = r.Header("X-Request-Id"); !id.empty()) {
      response.headers.emplace_back("X-Request-Id", std::string(id));
    }
    respond(std::move(response));
  });
  router->Add("GET", "/info", [](Request&& r, Respond respond) {
    Response response;
    response.body = InfoJson(r);
    respond(std::move(response));
  });
  // GET /big?BYTES-SEED: BYTES bytes of BigBody(BYTES, SEED): answers large enough, or pipelined
  // in enough number, that the socket does not take them in one send.
  router->Add("GET", "/big", [](Request&& r, Respond respond) {
    const std::string_view q = std::string_view(r.target).substr(r.path.size() + 1);
    const size_t dash = q.find('-');
    Response response;
    response.content_type = "text/plain";
    response.body = BigBody(std::stoul(std::string(q.substr(0, dash))),
                            std::stoul(std::string(q.substr(dash + 1))));
    respond(std::move(response));
  });
  router->Add("POST", "/defer", [deferred](Request&& r, Respond respond) {
    deferred->Push(std::move(r), std::move(respond));
  });
  router->Add("POST", "/block", [blocker](Request&&, Respond respond) {
    blocker->Block();
    respond(Response{200, "released", "text/plain", {}});
  });
  return router;
}

class TestServer {
 public:
  explicit TestServer(ServerLimits limits = TestLimits(),
                      std::optional<TlsSettings> tls = std::nullopt)
      : deferred_(std::make_shared<DeferredAnswers>()),
        blocker_(std::make_shared<Blocker>()),
        work_(io_.get_executor()),
        server_(std::make_unique<Server>(io_, limits, /*connection_threads=*/2)) {
    ListenerSpec spec;
    spec.name = tls ? "https-test" : "http-test";
    spec.address = "127.0.0.1";
    spec.port = 0;
    spec.tls = std::move(tls);
    spec.router = StandardRouter(deferred_, blocker_);
    auto port = server_->AddListener(spec);
    if (!port.ok()) throw std::runtime_error(port.status().ToString());
    port_ = port.value();
    server_->Start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  ~TestServer() {
    if (!shut_down_) Shutdown(std::chrono::seconds(5)).wait_for(std::chrono::seconds(10));
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  // Starts a graceful shutdown; the future is ready when `done` has run.
  std::future<void> Shutdown(std::chrono::milliseconds deadline) {
    shut_down_ = true;
    auto promise = std::make_shared<std::promise<void>>();
    auto future = promise->get_future();
    server_->Shutdown(deadline, [promise] { promise->set_value(); });
    return future;
  }

  core::Result<testing::HttpClient> Connect(
      std::optional<testing::TlsClientOptions> tls = std::nullopt) {
    return testing::HttpClient::Connect("127.0.0.1", port_, std::move(tls));
  }

  // Polls the server's counters until `pred` holds (up to 10 s). The bound only protects the
  // test run from hanging; no test depends on how fast anything happens.
  bool WaitFor(const std::function<bool(const ServerStats&)>& pred) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < give_up) {
      if (pred(server_->Stats())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred(server_->Stats());
  }

  uint16_t port() const { return port_; }
  Server& server() { return *server_; }
  ServerStats Stats() const { return server_->Stats(); }
  DeferredAnswers& deferred() { return *deferred_; }
  Blocker& blocker() { return *blocker_; }

 private:
  boost::asio::io_context io_;
  std::shared_ptr<DeferredAnswers> deferred_;
  std::shared_ptr<Blocker> blocker_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<Server> server_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool shut_down_ = false;
};

}  // namespace jwo::http
