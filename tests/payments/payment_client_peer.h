// Test rig for PaymentClient: a real jwo::http::Server as the peer (its own io threads) and a
// client io_context run by two threads, as in the daemon.
//
// Peer routes:
//   POST /echo    200 text/plain with the request body; X-Seen-Host, X-Seen-Content-Type and
//                 X-Seen-Signature repeat those request headers.
//   POST /status  answers the status in X-Want-Status with {"errorMsg":"wanted"}, plus
//                 Retry-After from X-Want-Retry-After when present.
//   POST /defer   parked until the test answers it (Take()).
#pragma once

#include <atomic>
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
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/router.h"
#include "http/server.h"
#include "payments/payment_client.h"

namespace jwo::payments {

inline http::ServerLimits PeerLimits() {
  http::ServerLimits limits;
  limits.idle_timeout_ms = 60'000;
  limits.request_timeout_ms = 60'000;
  return limits;
}

// Two threads running an io_context until destroyed.
class IoThreads {
 public:
  IoThreads() : work_(io_.get_executor()) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~IoThreads() {
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

// Polls `pred` until it holds (up to 10 s). The bound only keeps a broken build from hanging;
// no test depends on how fast anything happens.
inline bool WaitFor(const std::function<bool()>& pred) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pred();
}

// A request parked by /defer. The test answers it with Answer; one left unanswered gets a 503
// when destroyed, since the server keeps a session until its handler answers.
class Parked {
 public:
  Parked(http::Request request, http::Respond respond)
      : request(std::move(request)), respond_(std::move(respond)) {}
  Parked(Parked&& other) noexcept
      : request(std::move(other.request)), respond_(std::exchange(other.respond_, nullptr)) {}
  Parked& operator=(Parked&& other) noexcept {
    if (this != &other) {
      if (respond_) Answer(503, "unanswered");
      request = std::move(other.request);
      respond_ = std::exchange(other.respond_, nullptr);
    }
    return *this;
  }
  ~Parked() {
    if (respond_) Answer(503, "unanswered");
  }

  void Answer(int status, std::string body) {
    std::exchange(respond_, nullptr)(http::Response{status, std::move(body), "text/plain", {}});
  }

  http::Request request;

 private:
  http::Respond respond_;
};

class PeerServer {
 public:
  explicit PeerServer(http::ServerLimits limits = PeerLimits(),
                      std::optional<http::TlsSettings> tls = std::nullopt,
                      std::string address = "127.0.0.1")
      : server_(std::make_unique<http::Server>(threads_.io(), limits)) {
    http::ListenerSpec spec;
    spec.name = "payment-peer";
    spec.address = std::move(address);
    spec.tls = std::move(tls);
    spec.router = MakeRouter();
    auto port = server_->AddListener(spec);
    if (!port.ok()) throw std::runtime_error(port.status().ToString());
    port_ = *port;
    server_->Start();
  }

  ~PeerServer() {
    {
      std::lock_guard lock(mu_);
      parked_.clear();
    }
    std::promise<void> done;
    server_->Shutdown(std::chrono::milliseconds(100), [&] { done.set_value(); });
    done.get_future().wait_for(std::chrono::seconds(10));
  }

  uint16_t port() const { return port_; }
  http::ServerStats Stats() const { return server_->Stats(); }

  // The next parked /defer request; nullopt after 10 s.
  std::optional<Parked> Take() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !parked_.empty(); })) {
      return std::nullopt;
    }
    std::optional<Parked> item(std::move(parked_.front()));
    parked_.pop_front();
    return item;
  }

 private:
  std::shared_ptr<http::Router> MakeRouter() {
    auto router = std::make_shared<http::Router>();
    router->Add("POST", "/echo", [](http::Request&& r, http::Respond respond) {
      http::Response response;
      response.content_type = "text/plain";
      response.body = std::move(r.body);
      response.headers = {{"X-Seen-Host", std::string(r.Header("Host"))},
                          {"X-Seen-Content-Type", std::string(r.Header("Content-Type"))},
                          {"X-Seen-Signature", std::string(r.Header("X-Signature"))}};
      respond(std::move(response));
    });
    router->Add("POST", "/status", [](http::Request&& r, http::Respond respond) {
      http::Response response =
          http::JsonError(std::stoi(std::string(r.Header("X-Want-Status"))), "wanted");
      if (auto after = r.Header("X-Want-Retry-After"); !after.empty()) {
        response.headers.emplace_back("Retry-After", std::string(after));
      }
      respond(std::move(response));
    });
    router->Add("POST", "/defer", [this](http::Request&& r, http::Respond respond) {
      std::lock_guard lock(mu_);
      parked_.emplace_back(std::move(r), std::move(respond));
      cv_.notify_all();
    });
    return router;
  }

  IoThreads threads_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Parked> parked_;
};

// A request's result, once its `done` has run. `done` sets a promise, so a second call would
// throw: each passing test also shows `done` ran at most once.
class Call {
 public:
  Call() : promise_(std::make_shared<std::promise<OutboundResult>>()) {
    future_ = promise_->get_future();
  }
  PaymentClient::DoneFn Done() {
    return [p = promise_](OutboundResult r) { p->set_value(std::move(r)); };
  }
  bool Ready() const {
    return future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }
  // Waits (up to 10 s) for the result; throws when none came.
  OutboundResult Get() {
    if (future_.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      throw std::runtime_error("no result within 10 s");
    }
    return future_.get();
  }

 private:
  std::shared_ptr<std::promise<OutboundResult>> promise_;
  std::future<OutboundResult> future_;
};

inline OutboundRequest Post(std::string path, std::string body,
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
  OutboundRequest r;
  r.path = std::move(path);
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

inline PaymentClient::SignFn NoSigning() {
  return [](OutboundRequest r) { return r; };
}

inline PaymentEndpoint LocalEndpoint(uint16_t port, std::string scheme = "http") {
  PaymentEndpoint e;
  e.base_url = scheme + "://127.0.0.1:" + std::to_string(port);
  return e;
}

}  // namespace jwo::payments
