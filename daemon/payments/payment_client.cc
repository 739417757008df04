#include "payments/payment_client.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <deque>
#include <utility>
#include <vector>

#include "payments/payment_connection.h"
#include "payments/payment_wire.h"

namespace jwo::payments {
namespace {

bool HasHeader(const OutboundRequest& req, std::string_view name) {
  return std::any_of(req.headers.begin(), req.headers.end(),
                     [&](const auto& h) { return HeaderNameEquals(h.first, name); });
}

}  // namespace

std::string_view TransportOutcomeName(TransportOutcome outcome) {
  switch (outcome) {
    case TransportOutcome::kResponse:
      return "response";
    case TransportOutcome::kConnectFailed:
      return "connect_failed";
    case TransportOutcome::kTlsFailed:
      return "tls_failed";
    case TransportOutcome::kTimeout:
      return "timeout";
    case TransportOutcome::kConnectionLost:
      return "connection_lost";
    case TransportOutcome::kQueueFull:
      return "queue_full";
    case TransportOutcome::kStopped:
      return "stopped";
  }
  return "unknown";
}

std::string_view OutboundResult::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (HeaderNameEquals(key, name)) return value;
  }
  return {};
}

// The pool. The members above the atomics are fixed at construction; those below them are
// touched on `strand` only.
struct PaymentClient::Impl : std::enable_shared_from_this<Impl> {
  struct Pending {
    OutboundRequest request;  // unsigned, Content-Type completed
    SignFn sign;
    DoneFn done;
    bool retried = false;
  };

  Impl(boost::asio::io_context& io, PaymentEndpoint e)
      : strand(boost::asio::make_strand(io)), endpoint(std::move(e)) {
    bool tls_fault = false;
    auto made = MakeConnectionSettings(endpoint, &tls_fault);
    if (made.ok()) {
      settings = std::move(made).value();
      host = HostHeader(*settings);
    } else {
      config_error = made.status().message();
      config_outcome = tls_fault ? TransportOutcome::kTlsFailed : TransportOutcome::kConnectFailed;
      if (auto address = ParseEndpointUrl(endpoint.base_url); address.ok()) {
        host = address->host_header;
      }
    }
  }

  void Accept(Pending p) {
    if (stopped) return Fail(std::move(p), TransportOutcome::kStopped, "the client is stopped");
    if (!settings) return Fail(std::move(p), config_outcome, config_error);
    if (std::string fault = InvalidRequestReason(p.request); !fault.empty()) {
      return Fail(std::move(p), TransportOutcome::kConnectFailed, std::move(fault));
    }
    if (queue.size() >= endpoint.max_queued) {
      return Fail(
          std::move(p), TransportOutcome::kQueueFull,
          "payment request queue full (" + std::to_string(endpoint.max_queued) + " waiting)");
    }
    if (!HasHeader(p.request, "Content-Type")) {
      p.request.headers.emplace_back("Content-Type", "application/json");
    }
    queue.push_back(std::move(p));
    Dispatch();
  }

  // Hands queued requests to idle connections, or to new ones while under max_connections.
  // An exchange may end inside Start (a request that fails its checks after signing) and call
  // back here: the outer loop then carries on, so the stack does not grow with the queue.
  void Dispatch() {
    if (dispatching) return;
    dispatching = true;
    while (!stopped && !queue.empty()) {
      std::shared_ptr<PaymentConnection> connection;
      while (!idle.empty() && !connection) {
        connection = std::move(idle.back());  // the most recently used is the least likely stale
        idle.pop_back();
        if (!connection->StillUsable()) {
          connection->Close();
          connection.reset();
        }
      }
      if (!connection) {
        if (busy.size() >= endpoint.max_connections) break;
        connection = NewConnection();
      }
      Pending p = std::move(queue.front());
      queue.pop_front();
      Start(std::move(connection), std::move(p));
    }
    dispatching = false;
    PublishGauges();
  }

  std::shared_ptr<PaymentConnection> NewConnection() {
    std::weak_ptr<Impl> weak = weak_from_this();
    return PaymentConnection::Create(strand, settings, [weak](PaymentConnection* c) {
      if (auto self = weak.lock()) self->OnIdleClosed(c);
    });
  }

  void Start(std::shared_ptr<PaymentConnection> connection, Pending p) {
    busy.push_back(connection.get());
    // The original stays in `p` (held by the connection until `done`) for a possible retry.
    OutboundRequest request = p.request;
    SignFn sign = p.sign;
    auto on_done = [self = shared_from_this(), p = std::move(p)](
                       std::shared_ptr<PaymentConnection> c, OutboundResult result,
                       ConnectionFate fate) mutable {
      self->OnExchangeDone(std::move(c), std::move(p), std::move(result), fate);
    };
    connection->Exchange(std::move(request), std::move(sign), std::move(on_done));
  }

  void OnExchangeDone(std::shared_ptr<PaymentConnection> connection, Pending p,
                      OutboundResult result, ConnectionFate fate) {
    busy.erase(std::find(busy.begin(), busy.end(), connection.get()));
    if (fate == ConnectionFate::kRetrySafe && !p.retried && !stopped) {
      p.retried = true;
      Start(NewConnection(), std::move(p));
      PublishGauges();
      return;
    }
    if (fate == ConnectionFate::kReusable && !stopped) {
      idle.push_back(std::move(connection));
    } else if (fate == ConnectionFate::kReusable) {
      connection->Close();
    }
    Finish(std::move(p), std::move(result));
    Dispatch();
  }

  void OnIdleClosed(PaymentConnection* connection) {
    auto it = std::find_if(idle.begin(), idle.end(),
                           [&](const auto& c) { return c.get() == connection; });
    if (it != idle.end()) idle.erase(it);
    Dispatch();
  }

  void StopNow() {
    if (stopped) return;
    stopped = true;
    std::deque<Pending> waiting;
    waiting.swap(queue);
    for (auto& c : idle) c->Close();
    idle.clear();
    // Each aborted exchange reports through OnExchangeDone; copy first, as that edits `busy`.
    for (PaymentConnection* c : std::vector<PaymentConnection*>(busy)) c->Close();
    for (auto& p : waiting)
      Fail(std::move(p), TransportOutcome::kStopped, "the client was stopped");
    PublishGauges();
  }

  void Fail(Pending p, TransportOutcome outcome, std::string error) {
    OutboundResult result;
    result.outcome = outcome;
    result.error = std::move(error);
    Finish(std::move(p), std::move(result));
  }

  // Counts and reports a finished request. The gauges are published first, so whoever reacts
  // to `done` sees the pool as `done` left it.
  void Finish(Pending p, OutboundResult result) {
    PublishGauges();
    if (result.request_may_have_been_sent) sent.fetch_add(1, std::memory_order_relaxed);
    auto& counter = result.outcome == TransportOutcome::kResponse ? responses : failures;
    counter.fetch_add(1, std::memory_order_relaxed);
    p.done(std::move(result));
  }

  void PublishGauges() {
    in_flight.store(busy.size(), std::memory_order_relaxed);
    queued.store(queue.size(), std::memory_order_relaxed);
    open_connections.store(busy.size() + idle.size(), std::memory_order_relaxed);
  }

  Strand strand;
  const PaymentEndpoint endpoint;
  std::shared_ptr<const ConnectionSettings> settings;  // null: the endpoint is unusable
  std::string host;
  std::string config_error;
  TransportOutcome config_outcome = TransportOutcome::kConnectFailed;

  std::atomic<uint64_t> in_flight{0}, queued{0}, open_connections{0};
  std::atomic<uint64_t> sent{0}, responses{0}, failures{0};

  bool stopped = false;
  bool dispatching = false;
  std::deque<Pending> queue;
  std::vector<std::shared_ptr<PaymentConnection>> idle;
  // Kept alive by their own pending I/O; listed to be found by Stop. Raw pointers, so a
  // connection never owns (through its `done`) a pool that owns it.
  std::vector<PaymentConnection*> busy;
};

PaymentClient::PaymentClient(boost::asio::io_context& io, PaymentEndpoint endpoint)
    : impl_(std::make_shared<Impl>(io, std::move(endpoint))) {}

PaymentClient::~PaymentClient() { Stop(); }

const std::string& PaymentClient::host() const { return impl_->host; }

void PaymentClient::Send(OutboundRequest req, SignFn sign, DoneFn done) {
  boost::asio::post(impl_->strand, [impl = impl_, p = Impl::Pending{std::move(req), std::move(sign),
                                                                    std::move(done)}]() mutable {
    impl->Accept(std::move(p));
  });
}

void PaymentClient::Stop() {
  boost::asio::post(impl_->strand, [impl = impl_] { impl->StopNow(); });
}

PaymentClient::Stats PaymentClient::GetStats() const {
  Stats s;
  s.in_flight = impl_->in_flight.load(std::memory_order_relaxed);
  s.queued = impl_->queued.load(std::memory_order_relaxed);
  s.open_connections = impl_->open_connections.load(std::memory_order_relaxed);
  s.sent = impl_->sent.load(std::memory_order_relaxed);
  s.responses = impl_->responses.load(std::memory_order_relaxed);
  s.failures = impl_->failures.load(std::memory_order_relaxed);
  return s;
}

}  // namespace jwo::payments
